/*
 * download.h: the module's FTP/HTTP(S) client, one transfer at a time.
 *
 * libcurl's multi_socket API on the modem's libev loop, a fresh easy handle
 * per transfer.  The engine knows nothing of Quectel codes: it reports what
 * happened (protocol, CURLcode, last reply or status, errno, the stage the
 * transfer had reached, and which of the module's own timers fired) in a
 * struct dl_result, and fota-codes.c maps that to the manual's code.
 *
 * The module's timeouts are timers on the simulated clock, never libcurl's
 * wall-clock options, so they scale with --speed.  The body is handed to
 * the owner as it arrives; the owner may pause the transfer while its flash
 * is busy (dl_pause), which is how the flash program rate paces a download.
 */
#ifndef FOTASIM_DOWNLOAD_H
#define FOTASIM_DOWNLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"

struct translog;
struct link;

enum dl_proto {
	DL_FTP,
	DL_HTTP,
	DL_HTTPS,
	DL_NPROTO
};

/* How far a transfer got: the command or phase it was in when it ended. */
enum dl_stage {
	DL_STAGE_DNS,		/* resolving the server's name */
	DL_STAGE_CONNECT,	/* TCP (and TLS) connect */
	DL_STAGE_GREETING,	/* FTP: waiting for the 220 */
	DL_STAGE_USER,
	DL_STAGE_PASS,
	DL_STAGE_PWD,
	DL_STAGE_CWD,
	DL_STAGE_PASV,		/* PASV or EPSV */
	DL_STAGE_TYPE,
	DL_STAGE_SIZE,
	DL_STAGE_REST,		/* FTP: resuming at an offset */
	DL_STAGE_RETR,		/* RETR sent, no 150 yet */
	DL_STAGE_REQUEST,	/* HTTP: request sent, no status line yet */
	DL_STAGE_HEADERS,	/* HTTP: status line read, headers coming */
	DL_STAGE_BODY,		/* bytes of the package arriving */
	DL_STAGE_FINAL,		/* FTP: all data read, waiting for the 226 */
	DL_STAGE_DONE,
	DL_NSTAGE
};

/* Which of the module's own timers ended a transfer (DL_WAIT_NONE: none). */
enum dl_wait {
	DL_WAIT_NONE,
	DL_WAIT_CONNECT,	/* no connection within the connect time */
	DL_WAIT_RESPONSE,	/* a command or request went unanswered */
	DL_WAIT_FIRST_BYTE,	/* HTTP: headers, then no body */
	DL_WAIT_STALL,		/* the body stopped arriving */
	DL_WAIT_TOTAL,		/* the whole download took too long */
	DL_NWAIT
};

/* Why the owner stopped a transfer (DL_STOP_NONE: it did not). */
enum dl_stop {
	DL_STOP_NONE,
	DL_STOP_TOO_BIG,	/* the declared size does not fit the FOTA area */
	DL_STOP_STORAGE,	/* writing to the FOTA area failed */
	DL_STOP_NETWORK,	/* the data link went away (radio lost) */
	DL_STOP_PDP,		/* the context went away (deactivated) */
	DL_STOP_CALL,		/* a voice call came in (HTTP(S) only) */
	DL_NSTOP
};

/* What was wrong with the URL, found before any transfer (DL_URL_OK). */
enum dl_url {
	DL_URL_OK,
	DL_URL_MALFORMED,	/* libcurl's URL parser refuses it */
	DL_URL_NO_HOST,		/* nothing where the server should be */
	DL_URL_BAD_ADDRESS,	/* a numeric address that is not one */
	DL_URL_BAD_PORT,	/* not 1..65535 */
	DL_URL_TOO_LONG,	/* an FTP user, password, host or path over 50 */
	DL_URL_NOT_ROOT,	/* FTP: a file outside the root, or no file */
	DL_URL_EMPTY,		/* no URL at all (AT+QHTTPGET before a URL) */
	DL_URL_ENCODE,		/* a byte no request line can carry (a control
				   byte, or one outside US-ASCII) */
	DL_NURL
};

