/*
 * xfer.h: one client transfer through the module's TCP/IP stack.
 *
 * What AT+QFOTADL and the host's own AT+QHTTP* commands share: the URL
 * checked against the manual's limits (taken apart by libcurl's URL API),
 * a voice call in the way, the data context (activated on demand), the
 * simulated DNS and its addresses tried in turn, the download engine, and
 * the one table (net/fota-codes.c) from the outcome to the manual's code.
 * Whatever ends a transfer, before or after bytes flowed, is a dl_result
 * that goes through that table; the owner gets the code in done().
 *
 * The owner takes the body (size(), data()) and says what the stack is to
 * it: its transcript word, its context, its timeouts, how often a broken
 * transfer resumes.
 */
#ifndef FOTASIM_XFER_H
#define FOTASIM_XFER_H

#include <stdint.h>

#include "clock.h"
#include "net/download.h"
#include "net/net.h"

struct modem;

#define XFER_URL_MAX		255	/* the manual's limits */
#define XFER_PART_MAX		50	/* FTP user, password, host, path */
#define XFER_RESUME_MAX		10	/* resumes at most */
#define XFER_RESUME_DELAY	1.0	/* simulated seconds before resuming */

struct xfer_cbs {
	/* The declared size; a dl_stop other than DL_STOP_NONE stops. */
	int	(*size)(void *arg, uint64_t size);
	/* Body bytes; a dl_stop other than DL_STOP_NONE stops. */
	int	(*data)(void *arg, const void *, size_t);
	/* The transfer is over with the manual's code (0: success). */
	void	(*done)(void *arg, int code);
	void	 *arg;
	/* HTTP: each header line (NULL: not wanted). */
	void	(*header)(void *arg, const char *, size_t);
};

struct xfer {
	struct modem		*m;
	const char		*name;		/* the transcript's word */
	struct xfer_cbs		 cbs;
	/* Set by the owner. */
	struct dl_timeouts	 timeouts;
	const char		*ca_file;	/* --ca: verify HTTPS servers */
	int			 cid;		/* the context it uses */
	int			 resumes;	/* how many times a broken
						   transfer resumes */
	int			 page;		/* the host's own request: keep
						   the body whatever the status */
	const void		*post;		/* POST this body; NULL: GET */
	size_t			 post_len;
	const char		*method;	/* the request's method (NULL:
						   GET, or POST with post) */
	const char *const	*headers;	/* header lines the host typed
						   (AT+QHTTPCFG="requestheader"
						   1), sent as given */
	size_t			 nheaders;
	struct link		*link;		/* its relay (NULL: the module's) */
	int			 session;	/* FTP: the host's session (any
						   path; the connection stays) */
	const char		*ftp_cmd;	/* FTP: a lone command (CWD...) */
	int			 ascii;		/* FTP: TYPE A */
	int			 open;		/* the session's control connection
						   is up */
	/* One transfer. */
	int			 active;	/* started, done() not yet called */
	const char		*url;		/* the owner's */
	enum dl_proto		 proto;
	struct download		*dl;
	uint64_t		 size;		/* declared (0: unknown) */
	uint64_t		 got;		/* bytes the owner took */
	long			 rc;		/* the last FTP reply or HTTP
						   status (0: none) */
	char			 reply[256];	/* FTP: the last reply line */
	char			 host[XFER_URL_MAX + 1];
	char			 addr[NET_DNS_ADDRS * (NET_NAME_MAX + 3)];
					/* the server's addresses, in order */
	int			 resolved;	/* addr came from the DNS */
	int			 addr_i;	/* the one being tried (0-based) */
	char			 pin[NET_NAME_MAX + 3];	/* that address */
	char			 file[XFER_URL_MAX + 1];	/* FTP */
	int			 port;
	int			 pdp_wait;	/* it activates this context */
	int			 resumed;	/* times this transfer has */
	struct clock_timer	 dns_t;		/* a lookup with no answer */
	struct clock_timer	 next_t;	/* try the next address */
	struct clock_timer	 resume_t;	/* the pause before resuming */
};

void	xfer_init(struct xfer *, struct modem *, const char *name,
	    const struct xfer_cbs *);
void	xfer_free(struct xfer *);
/* Whether the URL's scheme is ftp, http or https (any case). */
int	xfer_url_scheme(const char *url, enum dl_proto *);
/* Start: URL, call, context, DNS, then the engine; done() ends it. */
void	xfer_start(struct xfer *, const char *url, enum dl_proto);
/*
 * Refuse a transfer the owner will not start (a service in the way, a URL
 * it cannot send): done() is called with the table's code for it.
 */
void	xfer_refuse(struct xfer *, enum dl_proto, enum dl_svc, enum dl_url);
/*
 * The host's FTP session (x->session): the next transfer on the connection
 * xfer_start opened, to the same server: the file to get (NULL: the
 * command in x->ftp_cmd); done() is called.  A control connection gone in
 * between ends it through the table (dl_result.ctl).
 */
void	xfer_again(struct xfer *, const char *url, const char *file);
/* The session's connections close (after its QUIT, or power going). */
void	xfer_session_end(struct xfer *);
/* The running transfer's stage (DL_STAGE_DONE: none). */
enum dl_stage xfer_stage(const struct xfer *);
/* Stop a running transfer for the owner's reason; done() is called. */
void	xfer_stop(struct xfer *, enum dl_stop);
/* Stop without a word (power going away): done() is not called. */
void	xfer_cancel(struct xfer *);
/* Take no body bytes for `seconds` of simulated time (flash busy). */
void	xfer_pause(struct xfer *, double seconds);
/* The network says something (net_cbs.event). */
void	xfer_net_event(struct xfer *, enum net_event, int cid);

#endif
