/*
 * layout.c: compute partition offsets from the geometry and image size.
 */
#include "config.h"

#include <string.h>

#include "layout.h"
#include "package.h"

/* Round v up to a multiple of m. */
static uint64_t
layout_roundup(uint64_t v, uint64_t m)
{
	return (v + m - 1) / m * m;
}

int
layout_compute(uint64_t bs, uint64_t image_size, uint64_t flash_size,
    struct layout *l)
{
	uint64_t fixed, pkg, ufs;

	memset(l, 0, sizeof *l);
	if (bs == 0 || image_size == 0)
		return -1;
	l->block_size = bs;
	l->boot_off = 0;
	l->journal_off = 2 * bs;
	l->nv_off = 4 * bs;
	l->slot_size = layout_roundup(image_size, bs);
	l->slot_off[0] = 6 * bs;
	l->slot_off[1] = l->slot_off[0] + l->slot_size;
	l->fota_off = l->slot_off[1] + l->slot_size;
	fixed = l->fota_off;
	pkg = layout_roundup(image_size + PKG_HEADER_SIZE, bs);
	l->ufs_dir = layout_roundup(LAYOUT_UFS_HEADER +
	    LAYOUT_UFS_FILES * LAYOUT_UFS_ENTRY, bs);
	ufs = 2 * l->ufs_dir + pkg + LAYOUT_UFS_SPARE * bs;
	l->min_total = fixed + pkg;
	if (flash_size == 0)
		flash_size = fixed + pkg + ufs;
	if (flash_size % bs != 0 || flash_size < fixed + bs)
		return -1;
	if (flash_size >= fixed + pkg + ufs)
		l->ufs_size = ufs;
	l->fota_size = flash_size - fixed - l->ufs_size;
	l->ufs_off = fixed + l->fota_size;
	l->total = flash_size;
	return 0;
}
