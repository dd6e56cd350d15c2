/*
 * check_pkg.c: unit tests for images, package headers, full and delta
 * packages and every way a package can be bad.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check-run.h"
#include "firmware/crc32.h"
#include "firmware/package.h"

#define SIZE	(256 * 1024 + 100)	/* not a multiple of a block */
#define MODEL	"EC200T"
#define REV_A	"EC200TCNHAR02A14M16"
#define REV_B	"EC200TCNHAR02A15M16"
#define REV_C	"EC200TEUHAR05A01M16"

/* Generate an image into a malloc'd buffer. */
static unsigned char *
gen(const char *rev, uint64_t size)
{
	unsigned char *p = malloc(size);

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(image_read(MODEL, rev, size, 0, p, size), 0);
	return p;
}

/* Build a package from REV_from to REV_to images of SIZE. */
static unsigned char *
build(enum pkg_kind kind, const char *from, const char *to, size_t *len)
{
	unsigned char *src = gen(from, SIZE), *tgt = gen(to, SIZE), *pkg;

	ck_assert_int_eq(pkg_build(kind, MODEL, from, src, SIZE, to, tgt, SIZE,
	    &pkg, len), PKG_OK);
	free(src);
	free(tgt);
	return pkg;
}

/* Check a package in memory. */
static int
check_mem(const unsigned char *p, size_t len, struct pkg_header *h)
{
	struct pkg_mem m = { p, len };
	struct pkg_source s = { pkg_mem_read, &m };
	const char *why;

	return pkg_check(&s, len, h, &why);
}

/* Apply a package in memory to a source image; returns rc, fills out. */
static int
apply_mem(const unsigned char *p, size_t len, const unsigned char *src,
    uint64_t src_len, unsigned char *out)
{
	struct pkg_mem m = { p, len }, sm = { src, src_len };
	struct pkg_source s = { pkg_mem_read, &m }, ss = { pkg_mem_read, &sm };
	struct pkg_header h;
	struct pkg_apply *a;
	int rc;

	if ((rc = check_mem(p, len, &h)) != 0)
		return rc;
	if ((rc = pkg_apply_open(&h, &s, &ss, &a)) != 0)
		return rc;
	rc = pkg_apply_read(a, 0, out, h.target_size);
	pkg_apply_close(a);
	return rc;
}

/* Recompute the payload MD5 and header checksum after tampering. */
static void
resign(unsigned char *p, size_t len)
{
	struct pkg_header h;

	ck_assert_int_eq(pkg_header_decode(p, len, &h, NULL), PKG_OK);
	pkg_md5_mem(p + PKG_HEADER_SIZE, len - PKG_HEADER_SIZE, h.payload_md5);
	h.payload_size = len - PKG_HEADER_SIZE;
	pkg_header_encode(&h, p);
}

START_TEST(test_image_deterministic)
{
	unsigned char *a = gen(REV_A, SIZE), *a2 = gen(REV_A, SIZE);
	unsigned char *b = gen(REV_B, SIZE), part[5000];
	char model[IMAGE_MODEL_MAX], rev[IMAGE_REV_MAX];
	uint64_t size, same = 0, n = SIZE / 4096, i;

	ck_assert_mem_eq(a, a2, SIZE);
	/* Random access gives the same bytes as a whole read. */
	ck_assert_int_eq(image_read(MODEL, REV_A, SIZE, 4000, part, 5000), 0);
	ck_assert_mem_eq(part, a + 4000, 5000);
	/* Revisions share most chunks but not all. */
	for (i = 0; i < n; i++)
		same += memcmp(a + i * 4096, b + i * 4096, 4096) == 0;
	ck_assert(same * 100 >= n * 80);
	ck_assert(same < n);
	ck_assert_int_eq(image_identify(b, SIZE, model, rev, &size), 0);
	ck_assert_str_eq(model, MODEL);
	ck_assert_str_eq(rev, REV_B);
	ck_assert(size == SIZE);
	ck_assert_int_eq(image_read(MODEL, "bad rev", SIZE, 0, part, 1), -1);
	ck_assert_int_eq(image_read(MODEL, REV_A, SIZE, SIZE - 1, part, 2), -1);
	a[0] = 'X';
	ck_assert_int_eq(image_identify(a, SIZE, model, rev, &size), -1);
	free(a);
	free(a2);
	free(b);
}
END_TEST

