/*
 * firmware-priv.h: what firmware.c (boot, records, staging) and updater.c
 * (the update state machine) share.  Not for the rest of the modem.
 */
#ifndef FOTASIM_FIRMWARE_PRIV_H
#define FOTASIM_FIRMWARE_PRIV_H

#include "firmware.h"
#include "firmware-opts.h"
#include "flashlog.h"
#include "image.h"
#include "layout.h"
#include "package.h"

/* The boot flags: which slot boots, and what each slot must hold. */
struct boot_rec {
	int		 active;
	int		 valid[2];
	uint64_t	 size[2];
	unsigned char	 md5[2][PKG_MD5_LEN];
};

enum journal_phase {
	JOURNAL_IDLE,		/* nothing to do (FOTA area may be mid-write) */
	JOURNAL_STAGED,		/* a complete package sits in the FOTA area */
	JOURNAL_APPLYING,	/* writing the target slot; blocks done so far */
	JOURNAL_DONE,		/* committed and reported */
	JOURNAL_FAILED,		/* refused or failed and reported */
	JOURNAL_STAGING,	/* FOTA area being written (pkg_len expected) */
};

struct journal_rec {
	enum journal_phase phase;
	int		 target;	/* slot being written */
	uint32_t	 blocks;	/* blocks of the target slot done */
	int		 result;	/* END code for DONE/FAILED */
	uint64_t	 pkg_len;	/* bytes of package in the FOTA area */
};

/*
 * A byte stream going into a block-aligned region of the flash, page by
 * page, each block erased as the data reaches it: the package into the
 * FOTA area (staging), a file into the UFS (ufs.c).
 */
struct fw_writer {
	struct flash	*flash;
	uint64_t	 off;		/* region start, on a block */
	uint64_t	 len;		/* region size */
	uint64_t	 pos;		/* bytes programmed so far */
	unsigned char	*page;		/* a partial page not yet programmed */
	size_t		 fill;
};

/* Start writing at the region's first byte (keeps the page buffer). */
void	fw_writer_begin(struct fw_writer *, struct flash *, uint64_t off,
	    uint64_t len);
/* 0, FIRMWARE_ERR_TOO_BIG (past the region) or FIRMWARE_ERR_FLASH. */
int	fw_writer_write(struct fw_writer *, const void *, size_t);
/* Program the partial page, padded with erased bytes. */
int	fw_writer_flush(struct fw_writer *);
void	fw_writer_free(struct fw_writer *);

/* A byte range of the flash, readable as a pkg_source. */
struct fw_region {
	struct flash	*flash;
	uint64_t	 off;
	uint64_t	 len;
};

struct updater;
struct ufs;

struct firmware {
	struct firmware_cbs	 cbs;
	struct clock		*clock;
	struct translog		*log;
	struct flash_dev	*dev;
	struct flash_dev	*own_dev;	/* closed with the firmware */
	struct flash_dev	*fault_dev;	/* --flash-fault, around own_dev */
	struct flash		*flash;
	struct layout		 lay;
	struct flashlog		 bootlog;
	struct flashlog		 journal;
	struct flashlog		 nvlog;		/* the modem's NV settings */
	unsigned char		 nv[FIRMWARE_NV_MAX];
	int			 nv_found;
	struct boot_rec		 boot;		/* firmware_slot_*() change it */
	struct journal_rec	 jr;		/* its phase: fw_journal_write() */
	char			 model[IMAGE_MODEL_MAX];
	char			 revision[IMAGE_REV_MAX];
	int			 pending;
	int			 booted;	/* the slot running since power-on */
	struct updater		*up;
	/* Staging a package into the FOTA area. */
	int			 staging;
	uint64_t		 stage_len;
	struct fw_writer	 stage;
	/* The user file system (ufs.c), NULL if the layout has none. */
	struct ufs		*ufs;
};

/* Read through a struct fw_region. */
int	fw_region_read(void *arg, uint64_t off, void *buf, size_t len);
/*
 * The only writers of the boot flags.  Each appends one record and, once it
 * has landed, makes it fw->boot; on an error fw->boot stays as it was.
 * Activate: slot holds size bytes with this MD5, boot it from now on.
 * Invalidate: slot is about to be overwritten, never boot it.
 */
int	firmware_slot_activate(struct firmware *, int slot, uint64_t size,
	    const unsigned char md5[PKG_MD5_LEN]);
int	firmware_slot_invalidate(struct firmware *, int slot);
/* Append a journal record and make it fw->jr. */
int	fw_journal_write(struct firmware *, enum journal_phase, int target,
	    uint32_t blocks, int result);

/*
 * The geometry and image size to boot with: the options (or the config's
 * geom), reconciled with the state dir's flash.geom (firmware-opts.c).
 * *write_rec says the record is missing and must be written before
 * flash.img is made.  Returns 0, or -1 with a message in err.
 */
int	fw_geometry_resolve(const struct firmware_config *, struct flash_geometry *,
	    uint64_t *isize, int *write_rec, char *err, size_t errlen);

/* The UFS (ufs.c): mount at boot (no UFS in the layout: fw->ufs NULL). */
int	 ufs_mount(struct firmware *);
void	 ufs_free(struct ufs *);

/* The updater state machine (updater.c). */
struct updater *updater_new(struct firmware *);
void	 updater_free(struct updater *);
/* Begin verifying and applying the staged package. */
int	 updater_start(struct updater *);
/* A staged package has arrived: idle -> downloaded. */
void	 updater_downloaded(struct updater *);
/* A committed update whose END was not yet reported: report it. */
void	 updater_report_done(struct updater *);
const char *updater_state_name(const struct updater *);
int	 updater_result(const struct updater *);
int	 updater_busy(const struct updater *);

#endif
