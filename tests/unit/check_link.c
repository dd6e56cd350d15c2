/*
 * check_link.c: the link's arithmetic (sim/net/link.c): the serializer that
 * gives a direction its bandwidth and delay, the one-way delay with jitter,
 * the seeded generator, and the --link-fault and --link-shape grammars.
 */
#include "config.h"

#include <check.h>
#include "check-run.h"
#include <math.h>
#include <string.h>

#include "net/link.h"

#define NEAR(a, b)	ck_assert_msg(fabs((a) - (b)) < 1e-9, "%.12f != %.12f", \
			    (double)(a), (double)(b))

/* Back-to-back segments leave one after another at the rate. */
START_TEST(test_shape_rate)
{
	struct link_shaper s = { 0, 0 };
	double due = 0;
	int i;

	/* 100 segments of 1000 bytes at 80 kbit/s: 0.1 s each. */
	for (i = 0; i < 100; i++)
		due = link_shape(&s, 0, 1000, 80e3, 0.25);
	NEAR(s.free_at, 10.0);
	NEAR(due, 10.25);
}
END_TEST

/* An idle link starts sending when the bytes come, not before. */
START_TEST(test_shape_idle)
{
	struct link_shaper s = { 0, 0 };

	NEAR(link_shape(&s, 0, 500, 40e3, 0.3), 0.1 + 0.3);
	/* Idle since 0.1: the next one leaves at 5. */
	NEAR(link_shape(&s, 5, 500, 40e3, 0.3), 5.1 + 0.3);
	/* Unlimited bandwidth: only the delay. */
	NEAR(link_shape(&s, 6, 1 << 20, 0, 0.3), 6.3);
}
END_TEST

/* A shorter delay never lets bytes overtake the ones before (jitter). */
START_TEST(test_shape_order)
{
	struct link_shaper s = { 0, 0 };

	NEAR(link_shape(&s, 0, 100, 0, 0.5), 0.5);
	NEAR(link_shape(&s, 0.1, 100, 0, 0.1), 0.5);
	NEAR(link_shape(&s, 0.6, 100, 0, 0.1), 0.7);
}
END_TEST

/* rtt/2 moved by up to +/- jitter, never below 0. */
START_TEST(test_delay)
{
	struct link_profile p = { 0, 0, 0.6, 0.1 };
	struct link_profile q = { 0, 0, 0.1, 0.2 };

	NEAR(link_delay(&p, 0.5), 0.3);
	NEAR(link_delay(&p, 0), 0.2);
	NEAR(link_delay(&p, 1), 0.4);
	NEAR(link_delay(&q, 0), 0);
}
END_TEST

/* The generator: the same seed gives the same sequence, in [0, 1). */
START_TEST(test_random)
{
	uint64_t a = 7, b = 7, c = 8;
	double sum = 0, x;
	int i, same = 1;

	for (i = 0; i < 10000; i++) {
		x = link_random(&a);
		ck_assert(x >= 0 && x < 1);
		same &= x == link_random(&b);
		sum += x;
	}
	ck_assert(same);
	ck_assert(link_random(&c) != link_random(&a));
	ck_assert(fabs(sum / 10000 - 0.5) < 0.02);
}
END_TEST

START_TEST(test_faults_parse)
{
	struct link_faults f;
	char err[256];

	memset(&f, 0, sizeof f);
	ck_assert_int_eq(link_faults_parse(&f, "down reset after=40000 conn=2;"
	    " up stall", err, sizeof err), 0);
	ck_assert_int_eq(link_faults_parse(&f, "down flip at=1234; any refuse "
	    "p=0.5 seed=7; down slice size=10 gap=0.5; any blackhole conn=1",
	    err, sizeof err), 0);
	ck_assert_int_eq(f.n, 6);
	ck_assert_int_eq(f.v[0].kind, LINK_RESET);
	ck_assert_int_eq(f.v[0].dir, LINK_DOWN);
	ck_assert_int_eq(f.v[0].after, 40000);
	ck_assert_int_eq(f.v[0].conn, 2);
	ck_assert(f.v[0].p == 1);
	ck_assert_int_eq(f.v[1].kind, LINK_STALL);
	ck_assert_int_eq(f.v[1].dir, LINK_UP);
	ck_assert_int_eq(f.v[1].after, 0);
	ck_assert_int_eq(f.v[2].at, 1234);
	ck_assert_int_eq(f.v[3].kind, LINK_REFUSE);
	ck_assert(f.v[3].p == 0.5);
	ck_assert_int_eq(f.v[3].seed, 7);
	ck_assert_int_eq(f.v[4].size, 10);
	ck_assert(f.v[4].gap == 0.5);
	ck_assert_int_eq(f.v[5].kind, LINK_BLACKHOLE);
	ck_assert_str_eq(f.v[5].text, "any blackhole conn=1");
}
END_TEST

START_TEST(test_faults_refused)
{
	static const char *const bad[] = {
		"", ";", "reset", "down", "down explode", "sideways stall",
		"down refuse", "up blackhole", "down flip", "down reset at=3",
		"down stall size=3", "down reset after=", "down reset after=x",
		"down reset after=-1", "any refuse p=2", "any refuse p=-0.1",
		"any refuse conn=0", "any refuse conn=9", "down slice size=0",
		"down slice gap=-1", "down stall after=10 after", "up stall; x",
	};
	struct link_faults f;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&f, 0, sizeof f);
		err[0] = '\0';
		ck_assert_msg(link_faults_parse(&f, bad[i], err, sizeof err) ==
		    -1, "'%s' accepted", bad[i]);
		ck_assert_msg(err[0] != '\0', "'%s': no message", bad[i]);
	}
}
END_TEST

START_TEST(test_profile_parse)
{
	struct link_profile p = { 1, 2, 3, 4 };
	char err[256];

	ck_assert_int_eq(link_profile_parse(&p, "down=40k,up=1.5M,rtt=0.6,"
	    "jitter=0.1", err, sizeof err), 0);
	ck_assert(p.down_bps == 40e3 && p.up_bps == 1.5e6 && p.rtt == 0.6 &&
	    p.jitter == 0.1);
	ck_assert_int_eq(link_profile_parse(&p, "rtt=0", err, sizeof err), 0);
	ck_assert(p.rtt == 0 && p.down_bps == 40e3);
	ck_assert_int_eq(link_profile_parse(&p, "down=4q", err, sizeof err),
	    -1);
	ck_assert_int_eq(link_profile_parse(&p, "rtt=61", err, sizeof err), -1);
	ck_assert_int_eq(link_profile_parse(&p, "speed=1", err, sizeof err),
	    -1);
}
END_TEST

static Suite *
link_suite(void)
{
	Suite *s = suite_create("link");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_shape_rate);
	tcase_add_test(tc, test_shape_idle);
	tcase_add_test(tc, test_shape_order);
	tcase_add_test(tc, test_delay);
	tcase_add_test(tc, test_random);
	tcase_add_test(tc, test_faults_parse);
	tcase_add_test(tc, test_faults_refused);
	tcase_add_test(tc, test_profile_parse);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run_suite(link_suite());
}
