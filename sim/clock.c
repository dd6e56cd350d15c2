/*
 * clock.c: simulated time on top of libev.
 *
 * Simulated time is  base_sim + (wall - base_wall) * speed.  A timer that
 * fires late (loop latency, a loaded machine: late by wall latency times the
 * speed) still counts as having fired at its due time for the timers its
 * callback starts, so chains of timers keep exact simulated intervals at any
 * speed and lateness never accumulates along a chain.
 *
 * All timers live in one binary heap keyed on simulated due time; a single
 * ev_timer is armed for the earliest of them.  In max mode an ev_idle
 * watcher, which libev runs only when no I/O is pending, advances base_sim to
 * the earliest due time instead of waiting for it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "util.h"

static struct {
	struct ev_loop		*loop;
	double			 speed;
	int			 max;
	double			 base_wall;
	double			 base_sim;
	double			 last;		/* keeps clock_now monotonic */
	int			 firing;	/* inside a timer callback */
	double			 firing_due;	/* ...of a timer due then */
	unsigned long		 seq;
	struct clock_timer	**heap;
	size_t			 len;
	size_t			 cap;
	ev_timer		 wake;
	ev_idle			 idle;
} clk;

static void	clock_rearm(void);

/* Swap two heap slots and fix their back-pointers. */
static void
clock_heap_swap(size_t a, size_t b)
{
	struct clock_timer *t = clk.heap[a];

	clk.heap[a] = clk.heap[b];
	clk.heap[b] = t;
	clk.heap[a]->slot = a + 1;
	clk.heap[b]->slot = b + 1;
}

/* Whether timer a fires before timer b. */
static int
clock_before(const struct clock_timer *a, const struct clock_timer *b)
{
	if (a->due != b->due)
		return a->due < b->due;
	return a->seq < b->seq;
}

/* Move slot i up until the heap property holds. */
static void
clock_heap_up(size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!clock_before(clk.heap[i], clk.heap[p]))
			break;
		clock_heap_swap(i, p);
		i = p;
	}
}

/* Move slot i down until the heap property holds. */
static void
clock_heap_down(size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < clk.len && clock_before(clk.heap[l], clk.heap[m]))
			m = l;
		if (r < clk.len && clock_before(clk.heap[r], clk.heap[m]))
			m = r;
		if (m == i)
			break;
		clock_heap_swap(i, m);
		i = m;
	}
}

/* Remove the timer in slot i from the heap. */
static void
clock_heap_remove(size_t i)
{
	struct clock_timer *t = clk.heap[i];

	clk.len--;
	if (i != clk.len) {
		clk.heap[i] = clk.heap[clk.len];
		clk.heap[i]->slot = i + 1;
		clock_heap_down(i);
		clock_heap_up(i);
	}
	t->slot = 0;
}

/* Simulated time from the wall clock alone, ignoring pending timers. */
static double
clock_mapped(void)
{
	return clk.base_sim + (ev_now(clk.loop) - clk.base_wall) * clk.speed;
}

double
clock_now(void)
{
	double now;

	if (clk.loop == NULL)
		return 0;
	now = clock_mapped();
	if (now < clk.last)
		now = clk.last;
	clk.last = now;
	return now;
}

/* Jump simulated time forward to `to` without touching wall time. */
static void
clock_advance(double to)
{
	double now = clock_mapped();

	if (to > now) {
		clk.base_sim += to - now;
		if (to > clk.last)
			clk.last = to;
	}
}

/* Fire every timer that is due, then re-arm the wake-up. */
static void
clock_run_due(void)
{
	while (clk.len > 0 && clk.heap[0]->due <= clock_now()) {
		struct clock_timer *t = clk.heap[0];
		int outer = clk.firing;
		double outer_due = clk.firing_due;

		clock_heap_remove(0);
		clk.firing = 1;
		clk.firing_due = t->due;
		t->cb(t, t->arg);
		clk.firing = outer;
		clk.firing_due = outer_due;
	}
	clock_rearm();
}

/* The wall-clock wake-up: the earliest timer is due (or nearly). */
static void
clock_wake_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop; (void)w; (void)revents;
	/* libev may wake a hair early in floating point; the timer is due. */
	if (clk.len > 0)
		clock_advance(clk.heap[0]->due);
	clock_run_due();
}

