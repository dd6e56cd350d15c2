/*
 * pkg-fuzzer.c: fuzz target for the package parser: header decoding, the
 * whole-package check (length, payload MD5, delta structure) and applying
 * (delta decoding at any offset), the path a downloaded package takes
 * through the updater.  Each input is a package file.  It runs twice: as
 * it is, and "repaired" (payload size, payload MD5 and header CRC made to
 * agree with the bytes) so that mutations reach the delta decoder instead
 * of stopping at a checksum.  Built for libFuzzer with --enable-fuzzing,
 * and always with the seeded mutation runner (mutate-main.c) for make check.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/crc32.h"
#include "firmware/package.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Bytes of target produced per input, at most (keeps each run short). */
#define FUZZ_READ_MAX	(256 * 1024)
#define FUZZ_CHUNK	4096

/* A source image of any size without allocating it: bytes from the offset. */
struct fuzz_src {
	uint64_t	 len;
};

/* Read the synthetic source image; bounds are checked like a flash region. */
static int
fuzz_src_read(void *arg, uint64_t off, void *buf, size_t len)
{
	const struct fuzz_src *s = arg;
	unsigned char *p = buf;
	size_t i;

	if (off > s->len || len > s->len - off)
		return -1;
	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(((off + i) * 2654435761ULL) >> 24);
	return 0;
}

/* A fatal invariant: a crash that the fuzzer reports. */
static void
fuzz_assert(int cond)
{
	if (!cond)
		abort();
}

/* Produce target bytes [off, off + len) in chunks, checking the bounds. */
static void
fuzz_read_range(struct pkg_apply *a, const struct pkg_header *h, uint64_t off,
    uint64_t len)
{
	unsigned char buf[FUZZ_CHUNK];
	int rc;

	while (len > 0) {
		size_t n = len < sizeof buf ? (size_t)len : sizeof buf;
		rc = pkg_apply_read(a, off, buf, n);
		/* Source and payload reads are in bounds after a good check. */
		fuzz_assert(rc == PKG_OK);
		off += n;
		len -= n;
	}
	/* One past the end is refused, never read. */
	fuzz_assert(pkg_apply_read(a, h->target_size, buf, 1) != PKG_OK);
}

/* Check one package in memory and, if it is good, apply parts of it. */
static void
fuzz_one(const unsigned char *data, size_t size)
{
	struct pkg_mem mem = { data, size };
	struct pkg_source pkg = { pkg_mem_read, &mem };
	struct fuzz_src fs;
	struct pkg_source src = { fuzz_src_read, &fs };
	struct pkg_header h, h2;
	struct pkg_apply *a = NULL;
	const char *why;
	uint64_t t, head;
	int rc;

	rc = pkg_header_decode(data, size, &h2, &why);
	fuzz_assert((rc == PKG_OK) == (why == NULL));
	rc = pkg_check(&pkg, size, &h, &why);
	if (rc != PKG_OK)
		return;
	/* A checked package is well formed, and its header decodes. */
	fuzz_assert(pkg_header_decode(data, size, &h2, &why) == PKG_OK);
	fuzz_assert(h.target_size >= IMAGE_MIN_SIZE &&
	    h.target_size <= IMAGE_MAX_SIZE);
	fuzz_assert(PKG_HEADER_SIZE + h.payload_size == size);
	fs.len = h.source_size;
	rc = pkg_apply_open(&h, &pkg, &src, &a);
	fuzz_assert(rc == PKG_OK);
	t = h.target_size;
	head = t < FUZZ_READ_MAX / 2 ? t : FUZZ_READ_MAX / 2;
	fuzz_read_range(a, &h, 0, head);
	if (t > head)
		fuzz_read_range(a, &h, t - (t - head < FUZZ_CHUNK ? t - head :
		    FUZZ_CHUNK), t - head < FUZZ_CHUNK ? t - head : FUZZ_CHUNK);
	pkg_apply_close(a);
}

/* Make the header's payload size, payload MD5 and CRC agree with the bytes. */
static void
fuzz_repair(unsigned char *p, size_t size)
{
	uint64_t payload = size - PKG_HEADER_SIZE;

	le64_put(p + 160, payload);			/* payload size */
	if (p[12] == PKG_FULL)
		le64_put(p + 152, payload);		/* target size */
	pkg_md5_mem(p + PKG_HEADER_SIZE, (size_t)payload, p + 200);
	le32_put(p + 252, crc32_update(0, p, 252));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *copy;

	fuzz_one(data, size);
	if (size < PKG_HEADER_SIZE)
		return 0;
	copy = xmalloc(size);
	memcpy(copy, data, size);
	fuzz_repair(copy, size);
	fuzz_one(copy, size);
	free(copy);
	return 0;
}
