/*
 * serial-rx.h: raw bytes from the host over the AT port into the flash, at
 * the flash's rate, with the module's flow control (AT+QFOTADL="FILE:..."
 * into the FOTA area, AT+QFUPL into the UFS).
 *
 * The bytes go into a receive buffer of SERIAL_RX_BUF bytes and from there
 * to the owner's store(), which programs them; nothing more is stored until
 * the flash's busy time has passed on the simulated clock.  With hardware
 * flow control the receiver takes no more than the buffer holds; the rest
 * stays in the pty, whose buffer fills, and the host's write() blocks: that
 * is CTS.  Without it the receiver takes everything and what does not fit
 * is lost, counted in the transcript.  A watchdog timer (only the host can
 * end the wait) ends a transfer that gets no byte for `idle` seconds.
 */
#ifndef FOTASIM_SERIAL_RX_H
#define FOTASIM_SERIAL_RX_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"

#define SERIAL_RX_BUF		4096	/* the module's receive buffer */

struct modem;
struct modem_iface;

enum serial_rx_end {
	SERIAL_RX_DONE,		/* all `size` bytes stored */
	SERIAL_RX_FAILED,	/* store() failed */
	SERIAL_RX_IDLE,		/* no byte for `idle` seconds */
};

struct serial_rx_cbs {
	/* Program bytes; 0, or -1: the transfer ends SERIAL_RX_FAILED. */
	int	(*store)(void *arg, const unsigned char *, size_t);
	/* After each piece stored (NULL ok): bytes stored so far. */
	void	(*progress)(void *arg, uint64_t stored);
	/* The transfer is over (the receiver has stopped). */
	void	(*end)(void *arg, enum serial_rx_end);
	void	 *arg;
};

struct serial_rx {
	struct modem		*m;
	struct modem_iface	*iface;		/* whose bytes it takes: the
						   interface that started it */
	const char		*comp;		/* transcript: "fota", "file" */
	const char		*tag;		/* and its words: "file", ... */
	struct serial_rx_cbs	 cbs;
	int			 active;
	uint64_t		 size;
	uint64_t		 got;		/* bytes kept in the buffer */
	uint64_t		 stored;
	uint64_t		 dropped;	/* overflow without flow control */
	int			 flow;		/* hardware flow control is on */
	int			 skip_lf;	/* an LF ending the command line */
	int			 consuming;
	double			 idle;
	unsigned char		 buf[SERIAL_RX_BUF];
	size_t			 used;
	struct clock_timer	 busy_t;	/* the flash is busy with a piece */
	struct clock_timer	 idle_t;	/* no byte for too long */
};

void	serial_rx_init(struct serial_rx *, struct modem *, const char *comp,
	    const char *tag, const struct serial_rx_cbs *);
/* Receive `size` bytes after the command line of the interface whose
 * command runs (m->cur); flow: hardware flow control. */
void	serial_rx_start(struct serial_rx *, uint64_t size, int flow, double idle);
/* Whether bytes from the host are the transfer's, not AT commands. */
int	serial_rx_active(const struct serial_rx *);
/* Bytes from the host; returns how many were taken (with flow control the
 * rest waits in the pty, and the host's write blocks). */
size_t	serial_rx_input(struct serial_rx *, const unsigned char *, size_t);
/* Stop receiving without a word (power going away). */
void	serial_rx_stop(struct serial_rx *);

#endif
