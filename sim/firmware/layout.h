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
 *   UFS         the user file system (AT+QFUPL): two directory copies,
 *               then data blocks for a full package and LAYOUT_UFS_SPARE
 *               more; absent from a given flash size with no room for it
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
	uint64_t	 ufs_off;
	uint64_t	 ufs_size;	/* 0: no UFS */
	uint64_t	 ufs_dir;	/* bytes of one directory copy */
	uint64_t	 total;
	uint64_t	 min_total;	/* the smallest flash (no UFS) */
};

#define LAYOUT_UFS_FILES	32	/* directory entries */
#define LAYOUT_UFS_ENTRY	100	/* bytes per entry */
#define LAYOUT_UFS_HEADER	16
#define LAYOUT_UFS_SPARE	2	/* data blocks beyond a full package */

/*
 * Lay out a flash for images of image_size bytes.  flash_size 0 asks for the
 * smallest flash whose FOTA area holds a full package, plus the UFS;
 * otherwise the UFS is at the end if a full package still fits beside it,
 * and the FOTA area takes what the slots (and UFS) leave.  Returns 0 or -1
 * if it does not fit.
 */
int	layout_compute(uint64_t block_size, uint64_t image_size,
	    uint64_t flash_size, struct layout *);

#endif
