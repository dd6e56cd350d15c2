/*
 * firmware-opts.h: fotasim's flash options (--flash, --flash-size,
 * --image-size, --flash-timing, --flash-block, --flash-page, --flash-fault,
 * --fota-area) and the geometry record a state dir keeps
 * (flash.geom), so that a restart with other options cannot misread the
 * flash.  main.c parses into a struct firmware_options and hands it to the
 * modem, which passes it to firmware_boot() (docs/flash-layout.md).
 */
#ifndef FOTASIM_FIRMWARE_OPTS_H
#define FOTASIM_FIRMWARE_OPTS_H

#include <stddef.h>
#include <stdint.h>

#include "flash.h"
#include "flash-fault.h"

/* Which options were given (the rest come from the state dir or defaults). */
#define FWOPT_TYPE		0x01
#define FWOPT_FLASH_SIZE	0x02
#define FWOPT_IMAGE_SIZE	0x04
#define FWOPT_TIMING		0x08
#define FWOPT_BLOCK		0x10
#define FWOPT_PAGE		0x20
#define FWOPT_FAULT		0x40
#define FWOPT_FOTA_AREA		0x80

/* --flash-timing: the type's real timing, none, or set per field. */
enum firmware_timing {
	FIRMWARE_TIMING_REAL,
	FIRMWARE_TIMING_ZERO,
	FIRMWARE_TIMING_CUSTOM,
};

struct firmware_options {
	unsigned		 given;		/* FWOPT_* */
	enum flash_type		 type;
	uint64_t		 flash_size;
	uint64_t		 image_size;
	uint64_t		 fota_area;	/* --fota-area: its bytes */
	uint32_t		 block_size;
	uint32_t		 page_size;
	enum firmware_timing	 timing;
	/* FIRMWARE_TIMING_CUSTOM: fields set (bits 1 erase, 2 page, 4 rate). */
	unsigned		 timing_set;
	double			 erase_time;
	double			 page_time;
	double			 program_rate;
	/* --flash-fault: the fault layer between the flash and its file. */
	struct flash_fault_cfg	 fault;
};

/* The options' keys: firmware_parse_option() takes them. */
#define FIRMWARE_OPT_FLASH		0x100
#define FIRMWARE_OPT_FLASH_SIZE		0x101
#define FIRMWARE_OPT_IMAGE_SIZE		0x102
#define FIRMWARE_OPT_FLASH_TIMING	0x103
#define FIRMWARE_OPT_FLASH_BLOCK	0x104
#define FIRMWARE_OPT_FLASH_PAGE		0x105
#define FIRMWARE_OPT_FLASH_FAULT	0x106
#define FIRMWARE_OPT_FOTA_AREA		0x107

/*
 * Their rows in fotasim's option table (struct opt, sim/opttab.h): name,
 * argument, help and key.  `setter` is main.c's, which hands the key to
 * firmware_parse_option().
 */
#define FIRMWARE_OPT_ROW(n, a, h, k, setter) \
	{ .name = (n), .arg = (a), .help = (h), .set = (setter), .key = (k) }
#define FIRMWARE_OPT_ROWS(setter) \
	FIRMWARE_OPT_ROW("flash", "nor|nand", "flash type of a fresh state dir " \
	    "(default nor)", FIRMWARE_OPT_FLASH, setter), \
	FIRMWARE_OPT_ROW("flash-size", "BYTES", "flash size (k/M/G); default: " \
	    "the smallest that fits", FIRMWARE_OPT_FLASH_SIZE, setter), \
	FIRMWARE_OPT_ROW("image-size", "BYTES", "firmware image size of a " \
	    "fresh state dir (default 1M)", FIRMWARE_OPT_IMAGE_SIZE, setter), \
	FIRMWARE_OPT_ROW("flash-timing", "T", "real (default), zero, or " \
	    "erase=S,page=S,rate=B/s", FIRMWARE_OPT_FLASH_TIMING, setter), \
	FIRMWARE_OPT_ROW("flash-block", "BYTES", "erase block (default nor " \
	    "64k, nand 128k)", FIRMWARE_OPT_FLASH_BLOCK, setter), \
	FIRMWARE_OPT_ROW("flash-page", "BYTES", "program page (default nor " \
	    "256, nand 2k)", FIRMWARE_OPT_FLASH_PAGE, setter), \
	FIRMWARE_OPT_ROW("flash-fault", "F", "a failing chip, from each " \
	    "power-on:\nfull-after=BYTES programmed, fail-op=N (the Nth " \
	    "erase\nor page program fails)", FIRMWARE_OPT_FLASH_FAULT, setter), \
	FIRMWARE_OPT_ROW("fota-area", "BYTES", "FOTA area of a fresh state dir " \
	    "(k/M/G, rounded up to\na block; default: a full package); the " \
	    "flash is then\nthe slots and this area, no UFS", \
	    FIRMWARE_OPT_FOTA_AREA, setter)

/* The largest flash fotasim accepts (the file is sparse). */
#define FIRMWARE_MAX_FLASH	(16ULL << 30)

/*
 * Parse one option (a FIRMWARE_OPT_* value) into opts.  Returns 0, or -1
 * with a message naming the option in err.
 */
int	 firmware_parse_option(struct firmware_options *, int opt,
	    const char *arg, char *err, size_t errlen);
/* Check that the options given fit together; 0, or -1 with a message. */
int	 firmware_options_check(const struct firmware_options *, char *err,
	    size_t errlen);
/* The geometry and timing the options ask for, for flash type `type`. */
void	 firmware_options_geometry(const struct firmware_options *,
	    enum flash_type type, struct flash_geometry *);

/* What a state dir records about its flash (flash.geom). */
struct firmware_geom_rec {
	enum flash_type	 type;
	uint64_t	 flash_size;
	uint32_t	 block_size;
	uint32_t	 page_size;
	uint64_t	 image_size;
};

/* Read DIR/flash.geom: 1 found, 0 absent, -1 unreadable (message in err). */
int	 firmware_geom_read(const char *dir, struct firmware_geom_rec *,
	    char *err, size_t errlen);
/* Write DIR/flash.geom atomically; 0, or -1 with a message in err. */
int	 firmware_geom_write(const char *dir, const struct firmware_geom_rec *,
	    char *err, size_t errlen);

#endif
