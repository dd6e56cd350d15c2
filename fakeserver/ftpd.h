/*
 * ftpd.h: the fake FTP server (passive mode only) on a libev loop.
 */
#ifndef FOTASIM_FTPD_H
#define FOTASIM_FTPD_H

#include <ev.h>

struct fsroot;
struct faults;
struct ftpd;

struct ftpd_user {
	char		*name;
	char		*pass;
};

struct ftpd_config {
	const char		*bind;		/* numeric address */
	int			 port;		/* 0: ephemeral */
	const struct fsroot	*root;
	const struct ftpd_user	*users;
	size_t			 nusers;
	int			 anonymous;	/* accept "anonymous"/"ftp" */
	double			 idle_timeout;	/* simulated seconds; 0: 300 */
	size_t			 max_connections; /* 0: FSNET_MAX_CONNECTIONS */
	struct faults		*faults;	/* may be NULL */
	struct clock		*clock;		/* the loop's simulated clock */
};

/* Listen and serve; returns NULL and sets *err on failure. */
struct ftpd	*ftpd_start(struct ev_loop *, const struct ftpd_config *,
		    char **err);
/* The bound TCP port. */
int		 ftpd_port(const struct ftpd *);
/* Number of open control sessions. */
size_t		 ftpd_sessions(const struct ftpd *);
/* Close every session and the listener. */
void		 ftpd_stop(struct ftpd *);

#endif
