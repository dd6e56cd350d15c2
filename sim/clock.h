/*
 * clock.h: the simulated clock.
 *
 * Every module-side delay, timeout and rate in fotasim goes through this
 * clock.  Simulated time runs `speed` times faster than wall time; in "max"
 * mode it runs at wall speed but jumps straight to the next timer whenever the
 * event loop has nothing else to do.  Timers are ordered by simulated due
 * time, so their order is the same at every speed.
 */
#ifndef FOTASIM_CLOCK_H
#define FOTASIM_CLOCK_H

#include <stddef.h>
#include <ev.h>

#define CLOCK_SPEED_MIN 0.1
#define CLOCK_SPEED_MAX 10000.0

struct clock;
struct clock_timer;
typedef void (*clock_cb)(struct clock_timer *, void *);

/*
 * A one-shot timer on simulated time.  Embed it in the struct that owns it;
 * it belongs to the clock it was initialised with.
 */
struct clock_timer {
	struct clock		*clock;
	clock_cb		 cb;
	void			*arg;
	double			 due;		/* simulated seconds */
	unsigned long		 seq;		/* FIFO order among equal dues */
	size_t			 slot;		/* heap index + 1; 0 when idle */
	int			 watchdog;	/* max mode does not skip to it */
};

/*
 * A clock on a loop; speed <= 0 selects max mode.  One clock per event loop:
 * everything on that loop (a fleet of modems, the embedded servers) shares
 * it, so that max mode has one timer heap to skip through.  Independent
 * loops get independent clocks.
 */
struct clock	*clock_new(struct ev_loop *, double speed);
/* Stop the clock's watchers, forget every timer and free the clock. */
void		 clock_free(struct clock *);
/* The loop the clock runs on. */
struct ev_loop	*clock_loop(const struct clock *);
/* Parse "--speed" text ("max" or 0.1..10000); returns 0 or -1. */
int		 clock_parse_speed(const char *text, double *speed);

/* Make now simulated time 0 (start-up work done); only with no timers. */
void		 clock_zero(struct clock *);
/* Simulated seconds since clock_new (or clock_zero). */
double		 clock_now(struct clock *);
/* The speed factor (1 in max mode). */
double		 clock_speed(const struct clock *);
/* Whether idle time is skipped. */
int		 clock_is_max(const struct clock *);
/* Wall seconds that a simulated duration takes at the clock's speed. */
double		 clock_wall(const struct clock *, double sim_seconds);
/* Number of active timers (for tests and idle detection). */
size_t		 clock_pending(const struct clock *);

/*
 * Max mode only: simulated time stops following wall time and moves only
 * by the jumps to the next timer (idle, or a watchdog's wall-time wait),
 * so a run's stamps do not depend on how fast the machine is.  Real I/O
 * then takes no simulated time at all.  `fotasim --scenario` at --speed
 * max uses it (docs/internals/clock.md).
 */
void	clock_set_discrete(struct clock *);
/*
 * Max mode: every peer on this loop is in the process (a scenario's
 * built-in host, the embedded servers, the download engine), so a
 * watchdog is reached by waiting on nobody outside: idle time is skipped
 * to watchdogs as to plain timers.
 */
void	clock_set_closed(struct clock *);
/*
 * Max mode: before skipping idle time, ask busy(arg); while it says 1
 * (bytes between two ends on the same loop that libev cannot see yet, such
 * as a pty's buffer), nothing is skipped.  NULL removes it.
 */
void	clock_set_guard(struct clock *, int (*busy)(void *), void *arg);
/* Prepare a timer on a clock; it does nothing until started. */
void	clock_timer_init(struct clock_timer *, struct clock *, clock_cb,
	    void *);
/*
 * Make a stopped timer a watchdog: a timeout that only waiting on a peer
 * outside the simulation can reach (a server's idle timeout).  Max mode
 * never skips time to it, since the peer may simply be slow in wall time:
 * there it fires after its delay at wall speed.  At a numeric speed it is
 * like any other timer.
 */
void	clock_timer_watchdog(struct clock_timer *);
/* (Re)start a timer to fire after `delay` simulated seconds. */
void	clock_timer_start(struct clock_timer *, double delay);
/* (Re)start a timer to fire at simulated time `when` (now if it is past). */
void	clock_timer_at(struct clock_timer *, double when);
/* Stop a timer; harmless if it is not running. */
void	clock_timer_stop(struct clock_timer *);
/* Whether a timer is running. */
int	clock_timer_active(const struct clock_timer *);
/* Simulated seconds until a running timer fires (0 if idle). */
double	clock_timer_remaining(const struct clock_timer *);

#endif
