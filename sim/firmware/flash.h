/*
 * flash.h: the simulated flash chip.
 *
 * A flash is a geometry (NOR or NAND, erase block, page), a timing model on
 * the simulated clock and a backend that stores the bytes (flash-file.c,
 * flash-ram.c), optionally wrapped by the fault layer (flash-fault.c).  This
 * layer enforces the physics: programming can only clear bits (1 -> 0), a NAND
 * page is programmed once between erases, and erasing works on whole blocks.
 * Every operation goes straight to the backend, in order, so that killing the
 * process leaves the store exactly as a power cut would.
 */
#ifndef FOTASIM_FLASH_H
#define FOTASIM_FLASH_H

#include <stddef.h>
#include <stdint.h>

enum flash_type {
	FLASH_NOR,
	FLASH_NAND,
};

/* Return codes of every flash and backend operation. */
enum flash_err {
	FLASH_OK = 0,
	FLASH_ERR_RANGE = -1,		/* outside the chip or misaligned */
	FLASH_ERR_RULE = -2,		/* would set a bit: program needs erase */
	FLASH_ERR_IO = -3,		/* the backing store failed */
	FLASH_ERR_POWER = -4,		/* power is gone; nothing more happens */
	FLASH_ERR_FAILED = -5,		/* the chip reported an erase/program failure */
	FLASH_ERR_FULL = -6,		/* no space left for the data */
};

struct flash_geometry {
	enum flash_type	 type;
	uint64_t	 size;		/* bytes, a multiple of block_size */
	uint32_t	 block_size;	/* erase unit */
	uint32_t	 page_size;	/* program unit */
	double		 erase_time;	/* simulated seconds per block erase */
	double		 page_time;	/* simulated seconds per page programmed */
	double		 program_rate;	/* bytes per simulated second; 0 = no limit */
};

struct flash_dev;

/* A backend: stores bytes exactly as told; the rules live in flash.c. */
struct flash_ops {
	const char	*name;
	int	(*read)(struct flash_dev *, uint64_t off, void *, size_t);
	int	(*program)(struct flash_dev *, uint64_t off, const void *, size_t);
	int	(*erase)(struct flash_dev *, uint64_t off, uint64_t len);
	void	(*close)(struct flash_dev *);
};

/* Every backend embeds this first. */
struct flash_dev {
	const struct flash_ops	*ops;
	uint64_t		 size;
	uint32_t		 page_size;	/* set by flash_open, for fault counting */
};

struct flash {
	struct flash_geometry	 geom;
	struct flash_dev	*dev;
	double			 busy;		/* simulated seconds not yet taken */
	uint64_t		 ops;		/* erases + pages programmed */
	unsigned char		*scratch;	/* one block, for the rule check */
};

/* Fill in the default geometry and timing for a flash type (size 0). */
void	 flash_geometry_default(enum flash_type, struct flash_geometry *);
/* Set every timing of a geometry to zero (tests, benchmarks). */
void	 flash_geometry_untimed(struct flash_geometry *);
/* Check that a geometry is usable; returns 0 or -1 with a reason. */
int	 flash_geometry_check(const struct flash_geometry *, const char **why);
/* Parse "nor" or "nand"; returns 0 or -1. */
int	 flash_parse_type(const char *, enum flash_type *);

/* Put a geometry in front of a backend; the caller keeps owning dev. */
struct flash *flash_open(const struct flash_geometry *, struct flash_dev *);
/* Forget the chip; the backend stays open. */
void	 flash_close(struct flash *);

/* Read bytes; erased bytes read as 0xff. */
int	 flash_read(struct flash *, uint64_t off, void *, size_t);
/* Program bytes at a page-aligned offset; may only clear bits. */
int	 flash_program(struct flash *, uint64_t off, const void *, size_t);
/* Erase one block to all 0xff. */
int	 flash_erase_block(struct flash *, uint64_t block);
/* Erase every block that overlaps [off, off + len). */
int	 flash_erase_range(struct flash *, uint64_t off, uint64_t len);
/* Simulated seconds of work done since the last call, then reset. */
double	 flash_take_busy(struct flash *);
/* A short text for a flash return code. */
const char *flash_strerror(int);

/* RAM backend: a zero-timing store for tests; starts erased. */
struct flash_dev *flash_ram_open(uint64_t size);
/* File backend: a sparse image file, created erased when missing. */
int	 flash_file_open(const char *path, uint64_t size, struct flash_dev **);

/* Close a backend. */
void	 flash_dev_close(struct flash_dev *);

#endif
