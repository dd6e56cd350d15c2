/*
 * clock.c: simulated time on top of libev.
 *
 * Simulated time is  base_sim + (wall - base_wall) * speed.  A timer that
 * fires late (loop latency, a loaded machine: late by wall latency times the
 * speed) still counts as having fired at its due time for the timers its
 * callback starts, so chains of timers keep exact simulated intervals at any
 * speed and lateness never accumulates along a chain.
 *
 * Timers live in binary heaps keyed on simulated due time; a single
 * ev_timer is armed for the earliest of them.  In max mode an ev_idle
 * watcher, which libev runs only when no I/O is pending, advances base_sim to
 * the earliest due time instead of waiting for it.  Watchdog timers (idle
 * timeouts that wait on a peer outside the simulation) sit in a heap of
 * their own, which the idle watcher never skips to: in max mode they run
 * at wall speed, like the rest of time when there is nothing to skip to.
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
	struct clock_heap {
		struct clock_timer	**v;
		size_t			 len;
		size_t			 cap;
	}			 heaps[2];	/* [1]: watchdog timers */
	ev_timer		 wake;
	ev_idle			 idle;
	int			 discrete;	/* max mode: time moves by jumps only */
	int			 closed;	/* max mode skips to watchdogs too */
	int			(*guard)(void *);	/* clock_set_guard */
	void			*guard_arg;
};

static void	clock_rearm(struct clock *);

/* The heap a timer belongs in. */
static struct clock_heap *
clock_heap_of(struct clock *c, const struct clock_timer *t)
{
	return &c->heaps[t->watchdog ? 1 : 0];
}

/* Swap two heap slots and fix their back-pointers. */
static void
clock_heap_swap(struct clock_heap *h, size_t a, size_t b)
{
	struct clock_timer *t = h->v[a];

	h->v[a] = h->v[b];
	h->v[b] = t;
	h->v[a]->slot = a + 1;
	h->v[b]->slot = b + 1;
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
clock_heap_up(struct clock_heap *h, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!clock_before(h->v[i], h->v[p]))
			break;
		clock_heap_swap(h, i, p);
		i = p;
	}
}

/* Move slot i down until the heap property holds. */
static void
clock_heap_down(struct clock_heap *h, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->len && clock_before(h->v[l], h->v[m]))
			m = l;
		if (r < h->len && clock_before(h->v[r], h->v[m]))
			m = r;
		if (m == i)
			break;
		clock_heap_swap(h, i, m);
		i = m;
	}
}

/* Remove the timer in slot i from the heap. */
static void
clock_heap_remove(struct clock_heap *h, size_t i)
{
	struct clock_timer *t = h->v[i];

	h->len--;
	if (i != h->len) {
		h->v[i] = h->v[h->len];
		h->v[i]->slot = i + 1;
		clock_heap_down(h, i);
		clock_heap_up(h, i);
	}
	t->slot = 0;
}

/* The timer that fires first, of both heaps (or of the plain one only);
 * NULL if there is none. */
static struct clock_timer *
clock_first(const struct clock *c, int watchdogs)
{
	const struct clock_heap *a = &c->heaps[0], *b = &c->heaps[1];

	if (!watchdogs || b->len == 0)
		return a->len > 0 ? a->v[0] : NULL;
	if (a->len == 0 || clock_before(b->v[0], a->v[0]))
		return b->v[0];
	return a->v[0];
}

/* Simulated time from the wall clock alone, ignoring pending timers. */
static double
clock_mapped(struct clock *c)
{
	if (c->discrete)
		return c->base_sim;
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
	struct clock_timer *t;

	while ((t = clock_first(c, 1)) != NULL && t->due <= clock_now(c)) {
		int outer = c->firing;
		double outer_due = c->firing_due;

		clock_heap_remove(clock_heap_of(c, t), 0);
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

	struct clock_timer *t = clock_first(c, 1);

	(void)loop; (void)revents;
	/* libev may wake a hair early in floating point; the timer is due. */
	if (t != NULL)
		clock_advance(c, t->due);
	clock_run_due(c);
}

/* Max mode: nothing else is pending, so skip to the next timer that is
 * not a watchdog. */
static void
clock_idle_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	struct clock *c = w->data;
	struct clock_timer *t;

	(void)loop; (void)revents;
	/* Bytes in flight inside the process: not idle; time runs at wall
	 * speed until they land. */
	if (c->guard != NULL && c->guard(c->guard_arg))
		return;
	t = clock_first(c, c->closed);
	if (t != NULL)
		clock_advance(c, t->due);
	clock_run_due(c);
}

