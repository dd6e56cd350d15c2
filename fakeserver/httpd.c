/*
 * httpd.c: the fake HTTP/HTTPS server on libmicrohttpd.
 *
 * MHD runs in external epoll mode: one ev_io watches MHD's epoll fd, an
 * ev_prepare re-arms an ev_timer from MHD_get_timeout, and both call
 * MHD_run.  Delays, stalls and throttles suspend the connection and resume
 * it from a simulated-clock timer; MHD_run must follow every resume, or the
 * resumed connection never wakes in this mode.  httpd-hup.c makes MHD
 * notice a peer's half-close that its edge-triggered epoll would miss.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "faults.h"
#include "fslog.h"
#include "fsroot.h"
#include "httpd-int.h"

/* MHD's request handler: first call sets the request up, later calls
 * (after a resume) answer it. */
static enum MHD_Result
httpd_handle(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **ctx)
{
	struct httpd *srv = cls;
	struct httpd_req *r = *ctx;
	int head = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;

	if (srv->stopping)
		return MHD_NO;
	if (r == NULL) {
		r = xcalloc(1, sizeof *r);
		r->srv = srv;
		r->conn = conn;
		r->id = ++srv->nreq;
		r->fd = -1;
		r->fault_at = -1;
		fault_pace_init(&r->pace);
		r->path = xstrdup(url);
		clock_timer_init(&r->timer, srv->cfg.clock, httpd_req_timer_cb, r);
		*ctx = r;
		fslog(FSLOG_DEBUG, "http[%lu]: %s %s", r->id, method, url);
		r->hc = MHD_get_connection_info(conn,
		    MHD_CONNECTION_INFO_SOCKET_CONTEXT)->socket_context;
		/* A request is in: the connection is not idle until it ends. */
		clock_timer_stop(&r->hc->idle);
		r->noclose = r->hc->tls != NULL && r->hc->tls->noclose;
		if (r->hc->nul_in_url) {
			/* The path MHD hands us ends at the NUL; refuse it
			 * before a fault or the file system sees the cut. */
			r->hc->nul_in_url = 0;
			fslog(FSLOG_INFO, "refused: http[%lu] \"%s\": NUL byte "
			    "(%%00) in the URL", r->id, url);
			return httpd_req_simple(r, MHD_HTTP_BAD_REQUEST,
			    "NUL byte in the URL\n", NULL, NULL);
		}
		if (strcmp(version, MHD_HTTP_VERSION_1_1) == 0 &&
		    MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_HOST) == NULL)
			return httpd_req_simple(r, MHD_HTTP_BAD_REQUEST,
			    "HTTP/1.1 request without Host\n", NULL, NULL);
		if (!head && strcmp(method, MHD_HTTP_METHOD_GET) != 0)
			return httpd_req_simple(r, MHD_HTTP_METHOD_NOT_ALLOWED,
			    "method not allowed\n", "Allow", "GET, HEAD");
		if (!head)
			fsroot_hit(srv->cfg.root, url);
		if (srv->cfg.faults != NULL)
			r->fault = faults_match(srv->cfg.faults, FAULT_HTTP, url,
			    url, r->hc->id);
		if (r->fault != NULL && r->fault->action == FAULT_DELAY) {
			httpd_req_suspend(r, HTTPD_REQ_DELAYED, r->fault->secs);
			return MHD_YES;
		}
		if (r->fault != NULL && r->fault->action == FAULT_HANG) {
			httpd_req_suspend(r, HTTPD_REQ_HUNG, -1);
			return MHD_YES;
		}
		/* Answer on the next call, once MHD has the whole request:
		 * a response queued earlier makes MHD close the connection. */
		return MHD_YES;
	}
	if (*upload_size != 0) {
		*upload_size = 0;	/* a body on GET is read and ignored */
		return MHD_YES;
	}
	if (r->state != HTTPD_REQ_NEW)
		return MHD_YES;
	return httpd_req_respond(r, head);
}

/*
 * MHD's own unescaper, which also notes a decoded NUL: MHD passes the path
 * to the handler as a C string, cut at the NUL, so "/ok.txt%00.bin" and
 * "/ok.txt%00/../../x" would both be served as /ok.txt.  MHD unescapes the
 * request line (path, then query arguments) before the handler's first
 * call for that request, on the same connection.
 */
static size_t
httpd_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	const union MHD_ConnectionInfo *ci;
	struct httpd_conn *hc;
	size_t n = MHD_http_unescape(s);

	(void)cls;
	if (memchr(s, '\0', n) == NULL)
		return n;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci != NULL && (hc = ci->socket_context) != NULL)
		hc->nul_in_url = 1;
	return n;
}

/* A request is over (answered, failed or dropped): free it. */
static void
httpd_completed(void *cls, struct MHD_Connection *conn, void **ctx,
    enum MHD_RequestTerminationCode toe)
{
	struct httpd_req *r = *ctx;

