/*
 * ufs.c: the module's user file system (UFS), where AT+QFUPL puts files
 * and AT+QFOTADL="/data/ufs/<name>" finds a package.
 *
 * The UFS partition (layout.c) holds two directory copies, then data
 * blocks.  A file is a run of whole erase blocks, so writing one never
 * touches a block another file uses.  A directory copy is a header (magic,
 * sequence number, file count, CRC-32 of the rest) and one entry per file
 * (name, size, first block, block count); the valid copy with the higher
 * sequence number is current, and every change writes the other copy.
 *
 * Power safety: an upload programs free blocks only, and its file exists
 * once the new directory copy has landed; a power cut before that leaves
 * the old directory, which does not know the half-written blocks (they are
 * free again).  A torn directory copy fails its CRC and the other one, the
 * state before the change, stays current.  docs/internals/ufs.md.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "crc32.h"
#include "firmware-priv.h"
#include "translog.h"
#include "util.h"

#define UFS_MAGIC	"UFS1"

struct ufs_entry {
	char		 name[FIRMWARE_UFS_NAME_MAX + 1];
	uint64_t	 size;
	uint32_t	 first;		/* data block, 0-based */
	uint32_t	 nblocks;
};

struct ufs {
	struct firmware		*fw;
	uint64_t		 bs;
	uint64_t		 dir_off[2];	/* the two directory copies */
	uint64_t		 data_off;
	uint32_t		 nblocks;	/* data blocks */
	int			 cur;		/* copy holding the directory */
	uint32_t		 seq;
	unsigned		 n;
	struct ufs_entry	 e[LAYOUT_UFS_FILES];
	/* An upload (AT+QFUPL) under way. */
	int			 up;
	struct ufs_entry	 upe;
	struct fw_writer	 w;
};

/* Serialise the directory (header and n entries) into buf; its length. */
static size_t
ufs_encode(uint32_t seq, const struct ufs_entry *e, unsigned n,
    unsigned char *buf)
{
	size_t len = LAYOUT_UFS_HEADER + (size_t)n * LAYOUT_UFS_ENTRY;
	unsigned i;

	memset(buf, 0, len);
	memcpy(buf, UFS_MAGIC, 4);
	le32_put(buf + 4, seq);
	le32_put(buf + 8, n);
	for (i = 0; i < n; i++) {
		unsigned char *q = buf + LAYOUT_UFS_HEADER + i * LAYOUT_UFS_ENTRY;

		memcpy(q, e[i].name, strlen(e[i].name));
		le64_put(q + 84, e[i].size);
		le32_put(q + 92, e[i].first);
		le32_put(q + 96, e[i].nblocks);
	}
	le32_put(buf + 12, crc32_update(crc32_update(0, buf + 4, 8),
	    buf + LAYOUT_UFS_HEADER, len - LAYOUT_UFS_HEADER));
	return len;
}

/* Whether an entry is sane: a name, blocks inside the partition. */
static int
ufs_entry_ok(const struct ufs *u, const struct ufs_entry *e)
{
	return e->name[0] != '\0' && e->nblocks > 0 &&
	    e->first < u->nblocks && e->nblocks <= u->nblocks - e->first &&
	    e->size <= (uint64_t)e->nblocks * u->bs;
}

/* Read directory copy c: 0 with its entries, or -1 if it is not valid. */
static int
ufs_load(struct ufs *u, int c, uint32_t *seq, struct ufs_entry *e,
    unsigned *n)
{
	struct flash *f = u->fw->flash;
	unsigned char h[LAYOUT_UFS_HEADER], *buf;
	uint32_t count, crc;
	size_t len;
	unsigned i;

	if (flash_read(f, u->dir_off[c], h, sizeof h) != 0 ||
	    memcmp(h, UFS_MAGIC, 4) != 0)
		return -1;
	count = le32_get(h + 8);
	if (count > LAYOUT_UFS_FILES)
		return -1;
	len = (size_t)count * LAYOUT_UFS_ENTRY;
	buf = xmalloc(len + 1);
	if (flash_read(f, u->dir_off[c] + LAYOUT_UFS_HEADER, buf, len) != 0) {
		free(buf);
		return -1;
	}
	crc = crc32_update(crc32_update(0, h + 4, 8), buf, len);
	if (crc != le32_get(h + 12)) {
		free(buf);
		return -1;
	}
	for (i = 0; i < count; i++) {
		const unsigned char *q = buf + i * LAYOUT_UFS_ENTRY;

		memcpy(e[i].name, q, FIRMWARE_UFS_NAME_MAX);
		e[i].name[FIRMWARE_UFS_NAME_MAX] = '\0';
		e[i].size = le64_get(q + 84);
		e[i].first = le32_get(q + 92);
		e[i].nblocks = le32_get(q + 96);
		if (!ufs_entry_ok(u, &e[i])) {
			free(buf);
			return -1;
		}
	}
	free(buf);
	*seq = le32_get(h + 4);
	*n = count;
	return 0;
}

