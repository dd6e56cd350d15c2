/*
 * fsnet.h: listening sockets shared by the fake servers, and the listener
 * every server accepts on: it holds the connection cap, refuses one
 * connection too many the way the protocol does, and survives running out
 * of descriptors.
 */
#ifndef FOTASIM_FSNET_H
#define FOTASIM_FSNET_H

#include <stddef.h>
#include <sys/socket.h>
#include <ev.h>

#include "clock.h"

#define FSNET_MAX_CONNECTIONS	1024	/* default cap per listener */

/* A connection the listener accepted for its server. */
typedef void (*fsnet_accept_fn)(void *arg, int fd,
		    const struct sockaddr_storage *peer, socklen_t len);

struct fsnet_listener {
	struct ev_loop		*loop;
	const char		*what;		/* "ftp", "http", "https" */
	int			 fd;
	ev_io			 io;
	struct clock_timer	 backoff;	/* accept paused, no spare fd */
	int			 spare;		/* kept for refusing at EMFILE */
	size_t			 max;		/* connection cap */
	size_t			 open;		/* handed out, not yet closed */
	const char		*refusal;	/* bytes for one too many, or NULL */
	fsnet_accept_fn		 accept;
	void			*arg;
};

/* Listen on addr:port (0: ephemeral), non-blocking; fd, or -1 with *err. */
int	fsnet_listen(const char *what, const char *addr, int port, char **err);
/* The port a socket is bound to, or -1. */
int	fsnet_socket_port(int fd);
/*
 * A file about to go out whole by sendfile(): ask for a send buffer that
 * holds `bytes` (the kernel caps the ask at net.core.wmem_max and doubles
 * it), never a smaller one than the socket has.
 */
void	fsnet_widen_sndbuf(int fd, long long bytes);

/*
 * Listen on addr:port and hand each accepted connection to fn, at most max
 * (0: FSNET_MAX_CONNECTIONS) at a time.  One more is refused: `refusal` is
 * written to it (NULL: nothing) and it is closed.  0, or -1 with *err.
 */
int	fsnet_listener_start(struct fsnet_listener *, struct ev_loop *,
	    struct clock *, const char *what, const char *addr, int port,
	    size_t max, const char *refusal, fsnet_accept_fn fn, void *arg,
	    char **err);
/* One connection handed out has closed: it no longer counts. */
void	fsnet_listener_closed(struct fsnet_listener *);
/* The bound port. */
int	fsnet_listener_port(const struct fsnet_listener *);
/* Stop listening (connections handed out are their server's). */
void	fsnet_listener_stop(struct fsnet_listener *);

#endif
