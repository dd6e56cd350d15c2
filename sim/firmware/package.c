/*
 * package.c: package header, MD5 (OpenSSL EVP), checking, building and
 * applying.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "crc32.h"
#include "delta.h"
#include "package.h"
#include "util.h"

/* Header field offsets (docs/package-format.md). */
#define H_MAGIC		0
#define H_VERSION	8
#define H_HSIZE		10
#define H_KIND		12
#define H_MODEL		16
#define H_SOURCE	48
#define H_TARGET	96
#define H_SRCSIZE	144
#define H_TGTSIZE	152
#define H_PAYSIZE	160
#define H_SRCMD5	168
#define H_TGTMD5	184
#define H_PAYMD5	200
#define H_CRC		252

struct pkg_apply {
	struct pkg_header	 h;
	struct pkg_source	 pkg;
	struct pkg_source	 src;
	struct delta		 delta;
};

const char *
pkg_kind_name(enum pkg_kind kind)
{
	return kind == PKG_FULL ? "full" : kind == PKG_DELTA ? "delta" : "?";
}

const char *
pkg_strerror(int rc)
{
	switch (rc) {
	case PKG_OK:		return "ok";
	case PKG_ERR_MALFORMED:	return "malformed package";
	case PKG_ERR_TRUNCATED:	return "package truncated";
	case PKG_ERR_MD5:	return "payload MD5 mismatch";
	case PKG_ERR_MODEL:	return "package is for another model";
	case PKG_ERR_SOURCE:	return "package is for another source firmware";
	case PKG_ERR_TOO_BIG:	return "package or image too big for the flash";
	case PKG_ERR_RESULT:	return "written image has the wrong MD5";
	case PKG_ERR_IO:	return "read error";
	}
	return "unknown package error";
}

void
pkg_header_encode(const struct pkg_header *h, unsigned char *p)
{
	memset(p, 0, PKG_HEADER_SIZE);
	memcpy(p + H_MAGIC, PKG_MAGIC, 8);
	le16_put(p + H_VERSION, (uint16_t)h->version);
	le16_put(p + H_HSIZE, PKG_HEADER_SIZE);
	p[H_KIND] = (unsigned char)h->kind;
	memcpy(p + H_MODEL, h->model, strnlen(h->model, IMAGE_MODEL_MAX - 1));
	memcpy(p + H_SOURCE, h->source, strnlen(h->source, IMAGE_REV_MAX - 1));
	memcpy(p + H_TARGET, h->target, strnlen(h->target, IMAGE_REV_MAX - 1));
	le64_put(p + H_SRCSIZE, h->source_size);
	le64_put(p + H_TGTSIZE, h->target_size);
	le64_put(p + H_PAYSIZE, h->payload_size);
	memcpy(p + H_SRCMD5, h->source_md5, PKG_MD5_LEN);
	memcpy(p + H_TGTMD5, h->target_md5, PKG_MD5_LEN);
	memcpy(p + H_PAYMD5, h->payload_md5, PKG_MD5_LEN);
	le32_put(p + H_CRC, crc32_update(0, p, H_CRC));
}

/* Copy a NUL-padded name field out; 0 if it is a valid name. */
static int
pkg_get_name(const unsigned char *field, size_t max, char *out)
{
	if (memchr(field, '\0', max) == NULL)
		return -1;
	memcpy(out, field, max);
	return image_name_ok(out, max) ? 0 : -1;
}

