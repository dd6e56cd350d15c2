/*
 * flash-fault.c: the fault layer, a backend wrapping another backend.
 *
 * Operations are counted as a chip would see them: one per block erase and
 * one per page programmed.  A program call that spans several pages is cut
 * page by page, so a power cut "after op N" can land inside it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "flash-fault.h"
#include "util.h"

struct flash_fault {
	struct flash_dev	 dev;
	struct flash_dev	*inner;
	struct flash_fault_cfg	 cfg;
	uint64_t		 ops;
	uint64_t		 programmed;	/* bytes */
	uint64_t		 flips;
	uint64_t		 rng;
	int			 cut;
	unsigned char		*page;
	size_t			 pagesz;
};

/* The next pseudo-random number (splitmix64). */
static uint64_t
flash_fault_rand(struct flash_fault *ff)
{
	uint64_t z = (ff->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * Count one operation and say what happens to it: 0 it runs, 1 it runs half
 * way and then the power goes, or a flash error code.
 */
static int
flash_fault_step(struct flash_fault *ff)
{
	if (ff->cut)
		return FLASH_ERR_POWER;
	if (ff->cfg.cut_after != 0 && ff->ops >= ff->cfg.cut_after) {
		ff->cut = 1;
		return ff->cfg.torn ? 1 : FLASH_ERR_POWER;
	}
	ff->ops++;
	if (ff->cfg.fail_op != 0 && ff->ops == ff->cfg.fail_op)
		return FLASH_ERR_FAILED;
	return 0;
}

/* Reads work until the power is cut. */
static int
flash_fault_read(struct flash_dev *dev, uint64_t off, void *p, size_t len)
{
	struct flash_fault *ff = (struct flash_fault *)dev;

	if (ff->cut)
		return FLASH_ERR_POWER;
	return ff->inner->ops->read(ff->inner, off, p, len);
}

/* Program page by page, applying the configured faults. */
static int
flash_fault_program(struct flash_dev *dev, uint64_t off, const void *p,
    size_t len)
{
	struct flash_fault *ff = (struct flash_fault *)dev;
	const unsigned char *s = p;
	size_t ps = dev->page_size, n;
	int rc, step;

	if (ff->pagesz < ps) {
		ff->page = xreallocarray(ff->page, ps, 1);
		ff->pagesz = ps;
	}
	while (len > 0) {
		n = len < ps ? len : ps;
		if (ff->cfg.full_after != 0 &&
		    ff->programmed + n > ff->cfg.full_after)
			return FLASH_ERR_FULL;
		if ((step = flash_fault_step(ff)) < 0)
			return step;
		memcpy(ff->page, s, n);
		if (ff->cfg.flip_every != 0 && ff->ops % ff->cfg.flip_every == 0) {
			uint64_t r = flash_fault_rand(ff);
			ff->page[r % n] ^= (unsigned char)(1U << ((r >> 32) % 8));
			ff->flips++;
		}
		if (step == 1)		/* torn: half the page, then darkness */
			n = n / 2;
		if ((rc = ff->inner->ops->program(ff->inner, off, ff->page, n)) != 0)
			return rc;
		if (step == 1)
			return FLASH_ERR_POWER;
		ff->programmed += n;
		off += n;
		s += n;
		len -= n;
	}
	return FLASH_OK;
}

/* Erase, or half erase when the power goes during it. */
static int
flash_fault_erase(struct flash_dev *dev, uint64_t off, uint64_t len)
{
	struct flash_fault *ff = (struct flash_fault *)dev;
	int rc, step;

	if ((step = flash_fault_step(ff)) < 0)
		return step;
	if ((rc = ff->inner->ops->erase(ff->inner, off,
	    step == 1 ? len / 2 : len)) != 0)
		return rc;
	return step == 1 ? FLASH_ERR_POWER : FLASH_OK;
}

/* Free the wrapper; the inner backend stays open. */
static void
flash_fault_close(struct flash_dev *dev)
{
	struct flash_fault *ff = (struct flash_fault *)dev;

	free(ff->page);
	free(ff);
}

static const struct flash_ops flash_fault_backend = {
	.name = "fault",
	.read = flash_fault_read,
	.program = flash_fault_program,
	.erase = flash_fault_erase,
	.close = flash_fault_close,
};

struct flash_dev *
flash_fault_open(struct flash_dev *inner, const struct flash_fault_cfg *cfg)
{
	struct flash_fault *ff = xcalloc(1, sizeof *ff);

	ff->dev.ops = &flash_fault_backend;
	ff->dev.size = inner->size;
	ff->dev.page_size = 256;
	ff->inner = inner;
	ff->cfg = *cfg;
	ff->rng = cfg->seed;
	return &ff->dev;
}

uint64_t
flash_fault_ops(const struct flash_dev *dev)
{
	return ((const struct flash_fault *)dev)->ops;
}

int
flash_fault_cut(const struct flash_dev *dev)
{
	return ((const struct flash_fault *)dev)->cut;
}

uint64_t
flash_fault_flips(const struct flash_dev *dev)
{
	return ((const struct flash_fault *)dev)->flips;
}
