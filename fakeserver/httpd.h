/*
 * httpd.h: the fake HTTP/HTTPS server: libmicrohttpd in external epoll mode,
 * driven by a libev loop.  One struct httpd per listening port; on HTTPS an
 * OpenSSL front accepts and relays plaintext to MHD.
 */
#ifndef FOTASIM_HTTPD_H
#define FOTASIM_HTTPD_H

#include <ev.h>

struct fsroot;
struct fstls;
struct faults;
struct httpd;

struct httpd_config {
	const char		*bind;		/* numeric address */
	int			 port;		/* 0: ephemeral */
	const struct fsroot	*root;
	struct faults		*faults;	/* may be NULL */
	double			 idle_timeout;	/* simulated seconds; 0: 300 */
	size_t			 max_connections; /* 0: FSNET_MAX_CONNECTIONS */
	const struct fstls	*tls;		/* NULL: plain HTTP */
	struct clock		*clock;		/* the loop's simulated clock */
};

/* Listen and serve; returns NULL and sets *err on failure.  The process
 * must ignore SIGPIPE (fakeserver_start does). */
struct httpd	*httpd_start(struct ev_loop *, const struct httpd_config *,
		    char **err);
/* The bound TCP port. */
int		 httpd_port(const struct httpd *);
/* Stop serving and free everything. */
void		 httpd_stop(struct httpd *);

#endif
