/*
 * check_clock.c: unit tests for the simulated clock.
 */
#include "config.h"

#include <check.h>
#include "check-run.h"
#include <stdlib.h>

#include "clock.h"

/* The clock under test (each test makes its own). */
static struct clock *clk;

struct rec {
	int	 order[16];
	double	 when[16];
	int	 n;
};

struct tagged {
	struct clock_timer	 t;
	struct rec		*rec;
	int			 id;
};

/* Record which timer fired and at what simulated time. */
static void
rec_cb(struct clock_timer *t, void *arg)
{
	struct tagged *tg = arg;

	(void)t;
	tg->rec->order[tg->rec->n] = tg->id;
	tg->rec->when[tg->rec->n] = clock_now(clk);
	tg->rec->n++;
}

/* Run the loop until no clock timer is pending. */
static void
run_until_idle(struct ev_loop *loop)
{
	while (clock_pending(clk) > 0)
		ev_run(loop, EVRUN_ONCE);
}

START_TEST(test_parse_speed)
{
	double s;

	ck_assert_int_eq(clock_parse_speed("max", &s), 0);
	ck_assert(s <= 0);
	ck_assert_int_eq(clock_parse_speed("100", &s), 0);
	ck_assert(s == 100);
	ck_assert_int_eq(clock_parse_speed("0.1", &s), 0);
	ck_assert_int_eq(clock_parse_speed("10000", &s), 0);
	ck_assert_int_eq(clock_parse_speed("0.05", &s), -1);
	ck_assert_int_eq(clock_parse_speed("10001", &s), -1);
	ck_assert_int_eq(clock_parse_speed("fast", &s), -1);
	ck_assert_int_eq(clock_parse_speed("", &s), -1);
	ck_assert_int_eq(clock_parse_speed("nan", &s), -1);
	ck_assert_int_eq(clock_parse_speed("5x", &s), -1);
}
END_TEST

/* Timers fire in simulated-due order, FIFO among equal dues, at every speed. */
static void
check_order(double speed)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct rec rec = { .n = 0 };
	struct tagged t[5];
	double delays[5] = { 3.0, 1.0, 2.0, 1.0, 0.0 };
	int i;

	clk = clock_new(loop, speed);
	for (i = 0; i < 5; i++) {
		t[i].rec = &rec;
		t[i].id = i;
		clock_timer_init(&t[i].t, clk, rec_cb, &t[i]);
		clock_timer_start(&t[i].t, delays[i]);
	}
	run_until_idle(loop);
	ck_assert_int_eq(rec.n, 5);
	ck_assert_int_eq(rec.order[0], 4);
	ck_assert_int_eq(rec.order[1], 1);
	ck_assert_int_eq(rec.order[2], 3);
	ck_assert_int_eq(rec.order[3], 2);
	ck_assert_int_eq(rec.order[4], 0);
	/* Each fired no earlier than its due time, and time never ran back. */
	for (i = 0; i < 5; i++)
		ck_assert(rec.when[i] >= delays[rec.order[i]] - 1e-9);
	for (i = 1; i < 5; i++)
		ck_assert(rec.when[i] >= rec.when[i - 1]);
	clock_free(clk);
	ev_loop_destroy(loop);
}

START_TEST(test_order_fast)
{
	check_order(1000);
}
END_TEST

START_TEST(test_order_max)
{
	check_order(0);
}
END_TEST

/* In max mode a long simulated wait costs almost no wall time. */
START_TEST(test_max_skips_idle)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct rec rec = { .n = 0 };
	struct tagged t = { .rec = &rec, .id = 7 };
	double wall0;

	clk = clock_new(loop, 0);
	ck_assert(clock_is_max(clk));
	clock_timer_init(&t.t, clk, rec_cb, &t);
	clock_timer_start(&t.t, 3600.0);
	ck_assert(clock_timer_active(&t.t));
	ck_assert(clock_timer_remaining(&t.t) > 3599.0);
	wall0 = ev_time();
	run_until_idle(loop);
	ck_assert_int_eq(rec.n, 1);
	ck_assert(rec.when[0] >= 3600.0);
	/* An hour of simulated time did not take an hour (generous bound). */
	ck_assert(ev_time() - wall0 < 600.0);
	ck_assert(!clock_timer_active(&t.t));
	clock_free(clk);
	ev_loop_destroy(loop);
}
END_TEST

/* A stopped timer never fires; a restarted one fires once at its new time. */
START_TEST(test_stop_restart)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct rec rec = { .n = 0 };
	struct tagged a = { .rec = &rec, .id = 1 }, b = { .rec = &rec, .id = 2 };

	clk = clock_new(loop, 0);
	clock_timer_init(&a.t, clk, rec_cb, &a);
	clock_timer_init(&b.t, clk, rec_cb, &b);
	clock_timer_start(&a.t, 5);
	clock_timer_start(&b.t, 10);
	clock_timer_stop(&a.t);
	clock_timer_stop(&a.t);
	clock_timer_start(&b.t, 20);
	clock_timer_start(&a.t, 30);
	run_until_idle(loop);
	ck_assert_int_eq(rec.n, 2);
	ck_assert_int_eq(rec.order[0], 2);
	ck_assert_int_eq(rec.order[1], 1);
	ck_assert(rec.when[0] >= 20.0 && rec.when[0] < 30.0);
	clock_free(clk);
	ev_loop_destroy(loop);
}
END_TEST

