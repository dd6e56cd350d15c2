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

struct clock {
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
};

static void	clock_rearm(struct clock *);

/* Swap two heap slots and fix their back-pointers. */
static void
clock_heap_swap(struct clock *c, size_t a, size_t b)
{
	struct clock_timer *t = c->heap[a];

	c->heap[a] = c->heap[b];
	c->heap[b] = t;
	c->heap[a]->slot = a + 1;
	c->heap[b]->slot = b + 1;
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
clock_heap_up(struct clock *c, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!clock_before(c->heap[i], c->heap[p]))
			break;
		clock_heap_swap(c, i, p);
		i = p;
	}
}

/* Move slot i down until the heap property holds. */
static void
clock_heap_down(struct clock *c, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < c->len && clock_before(c->heap[l], c->heap[m]))
			m = l;
		if (r < c->len && clock_before(c->heap[r], c->heap[m]))
			m = r;
		if (m == i)
			break;
		clock_heap_swap(c, i, m);
		i = m;
	}
}

/* Remove the timer in slot i from the heap. */
static void
clock_heap_remove(struct clock *c, size_t i)
{
	struct clock_timer *t = c->heap[i];

	c->len--;
	if (i != c->len) {
		c->heap[i] = c->heap[c->len];
		c->heap[i]->slot = i + 1;
		clock_heap_down(c, i);
		clock_heap_up(c, i);
	}
	t->slot = 0;
}

/* Simulated time from the wall clock alone, ignoring pending timers. */
static double
clock_mapped(struct clock *c)
{
	return c->base_sim + (ev_now(c->loop) - c->base_wall) * c->speed;
}

double
clock_now(struct clock *c)
{
	double now;

	now = clock_mapped(c);
	if (now < c->last)
		now = c->last;
	c->last = now;
	return now;
}

/* Jump simulated time forward to `to` without touching wall time. */
static void
clock_advance(struct clock *c, double to)
{
	double now = clock_mapped(c);

	if (to > now) {
		c->base_sim += to - now;
		if (to > c->last)
			c->last = to;
	}
}

/* Fire every timer that is due, then re-arm the wake-up. */
static void
clock_run_due(struct clock *c)
{
	while (c->len > 0 && c->heap[0]->due <= clock_now(c)) {
		struct clock_timer *t = c->heap[0];
		int outer = c->firing;
		double outer_due = c->firing_due;

		clock_heap_remove(c, 0);
		c->firing = 1;
		c->firing_due = t->due;
		t->cb(t, t->arg);
		c->firing = outer;
		c->firing_due = outer_due;
	}
	clock_rearm(c);
}

/* The wall-clock wake-up: the earliest timer is due (or nearly). */
static void
clock_wake_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct clock *c = w->data;

	(void)loop; (void)revents;
	/* libev may wake a hair early in floating point; the timer is due. */
	if (c->len > 0)
		clock_advance(c, c->heap[0]->due);
	clock_run_due(c);
}

/* Max mode: nothing else is pending, so skip to the next timer. */
static void
clock_idle_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	struct clock *c = w->data;

	(void)loop; (void)revents;
	if (c->len > 0)
		clock_advance(c, c->heap[0]->due);
	clock_run_due(c);
}

/* Arm the single wall timer (or idle watcher) for the earliest due timer. */
static void
clock_rearm(struct clock *c)
{
	double delay;

	ev_timer_stop(c->loop, &c->wake);
	if (c->len == 0) {
		ev_idle_stop(c->loop, &c->idle);
		return;
	}
	if (c->max) {
		ev_idle_start(c->loop, &c->idle);
		return;
	}
	delay = (c->heap[0]->due - clock_now(c)) / c->speed;
	if (delay < 0)
		delay = 0;
	ev_timer_set(&c->wake, delay, 0);
	ev_timer_start(c->loop, &c->wake);
}

struct clock *
clock_new(struct ev_loop *loop, double speed)
{
	struct clock *c = xcalloc(1, sizeof *c);

	c->loop = loop;
	c->max = speed <= 0;
	c->speed = c->max ? 1.0 : speed;
	ev_now_update(loop);
	c->base_wall = ev_now(loop);
	ev_timer_init(&c->wake, clock_wake_cb, 0, 0);
	c->wake.data = c;
	ev_idle_init(&c->idle, clock_idle_cb);
	c->idle.data = c;
	/* Below the default priority: I/O always runs before time skips. */
	ev_set_priority(&c->idle, EV_MINPRI);
	return c;
}

void
clock_zero(struct clock *c)
{
	if (c->len > 0)
		return;
	ev_now_update(c->loop);
	c->base_wall = ev_now(c->loop);
	c->base_sim = 0;
	c->last = 0;
}

void
clock_free(struct clock *c)
{
	size_t i;

	if (c == NULL)
		return;
	ev_timer_stop(c->loop, &c->wake);
	ev_idle_stop(c->loop, &c->idle);
	for (i = 0; i < c->len; i++)
		c->heap[i]->slot = 0;
	free(c->heap);
	free(c);
}

struct ev_loop *
clock_loop(const struct clock *c)
{
	return c->loop;
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
clock_speed(const struct clock *c)
{
	return c->speed;
}

int
clock_is_max(const struct clock *c)
{
	return c->max;
}

double
clock_wall(const struct clock *c, double sim_seconds)
{
	if (c->max || c->speed <= 0)
		return 0;
	return sim_seconds / c->speed;
}

size_t
clock_pending(const struct clock *c)
{
	return c->len;
}

void
clock_timer_init(struct clock_timer *t, struct clock *c, clock_cb cb,
    void *arg)
{
	memset(t, 0, sizeof *t);
	t->clock = c;
	t->cb = cb;
	t->arg = arg;
}

void
clock_timer_start(struct clock_timer *t, double delay)
{
	struct clock *c = t->clock;

	if (t->slot != 0)
		clock_heap_remove(c, t->slot - 1);
	if (!(delay > 0))
		delay = 0;
	/* From a timer's callback, delays count from that timer's due time. */
	t->due = (c->firing ? c->firing_due : clock_now(c)) + delay;
	t->seq = c->seq++;
	if (c->len == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->heap = xreallocarray(c->heap, c->cap, sizeof *c->heap);
	}
	c->heap[c->len] = t;
	t->slot = ++c->len;
	clock_heap_up(c, c->len - 1);
	clock_rearm(c);
}

void
clock_timer_stop(struct clock_timer *t)
{
	struct clock *c = t->clock;

	if (t->slot == 0)
		return;
	clock_heap_remove(c, t->slot - 1);
	clock_rearm(c);
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
	left = t->due - clock_now(t->clock);
	return left > 0 ? left : 0;
}