/* Max mode: nothing else is pending, so skip to the next timer. */
static void
clock_idle_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	(void)loop; (void)w; (void)revents;
	if (clk.len > 0)
		clock_advance(clk.heap[0]->due);
	clock_run_due();
}

/* Arm the single wall timer (or idle watcher) for the earliest due timer. */
static void
clock_rearm(void)
{
	double delay;

	if (clk.loop == NULL)
		return;
	ev_timer_stop(clk.loop, &clk.wake);
	if (clk.len == 0) {
		ev_idle_stop(clk.loop, &clk.idle);
		return;
	}
	if (clk.max) {
		ev_idle_start(clk.loop, &clk.idle);
		return;
	}
	delay = (clk.heap[0]->due - clock_now()) / clk.speed;
	if (delay < 0)
		delay = 0;
	ev_timer_set(&clk.wake, delay, 0);
	ev_timer_start(clk.loop, &clk.wake);
}

void
clock_init(struct ev_loop *loop, double speed)
{
	clock_free();
	clk.loop = loop;
	clk.max = speed <= 0;
	clk.speed = clk.max ? 1.0 : speed;
	ev_now_update(loop);
	clk.base_wall = ev_now(loop);
	clk.base_sim = 0;
	clk.last = 0;
	ev_timer_init(&clk.wake, clock_wake_cb, 0, 0);
	ev_idle_init(&clk.idle, clock_idle_cb);
	/* Below the default priority: I/O always runs before time skips. */
	ev_set_priority(&clk.idle, EV_MINPRI);
}

void
clock_zero(void)
{
	if (clk.loop == NULL || clk.len > 0)
		return;
	ev_now_update(clk.loop);
	clk.base_wall = ev_now(clk.loop);
	clk.base_sim = 0;
	clk.last = 0;
}

void
clock_free(void)
{
	size_t i;

	if (clk.loop != NULL) {
		ev_timer_stop(clk.loop, &clk.wake);
		ev_idle_stop(clk.loop, &clk.idle);
	}
	for (i = 0; i < clk.len; i++)
		clk.heap[i]->slot = 0;
	free(clk.heap);
	memset(&clk, 0, sizeof clk);
}

int
clock_parse_speed(const char *text, double *speed)
{
	char *end;
	double v;

	if (strcmp(text, "max") == 0) {
		*speed = 0;
		return 0;
	}
	v = strtod(text, &end);
	if (end == text || *end != '\0' || !(v >= CLOCK_SPEED_MIN) ||
	    !(v <= CLOCK_SPEED_MAX))
		return -1;
	*speed = v;
	return 0;
}

double
clock_speed(void)
{
	return clk.speed;
}

int
clock_is_max(void)
{
	return clk.max;
}

double
clock_wall(double sim_seconds)
{
	if (clk.max || clk.speed <= 0)
		return 0;
	return sim_seconds / clk.speed;
}

size_t
clock_pending(void)
{
	return clk.len;
}

void
clock_timer_init(struct clock_timer *t, clock_cb cb, void *arg)
{
	memset(t, 0, sizeof *t);
	t->cb = cb;
	t->arg = arg;
}

void
clock_timer_start(struct clock_timer *t, double delay)
{
	if (clk.loop == NULL)
		fatal("clock_timer_start before clock_init");
	if (t->slot != 0)
		clock_heap_remove(t->slot - 1);
	if (!(delay > 0))
		delay = 0;
	/* From a timer's callback, delays count from that timer's due time. */
	t->due = (clk.firing ? clk.firing_due : clock_now()) + delay;
	t->seq = clk.seq++;
	if (clk.len == clk.cap) {
		clk.cap = clk.cap ? clk.cap * 2 : 16;
		clk.heap = xreallocarray(clk.heap, clk.cap, sizeof *clk.heap);
	}
	clk.heap[clk.len] = t;
	t->slot = ++clk.len;
	clock_heap_up(clk.len - 1);
	clock_rearm();
}

void
clock_timer_stop(struct clock_timer *t)
{
	if (t->slot == 0)
		return;
	clock_heap_remove(t->slot - 1);
	clock_rearm();
}

int
clock_timer_active(const struct clock_timer *t)
{
	return t->slot != 0;
}

double
clock_timer_remaining(const struct clock_timer *t)
{
	double left;

	if (t->slot == 0)
		return 0;
	left = t->due - clock_now();
	return left > 0 ? left : 0;
}