/* Simulated time runs `speed` times faster than wall time. */
START_TEST(test_speed_scales)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct rec rec = { .n = 0 };
	struct tagged t = { .rec = &rec, .id = 1 };
	double wall0, wall;

	clk = clock_new(loop, 200);
	ck_assert(clock_wall(clk, 10.0) == 10.0 / 200);
	clock_timer_init(&t.t, clk, rec_cb, &t);
	wall0 = ev_time();
	clock_timer_start(&t.t, 20.0);	/* 0.1 s of wall time */
	run_until_idle(loop);
	wall = ev_time() - wall0;
	ck_assert_int_eq(rec.n, 1);
	/* Never early in wall time; lateness is not asserted (loaded CI). */
	ck_assert(wall >= 0.1 - 0.005);
	clock_free(clk);
	ev_loop_destroy(loop);
}
END_TEST

/* A callback may start timers, including ones already due. */
static int chain_left;
static struct clock_timer chain_t;

static void
chain_cb(struct clock_timer *t, void *arg)
{
	(void)arg;
	if (--chain_left > 0)
		clock_timer_start(t, chain_left % 2 ? 0 : 1.5);
}

START_TEST(test_rearm_in_callback)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);

	clk = clock_new(loop, 0);
	chain_left = 100;
	clock_timer_init(&chain_t, clk, chain_cb, NULL);
	clock_timer_start(&chain_t, 1);
	run_until_idle(loop);
	ck_assert_int_eq(chain_left, 0);
	ck_assert(clock_now(clk) >= 1 + 49 * 1.5);
	clock_free(clk);
	ev_loop_destroy(loop);
}
END_TEST

/* Many timers with random dues come out sorted, despite stops. */
static double many_last;
static int many_fired, many_bad;

static void
many_cb(struct clock_timer *t, void *arg)
{
	(void)arg;
	if (t->due < many_last)
		many_bad++;
	many_last = t->due;
	many_fired++;
}

START_TEST(test_heap_many)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	enum { N = 500 };
	static struct clock_timer ts[N];
	int i, stopped = 0;

	clk = clock_new(loop, 0);
	srand(42);
	many_last = 0;
	many_fired = many_bad = 0;
	for (i = 0; i < N; i++) {
		clock_timer_init(&ts[i], clk, many_cb, NULL);
		clock_timer_start(&ts[i], (rand() % 100000) / 10.0);
	}
	for (i = 0; i < N; i += 7) {
		clock_timer_stop(&ts[i]);
		stopped++;
	}
	ck_assert_int_eq((int)clock_pending(clk), N - stopped);
	run_until_idle(loop);
	ck_assert_int_eq(many_fired, N - stopped);
	ck_assert_int_eq(many_bad, 0);
	clock_free(clk);
	ev_loop_destroy(loop);
}
END_TEST

/*
 * Lateness does not accumulate along a chain: 1 s timers whose callbacks
 * each burn 20 ms of wall time (20 simulated seconds at speed 1000) are
 * still due at exactly 1, 2, 3, ... simulated seconds.
 */
static double late_when[10];
static int late_n;

static void
late_cb(struct clock_timer *t, void *arg)
{
	double until = ev_time() + 0.02;

	(void)arg;
	late_when[late_n++] = t->due;
	ck_assert(clock_now(clk) >= t->due);
	while (ev_time() < until)
		;			/* a busy callback: the loop runs late */
	if (late_n < 10)
		clock_timer_start(t, 1.0);
}

START_TEST(test_late_loop_keeps_intervals)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct clock_timer t;
	int i;

	clk = clock_new(loop, 1000);
	late_n = 0;
	clock_timer_init(&t, clk, late_cb, NULL);
	clock_timer_start(&t, 1.0);
	run_until_idle(loop);
	ck_assert_int_eq(late_n, 10);
	for (i = 0; i < 10; i++)
		ck_assert_msg(late_when[i] == late_when[0] + i,
		    "timer %d due %.6f, first due %.6f", i, late_when[i],
		    late_when[0]);
	ck_assert(late_when[0] >= 1.0 && late_when[0] < 2.0);
	/* clock_zero restarts simulated time once nothing is pending. */
	clock_zero(clk);
	ck_assert(clock_now(clk) < 1.0);
	clock_free(clk);
	ev_loop_destroy(loop);
}
END_TEST


/*
 * Two loops with two clocks at different speeds in one process: each keeps
 * its own simulated time and timer heap, and running one never fires, skips
 * or delays the other's timers.
 */
static void
two_cb(struct clock_timer *t, void *arg)
{
	int *fired = arg;

	(void)t;
	(*fired)++;
}

