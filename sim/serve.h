/*
 * serve.h: `fotasim --serve DIR`: the bundled fake FTP/HTTP/HTTPS servers,
 * run in-process on the modem's loop and clock.
 */
#ifndef FOTASIM_SERVE_H
#define FOTASIM_SERVE_H

#include <stdio.h>
#include <ev.h>

struct serve_options {
	const char	*root;		/* NULL: no servers */
	const char	*faults;	/* fault directives file, or NULL */
	int		 ftp_port;	/* 0: ephemeral */
	int		 http_port;
	int		 https_port;
	const char	*tls_dir;	/* where to make the certificates (the
					   state dir's tls/); NULL: a temporary
					   dir of their own */
};

struct clock;
struct fakeserver;
struct translog;

/* Parse "FTP,HTTP,HTTPS" ports for --serve-ports; returns 0 or -1. */
int	serve_parse_ports(struct serve_options *, const char *);
/*
 * Start the servers on the clock's loop, logging into the modem's transcript
 * `log` (NULL: none), and print their addresses to `out`; NULL on error.
 */
struct fakeserver *serve_start(struct clock *, struct translog *log,
	    const struct serve_options *, FILE *out, char *err, size_t errlen);
/* Stop them. */
void	serve_stop(struct fakeserver *);

#endif