/* A header survives encode/decode; any flipped byte is caught. */
START_TEST(test_header_roundtrip)
{
	struct pkg_header h, d;
	unsigned char p[PKG_HEADER_SIZE];
	const char *why;
	int i;

	memset(&h, 0, sizeof h);
	h.version = PKG_VERSION;
	h.kind = PKG_DELTA;
	strcpy(h.model, MODEL);
	strcpy(h.source, REV_A);
	strcpy(h.target, REV_B);
	h.source_size = h.target_size = SIZE;
	h.payload_size = 1234;
	memset(h.target_md5, 0xab, PKG_MD5_LEN);
	pkg_header_encode(&h, p);
	ck_assert_int_eq(pkg_header_decode(p, sizeof p, &d, &why), PKG_OK);
	ck_assert_str_eq(d.target, REV_B);
	ck_assert(d.payload_size == 1234);
	ck_assert_mem_eq(d.target_md5, h.target_md5, PKG_MD5_LEN);
	for (i = 0; i < PKG_HEADER_SIZE; i++) {
		p[i] ^= 0x04;
		ck_assert_int_eq(pkg_header_decode(p, sizeof p, &d, &why),
		    PKG_ERR_MALFORMED);
		ck_assert_ptr_nonnull(why);
		p[i] ^= 0x04;
	}
	ck_assert_int_eq(pkg_header_decode(p, 100, &d, &why), PKG_ERR_MALFORMED);
	/* A valid checksum over nonsense is still refused. */
	h.kind = 9;
	pkg_header_encode(&h, p);
	ck_assert_int_eq(pkg_header_decode(p, sizeof p, &d, &why),
	    PKG_ERR_MALFORMED);
}
END_TEST

/* Full and delta packages both reproduce the target exactly, both ways. */
START_TEST(test_roundtrip)
{
	enum pkg_kind kind = _i ? PKG_DELTA : PKG_FULL;
	unsigned char *a = gen(REV_A, SIZE), *b = gen(REV_B, SIZE);
	unsigned char *out = malloc(SIZE), *p;
	struct pkg_header h;
	size_t len;

	p = build(kind, REV_A, REV_B, &len);
	ck_assert_int_eq(check_mem(p, len, &h), PKG_OK);
	ck_assert_int_eq(h.kind, kind);
	ck_assert_str_eq(h.source, REV_A);
	if (kind == PKG_DELTA)
		ck_assert(len < SIZE / 8);	/* much smaller than the image */
	else
		ck_assert(len == SIZE + PKG_HEADER_SIZE);
	ck_assert_int_eq(apply_mem(p, len, a, SIZE, out), PKG_OK);
	ck_assert_mem_eq(out, b, SIZE);
	free(p);
	/* Rollback: new -> old. */
	p = build(kind, REV_B, REV_A, &len);
	ck_assert_int_eq(apply_mem(p, len, b, SIZE, out), PKG_OK);
	ck_assert_mem_eq(out, a, SIZE);
	free(p);
	free(a);
	free(b);
	free(out);
}
END_TEST

