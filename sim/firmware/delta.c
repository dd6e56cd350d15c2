/*
 * delta.c: delta encoding (block matching) and random-access decoding.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "crc32.h"
#include "delta.h"

/* A 64-bit hash of one block, for the source index. */
static uint64_t
delta_hash(const unsigned char *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		h ^= le64_get(p + i);
		h *= 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

struct delta_index {
	uint64_t	*off;		/* source block offset + 1; 0 = empty */
	uint64_t	*hash;
	size_t		 mask;
};

/* Index every whole source block by its hash (open addressing). */
static void
delta_index_build(struct delta_index *ix, const unsigned char *src,
    uint64_t src_len)
{
	size_t nb = (size_t)(src_len / DELTA_BLOCK), cap = 16, i, j;

	while (cap < nb * 2)
		cap *= 2;
	ix->off = xcalloc(cap, sizeof *ix->off);
	ix->hash = xcalloc(cap, sizeof *ix->hash);
	ix->mask = cap - 1;
	for (i = 0; i < nb; i++) {
		uint64_t h = delta_hash(src + i * DELTA_BLOCK, DELTA_BLOCK);
		for (j = h & ix->mask; ix->off[j] != 0; j = (j + 1) & ix->mask)
			if (ix->hash[j] == h)
				break;
		if (ix->off[j] == 0) {
			ix->off[j] = (uint64_t)i * DELTA_BLOCK + 1;
			ix->hash[j] = h;
		}
	}
}

/* Find a source block equal to p, or return -1. */
static int64_t
delta_index_find(const struct delta_index *ix, const unsigned char *src,
    const unsigned char *p)
{
	uint64_t h = delta_hash(p, DELTA_BLOCK);
	size_t j;

	for (j = h & ix->mask; ix->off[j] != 0; j = (j + 1) & ix->mask)
		if (ix->hash[j] == h &&
		    memcmp(src + ix->off[j] - 1, p, DELTA_BLOCK) == 0)
			return (int64_t)(ix->off[j] - 1);
	return -1;
}

/* Append one operation to the payload. */
static void
delta_emit(struct buf *out, const struct delta_op *op, const unsigned char *tgt)
{
	unsigned char h[17];

	h[0] = op->copy ? DELTA_OP_COPY : DELTA_OP_DATA;
	if (op->copy) {
		le64_put(h + 1, op->from);
		le64_put(h + 9, op->len);
		buf_add(out, h, 17);
	} else {
		le64_put(h + 1, op->len);
		buf_add(out, h, 9);
		buf_add(out, tgt + op->tgt_off, (size_t)op->len);
	}
}

void
delta_encode(const unsigned char *src, uint64_t src_len,
    const unsigned char *tgt, uint64_t tgt_len, struct buf *out)
{
	struct delta_index ix;
	struct delta_op cur = { 0, 0, 0, 0 };
	uint64_t off;
	int64_t at;

	delta_index_build(&ix, src, src_len);
	for (off = 0; off < tgt_len; off += DELTA_BLOCK) {
		uint64_t n = tgt_len - off < DELTA_BLOCK ? tgt_len - off : DELTA_BLOCK;
		const unsigned char *p = tgt + off;

		/* Same place in the source first, then anywhere. */
		at = -1;
		if (off + n <= src_len && memcmp(src + off, p, (size_t)n) == 0)
			at = (int64_t)off;
		else if (n == DELTA_BLOCK)
			at = delta_index_find(&ix, src, p);
		if (cur.len > 0 && at >= 0 && cur.copy &&
		    cur.from + cur.len == (uint64_t)at) {
			cur.len += n;
			continue;
		}
		if (cur.len > 0 && at < 0 && !cur.copy) {
			cur.len += n;
			continue;
		}
		if (cur.len > 0)
			delta_emit(out, &cur, tgt);
		cur.tgt_off = off;
		cur.len = n;
		cur.copy = at >= 0;
		cur.from = at >= 0 ? (uint64_t)at : 0;
	}
	if (cur.len > 0)
		delta_emit(out, &cur, tgt);
	free(ix.off);
	free(ix.hash);
}

int
delta_parse(const struct pkg_source *pkg, uint64_t base, uint64_t len,
    uint64_t src_len, uint64_t tgt_len, struct delta *d)
{
	unsigned char h[17];
	uint64_t pos = 0, tgt = 0;
	size_t cap = 0;
	struct delta_op op;

	memset(d, 0, sizeof *d);
	while (pos < len) {
		if (pkg->read(pkg->arg, base + pos, h, 1) != 0)
			goto io;
		if (h[0] == DELTA_OP_COPY) {
			if (len - pos < 17 ||
			    pkg->read(pkg->arg, base + pos, h, 17) != 0)
				goto bad;
			op.copy = 1;
			op.from = le64_get(h + 1);
			op.len = le64_get(h + 9);
			pos += 17;
			if (op.from > src_len || op.len > src_len - op.from)
				goto bad;
		} else if (h[0] == DELTA_OP_DATA) {
			if (len - pos < 9 ||
			    pkg->read(pkg->arg, base + pos, h, 9) != 0)
				goto bad;
			op.copy = 0;
			op.len = le64_get(h + 1);
			pos += 9;
			op.from = pos;
			if (op.len > len - pos)
				goto bad;
			pos += op.len;
		} else
			goto bad;
		if (op.len == 0 || op.len > tgt_len - tgt)
			goto bad;
		op.tgt_off = tgt;
		tgt += op.len;
		if (d->n == cap) {
			cap = cap ? cap * 2 : 64;
			d->ops = xreallocarray(d->ops, cap, sizeof *d->ops);
		}
		d->ops[d->n++] = op;
	}
	if (tgt != tgt_len)
		goto bad;
	return PKG_OK;
io:
	delta_free(d);
	return PKG_ERR_IO;
bad:
	delta_free(d);
	return PKG_ERR_MALFORMED;
}

/* The index of the operation that produces target offset off. */
static size_t
delta_find(const struct delta *d, uint64_t off)
{
	size_t lo = 0, hi = d->n;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->ops[mid].tgt_off <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

int
delta_read(const struct delta *d, const struct pkg_source *pkg, uint64_t base,
    const struct pkg_source *src, uint64_t off, void *buf, size_t len)
{
	unsigned char *out = buf;
	size_t i;

	if (len == 0)
		return PKG_OK;
	if (d->n == 0)
		return PKG_ERR_MALFORMED;
	for (i = delta_find(d, off); len > 0; i++) {
		const struct delta_op *op;
		uint64_t in;
		size_t n;
		int rc;

		if (i >= d->n)
			return PKG_ERR_MALFORMED;
		op = &d->ops[i];
		in = off - op->tgt_off;
		n = op->len - in < len ? (size_t)(op->len - in) : len;
		if (op->copy)
			rc = src->read(src->arg, op->from + in, out, n);
		else
			rc = pkg->read(pkg->arg, base + op->from + in, out, n);
		if (rc != 0)
			return PKG_ERR_IO;
		out += n;
		off += n;
		len -= n;
	}
	return PKG_OK;
}

void
delta_free(struct delta *d)
{
	free(d->ops);
	memset(d, 0, sizeof *d);
}