/* Why the module had no data context for a download (DL_PDP_OK: it had). */
enum dl_pdp {
	DL_PDP_OK,
	DL_PDP_NONE,		/* the chosen context is not defined */
	DL_PDP_BUSY,		/* it is being activated (not by the job) */
	DL_PDP_FAILED,		/* activating it failed */
	DL_NPDP
};

/* A voice call when the download was asked for (DL_CALL_NONE: none). */
enum dl_call {
	DL_CALL_NONE,
	DL_CALL_RINGING,	/* an incoming call is ringing */
	DL_CALL_ACTIVE,		/* a call is in progress */
	DL_NCALL
};

/* The module's own services in the way (DL_SVC_OK: nothing). */
enum dl_svc {
	DL_SVC_OK,
	DL_SVC_BUSY,		/* the one HTTP(S) request (or FTP transfer)
				   the module runs at a time is running */
	DL_SVC_BLOCKED,		/* FTP: the module's one FTP session is held
				   by another user (open, no transfer) */
	DL_SVC_NO_REQUEST,	/* AT+QHTTPREAD with no request made */
	DL_SVC_INPUT_TIMEOUT,	/* the host typed its data too slowly */
	DL_SVC_UART_BUSY,	/* another AT interface is in data mode */
	DL_NSVC
};

/* An FTP session's control connection when a command was to go on it. */
enum dl_ctl {
	DL_CTL_OK,
	DL_CTL_CLOSED,		/* the server closed it (FIN) in between */
	DL_CTL_RESET,		/* it was reset in between */
	DL_NCTL
};

/* What the simulated DNS answered (DL_DNS_OK: addresses, or a literal). */
enum dl_dns {
	DL_DNS_OK,
	DL_DNS_NXDOMAIN,	/* no such name (or not in the table) */
	DL_DNS_SERVFAIL,	/* the server failed */
	DL_DNS_TIMEOUT,		/* no answer within the module's DNS timeout */
	DL_NDNS
};

struct dl_result {
	enum dl_proto	 proto;
	enum dl_url	 url;
	int		 curl;		/* CURLcode */
	long		 rc;		/* last FTP reply, or HTTP status; 0 none */
	long		 os_errno;	/* CURLINFO_OS_ERRNO */
	enum dl_stage	 stage;
	enum dl_wait	 wait;
	enum dl_stop	 stop;
	enum dl_dns	 dns;		/* the simulated DNS's answer */
	enum dl_pdp	 pdp;		/* no data context */
	enum dl_call	 call;		/* a voice call in the way */
	enum dl_svc	 svc;		/* one of the module's services */
	int		 page;		/* the host's own request: any status
					   is a page to read, not a failure */
	int		 unsent;	/* it ended while the request's body
					   was still being written */
	uint64_t	 bytes;		/* file position reached: body bytes
					   delivered, plus the resume offset */
	int64_t		 size;		/* declared size, -1 unknown */
	int		 short_body;	/* ended well, but fewer bytes than
					   declared */
	int		 no_socket;	/* a connection found the module's
					   socket table full */
	enum dl_ctl	 ctl;		/* FTP session: its control connection
					   was gone before the command */
	char		 error[256];	/* libcurl's error text */
	char		 reply[256];	/* FTP: the last reply line, as it
					   came (CR LF cut) */
};

/* The module's timeouts, in simulated seconds. */
struct dl_timeouts {
	double		 connect;
	double		 response;
	double		 first_byte;
	double		 stall;
	double		 total;
};

