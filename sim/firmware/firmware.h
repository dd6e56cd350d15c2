/*
 * firmware.h: the module's firmware half, as the modem sees it.
 *
 * At power-on the modem calls firmware_boot(): it opens (or creates) the
 * simulated flash in the state dir, repairs what a power cut left behind and
 * says which revision runs.  Once the modem is up (after RDY) it calls
 * firmware_run_pending(), which resumes an interrupted or staged update; the
 * updater then talks back only through struct firmware_cbs (URC lines and a
 * reboot request).  See docs/internals/updater.md.
 */
#ifndef FOTASIM_FIRMWARE_H
#define FOTASIM_FIRMWARE_H

#include <stddef.h>
#include <stdint.h>

#include "flash.h"

struct firmware;
struct firmware_options;

/* What the updater needs from the modem. */
struct firmware_cbs {
	/* Print one URC line, without CR LF: +QIND: "FOTA","UPDATING",37 */
	void	(*urc)(void *arg, const char *line);
	/* The update is over (END,0 printed): power-cycle into the new firmware. */
	void	(*reboot)(void *arg);
	void	 *arg;
};

struct firmware_config {
	const char		*state_dir;	/* flash.img lives here ... */
	struct flash_dev	*dev;		/* ... or this backend (tests) */
	const char		*model;		/* factory firmware of a fresh flash */
	const char		*revision;
	uint64_t		 image_size;	/* 0 = FIRMWARE_DEFAULT_SIZE */
	struct flash_geometry	 geom;		/* size 0 = smallest that fits */
	/* fotasim's options: replace geom and image_size (firmware-opts.h). */
	const struct firmware_options *opts;
	struct clock		*clock;		/* the updater's timers (required) */
	struct translog		*log;		/* the modem's transcript, or NULL */
};

/* Fill a config with the defaults: NOR timing, default model and revision. */
void	 firmware_config_default(struct firmware_config *);

/*
 * Power-on: open or create the flash, finish or roll back what a power cut
 * interrupted, pick the slot to boot.  A state dir's recorded geometry
 * (flash.geom) wins over geom and image_size; options given that differ
 * from it are refused.  Returns 0, or -1 with a message in err (bad or
 * mismatched geometry, unusable state dir, or no bootable image at all).
 */
int	 firmware_boot(const struct firmware_config *, const struct firmware_cbs *,
	    struct firmware **, char *err, size_t errlen);
/* The booted model and revision (for ATI, AT+CGMR, AT+QGMR). */
const char *firmware_model(const struct firmware *);
const char *firmware_revision(const struct firmware *);
/*
 * Whether the slot that booted holds, byte for byte, the image of `rev`
 * for the booted model at that slot's size (what fotasim-pkg image makes):
 * 1 yes, 0 no, -1 the flash cannot be read.
 */
int	 firmware_slot_is_image(const struct firmware *, const char *rev);
/* Whether an update waits for firmware_run_pending(). */
int	 firmware_pending(const struct firmware *);
/* After power-on completes: resume a staged or interrupted update (NULL ok). */
void	 firmware_run_pending(struct firmware *);
/* Power-down (orderly or not): stop timers, free all (NULL ok); flash keeps all. */
void	 firmware_close(struct firmware *);

/*
 * Put a package into the FOTA area, in pieces as it arrives (the download
 * engines), or at once (tests).  Returns 0, or a FIRMWARE_ERR_* code.
 */
int	 firmware_stage_begin(struct firmware *, uint64_t len);
int	 firmware_stage_write(struct firmware *, const void *, size_t);
int	 firmware_stage_end(struct firmware *);
/* The download failed: forget the partial package (journal IDLE). */
int	 firmware_stage_abort(struct firmware *);
int	 firmware_stage(struct firmware *, const void *, size_t);
/*
 * The module's NV settings (AT&W profile, QCFG values): one opaque record of
 * at most FIRMWARE_NV_MAX bytes, kept in its own power-safe record log.
 * firmware_nv_get copies the current record (zero-padded) and returns 1, or
 * returns 0 if none was ever written; firmware_nv_put replaces it (0 or a
 * flash error).
 */
#define FIRMWARE_NV_MAX		64
int	 firmware_nv_get(const struct firmware *, void *, size_t);
int	 firmware_nv_put(struct firmware *, const void *, size_t);

/*
 * The UFS, the user file system AT+QFUPL writes (ufs.c): files are runs of
 * whole erase blocks in their own partition; each change lands as one
 * directory record, so a power cut leaves the state before or after it.
 * A layout without UFS (a small given flash size) has no space at all.
 */
#define FIRMWARE_UFS_NAME_MAX	80
struct firmware_ufs_file {
	char		 name[FIRMWARE_UFS_NAME_MAX + 1];
	uint64_t	 size;
};
/* Free and total data bytes (both 0 without UFS). */
void	 firmware_ufs_space(const struct firmware *, uint64_t *freep,
	    uint64_t *total);
/* The i-th file (0-based, oldest first): 0, or -1 past the last. */
int	 firmware_ufs_file(const struct firmware *, unsigned,
	    struct firmware_ufs_file *);
/* A file's size: 0 or FIRMWARE_ERR_NOENT. */
int	 firmware_ufs_stat(const struct firmware *, const char *, uint64_t *);
int	 firmware_ufs_delete(struct firmware *, const char *);
/*
 * An upload: create reserves room for up to max bytes (EXIST, TOO_BIG:
 * more than the UFS holds, NOFILES: directory full, NOSPACE: no free run
 * that large); write programs the bytes; close saves the file with what
 * was written (STATE if nothing was); abort forgets it.
 */
int	 firmware_ufs_create(struct firmware *, const char *, uint64_t max);
int	 firmware_ufs_write(struct firmware *, const void *, size_t);
int	 firmware_ufs_close(struct firmware *);
void	 firmware_ufs_abort(struct firmware *);
/* Read n bytes at off of a file: 0, NOENT, TOO_BIG (past its end), FLASH. */
int	 firmware_ufs_read(struct firmware *, const char *, uint64_t off,
	    void *, size_t);

/* Start applying the staged package now (+QIND START, UPDATING..., END). */
int	 firmware_update_start(struct firmware *);
/* Simulated seconds of flash work done since the last call. */
double	 firmware_take_busy(struct firmware *);
/* The updater's state name: idle, downloaded, verifying, ... */
const char *firmware_update_state(const struct firmware *);
/* Bytes the FOTA area holds: the largest package that can be staged. */
uint64_t firmware_fota_size(const struct firmware *);
/* The last END code the updater reported (-1 = none yet). */
int	 firmware_update_result(const struct firmware *);

#define FIRMWARE_ERR_BUSY	-1	/* an update is running */
#define FIRMWARE_ERR_TOO_BIG	-2	/* package larger than the FOTA area */
#define FIRMWARE_ERR_FLASH	-3	/* flash error (or power lost) */
#define FIRMWARE_ERR_STATE	-4	/* call out of order */
#define FIRMWARE_ERR_NOENT	-5	/* UFS: no such file */
#define FIRMWARE_ERR_EXIST	-6	/* UFS: the name is taken */
#define FIRMWARE_ERR_NOSPACE	-7	/* UFS: no free room that large */
#define FIRMWARE_ERR_NOFILES	-8	/* UFS: the directory is full */

/* END codes of the manual. */
#define FOTA_END_OK		0
#define FOTA_END_FAILED		504
#define FOTA_END_MD5		506

#endif
