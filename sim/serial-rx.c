/*
 * serial-rx.c: raw bytes from the host into the flash (serial-rx.h).
 * AT+QFOTADL="FILE:<length>" (fota-file.c) and AT+QFUPL (at-file.c) both
 * receive through it, so both have the same buffer, flow control, baud
 * pacing (modem.c's UART model, before the bytes get here) and timeout.
 */
#include "config.h"

#include <string.h>

#include "firmware/firmware.h"
#include "modem.h"
#include "serial-rx.h"
#include "translog.h"

static void	serial_rx_consume(struct serial_rx *);

/* The flash has finished the last piece: store the next. */
static void
serial_rx_busy_cb(struct clock_timer *t, void *arg)
{
	(void)t;
	serial_rx_consume(arg);
}

/* The receiver is over: stop, then tell the owner. */
static void
serial_rx_end(struct serial_rx *rx, enum serial_rx_end why)
{
	serial_rx_stop(rx);
	rx->cbs.end(rx->cbs.arg, why);
}

/* The host stopped sending before the transfer was complete. */
static void
serial_rx_idle_cb(struct clock_timer *t, void *arg)
{
	struct serial_rx *rx = arg;

	(void)t;
	translog_state(rx->m->log, rx->comp, "%s: no byte for %g s, %llu of "
	    "%llu bytes received, %llu lost", rx->tag, rx->idle,
	    (unsigned long long)rx->got, (unsigned long long)rx->size,
	    (unsigned long long)rx->dropped);
	/* What the buffer holds is stored first. */
	rx->size = rx->got;
	if (rx->used > 0 || clock_timer_active(&rx->busy_t)) {
		rx->consuming = 0;
		rx->idle = -1;	/* ends as SERIAL_RX_IDLE once stored */
		serial_rx_consume(rx);
		return;
	}
	serial_rx_end(rx, SERIAL_RX_IDLE);
}

void
serial_rx_init(struct serial_rx *rx, struct modem *m, const char *comp,
    const char *tag, const struct serial_rx_cbs *cbs)
{
	memset(rx, 0, sizeof *rx);
	rx->m = m;
	rx->comp = comp;
	rx->tag = tag;
	rx->cbs = *cbs;
	clock_timer_init(&rx->busy_t, m->clock, serial_rx_busy_cb, rx);
	clock_timer_init(&rx->idle_t, m->clock, serial_rx_idle_cb, rx);
	/* Only the host, outside the simulation, can end this wait. */
	clock_timer_watchdog(&rx->idle_t);
}

void
serial_rx_start(struct serial_rx *rx, uint64_t size, int flow, double idle)
{
	rx->size = size;
	rx->got = rx->stored = rx->dropped = 0;
	rx->used = 0;
	rx->flow = flow;
	rx->skip_lf = 1;
	rx->idle = idle;
	rx->active = 1;
	rx->iface = rx->m->cur != NULL ? rx->m->cur : &rx->m->iface[0];
	translog_state(rx->m->log, rx->comp, "%s: %llu bytes, flow control %s",
	    rx->tag, (unsigned long long)size, flow ? "on" : "off");
	/* A host whose idea of flow control differs from the module's. */
	(void)port_refresh_termios(&rx->iface->port);
	if (rx->iface->port.crtscts != flow)
		translog_state(rx->m->log, rx->comp, "%s: the host has CRTSCTS "
		    "%s but the module's flow control is %s", rx->tag,
		    rx->iface->port.crtscts ? "on" : "off",
		    flow ? "on" : "off");
	clock_timer_start(&rx->idle_t, idle);
}

int
serial_rx_active(const struct serial_rx *rx)
{
	return rx->active && rx->got < rx->size;
}

void
serial_rx_stop(struct serial_rx *rx)
{
	clock_timer_stop(&rx->busy_t);
	clock_timer_stop(&rx->idle_t);
	rx->used = 0;
	rx->active = 0;
}

/*
 * Store what the buffer holds, then let the flash be busy for as long as
 * that takes; the buffer refills meanwhile.  Never re-entered: refilling
 * the buffer calls back into serial_rx_input.
 */
static void
serial_rx_consume(struct serial_rx *rx)
{
	double busy;

	if (!rx->active || rx->consuming || clock_timer_active(&rx->busy_t))
		return;
	rx->consuming = 1;
	for (;;) {
		if (rx->used > 0 &&
		    rx->cbs.store(rx->cbs.arg, rx->buf, rx->used) != 0) {
			rx->consuming = 0;
			serial_rx_end(rx, SERIAL_RX_FAILED);
			return;
		}
		rx->stored += rx->used;
		rx->used = 0;
		if (rx->cbs.progress != NULL)
			rx->cbs.progress(rx->cbs.arg, rx->stored);
		if ((busy = firmware_take_busy(rx->m->fw)) > 0)
			clock_timer_start(&rx->busy_t, busy);
		/* Room again: what waited in the pty comes in (flow control). */
		if (rx->flow && serial_rx_active(rx))
			port_pause(&rx->iface->port, 0);
		if (busy > 0 || rx->used == 0)
			break;
	}
	rx->consuming = 0;
	if (!clock_timer_active(&rx->busy_t) && rx->stored == rx->size) {
		if (rx->idle < 0) {
			serial_rx_end(rx, SERIAL_RX_IDLE);
			return;
		}
		translog_state(rx->m->log, rx->comp, "%s: %llu bytes received",
		    rx->tag, (unsigned long long)rx->stored);
		serial_rx_end(rx, SERIAL_RX_DONE);
	}
}

size_t
serial_rx_input(struct serial_rx *rx, const unsigned char *p, size_t n)
{
	size_t take, keep, lost;

	if (n == 0 || !serial_rx_active(rx))
		return 0;
	clock_timer_start(&rx->idle_t, rx->idle);
	/* CR LF after the command: the LF ends the line, it is not data. */
	if (rx->skip_lf) {
		rx->skip_lf = 0;
		if (p[0] == '\n')
			return 1;
	}
	take = n;
	if (take > rx->size - rx->got)
		take = (size_t)(rx->size - rx->got);
	keep = SERIAL_RX_BUF - rx->used;
	if (rx->flow && take > keep)
		take = keep;		/* the rest waits: the host blocks */
	if (keep > take)
		keep = take;
	memcpy(rx->buf + rx->used, p, keep);
	rx->used += keep;
	rx->got += keep;
	lost = take - keep;
	if (lost > 0 && rx->dropped == 0)
		translog_state(rx->m->log, rx->comp, "%s: receive buffer full, "
		    "bytes lost (no flow control)", rx->tag);
	rx->dropped += lost;
	serial_rx_consume(rx);
	return take;
}
