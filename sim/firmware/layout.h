/*
 * layout.h: the partition layout of the simulated flash
 * (docs/flash-layout.md).
 *
 *   block 0-1   boot flags (record log)
 *   block 2-3   update journal (record log)
 *   block 4-5   NV settings: the AT&W profile and QCFG (record log)
 *   slot A      firmware slot 0
 *   slot B      firmware slot 1
 *   FOTA area   the downloaded package; its size bounds the package size
 */
#ifndef FOTASIM_LAYOUT_H
#define FOTASIM_LAYOUT_H

#include <stdint.h>

struct layout {
	uint64_t	 block_size;
	uint64_t	 boot_off;	/* two blocks */
	uint64_t	 journal_off;	/* two blocks */
	uint64_t	 nv_off;	/* two blocks */
	uint64_t	 slot_off[2];
	uint64_t	 slot_size;
	uint64_t	 fota_off;
	uint64_t	 fota_size;
	uint64_t	 total;
};

/*
 * Lay out a flash for images of image_size bytes.  flash_size 0 asks for the
 * smallest flash whose FOTA area holds a full package; otherwise the FOTA
 * area takes what the slots leave.  Returns 0 or -1 if it does not fit.
 */
int	layout_compute(uint64_t block_size, uint64_t image_size,
	    uint64_t flash_size, struct layout *);

#endif