void
clock_set_closed(struct clock *c)
{
	c->closed = 1;
	clock_rearm(c);
}

void
clock_set_discrete(struct clock *c)
{
	if (!c->max)
		return;
	/* From now on: what wall time had added is kept, no more is. */
	c->base_sim = clock_mapped(c);
	c->discrete = 1;
}

void
clock_set_guard(struct clock *c, int (*busy)(void *), void *arg)
{
	c->guard = busy;
	c->guard_arg = arg;
}

/* Arm the single wall timer (or idle watcher) for the earliest due timer. */
static void
clock_rearm(struct clock *c)
{
	struct clock_timer *t;
	double delay;

	ev_timer_stop(c->loop, &c->wake);
	/* Max mode skips to plain timers whenever it is idle, and waits for
	 * watchdogs at wall speed; other speeds wait for the earliest. */
	if (c->max && (c->heaps[0].len > 0 ||
	    (c->closed && c->heaps[1].len > 0)))
		ev_idle_start(c->loop, &c->idle);
	else
		ev_idle_stop(c->loop, &c->idle);
	if (c->max)
		t = c->heaps[1].len > 0 ? c->heaps[1].v[0] : NULL;
	else
		t = clock_first(c, 1);
	if (t == NULL)
		return;
	delay = (t->due - clock_now(c)) / c->speed;
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
	if (clock_pending(c) > 0)
		return;
	ev_now_update(c->loop);
	c->base_wall = ev_now(c->loop);
	c->base_sim = 0;
	c->last = 0;
}

void
clock_free(struct clock *c)
{
	size_t i, k;

	if (c == NULL)
		return;
	ev_timer_stop(c->loop, &c->wake);
	ev_idle_stop(c->loop, &c->idle);
	for (k = 0; k < nitems(c->heaps); k++) {
		for (i = 0; i < c->heaps[k].len; i++)
			c->heaps[k].v[i]->slot = 0;
		free(c->heaps[k].v);
	}
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
	return c->heaps[0].len + c->heaps[1].len;
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
clock_timer_watchdog(struct clock_timer *t)
{
	if (t->slot != 0)
		fatal("clock_timer_watchdog: the timer is running");
	t->watchdog = 1;
}

void
clock_timer_start(struct clock_timer *t, double delay)
{
	struct clock *c = t->clock;
	struct clock_heap *h = clock_heap_of(c, t);

	if (t->slot != 0)
		clock_heap_remove(h, t->slot - 1);
	if (!(delay > 0))
		delay = 0;
	/* From a timer's callback, delays count from that timer's due time. */
	t->due = (c->firing ? c->firing_due : clock_now(c)) + delay;
	t->seq = c->seq++;
	if (h->len == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 16;
		h->v = xreallocarray(h->v, h->cap, sizeof *h->v);
	}
	h->v[h->len] = t;
	t->slot = ++h->len;
	clock_heap_up(h, h->len - 1);
	clock_rearm(c);
}

void
clock_timer_at(struct clock_timer *t, double when)
{
	struct clock *c = t->clock;
	double base = c->firing ? c->firing_due : clock_now(c);

	clock_timer_start(t, when > base ? when - base : 0);
}

void
clock_timer_stop(struct clock_timer *t)
{
	struct clock *c = t->clock;

	if (t->slot == 0)
		return;
	clock_heap_remove(clock_heap_of(c, t), t->slot - 1);
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
