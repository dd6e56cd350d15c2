/*
 * flash.c: geometry, timing and the rules of flash on top of a backend.
 *
 * Backends store whatever they are given; this layer decides what a real chip
 * would accept.  It reads the old bytes before each program so that a bug
 * which tries to set a bit (or, on NAND, program a page twice) fails loudly
 * with FLASH_ERR_RULE instead of silently corrupting the image.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "flash.h"
#include "util.h"

/*
 * NOR: 64 KiB sectors, 256 B pages.  The manual limits a host sending a
 * package to a NOR module to about 15 kB/s; 0.25 s per sector erase plus
 * 16000 B/s programming absorbs 65536 / (0.25 + 4.096) = 15.1 kB/s.
 */
static const struct flash_geometry flash_nor_default = {
	.type = FLASH_NOR, .size = 0, .block_size = 65536, .page_size = 256,
	.erase_time = 0.25, .page_time = 0, .program_rate = 16000,
};

/* NAND: 128 KiB blocks of 2 KiB pages, 2 ms erase, 300 us per page. */
static const struct flash_geometry flash_nand_default = {
	.type = FLASH_NAND, .size = 0, .block_size = 131072, .page_size = 2048,
	.erase_time = 0.002, .page_time = 0.0003, .program_rate = 0,
};

void
flash_geometry_default(enum flash_type type, struct flash_geometry *g)
{
	*g = type == FLASH_NAND ? flash_nand_default : flash_nor_default;
}

void
flash_geometry_untimed(struct flash_geometry *g)
{
	g->erase_time = 0;
	g->page_time = 0;
	g->program_rate = 0;
}

/* Whether v is a power of two. */
static int
flash_is_pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

int
flash_geometry_check(const struct flash_geometry *g, const char **why)
{
	const char *w = NULL;

	if (!flash_is_pow2(g->page_size) || g->page_size < 256)
		w = "page size must be a power of two >= 256";
	else if (!flash_is_pow2(g->block_size) || g->block_size < g->page_size ||
	    g->block_size > (16U << 20))
		w = "block size must be a power of two, >= page, <= 16M";
	else if (g->size == 0 || g->size % g->block_size != 0)
		w = "size must be a non-zero multiple of the block size";
	else if (!(g->erase_time >= 0) || !(g->page_time >= 0) ||
	    !(g->program_rate >= 0))
		w = "timings must be >= 0";
	if (why != NULL)
		*why = w;
	return w ? -1 : 0;
}

int
flash_parse_type(const char *s, enum flash_type *type)
{
	if (strcmp(s, "nor") == 0)
		*type = FLASH_NOR;
	else if (strcmp(s, "nand") == 0)
		*type = FLASH_NAND;
	else
		return -1;
	return 0;
}

struct flash *
flash_open(const struct flash_geometry *g, struct flash_dev *dev)
{
	struct flash *f;

	if (flash_geometry_check(g, NULL) != 0 || dev->size < g->size)
		return NULL;
	f = xcalloc(1, sizeof *f);
	f->geom = *g;
	f->dev = dev;
	dev->page_size = g->page_size;
	f->scratch = xmalloc(g->block_size);
	return f;
}

void
flash_close(struct flash *f)
{
	if (f == NULL)
		return;
	free(f->scratch);
	free(f);
}

void
flash_dev_close(struct flash_dev *dev)
{
	if (dev != NULL)
		dev->ops->close(dev);
}

/* Whether [off, off + len) lies inside the chip. */
static int
flash_in_range(const struct flash *f, uint64_t off, uint64_t len)
{
	return off <= f->geom.size && len <= f->geom.size - off;
}

int
flash_read(struct flash *f, uint64_t off, void *p, size_t len)
{
	if (!flash_in_range(f, off, len))
		return FLASH_ERR_RANGE;
	if (len == 0)
		return FLASH_OK;
	return f->dev->ops->read(f->dev, off, p, len);
}

/* Check that programming `n` bytes of `p` at `off` obeys the chip's rules. */
static int
flash_check_program(struct flash *f, uint64_t off, const unsigned char *p,
    size_t n)
{
	const unsigned char *old = f->scratch;
	int nand = f->geom.type == FLASH_NAND;
	uint64_t a, b;
	size_t i;
	int rc;

	if ((rc = f->dev->ops->read(f->dev, off, f->scratch, n)) != 0)
		return rc;
	/* NOR programming only clears bits; a NAND page is programmed once
	 * between erases.  A word at a time: every programmed byte is here. */
	for (i = 0; i + sizeof a <= n; i += sizeof a) {
		memcpy(&a, old + i, sizeof a);
		memcpy(&b, p + i, sizeof b);
		if (nand ? a != UINT64_MAX : (a & b) != b)
			return FLASH_ERR_RULE;
	}
	for (; i < n; i++)
		if (nand ? old[i] != 0xff : (old[i] & p[i]) != p[i])
			return FLASH_ERR_RULE;
	return FLASH_OK;
}

/* Account simulated time for programming n bytes. */
static void
flash_charge_program(struct flash *f, size_t n)
{
	uint64_t pages = (n + f->geom.page_size - 1) / f->geom.page_size;

	f->ops += pages;
	f->busy += (double)pages * f->geom.page_time;
	if (f->geom.program_rate > 0)
		f->busy += (double)n / f->geom.program_rate;
}

int
flash_program(struct flash *f, uint64_t off, const void *p, size_t len)
{
	const unsigned char *s = p;
	uint64_t bs = f->geom.block_size;
	int rc;

	if (!flash_in_range(f, off, len) || off % f->geom.page_size != 0)
		return FLASH_ERR_RANGE;
	/* One block at a time, so that the scratch buffer always fits. */
	while (len > 0) {
		size_t n = (size_t)(bs - off % bs);
		if (n > len)
			n = len;
		if ((rc = flash_check_program(f, off, s, n)) != 0)
			return rc;
		flash_charge_program(f, n);
		if ((rc = f->dev->ops->program(f->dev, off, s, n)) != 0)
			return rc;
		off += n;
		s += n;
		len -= n;
	}
	return FLASH_OK;
}

int
flash_erase_block(struct flash *f, uint64_t block)
{
	uint64_t bs = f->geom.block_size;

	if (block >= f->geom.size / bs)
		return FLASH_ERR_RANGE;
	f->ops++;
	f->busy += f->geom.erase_time;
	return f->dev->ops->erase(f->dev, block * bs, bs);
}

int
flash_erase_range(struct flash *f, uint64_t off, uint64_t len)
{
	uint64_t bs = f->geom.block_size, b, end;
	int rc;

	if (!flash_in_range(f, off, len))
		return FLASH_ERR_RANGE;
	if (len == 0)
		return FLASH_OK;
	end = (off + len + bs - 1) / bs;
	for (b = off / bs; b < end; b++)
		if ((rc = flash_erase_block(f, b)) != 0)
			return rc;
	return FLASH_OK;
}

double
flash_take_busy(struct flash *f)
{
	double t = f->busy;

	f->busy = 0;
	return t;
}

const char *
flash_strerror(int rc)
{
	switch (rc) {
	case FLASH_OK:		return "ok";
	case FLASH_ERR_RANGE:	return "outside the flash or misaligned";
	case FLASH_ERR_RULE:	return "program would set bits (needs erase)";
	case FLASH_ERR_IO:	return "backing store I/O error";
	case FLASH_ERR_POWER:	return "power lost";
	case FLASH_ERR_FAILED:	return "flash operation failed";
	case FLASH_ERR_FULL:	return "flash full";
	}
	return "unknown flash error";
}
