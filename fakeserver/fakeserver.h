/*
 * fakeserver.h: the fake FTP/HTTP/HTTPS servers as a library, so that
 * fotasim-server and `fotasim --serve DIR` run the same code on one loop.
 * The caller owns the loop and the simulated clock on it (clock_new), and
 * passes the clock in the config: stalls, throttles and idle timeouts run on it.
 */
#ifndef FOTASIM_FAKESERVER_H
#define FOTASIM_FAKESERVER_H

#include <ev.h>
#include <stddef.h>

#include "ftpd.h"

#define FAKESERVER_OFF	(-1)	/* a port value: do not start that service */

struct fakeserver_config {
	const char		*root;		/* served directory (required) */
	const char		*bind;		/* default "127.0.0.1" */
	int			 ftp_port;	/* 0 ephemeral, FAKESERVER_OFF */
	int			 http_port;
	int			 https_port;
	const char		*faults_file;	/* NULL: no faults */
	const char		*faults_text;	/* directives given inline */
	struct faults		*faults_take;	/* parsed directives, moved into
						   the servers (a scenario's);
						   left empty */
	const struct ftpd_user	*users;
	size_t			 nusers;
	int			 anonymous;
	double			 idle_timeout;	/* simulated seconds; 0: 300 */
	size_t			 max_connections; /* per listener; 0: 1024
						   (FSNET_MAX_CONNECTIONS) */
	const char		*tls_dir;	/* where to make certificates;
						   NULL: a private temp dir */
	const char *const	*tls_names;	/* extra certificate names */
	size_t			 ntls_names;
	struct clock		*clock;		/* the loop's simulated clock
						   (required) */
};

struct fakeserver;
struct faults;

/* Start the configured servers; NULL with *err (caller frees) on failure. */
struct fakeserver *fakeserver_start(struct ev_loop *,
		    const struct fakeserver_config *, char **err);
/* Bound port of "ftp", "http" or "https"; -1 when not running. */
int		 fakeserver_port(const struct fakeserver *, const char *service);
/* The bind address. */
const char	*fakeserver_address(const struct fakeserver *);
/* Path of the test CA certificate (PEM) that clients should trust. */
const char	*fakeserver_ca_file(const struct fakeserver *);
/* Download requests (HTTP GET, FTP RETR) the servers saw for a path
 * ("/a-b.pkg"), whatever they answered. */
unsigned long	 fakeserver_requests(const struct fakeserver *, const char *path);
/* The directives the servers apply (a scenario's timeline switches them
 * on and off through `off`). */
struct faults	*fakeserver_faults(struct fakeserver *);
/* Stop every server and free everything. */
void		 fakeserver_stop(struct fakeserver *);

#endif
