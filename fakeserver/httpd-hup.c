/*
 * httpd-hup.c: the half-close watcher.
 *
 * libmicrohttpd 0.9.75 in epoll mode adds each connection with EPOLLET and
 * treats a short recv() as "drained": it clears its read-ready flag and
 * waits for the next edge.  When the last request bytes and the peer's FIN
 * are both queued before MHD's epoll_wait() collects them, there is only one
 * edge; MHD reads the bytes, never calls recv() again, and the connection
 * hangs until the idle timeout.  A client that sends an incomplete request
 * and then shuts down its side got neither a reply nor a close.  On HTTPS
 * it happened every time: the front writes the plaintext and then its
 * shutdown() into the socketpair in one go.
 *
 * So every MHD connection's socket also sits in a private epoll set that
 * asks only for EPOLLRDHUP, once.  When the peer's side closes, the
 * connection is suspended and resumed, which makes MHD mark it ready and
 * read again: it sees the EOF and closes (or answers, then closes).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "fslog.h"
#include "httpd-int.h"

#define HTTPD_HUP_BATCH	64	/* events taken per callback */

int
httpd_hup_kick(struct httpd_conn *hc)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(hc->conn,
	    MHD_CONNECTION_INFO_CONNECTION_SUSPENDED);
	/* Suspended by a fault: its own resume marks it ready. */
	if (ci == NULL || ci->suspended == MHD_YES)
		return 0;
	MHD_suspend_connection(hc->conn);
	MHD_resume_connection(hc->conn);
	return 1;
}

/* Some watched connections saw their peer close: make MHD read them. */
static void
httpd_hup_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct httpd *srv = w->data;
	struct epoll_event ev[HTTPD_HUP_BATCH];
	struct httpd_conn *hc;
	int i, n, kicked = 0;

	(void)loop;
	(void)revents;
	n = epoll_wait(srv->hupfd, ev, HTTPD_HUP_BATCH, 0);
	/* No MHD_run() inside the loop: it may free a later event's conn. */
	for (i = 0; i < n; i++) {
		hc = ev[i].data.ptr;
		if (!httpd_hup_kick(hc))
			continue;
		fslog(FSLOG_DEBUG, "http: connection %lu: peer closed its side",
		    hc->id);
		kicked = 1;
	}
	if (kicked)
		MHD_run(srv->mhd);
}

int
httpd_hup_start(struct httpd *srv, char **err)
{
	if ((srv->hupfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		xasprintf(err, "epoll_create1: %s", strerror(errno));
		return -1;
	}
	ev_io_init(&srv->hupio, httpd_hup_cb, srv->hupfd, EV_READ);
	srv->hupio.data = srv;
	ev_io_start(srv->loop, &srv->hupio);
	return 0;
}

void
httpd_hup_watch(struct httpd *srv, struct httpd_conn *hc)
{
	struct epoll_event ev;

	if (srv->hupfd == -1 || hc->fd == -1)
		return;
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLRDHUP | EPOLLONESHOT;
	ev.data.ptr = hc;
	if (epoll_ctl(srv->hupfd, EPOLL_CTL_ADD, hc->fd, &ev) == -1)
		fslog(FSLOG_ERROR, "http: connection %lu: epoll_ctl: %s",
		    hc->id, strerror(errno));
	else
		hc->hup_watched = 1;
}

void
httpd_hup_forget(struct httpd *srv, struct httpd_conn *hc)
{
	/* Explicitly: a raw responder's dup keeps the socket alive. */
	if (hc->hup_watched && srv->hupfd != -1)
		(void)epoll_ctl(srv->hupfd, EPOLL_CTL_DEL, hc->fd, NULL);
	hc->hup_watched = 0;
}

void
httpd_hup_stop(struct httpd *srv)
{
	if (srv->hupfd == -1)
		return;
	ev_io_stop(srv->loop, &srv->hupio);
	close(srv->hupfd);
	srv->hupfd = -1;
}