/* What the engine needs from its owner. */
struct dl_cbs {
	/* The declared size is known (Content-Length, SIZE); nonzero stops. */
	int	(*size)(void *arg, uint64_t size);
	/* Body bytes; nonzero stops the transfer (the code says why). */
	int	(*data)(void *arg, const void *, size_t);
	/* The transfer is over; the result is valid during the call only. */
	void	(*done)(void *arg, const struct dl_result *);
	void	 *arg;
	/* HTTP: each header line as it came, the status line first and the
	 * empty line last (NULL: not wanted). */
	void	(*header)(void *arg, const char *, size_t);
};

struct dl_request {
	const char		*url;		/* already checked by the owner */
	enum dl_proto		 proto;
	const char		*host;		/* name to pin (NULL: literal) */
	const char		*addr;		/* its address from the DNS */
	const char		*peer;		/* the numeric address connected to
						   (addr, or the URL's literal);
						   NULL: libcurl's choice */
	int			 port;
	const char		*ca_file;	/* HTTPS: verify against it; NULL:
						   no verification, as the module */
	const char		*ftp_file;	/* FTP: the file's name, for SIZE */
	int			 page;		/* keep the body whatever the
						   status (AT+QHTTPGET) */
	const void		*post;		/* HTTP: POST this body (kept by
						   the owner until done()); NULL:
						   GET */
	size_t			 post_len;
	const char		*method;	/* HTTP: the request's method
						   (NULL: GET, or POST with a
						   body) */
	const char *const	*headers;	/* HTTP: header lines sent as
						   given; "Name:" drops
						   libcurl's own */
	size_t			 nheaders;
	int			 session;	/* FTP: the connection stays for
						   the next transfer (the host's
						   AT+QFTPOPEN session) */
	int			 reuse;		/* ...and it is open: no new
						   control connection */
	const char		*ftp_cmd;	/* FTP: send this command after
						   the login and end with its
						   reply; no file moves */
	int			 ascii;		/* FTP: TYPE A, not TYPE I */
	uint64_t		 resume_from;	/* resume at this file offset
						   (REST, Range); 0: from the
						   start */
	struct dl_timeouts	 timeouts;
};

struct download;

/* The documented defaults (docs/at-commands.md). */
void	dl_timeouts_default(struct dl_timeouts *);
/*
 * Change some of them from "connect=S,response=S,first-byte=S,stall=S,
 * total=S" (any subset, simulated seconds > 0); 0, or -1 with a message.
 */
int	dl_timeouts_parse(struct dl_timeouts *, const char *, char *err,
	    size_t errlen);
/*
 * An engine on a clock's loop, logging to a modem's transcript; every
 * connection goes through `link` (the module's relay; NULL: direct).
 */
struct download *dl_new(struct clock *, struct translog *, struct link *,
	    const struct dl_cbs *);
void	dl_free(struct download *);
/* Start a transfer; returns 0, or -1 if one is running or libcurl refuses. */
int	dl_start(struct download *, const struct dl_request *);
/* Stop the running transfer for the owner's reason; done() is called. */
void	dl_stop(struct download *, enum dl_stop);
/* Stop taking body bytes for `seconds` of simulated time (flash busy). */
void	dl_pause(struct download *, double seconds);
/*
 * Hold the running transfer (on: packet data suspended, a voice call on
 * GSM) or let it go on: while held nothing is sent or read, and the
 * module's timers keep running.
 */
void	dl_suspend(struct download *, int on);
/* Whether a transfer is running. */
int	dl_running(const struct download *);
/* The running transfer's stage (DL_STAGE_DONE when none runs). */
enum dl_stage dl_stage(const struct download *);
/*
 * An FTP session (dl_request.session): whether its control connection is
 * open (DL_CTL_OK), or how it went; and ending it: every connection it
 * kept closes (after a QUIT the owner sent as ftp_cmd).
 */
enum dl_ctl dl_session_ctl(const struct download *);
void	dl_session_end(struct download *);
/* Whether libcurl still holds the session's control connection. */
int	dl_session_kept(const struct download *);
/* Names for the transcript and docs. */
const char *dl_stage_name(enum dl_stage);
const char *dl_wait_name(enum dl_wait);

#endif