START_TEST(test_two_clocks)
{
	struct ev_loop *la = ev_loop_new(EVFLAG_AUTO);
	struct ev_loop *lb = ev_loop_new(EVFLAG_AUTO);
	struct clock *a = clock_new(la, 0), *b = clock_new(lb, 1000);
	struct clock_timer ta, tb;
	int fa = 0, fb = 0;

	ck_assert(clock_is_max(a));
	ck_assert(!clock_is_max(b));
	ck_assert(clock_speed(b) == 1000);
	ck_assert_ptr_eq(clock_loop(a), la);
	clock_timer_init(&ta, a, two_cb, &fa);
	clock_timer_init(&tb, b, two_cb, &fb);
	clock_timer_start(&ta, 3600.0);
	clock_timer_start(&tb, 3600.0);
	ck_assert_int_eq((int)clock_pending(a), 1);
	ck_assert_int_eq((int)clock_pending(b), 1);
	/* Max mode on a skips an hour; b, on its own loop, is not touched. */
	while (clock_pending(a) > 0)
		ev_run(la, EVRUN_ONCE);
	ck_assert_int_eq(fa, 1);
	ck_assert_int_eq(fb, 0);
	ck_assert(clock_now(a) >= 3600.0);
	ck_assert(clock_now(b) < 3600.0);
	ck_assert(clock_timer_active(&tb));
	ck_assert(clock_timer_remaining(&tb) > 3000.0);
	/* Stopping b's timer leaves a's (now idle) heap alone, and back. */
	clock_timer_start(&ta, 5.0);
	clock_timer_stop(&tb);
	ck_assert_int_eq((int)clock_pending(a), 1);
	ck_assert_int_eq((int)clock_pending(b), 0);
	clock_timer_stop(&ta);
	clock_free(a);
	clock_free(b);
	ev_loop_destroy(la);
	ev_loop_destroy(lb);
}
END_TEST

/* Watchdogs: max mode never skips to one, so it fires after its delay in
 * wall time, unless a plain timer's jump passes it; then it fires in due
 * order.  At a numeric speed it is a timer like any other. */
START_TEST(test_watchdog)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct rec rec = { .n = 0 };
	struct tagged w = { .rec = &rec, .id = 1 }, p = { .rec = &rec, .id = 2 };
	double wall;

	clk = clock_new(loop, 0);
	clock_timer_init(&w.t, clk, rec_cb, &w);
	clock_timer_watchdog(&w.t);
	clock_timer_init(&p.t, clk, rec_cb, &p);
	/* Alone, a 0.2 s watchdog takes 0.2 s of wall time at max. */
	ev_now_update(loop);
	wall = ev_now(loop);
	clock_timer_start(&w.t, 0.2);
	run_until_idle(loop);
	ev_now_update(loop);
	ck_assert_int_eq(rec.n, 1);
	ck_assert(ev_now(loop) - wall >= 0.19);
	ck_assert(rec.when[0] >= 0.2 && rec.when[0] < 100);
	/* Beside a plain timer, time skips to the plain one only. */
	clock_timer_start(&w.t, 3600);
	clock_timer_start(&p.t, 100);
	while (rec.n < 2)
		ev_run(loop, EVRUN_ONCE);
	ck_assert_int_eq(rec.order[1], 2);
	ck_assert_int_eq((int)clock_pending(clk), 1);
	/* A plain timer past the watchdog: the jump lets it fire first. */
	clock_timer_start(&p.t, 5000);
	run_until_idle(loop);
	ck_assert_int_eq(rec.n, 4);
	ck_assert_int_eq(rec.order[2], 1);
	ck_assert_int_eq(rec.order[3], 2);
	ck_assert(rec.when[2] >= 3600);
	clock_free(clk);

	/* At a numeric speed a watchdog keeps its place in due order. */
	rec.n = 0;
	clk = clock_new(loop, 1000);
	clock_timer_init(&w.t, clk, rec_cb, &w);
	clock_timer_watchdog(&w.t);
	clock_timer_init(&p.t, clk, rec_cb, &p);
	clock_timer_start(&p.t, 20);
	clock_timer_start(&w.t, 10);
	run_until_idle(loop);
	ck_assert_int_eq(rec.n, 2);
	ck_assert_int_eq(rec.order[0], 1);
	ck_assert_int_eq(rec.order[1], 2);
	clock_free(clk);
	ev_loop_destroy(loop);
}
END_TEST

static Suite *
clock_suite(void)
{
	Suite *s = suite_create("clock");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse_speed);
	tcase_add_test(tc, test_order_fast);
	tcase_add_test(tc, test_order_max);
	tcase_add_test(tc, test_max_skips_idle);
	tcase_add_test(tc, test_stop_restart);
	tcase_add_test(tc, test_speed_scales);
	tcase_add_test(tc, test_rearm_in_callback);
	tcase_add_test(tc, test_heap_many);
	tcase_add_test(tc, test_late_loop_keeps_intervals);
	tcase_add_test(tc, test_two_clocks);
	tcase_add_test(tc, test_watchdog);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run_suite(clock_suite());
}
