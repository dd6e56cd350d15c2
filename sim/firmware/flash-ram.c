/*
 * flash-ram.c: the RAM backend, for tests.  It survives a simulated power cut
 * (the test keeps it and opens a new flash on it), like a chip would.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "flash.h"
#include "util.h"

struct flash_ram {
	struct flash_dev	 dev;
	unsigned char		*mem;
};

/* Copy stored bytes out. */
static int
flash_ram_read(struct flash_dev *dev, uint64_t off, void *p, size_t len)
{
	struct flash_ram *r = (struct flash_ram *)dev;

	memcpy(p, r->mem + off, len);
	return FLASH_OK;
}

/* Store bytes as given. */
static int
flash_ram_program(struct flash_dev *dev, uint64_t off, const void *p,
    size_t len)
{
	struct flash_ram *r = (struct flash_ram *)dev;

	memcpy(r->mem + off, p, len);
	return FLASH_OK;
}

/* Set a range to the erased value. */
static int
flash_ram_erase(struct flash_dev *dev, uint64_t off, uint64_t len)
{
	struct flash_ram *r = (struct flash_ram *)dev;

	memset(r->mem + off, 0xff, (size_t)len);
	return FLASH_OK;
}

/* Free the memory. */
static void
flash_ram_close(struct flash_dev *dev)
{
	struct flash_ram *r = (struct flash_ram *)dev;

	free(r->mem);
	free(r);
}

static const struct flash_ops flash_ram_ops = {
	.name = "ram",
	.read = flash_ram_read,
	.program = flash_ram_program,
	.erase = flash_ram_erase,
	.close = flash_ram_close,
};

struct flash_dev *
flash_ram_open(uint64_t size)
{
	struct flash_ram *r = xcalloc(1, sizeof *r);

	r->dev.ops = &flash_ram_ops;
	r->dev.size = size;
	r->mem = xmalloc((size_t)size);
	memset(r->mem, 0xff, (size_t)size);
	return &r->dev;
}