	if (r == NULL)
		return;
	fslog(FSLOG_DEBUG, "http[%lu]: done (%d)", r->id, (int)toe);
	/* Kept alive, the connection is idle from here to its next request. */
	clock_timer_start(&r->hc->idle, r->srv->idle);
	clock_timer_stop(&r->timer);
	if (r->fd != -1)
		close(r->fd);
	free(r->path);
	free(r);
	*ctx = NULL;
}

/*
 * A connection had no request for the idle timeout (since it was made, or
 * since its last response): shut its socket, which MHD then reads as the
 * end.  On HTTPS the socket is MHD's end of the pair, and the front then
 * ends TLS with close_notify and closes TCP.
 */
static void
httpd_conn_idle_cb(struct clock_timer *t, void *arg)
{
	struct httpd_conn *hc = arg;

	(void)t;
	fslog(FSLOG_INFO, "%s connection %lu: idle timeout",
	    hc->srv->tls ? "https" : "http", hc->id);
	(void)shutdown(hc->fd, SHUT_RDWR);
	if (httpd_hup_kick(hc))
		MHD_run(hc->srv->mhd);
}

/* Connection start and end: number TCP connections, tie an HTTPS one to
 * its OpenSSL front, time idleness, and (HTTP) free a place in the cap. */
static void
httpd_notify(void *cls, struct MHD_Connection *conn, void **socket_ctx,
    enum MHD_ConnectionNotificationCode toe)
{
	struct httpd *srv = cls;
	struct httpd_conn *hc = *socket_ctx;

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (hc == NULL)
			return;
		clock_timer_stop(&hc->idle);
		httpd_hup_forget(srv, hc);
		if (hc->tls != NULL)
			hc->tls->hc = NULL;
		free(hc);
		*socket_ctx = NULL;
		/* On HTTPS the front holds the place until TCP closes. */
		if (!srv->tls)
			fsnet_listener_closed(&srv->lis);
		return;
	}
	hc = xcalloc(1, sizeof *hc);
	hc->srv = srv;
	hc->conn = conn;
	hc->fd = httpd_conn_fd(conn);
	clock_timer_init(&hc->idle, srv->cfg.clock, httpd_conn_idle_cb, hc);
	clock_timer_watchdog(&hc->idle);	/* waits on the client */
	clock_timer_start(&hc->idle, srv->idle);
	if (srv->tls) {
		/* The front counted the TCP connection at accept. */
		hc->tls = httpd_tls_find(srv, hc->fd);
		if (hc->tls != NULL) {
			hc->tls->hc = hc;
			hc->id = hc->tls->id;
		}
	} else
		hc->id = ++srv->nconn;
	*socket_ctx = hc;
	httpd_hup_watch(srv, hc);
}

/*
 * The listener's callback on the HTTP port: hand the connection to MHD.
 * MHD calls httpd_notify() from inside MHD_add_connection() (no thread of
 * its own, turbo mode: nothing can fail after that), so a failure here is
 * one that never reached httpd_notify() and its place is freed here.
 */
static void
httpd_http_accept(void *arg, int fd, const struct sockaddr_storage *peer,
    socklen_t len)
{
	struct httpd *srv = arg;

	if (MHD_add_connection(srv->mhd, fd, (const struct sockaddr *)peer,
	    len) != MHD_YES) {
		fslog(FSLOG_ERROR, "http: MHD_add_connection: %s",
		    strerror(errno));
		fsnet_listener_closed(&srv->lis);
	}
}

/* MHD's own messages go to the debug log. */
static void	httpd_mhd_log(void *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

static void
httpd_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char *msg;
	size_t n;

	if (!fslog_enabled(FSLOG_DEBUG) || vasprintf(&msg, fmt, ap) < 0)
		return;
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	fslog(FSLOG_DEBUG, "mhd: %s", msg);
	free(msg);
}

/* MHD's epoll fd or its timer is ready: let MHD work. */
static void
httpd_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct httpd *srv = w->data;

	MHD_run(srv->mhd);
}

/* MHD's timeout is due. */
static void
httpd_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct httpd *srv = w->data;

	MHD_run(srv->mhd);
}

/* Before the loop blocks: arm the timer for MHD's next timeout. */
static void
httpd_prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct httpd *srv = w->data;
	MHD_UNSIGNED_LONG_LONG ms;

	ev_timer_stop(loop, &srv->tm);
	/* MHD_get_timeout does not count a connection a reader has just
	 * ended: without another MHD_run it would stay open until the next
	 * event on any connection. */
	if (srv->kick) {
		srv->kick = 0;
		ev_timer_set(&srv->tm, 0, 0);
		ev_timer_start(loop, &srv->tm);
	} else if (MHD_get_timeout(srv->mhd, &ms) == MHD_YES) {
		ev_timer_set(&srv->tm, (double)ms / 1000.0, 0);
		ev_timer_start(loop, &srv->tm);
	}
}