int
pkg_header_decode(const unsigned char *p, size_t len, struct pkg_header *h,
    const char **why)
{
	const char *w = NULL;

	memset(h, 0, sizeof *h);
	if (len < PKG_HEADER_SIZE)
		w = "shorter than a header";
	else if (memcmp(p + H_MAGIC, PKG_MAGIC, 8) != 0)
		w = "bad magic (not a fotasim package)";
	else if (le32_get(p + H_CRC) != crc32_update(0, p, H_CRC))
		w = "header checksum mismatch";
	else if ((h->version = le16_get(p + H_VERSION)) != PKG_VERSION)
		w = "unsupported format version";
	else if (le16_get(p + H_HSIZE) != PKG_HEADER_SIZE)
		w = "bad header size";
	else if (p[H_KIND] != PKG_FULL && p[H_KIND] != PKG_DELTA)
		w = "unknown payload kind";
	else if (pkg_get_name(p + H_MODEL, IMAGE_MODEL_MAX, h->model) != 0)
		w = "bad model name";
	else if (pkg_get_name(p + H_SOURCE, IMAGE_REV_MAX, h->source) != 0)
		w = "bad source revision";
	else if (pkg_get_name(p + H_TARGET, IMAGE_REV_MAX, h->target) != 0)
		w = "bad target revision";
	if (w == NULL) {
		h->kind = p[H_KIND];
		h->source_size = le64_get(p + H_SRCSIZE);
		h->target_size = le64_get(p + H_TGTSIZE);
		h->payload_size = le64_get(p + H_PAYSIZE);
		memcpy(h->source_md5, p + H_SRCMD5, PKG_MD5_LEN);
		memcpy(h->target_md5, p + H_TGTMD5, PKG_MD5_LEN);
		memcpy(h->payload_md5, p + H_PAYMD5, PKG_MD5_LEN);
		if (h->target_size < IMAGE_MIN_SIZE ||
		    h->target_size > IMAGE_MAX_SIZE ||
		    h->source_size > IMAGE_MAX_SIZE ||
		    h->payload_size > 2 * IMAGE_MAX_SIZE)
			w = "sizes out of range";
		else if (h->kind == PKG_FULL &&
		    h->payload_size != h->target_size)
			w = "full payload size differs from the image size";
	}
	if (why != NULL)
		*why = w;
	return w ? PKG_ERR_MALFORMED : PKG_OK;
}

int
pkg_md5(const struct pkg_source *s, uint64_t off, uint64_t len,
    unsigned char *md5)
{
	enum { CHUNK = 65536 };
	unsigned char *chunk = xmalloc(CHUNK);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int outlen;
	int rc = PKG_OK;

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_md5(), NULL) != 1)
		fatal("EVP MD5 unavailable");
	while (len > 0) {
		size_t n = len < CHUNK ? (size_t)len : CHUNK;
		if (s->read(s->arg, off, chunk, n) != 0) {
			rc = PKG_ERR_IO;
			break;
		}
		EVP_DigestUpdate(ctx, chunk, n);
		off += n;
		len -= n;
	}
	EVP_DigestFinal_ex(ctx, md5, &outlen);
	EVP_MD_CTX_free(ctx);
	free(chunk);
	return rc;
}

void
pkg_md5_mem(const void *p, size_t len, unsigned char *md5)
{
	unsigned int outlen;

	if (EVP_Digest(p, len, md5, &outlen, EVP_md5(), NULL) != 1)
		fatal("EVP MD5 unavailable");
}

void
pkg_md5_hex(const unsigned char *md5, char *out)
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < PKG_MD5_LEN; i++) {
		out[2 * i] = hex[md5[i] >> 4];
		out[2 * i + 1] = hex[md5[i] & 15];
	}
	out[2 * PKG_MD5_LEN] = '\0';
}

int
pkg_mem_read(void *arg, uint64_t off, void *buf, size_t len)
{
	const struct pkg_mem *m = arg;

	if (off > m->len || len > m->len - off)
		return -1;
	memcpy(buf, m->data + off, len);
	return 0;
}