int
ufs_mount(struct firmware *fw)
{
	const struct layout *l = &fw->lay;
	struct ufs_entry e[LAYOUT_UFS_FILES];
	uint32_t seq;
	unsigned n;
	uint64_t nfree, total;
	struct ufs *u;
	int c, found = 0;

	if (l->ufs_size == 0)
		return 0;
	u = xcalloc(1, sizeof *u);
	u->fw = fw;
	u->bs = l->block_size;
	u->dir_off[0] = l->ufs_off;
	u->dir_off[1] = l->ufs_off + l->ufs_dir;
	u->data_off = l->ufs_off + 2 * l->ufs_dir;
	u->nblocks = (uint32_t)((l->ufs_size - 2 * l->ufs_dir) / l->block_size);
	u->cur = 1;		/* a fresh UFS writes copy 0 first */
	for (c = 0; c < 2; c++) {
		if (ufs_load(u, c, &seq, e, &n) != 0)
			continue;
		if (found && (int32_t)(seq - u->seq) <= 0)
			continue;
		found = 1;
		u->cur = c;
		u->seq = seq;
		u->n = n;
		memcpy(u->e, e, sizeof e);
	}
	fw->ufs = u;
	firmware_ufs_space(fw, &nfree, &total);
	translog_state(fw->log, "firmware", "ufs: %u file%s, %llu of %llu bytes "
	    "free", u->n, u->n == 1 ? "" : "s", (unsigned long long)nfree,
	    (unsigned long long)total);
	return 0;
}

void
ufs_free(struct ufs *u)
{
	if (u == NULL)
		return;
	fw_writer_free(&u->w);
	free(u);
}

/*
 * Make (e, n) the directory: write it into the copy that is not current,
 * which becomes current once it has landed.  0 or FIRMWARE_ERR_FLASH.
 */
static int
ufs_commit(struct ufs *u, const struct ufs_entry *e, unsigned n)
{
	struct flash *f = u->fw->flash;
	size_t ps = f->geom.page_size, len;
	int c = !u->cur, rc;
	unsigned char *buf;

	buf = xmalloc(u->fw->lay.ufs_dir);
	len = ufs_encode(u->seq + 1, e, n, buf);
	memset(buf + len, 0xff, u->fw->lay.ufs_dir - len);
	len = (len + ps - 1) / ps * ps;
	rc = flash_erase_range(f, u->dir_off[c], u->fw->lay.ufs_dir);
	if (rc == 0)
		rc = flash_program(f, u->dir_off[c], buf, len);
	free(buf);
	if (rc != 0)
		return FIRMWARE_ERR_FLASH;
	if (e != u->e)
		memcpy(u->e, e, n * sizeof *e);
	u->n = n;
	u->seq++;
	u->cur = c;
	return 0;
}