/* What one connection too many on the plain HTTP port reads. */
static const char httpd_refusal[] = "HTTP/1.1 503 Service Unavailable\r\n"
    "Content-Type: text/plain\r\nContent-Length: 21\r\nRetry-After: 1\r\n"
    "Connection: close\r\n\r\ntoo many connections\n";

struct httpd *
httpd_start(struct ev_loop *loop, const struct httpd_config *cfg, char **err)
{
	struct httpd *srv;
	const union MHD_DaemonInfo *di;
	/*
	 * Turbo mode: MHD closes sockets without shutdown(), so the raw
	 * responder's duplicate stays writable.  MHD does not listen: the
	 * listener (fsnet.c) accepts within the cap, and adds connections,
	 * plain or relayed by the OpenSSL front.
	 */
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
	    MHD_USE_ERROR_LOG | MHD_USE_TURBO | MHD_USE_NO_LISTEN_SOCKET;
	size_t max = cfg->max_connections > 0 ? cfg->max_connections :
	    FSNET_MAX_CONNECTIONS;
	unsigned timeout;

	srv = xcalloc(1, sizeof *srv);
	srv->loop = loop;
	srv->cfg = *cfg;
	srv->tls = cfg->tls != NULL;
	srv->idle = cfg->idle_timeout > 0 ? cfg->idle_timeout : 300;
	srv->hupfd = -1;
	/*
	 * MHD's own timeout is in wall seconds; it only guards a response
	 * that a client does not read.  Idle connections end on the
	 * simulated clock (httpd_conn_idle_cb).
	 */
	timeout = (unsigned)(clock_wall(cfg->clock, srv->idle) + 1);
	srv->mhd = MHD_start_daemon(flags, 0, NULL, NULL, httpd_handle, srv,
	    MHD_OPTION_EXTERNAL_LOGGER, httpd_mhd_log, srv,
	    MHD_OPTION_CONNECTION_TIMEOUT, timeout,
	    /* Never MHD's limit: on HTTPS its side of a connection may close
	     * a moment after the front's, which frees the place. */
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)(2 * max + 16),
	    MHD_OPTION_NOTIFY_COMPLETED, httpd_completed, srv,
	    MHD_OPTION_NOTIFY_CONNECTION, httpd_notify, srv,
	    MHD_OPTION_UNESCAPE_CALLBACK, httpd_unescape, srv,
	    /* fakeserver_start ignores SIGPIPE; this lets MHD use sendfile. */
	    MHD_OPTION_SIGPIPE_HANDLED_BY_APP, (int)1,
	    MHD_OPTION_END);
	if (srv->mhd == NULL) {
		xasprintf(err, "%s: cannot start libmicrohttpd",
		    srv->tls ? "https" : "http");
		free(srv);
		return NULL;
	}
	if (httpd_hup_start(srv, err) == -1 ||
	    (srv->tls && httpd_tls_start(srv, err) == -1) ||
	    fsnet_listener_start(&srv->lis, loop, cfg->clock,
	    srv->tls ? "https" : "http", cfg->bind, cfg->port, max,
	    srv->tls ? NULL : httpd_refusal,
	    srv->tls ? httpd_tls_accept : httpd_http_accept, srv, err) == -1) {
		httpd_tls_stop(srv);
		MHD_stop_daemon(srv->mhd);
		httpd_hup_stop(srv);
		free(srv);
		return NULL;
	}
	srv->port = fsnet_listener_port(&srv->lis);
	di = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	ev_io_init(&srv->io, httpd_io_cb, di->epoll_fd, EV_READ);
	ev_timer_init(&srv->tm, httpd_timer_cb, 0, 0);
	ev_prepare_init(&srv->prep, httpd_prepare_cb);
	srv->io.data = srv->tm.data = srv->prep.data = srv;
	ev_io_start(loop, &srv->io);
	ev_prepare_start(loop, &srv->prep);
	return srv;
}

int
httpd_port(const struct httpd *srv)
{
	return srv->port;
}

void
httpd_stop(struct httpd *srv)
{
	if (srv == NULL)
		return;
	/* Suspended connections must be resumed before MHD can stop. */
	srv->stopping = 1;
	fsnet_listener_stop(&srv->lis);
	if (srv->tls)
		httpd_tls_stop(srv);
	while (srv->suspended != NULL)
		httpd_req_resume(srv->suspended);
	MHD_run(srv->mhd);
	ev_io_stop(srv->loop, &srv->io);
	ev_timer_stop(srv->loop, &srv->tm);
	ev_prepare_stop(srv->loop, &srv->prep);
	MHD_stop_daemon(srv->mhd);
	httpd_hup_stop(srv);
	httpd_raw_stop_all(srv);
	free(srv);
}
