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
	uint64_t fixed;

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
	if (flash_size == 0)
		flash_size = fixed + layout_roundup(image_size + PKG_HEADER_SIZE, bs);
	if (flash_size % bs != 0 || flash_size < fixed + bs)
		return -1;
	l->fota_size = flash_size - fixed;
	l->total = flash_size;
	return 0;
}
