/*
 * port.h: the modem's AT port, a pseudo-terminal behind a stable symlink.
 *
 * The port owns the pty master.  It notices the host opening the slave (an
 * inotify IN_OPEN on the slave node) and closing it (POLLHUP on the master,
 * as an event), discards output the host left unread, reads the host's
 * termios (baud rate, CRTSCTS) when it matters, writes each burst of output
 * with one write(), and can vanish and come back as a new pty for a
 * USB-style reboot.
 */
#ifndef FOTASIM_PORT_H
#define FOTASIM_PORT_H

#include <stddef.h>
#include <termios.h>
#include <ev.h>

#include "util.h"

enum port_event {
	PORT_ATTACH,		/* the host opened the port */
	PORT_DETACH,		/* the host closed the port */
	PORT_TERMIOS,		/* the host changed baud rate or flow control */
	PORT_DRAINED,		/* port_drain finished (host read all, or bound) */
};

struct port_cb {
	/* Input from the host; returns how many bytes were taken (the rest
	 * is offered again later). */
	size_t	(*input)(void *, const unsigned char *, size_t);
	void	(*event)(void *, enum port_event);
};

struct port {
	struct ev_loop		*loop;
	char			*link;		/* symlink kept at the slave */
	char			 slave[64];	/* current slave path */
	int			 fd;		/* master, -1 when the port is gone */
	int			 attached;
	int			 paused;	/* input paused by the owner */
	int			 backlogged;	/* host not reading our output */
	int			 leaving;	/* host hung up: output goes nowhere */
	int			 delivering;	/* inside port_deliver */
	int			 corked;	/* port_cork depth: collect output */
	int			 polling;	/* set before port_open: watch the
						   host by a wall-time poll */
	unsigned long		 baud;		/* host's rate, bits/s (0: unknown) */
	int			 crtscts;
	struct buf		 out;
	struct buf		 in;		/* read, not yet taken by the owner */
	int			 nfd;		/* inotify on the slave node, or -1 */
	int			 hfd;		/* epoll: the master's hang-up, or -1 */
	ev_io			 rio;
	ev_io			 wio;
	ev_io			 nio;		/* nfd: somebody opened the slave */
	ev_io			 hio;		/* hfd: the host hung up */
	ev_timer		 watch;		/* fallback: wall-time attach poll */
	ev_timer		 drain;		/* wall-time poll while draining */
	double			 drain_until;
	int			 drain_zeroes;	/* consecutive empty samples */
	double			 last_write;	/* wall time of our last write */
	unsigned long long	 bytes_in;	/* read from hosts, ever */
	unsigned long long	 bytes_out;	/* written to hosts, ever */
	/* A host in the same process (a scenario's) that can say it has
	 * read every byte written so far: a drain ends at once then, instead
	 * of sampling the pty in wall time.  NULL: none. */
	int			(*host_read_all)(void *arg);
	void			*host_arg;
	struct port_cb		 cb;
	struct translog		*log;		/* the owner's transcript */
	const char		*comp;		/* its component there: "port"
						   (a second one: "port2") */
	int			 tl_host, tl_modem; /* its bytes' translog_dir:
						   h>m/m>h, or h2>m/m>h2 */
	void			*arg;
};

/* Prepare a port that will keep `link` pointing at its slave. */
void	port_init(struct port *, struct ev_loop *, const char *link,
	    const struct port_cb *, void *);
/* Create a new pty and point the link at it; returns 0 or -1 (errno). */
int	port_open(struct port *);
/* Close the pty: a host holding the slave sees hang-up. */
void	port_close(struct port *);
/* Release everything, removing the link. */
void	port_free(struct port *);
/* Queue bytes for the host; dropped when no host is attached. */
void	port_write(struct port *, const void *, size_t);
/* Collect output from here on (nests) ... */
void	port_cork(struct port *);
/* ...and write it with one write() when the outermost cork comes off. */
void	port_uncork(struct port *);
/* Read the host's termios now; returns 1 if baud or CRTSCTS changed. */
int	port_refresh_termios(struct port *);
/* Bytes queued and not yet written to the pty. */
size_t	port_queued(const struct port *);
/* Wait (at most `bound` wall seconds) until the host has read everything. */
void	port_drain(struct port *, double bound);
/* Stop or resume reading input (the pty then pushes back on the host). */
void	port_pause(struct port *, int paused);
/* Whether output is backed up (the owner should stop taking input). */
int	port_backlogged(const struct port *);
/* Whether the master exists. */
int	port_is_open(const struct port *);

#endif
