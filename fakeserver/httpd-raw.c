/*
 * httpd-raw.c: the raw responder.  libmicrohttpd will not send a lying
 * Content-Length, broken chunking or plain garbage, so for those faults the
 * request handler hands a duplicate of the socket to this writer and tells
 * MHD to drop the connection.  It only writes bytes; it parses nothing.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fslog.h"
#include "httpd-int.h"

struct httpd_raw {
	struct httpd		*srv;
	int			 fd;
	int			 reset;
	ev_io			 w;
	struct buf		 out;
	struct httpd_raw	*prev, *next;
};

/* Close and free one raw responder. */
static void
httpd_raw_close(struct httpd_raw *raw)
{
	struct httpd *srv = raw->srv;

	ev_io_stop(srv->loop, &raw->w);
	if (raw->reset) {
		struct linger l = { 1, 0 };
		(void)setsockopt(raw->fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	}
	close(raw->fd);
	if (raw->prev != NULL)
		raw->prev->next = raw->next;
	else
		srv->raws = raw->next;
	if (raw->next != NULL)
		raw->next->prev = raw->prev;
	buf_free(&raw->out);
	free(raw);
}

/* Write what is left; close at the end or on error. */
static void
httpd_raw_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct httpd_raw *raw = w->data;
	ssize_t n;

	n = send(raw->fd, buf_head(&raw->out), buf_used(&raw->out),
	    MSG_NOSIGNAL);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0)
		buf_drain(&raw->out, (size_t)n);
	if (n <= 0 || buf_used(&raw->out) == 0)
		httpd_raw_close(raw);
}

int
httpd_raw_start(struct httpd *srv, struct MHD_Connection *conn,
    struct buf *bytes, int reset)
{
	const union MHD_ConnectionInfo *ci;
	struct httpd_raw *raw;
	int fd;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci == NULL ||
	    (fd = fcntl(ci->connect_fd, F_DUPFD_CLOEXEC, 0)) == -1) {
		fslog(FSLOG_ERROR, "http: raw responder: %s", strerror(errno));
		return -1;
	}
	raw = xcalloc(1, sizeof *raw);
	raw->srv = srv;
	raw->fd = fd;
	raw->reset = reset;
	raw->out = *bytes;
	ev_io_init(&raw->w, httpd_raw_write_cb, fd, EV_WRITE);
	raw->w.data = raw;
	raw->next = srv->raws;
	if (raw->next != NULL)
		raw->next->prev = raw;
	srv->raws = raw;
	ev_io_start(srv->loop, &raw->w);
	return 0;
}

void
httpd_raw_stop_all(struct httpd *srv)
{
	while (srv->raws != NULL)
		httpd_raw_close(srv->raws);
}
