/*
 * flashlog.c: the two-block record log.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "crc32.h"
#include "flashlog.h"
#include "util.h"

#define FLASHLOG_MAGIC	0x474f4c46U	/* "FLOG" */
#define FLASHLOG_HDR	10		/* magic, seq, len */

/* Whether a page is a valid record; fills seq and the payload. */
static int
flashlog_parse(const unsigned char *pg, uint32_t *seq, const unsigned char **pl,
    size_t *len)
{
	size_t n = le16_get(pg + 8);

	if (le32_get(pg) != FLASHLOG_MAGIC || n > FLASHLOG_MAX ||
	    le32_get(pg + FLASHLOG_HDR + n) !=
	    crc32_update(0, pg, FLASHLOG_HDR + n))
		return 0;
	*seq = le32_get(pg + 4);
	*pl = pg + FLASHLOG_HDR;
	*len = n;
	return 1;
}

/* Whether n bytes are all erased. */
static int
flashlog_erased(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0xff)
			return 0;
	return 1;
}

int
flashlog_open(struct flashlog *lg, struct flash *f, uint64_t off, void *rec,
    size_t len, int *found)
{
	uint64_t bs = f->geom.block_size, ps = f->geom.page_size;
	uint64_t pages = bs / ps, p, used[2] = { 0, 0 };
	unsigned char *pg = xmalloc(ps);
	const unsigned char *pl;
	uint32_t seq;
	size_t n;
	int b, rc = FLASH_OK;

	memset(lg, 0, sizeof *lg);
	lg->flash = f;
	lg->off = off;
	*found = 0;
	for (b = 0; b < 2; b++) {
		for (p = 0; p < pages; p++) {
			rc = flash_read(f, off + b * bs + p * ps, pg, ps);
			if (rc != 0)
				goto out;
			if (!flashlog_erased(pg, ps))
				used[b] = p + 1;
			if (!flashlog_parse(pg, &seq, &pl, &n))
				continue;
			if (*found && seq <= lg->seq)
				continue;
			*found = 1;
			lg->seq = seq;
			lg->cur = b;
			memset(rec, 0, len);
			memcpy(rec, pl, n < len ? n : len);
		}
	}
	/* Append after the last page touched, even a torn one. */
	lg->next = used[lg->cur];
out:
	free(pg);
	return rc;
}

int
flashlog_append(struct flashlog *lg, const void *rec, size_t len)
{
	struct flash *f = lg->flash;
	uint64_t bs = f->geom.block_size, ps = f->geom.page_size;
	unsigned char *pg;
	int rc;

	if (len > FLASHLOG_MAX || len + FLASHLOG_HDR + 4 > ps)
		fatal("flashlog record of %zu bytes", len);
	if (lg->next >= bs / ps) {
		/* Full: move to the other block; the old one stays valid. */
		lg->cur = !lg->cur;
		lg->next = 0;
		if ((rc = flash_erase_block(f, (lg->off + lg->cur * bs) / bs)) != 0)
			return rc;
	}
	pg = xmalloc(ps);
	memset(pg, 0xff, ps);
	le32_put(pg, FLASHLOG_MAGIC);
	le32_put(pg + 4, lg->seq + 1);
	le16_put(pg + 8, (uint16_t)len);
	memcpy(pg + FLASHLOG_HDR, rec, len);
	le32_put(pg + FLASHLOG_HDR + len, crc32_update(0, pg, FLASHLOG_HDR + len));
	rc = flash_program(f, lg->off + lg->cur * bs + lg->next * ps, pg, ps);
	free(pg);
	/* Even a failed program may have touched the page: never reuse it. */
	lg->next++;
	if (rc == 0)
		lg->seq++;
	return rc;
}