/* Corrupt payload: MD5 error; truncated: truncated; trailing: malformed. */
START_TEST(test_corrupt)
{
	enum pkg_kind kind = _i ? PKG_DELTA : PKG_FULL;
	struct pkg_header h;
	unsigned char *p, *q;
	size_t len, cut;

	p = build(kind, REV_A, REV_B, &len);
	p[PKG_HEADER_SIZE + len / 3] ^= 0x01;
	ck_assert_int_eq(check_mem(p, len, &h), PKG_ERR_MD5);
	p[PKG_HEADER_SIZE + len / 3] ^= 0x01;
	ck_assert_int_eq(check_mem(p, len, &h), PKG_OK);
	/* Wrong payload MD5 in an otherwise valid header. */
	h.payload_md5[3] ^= 0x80;
	pkg_header_encode(&h, p);
	ck_assert_int_eq(check_mem(p, len, &h), PKG_ERR_MD5);
	h.payload_md5[3] ^= 0x80;
	pkg_header_encode(&h, p);
	for (cut = 0; cut < len; cut += len / 7 + 1)
		ck_assert_int_lt(check_mem(p, cut, &h), 0);
	ck_assert_int_eq(check_mem(p, len - 1, &h), PKG_ERR_TRUNCATED);
	ck_assert_int_eq(check_mem(p, 10, &h), PKG_ERR_TRUNCATED);
	q = malloc(len + 1);
	memcpy(q, p, len);
	q[len] = 0;
	ck_assert_int_eq(check_mem(q, len + 1, &h), PKG_ERR_MALFORMED);
	free(q);
	free(p);
}
END_TEST

/* A delta whose structure is bad is refused even with a matching MD5. */
START_TEST(test_delta_malformed)
{
	struct pkg_header h;
	unsigned char *p;
	size_t len;

	p = build(PKG_DELTA, REV_A, REV_B, &len);
	/* Unknown opcode. */
	p[PKG_HEADER_SIZE] = 'Z';
	resign(p, len);
	ck_assert_int_eq(check_mem(p, len, &h), PKG_ERR_MALFORMED);
	free(p);
	/* A COPY reaching outside the source. */
	p = build(PKG_DELTA, REV_A, REV_B, &len);
	ck_assert_int_eq(p[PKG_HEADER_SIZE], 'D');	/* identity block differs */
	free(p);
	p = build(PKG_DELTA, REV_A, REV_A, &len);
	ck_assert_int_eq(p[PKG_HEADER_SIZE], 'C');
	le64_put(p + PKG_HEADER_SIZE + 1, SIZE);
	resign(p, len);
	ck_assert_int_eq(check_mem(p, len, &h), PKG_ERR_MALFORMED);
	free(p);
	/* A payload cut short (resigned so that only the structure is wrong). */
	p = build(PKG_DELTA, REV_A, REV_B, &len);
	resign(p, len - 5);
	ck_assert_int_eq(check_mem(p, len - 5, &h), PKG_ERR_MALFORMED);
	free(p);
}
END_TEST

/* A delta applied to another source gives an image with the wrong MD5. */
START_TEST(test_wrong_source)
{
	unsigned char *c = gen(REV_C, SIZE), *out = malloc(SIZE), *p;
	unsigned char md5[PKG_MD5_LEN];
	struct pkg_header h;
	size_t len;

	p = build(PKG_DELTA, REV_A, REV_B, &len);
	ck_assert_int_eq(check_mem(p, len, &h), PKG_OK);
	pkg_md5_mem(c, SIZE, md5);
	ck_assert(memcmp(md5, h.source_md5, PKG_MD5_LEN) != 0);
	ck_assert_int_eq(apply_mem(p, len, c, SIZE, out), PKG_OK);
	pkg_md5_mem(out, SIZE, md5);
	ck_assert(memcmp(md5, h.target_md5, PKG_MD5_LEN) != 0);
	free(p);
	free(c);
	free(out);
}
END_TEST

START_TEST(test_crc32)
{
	/* The standard check value. */
	ck_assert_uint_eq(crc32_update(0, "123456789", 9), 0xcbf43926U);
}
END_TEST

static Suite *
pkg_suite(void)
{
	Suite *s = suite_create("pkg");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_crc32);
	tcase_add_test(tc, test_image_deterministic);
	tcase_add_test(tc, test_header_roundtrip);
	tcase_add_loop_test(tc, test_roundtrip, 0, 2);
	tcase_add_loop_test(tc, test_corrupt, 0, 2);
	tcase_add_test(tc, test_delta_malformed);
	tcase_add_test(tc, test_wrong_source);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run_suite(pkg_suite());
}