int
pkg_check(const struct pkg_source *pkg, uint64_t len, struct pkg_header *h,
    const char **why)
{
	unsigned char hdr[PKG_HEADER_SIZE], md5[PKG_MD5_LEN];
	struct delta d;
	int rc;

	*why = NULL;
	if (len < PKG_HEADER_SIZE) {
		*why = "shorter than a header";
		return PKG_ERR_TRUNCATED;
	}
	if (pkg->read(pkg->arg, 0, hdr, sizeof hdr) != 0)
		return PKG_ERR_IO;
	if ((rc = pkg_header_decode(hdr, sizeof hdr, h, why)) != 0)
		return rc;
	if (len - PKG_HEADER_SIZE < h->payload_size) {
		*why = "payload shorter than the header says";
		return PKG_ERR_TRUNCATED;
	}
	if (len - PKG_HEADER_SIZE > h->payload_size) {
		*why = "trailing bytes after the payload";
		return PKG_ERR_MALFORMED;
	}
	if ((rc = pkg_md5(pkg, PKG_HEADER_SIZE, h->payload_size, md5)) != 0)
		return rc;
	if (memcmp(md5, h->payload_md5, PKG_MD5_LEN) != 0) {
		*why = "payload MD5 differs from the header";
		return PKG_ERR_MD5;
	}
	if (h->kind == PKG_DELTA) {
		rc = delta_parse(pkg, PKG_HEADER_SIZE, h->payload_size,
		    h->source_size, h->target_size, &d);
		delta_free(&d);
		if (rc != 0) {
			*why = "delta payload is malformed";
			return rc;
		}
	}
	return PKG_OK;
}

int
pkg_build(enum pkg_kind kind, const char *model, const char *source_rev,
    const unsigned char *src, uint64_t src_len, const char *target_rev,
    const unsigned char *tgt, uint64_t tgt_len, unsigned char **out,
    size_t *out_len)
{
	unsigned char room[PKG_HEADER_SIZE];
	struct pkg_header h;
	struct buf b;

	if (!image_name_ok(model, IMAGE_MODEL_MAX) ||
	    !image_name_ok(source_rev, IMAGE_REV_MAX) ||
	    !image_name_ok(target_rev, IMAGE_REV_MAX) ||
	    tgt_len < IMAGE_MIN_SIZE || tgt_len > IMAGE_MAX_SIZE ||
	    src_len > IMAGE_MAX_SIZE || (kind != PKG_FULL && kind != PKG_DELTA))
		return PKG_ERR_MALFORMED;
	memset(&h, 0, sizeof h);
	h.version = PKG_VERSION;
	h.kind = kind;
	strcpy(h.model, model);
	strcpy(h.source, source_rev);
	strcpy(h.target, target_rev);
	h.source_size = src_len;
	h.target_size = tgt_len;
	pkg_md5_mem(src, (size_t)src_len, h.source_md5);
	pkg_md5_mem(tgt, (size_t)tgt_len, h.target_md5);

	buf_init(&b);
	memset(room, 0, sizeof room);	/* the header goes here at the end */
	buf_add(&b, room, sizeof room);
	if (kind == PKG_FULL)
		buf_add(&b, tgt, (size_t)tgt_len);
	else
		delta_encode(src, src_len, tgt, tgt_len, &b);
	h.payload_size = b.len - PKG_HEADER_SIZE;
	pkg_md5_mem(b.data + PKG_HEADER_SIZE, (size_t)h.payload_size,
	    h.payload_md5);
	pkg_header_encode(&h, b.data);
	*out = b.data;
	*out_len = b.len;
	return PKG_OK;
}

int
pkg_apply_open(const struct pkg_header *h, const struct pkg_source *pkg,
    const struct pkg_source *src, struct pkg_apply **out)
{
	struct pkg_apply *a = xcalloc(1, sizeof *a);
	int rc;

	a->h = *h;
	a->pkg = *pkg;
	a->src = *src;
	if (h->kind == PKG_DELTA) {
		rc = delta_parse(pkg, PKG_HEADER_SIZE, h->payload_size,
		    h->source_size, h->target_size, &a->delta);
		if (rc != 0) {
			free(a);
			return rc;
		}
	}
	*out = a;
	return PKG_OK;
}

int
pkg_apply_read(struct pkg_apply *a, uint64_t off, void *buf, size_t len)
{
	if (off > a->h.target_size || len > a->h.target_size - off)
		return PKG_ERR_MALFORMED;
	if (a->h.kind == PKG_FULL)
		return a->pkg.read(a->pkg.arg, PKG_HEADER_SIZE + off, buf, len) ?
		    PKG_ERR_IO : PKG_OK;
	return delta_read(&a->delta, &a->pkg, PKG_HEADER_SIZE, &a->src, off,
	    buf, len);
}

void
pkg_apply_close(struct pkg_apply *a)
{
	if (a == NULL)
		return;
	delta_free(&a->delta);
	free(a);
}
