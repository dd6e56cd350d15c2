/*
 * httpd-int.h: internals shared by httpd.c (daemon), httpd-req.c (requests),
 * httpd-raw.c (the raw responder that writes lying responses) and
 * httpd-tls.c (the OpenSSL front of the HTTPS port).
 */
#ifndef FOTASIM_HTTPD_INT_H
#define FOTASIM_HTTPD_INT_H

#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include <openssl/ssl.h>

#include "clock.h"
#include "faults.h"
#include "fsnet.h"
#include "fstls.h"
#include "httpd.h"
#include "util.h"

enum httpd_req_state {
	HTTPD_REQ_NEW,		/* headers received, nothing decided */
	HTTPD_REQ_DELAYED,	/* suspended until a delay fault expires */
	HTTPD_REQ_HUNG,		/* suspended for ever (a "hang" fault) */
	HTTPD_REQ_SENDING,	/* response queued, body flowing */
	HTTPD_REQ_PAUSED,	/* body suspended by throttle or stall */
	HTTPD_REQ_DONE,
	HTTPD_REQ_NSTATES
};

struct httpd_req {
	struct httpd		*srv;
	struct MHD_Connection	*conn;
	unsigned long		 id;
	enum httpd_req_state	 state;
	const struct fault	*fault;
	char			*path;
	int			 fd;		/* file being served */
	off_t			 start;		/* first byte (Range) */
	off_t			 len;		/* body length */
	long long		 fault_at;	/* body offset of the fault */
	struct fault_pace	 pace;		/* throttle */
	struct clock_timer	 timer;
	int			 suspended;
	int			 noclose;	/* end TLS without close_notify */
	struct httpd_conn	*hc;
	struct httpd_req	*prev, *next;	/* suspended requests */
};

enum httpd_tls_state {
	HTTPD_TLS_HANDSHAKE,	/* OpenSSL handshake in progress */
	HTTPD_TLS_HUNG,		/* a "tls hang" fault: never answer */
	HTTPD_TLS_RELAY,	/* plaintext relayed to and from MHD */
	HTTPD_TLS_DONE,
	HTTPD_TLS_NSTATES
};

struct httpd_conn;

/* One accepted HTTPS connection: TCP + OpenSSL on one side, a socketpair
 * whose other end MHD serves on the other. */
struct httpd_tls {
	struct httpd		*srv;
	unsigned long		 id;		/* TCP connection number */
	enum httpd_tls_state	 state;
	const struct fault	*fault;		/* the tls directive, if any */
	int			 fd;		/* TCP socket */
	int			 pfd;		/* our end of the pair */
	int			 mhd_fd;	/* MHD's end (MHD closes it) */
	struct sockaddr_storage	 peer;
	socklen_t		 peerlen;
	SSL			*ssl;
	ev_io			 tw;		/* TCP socket */
	ev_io			 pw;		/* pair socket */
	struct clock_timer	 timer;		/* handshake idle timeout */
	struct buf		 up;		/* client -> MHD */
	struct buf		 down;		/* MHD -> client */
	int			 want_write;	/* OpenSSL waits for POLLOUT */
	int			 client_eof;
	int			 up_shut;
	int			 up_gone;	/* MHD stopped reading the pair */
	int			 server_eof;
	int			 noclose;	/* end without close_notify */
	int			 reset;		/* end with RST */
	struct httpd_conn	*hc;		/* MHD's side, while alive */
	struct httpd_tls	*prev, *next;
};

/* What we know about one MHD connection (its socket context). */
struct httpd_conn {
	struct httpd		*srv;
	unsigned long		 id;		/* TCP connection number */
	struct MHD_Connection	*conn;
	int			 fd;		/* MHD's socket */
	struct clock_timer	 idle;		/* no request for idle_timeout */
	int			 hup_watched;	/* in the half-close set */
	int			 nul_in_url;	/* the next request's URL held %00 */
	struct httpd_tls	*tls;		/* HTTPS only; NULL once gone */
};

struct httpd {
	struct ev_loop		*loop;
	struct httpd_config	 cfg;
	struct MHD_Daemon	*mhd;
	int			 port;
	int			 tls;
	struct fsnet_listener	 lis;		/* the port and its cap */
	double			 idle;		/* simulated seconds */
	SSL_CTX			*ctx[FSTLS_NKINDS];
	struct httpd_tls	*tlss;
	int			 stopping;
	int			 kick;		/* a reader ended a response: MHD
						   must run again before the loop
						   sleeps, to close it */
	ev_io			 io;
	ev_timer		 tm;
	ev_prepare		 prep;
	int			 hupfd;		/* half-close epoll set */
	ev_io			 hupio;
	unsigned long		 nreq;
	unsigned long		 nconn;
	struct httpd_req	*suspended;
	struct httpd_raw	*raws;
};

/* The only way to change a request's state; logs the transition. */
void	httpd_req_set_state(struct httpd_req *, enum httpd_req_state);
/* Take the connection off MHD's loop; resume after secs (< 0: never). */
void	httpd_req_suspend(struct httpd_req *, enum httpd_req_state, double secs);
/* Put a suspended connection back on MHD's loop and run MHD. */
void	httpd_req_resume(struct httpd_req *);
/* The request's clock timer: a delay, stall or throttle pause is over. */
void	httpd_req_timer_cb(struct clock_timer *, void *);
/* Queue a short text response with an optional extra header. */
enum MHD_Result httpd_req_simple(struct httpd_req *, unsigned code,
	    const char *text, const char *hname, const char *hvalue);
/* Decide and queue the response once any wait is over. */
enum MHD_Result httpd_req_respond(struct httpd_req *, int head);
/* The socket under an MHD connection, or -1. */
int	httpd_conn_fd(struct MHD_Connection *);

/* Hand the connection's socket to the raw responder with these bytes. */
int	httpd_raw_start(struct httpd *, struct MHD_Connection *,
	    struct buf *bytes, int reset);
/* Close every raw responder. */
void	httpd_raw_stop_all(struct httpd *);

/* Watch MHD's connections for a peer half-close; 0, or -1 with *err. */
int	httpd_hup_start(struct httpd *, char **err);
/* Add a new connection's socket to the half-close set. */
void	httpd_hup_watch(struct httpd *, struct httpd_conn *);
/* Take a closing connection's socket out of the set. */
void	httpd_hup_forget(struct httpd *, struct httpd_conn *);
/* Make MHD look at a connection again (suspend, resume) unless a fault
 * suspended it; the caller runs MHD afterwards.  1 if kicked. */
int	httpd_hup_kick(struct httpd_conn *);
/* Close the half-close set. */
void	httpd_hup_stop(struct httpd *);

/* Load the certificates for HTTPS; 0, or -1 with *err. */
int	httpd_tls_start(struct httpd *, char **err);
/* The listener's callback on the HTTPS port: a new TCP connection. */
void	httpd_tls_accept(void *srv, int fd, const struct sockaddr_storage *,
	    socklen_t);
/* The HTTPS connection whose pair end MHD was just given, or NULL. */
struct httpd_tls *httpd_tls_find(struct httpd *, int mhd_fd);
/* Close every HTTPS connection and free the certificates' contexts. */
void	httpd_tls_stop(struct httpd *);

#endif