/* The entry named `name`, or -1. */
static int
ufs_lookup(const struct ufs *u, const char *name)
{
	unsigned i;

	for (i = 0; i < u->n; i++)
		if (strcmp(u->e[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Whether data block b is taken by a file or the upload. */
static int
ufs_block_used(const struct ufs *u, uint32_t b)
{
	unsigned i;

	for (i = 0; i < u->n; i++)
		if (b >= u->e[i].first && b - u->e[i].first < u->e[i].nblocks)
			return 1;
	return u->up && b >= u->upe.first && b - u->upe.first < u->upe.nblocks;
}

/* The first run of `want` free blocks: its first block, or -1. */
static long
ufs_find_run(const struct ufs *u, uint32_t want)
{
	uint32_t b, run = 0;

	for (b = 0; b < u->nblocks; b++) {
		run = ufs_block_used(u, b) ? 0 : run + 1;
		if (run == want)
			return (long)(b + 1 - want);
	}
	return -1;
}

void
firmware_ufs_space(const struct firmware *fw, uint64_t *freep,
    uint64_t *total)
{
	const struct ufs *u = fw->ufs;
	uint32_t b, nfree = 0;

	*freep = *total = 0;
	if (u == NULL)
		return;
	for (b = 0; b < u->nblocks; b++)
		if (!ufs_block_used(u, b))
			nfree++;
	*freep = nfree * u->bs;
	*total = u->nblocks * u->bs;
}

int
firmware_ufs_file(const struct firmware *fw, unsigned i,
    struct firmware_ufs_file *out)
{
	const struct ufs *u = fw->ufs;

	if (u == NULL || i >= u->n)
		return -1;
	str_copy(out->name, u->e[i].name, sizeof out->name);
	out->size = u->e[i].size;
	return 0;
}

int
firmware_ufs_delete(struct firmware *fw, const char *name)
{
	struct ufs *u = fw->ufs;
	struct ufs_entry e[LAYOUT_UFS_FILES];
	int i;

	if (u == NULL || (i = ufs_lookup(u, name)) < 0)
		return FIRMWARE_ERR_NOENT;
	memcpy(e, u->e, sizeof e);
	memmove(e + i, e + i + 1, (u->n - (unsigned)i - 1) * sizeof *e);
	if (ufs_commit(u, e, u->n - 1) != 0)
		return FIRMWARE_ERR_FLASH;
	translog_state(fw->log, "firmware", "ufs: %s deleted", name);
	return 0;
}

int
firmware_ufs_create(struct firmware *fw, const char *name, uint64_t max)
{
	struct ufs *u = fw->ufs;
	uint64_t want;
	long first;

	if (u == NULL)
		return FIRMWARE_ERR_NOSPACE;
	if (u->up)
		return FIRMWARE_ERR_BUSY;
	if (ufs_lookup(u, name) >= 0)
		return FIRMWARE_ERR_EXIST;
	if (max == 0 || max > (uint64_t)u->nblocks * u->bs)
		return FIRMWARE_ERR_TOO_BIG;
	if (u->n == LAYOUT_UFS_FILES)
		return FIRMWARE_ERR_NOFILES;
	want = (max + u->bs - 1) / u->bs;
	if ((first = ufs_find_run(u, (uint32_t)want)) < 0)
		return FIRMWARE_ERR_NOSPACE;
	memset(&u->upe, 0, sizeof u->upe);
	str_copy(u->upe.name, name, sizeof u->upe.name);
	u->upe.first = (uint32_t)first;
	u->upe.nblocks = (uint32_t)want;
	u->up = 1;
	fw_writer_begin(&u->w, fw->flash, u->data_off + (uint64_t)first * u->bs,
	    want * u->bs);
	translog_state(fw->log, "firmware", "ufs: writing %s (up to %llu bytes, "
	    "blocks %ld-%ld)", name, (unsigned long long)max, first,
	    first + (long)want - 1);
	return 0;
}

int
firmware_ufs_write(struct firmware *fw, const void *p, size_t n)
{
	struct ufs *u = fw->ufs;

	if (u == NULL || !u->up)
		return FIRMWARE_ERR_STATE;
	return fw_writer_write(&u->w, p, n);
}

int
firmware_ufs_close(struct firmware *fw)
{
	struct ufs *u = fw->ufs;
	struct ufs_entry e[LAYOUT_UFS_FILES];
	uint64_t size;

	if (u == NULL || !u->up)
		return FIRMWARE_ERR_STATE;
	u->up = 0;
	if (fw_writer_flush(&u->w) != 0)
		return FIRMWARE_ERR_FLASH;
	size = u->w.pos;
	u->upe.size = size;
	if (size == 0)
		return FIRMWARE_ERR_STATE;
	u->upe.nblocks = (uint32_t)((size + u->bs - 1) / u->bs);
	memcpy(e, u->e, sizeof e);
	e[u->n] = u->upe;
	if (ufs_commit(u, e, u->n + 1) != 0)
		return FIRMWARE_ERR_FLASH;
	translog_state(fw->log, "firmware", "ufs: %s saved (%llu bytes)",
	    u->upe.name, (unsigned long long)size);
	return 0;
}

void
firmware_ufs_abort(struct firmware *fw)
{
	struct ufs *u = fw->ufs;

	if (u == NULL || !u->up)
		return;
	u->up = 0;
	translog_state(fw->log, "firmware", "ufs: %s not saved (%llu bytes "
	    "written)", u->upe.name, (unsigned long long)(u->w.pos + u->w.fill));
}

int
firmware_ufs_stat(const struct firmware *fw, const char *name, uint64_t *size)
{
	const struct ufs *u = fw->ufs;
	int i;

	if (u == NULL || (i = ufs_lookup(u, name)) < 0)
		return FIRMWARE_ERR_NOENT;
	*size = u->e[i].size;
	return 0;
}

int
firmware_ufs_read(struct firmware *fw, const char *name, uint64_t off,
    void *buf, size_t n)
{
	const struct ufs *u = fw->ufs;
	int i;

	if (u == NULL || (i = ufs_lookup(u, name)) < 0)
		return FIRMWARE_ERR_NOENT;
	if (off > u->e[i].size || n > u->e[i].size - off)
		return FIRMWARE_ERR_TOO_BIG;
	if (flash_read(fw->flash, u->data_off + (uint64_t)u->e[i].first * u->bs +
	    off, buf, n) != 0)
		return FIRMWARE_ERR_FLASH;
	return 0;
}
