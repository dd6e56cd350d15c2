/*
 * ftpd-data.c: passive data connections and the transfers on them, with the
 * "ftp data" and "ftp final" fault directives applied at the right byte.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "faults.h"
#include "fslog.h"
#include "ftpd-int.h"

/*
 * The most one sendfile() is asked for.  The socket takes what fits and the
 * call returns at once, so a large ask costs nothing while the buffer is
 * full; a small one (it was 256 KiB) returned to the loop between pieces
 * the kernel could have sent in the same call (bench/servers: CPU per GB).
 */
#define FTPD_CHUNK	(8 * 1024 * 1024)

static void	ftpd_data_write_cb(struct ev_loop *, ev_io *, int);

/* The transfer ended (or a fault ended it): close, then the final reply. */
static void
ftpd_data_finish(struct ftpd_session *s)
{
	const struct fault *f = NULL;
	char *vpath = s->data.vpath;

	s->data.vpath = NULL;
	ftpd_data_close(s);
	ftpd_session_set_state(s, FTPD_READY);
	if (s->srv->cfg.faults != NULL)
		f = faults_match(s->srv->cfg.faults, FAULT_FTP, "final", vpath,
		    s->id);
	free(vpath);
	if (f != NULL && ftpd_session_apply_fault(s, f))
		return;
	if (f != NULL && f->action == FAULT_REPLY) {
		ftpd_session_fault_reply(s, f);
		return;
	}
	ftpd_session_reply(s, 226, "Transfer complete.");
}

void
ftpd_data_close(struct ftpd_session *s)
{
	struct ftpd_data *d = &s->data;
	struct ev_loop *loop = s->srv->loop;

	if (d->lfd != -1) {
		ev_io_stop(loop, &d->lio);
		close(d->lfd);
		d->lfd = -1;
	}
	if (d->fd != -1) {
		ev_io_stop(loop, &d->wio);
		close(d->fd);
		d->fd = -1;
	}
	if (d->file != -1) {
		close(d->file);
		d->file = -1;
	}
	clock_timer_stop(&d->pause);
	buf_reset(&d->list);
	free(d->vpath);
	d->vpath = NULL;
	d->kind = FTPD_DATA_NONE;
	d->fault = NULL;
	d->paused = 0;
	d->sent = 0;
}

/* Begin writing if both the transfer and the connection are there. */
static void
ftpd_data_kick(struct ftpd_session *s)
{
	struct ftpd_data *d = &s->data;

	if (d->fd != -1 && d->kind != FTPD_DATA_NONE && !d->paused)
		ev_io_start(s->srv->loop, &d->wio);
}

/* Whether two socket addresses have the same host part. */
static int
ftpd_data_same_host(const struct sockaddr_storage *a,
    const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
		    &((const struct sockaddr_in *)b)->sin_addr,
		    sizeof(struct in_addr)) == 0;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
	    &((const struct sockaddr_in6 *)b)->sin6_addr,
	    sizeof(struct in6_addr)) == 0;
}

/* A client connected to the passive port. */
static void
ftpd_data_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ftpd_session *s = w->data;
	struct ftpd_data *d = &s->data;
	struct sockaddr_storage peer;
	socklen_t len = sizeof peer;
	int fd;

	fd = accept4(d->lfd, (struct sockaddr *)&peer, &len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1)
		return;
	if (!ftpd_data_same_host(&peer, &s->peer)) {
		fslog(FSLOG_INFO, "ftp[%lu]: refused: data connection from "
		    "another host", s->id);
		close(fd);
		return;
	}
	ev_io_stop(loop, &d->lio);
	close(d->lfd);
	d->lfd = -1;
	d->fd = fd;
	ev_io_init(&d->wio, ftpd_data_write_cb, fd, EV_WRITE);
	d->wio.data = s;
	ftpd_data_kick(s);
}

/* The throttle or stall pause is over. */
static void
ftpd_data_pause_cb(struct clock_timer *t, void *arg)
{
	struct ftpd_session *s = arg;

	(void)t;
	s->data.paused = 0;
	ftpd_data_kick(s);
}

/* Stop writing for `secs` simulated seconds (< 0: for ever). */
static void
ftpd_data_pause(struct ftpd_session *s, double secs)
{
	ev_io_stop(s->srv->loop, &s->data.wio);
	s->data.paused = 1;
	if (secs >= 0)
		clock_timer_start(&s->data.pause, secs);
}

int
ftpd_data_listen(struct ftpd_session *s)
{
	struct ftpd_data *d = &s->data;
	struct sockaddr_storage ss = s->local;
	socklen_t len = sizeof ss;
	int fd;

	ftpd_data_close(s);
	if (ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = 0;
	else
		((struct sockaddr_in6 *)&ss)->sin6_port = 0;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&ss, ss.ss_family == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) == -1 ||
	    listen(fd, 1) == -1 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) == -1) {
		fslog(FSLOG_ERROR, "ftp[%lu]: passive listen: %s", s->id,
		    strerror(errno));
		close(fd);
		return -1;
	}
	d->lfd = fd;
	ev_io_init(&d->lio, ftpd_data_accept_cb, fd, EV_READ);
	d->lio.data = s;
	clock_timer_init(&d->pause, s->srv->cfg.clock, ftpd_data_pause_cb, s);
	ev_io_start(s->srv->loop, &d->lio);
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

int
ftpd_data_ready(const struct ftpd_session *s)
{
	return s->data.lfd != -1 || s->data.fd != -1;
}

/* Look up the "ftp data" directive for a transfer of `size` bytes. */
static int
ftpd_data_fault(struct ftpd_session *s, const char *vpath, long long size)
{
	struct ftpd_data *d = &s->data;
	const struct fault *f = NULL;

	if (s->srv->cfg.faults != NULL)
		f = faults_match(s->srv->cfg.faults, FAULT_FTP, "data", vpath,
		    s->id);
	d->fault = f;
	d->fault_at = -1;
	if (f == NULL)
		return 0;
	if (f->action == FAULT_REFUSE) {
		ftpd_data_close(s);
		ftpd_session_reply(s, 425, "Can't open data connection.");
		return -1;
	}
	d->fault_at = fault_position(f, size);
	if (d->fault_at < 0 && f->action != FAULT_THROTTLE)
		d->fault_at = 0;
	return 0;
}

void
ftpd_data_start_file(struct ftpd_session *s, int fd, off_t size,
    const char *vpath)
{
	struct ftpd_data *d = &s->data;
	off_t start = s->rest;

	s->rest = 0;
	if (ftpd_data_fault(s, vpath, (long long)size) == -1) {
		close(fd);
		return;
	}
	if (start > size)
		start = size;
	d->kind = FTPD_DATA_FILE;
	d->file = fd;
	d->start = d->off = start;
	d->end = size;
	d->sent = 0;
	fault_pace_init(&d->pace);
	d->vpath = xstrdup(vpath);
	ftpd_session_set_state(s, FTPD_TRANSFER);
	ftpd_session_reply(s, 150, "Opening BINARY mode data connection for %s "
	    "(%lld bytes).", vpath, (long long)(size - start));
	ftpd_data_kick(s);
}

void
ftpd_data_start_list(struct ftpd_session *s, struct buf *text)
{
	struct ftpd_data *d = &s->data;

	buf_free(&d->list);
	d->list = *text;
	if (ftpd_data_fault(s, "", (long long)buf_used(text)) == -1)
		return;
	d->kind = FTPD_DATA_LIST;
	d->sent = 0;
	fault_pace_init(&d->pace);
	d->vpath = xstrdup("");
	ftpd_session_set_state(s, FTPD_TRANSFER);
	ftpd_session_reply(s, 150, "Here comes the directory listing.");
	ftpd_data_kick(s);
}

/* The data fault's byte position was reached: act on it. */
static void
ftpd_data_trigger(struct ftpd_session *s)
{
	struct ftpd_data *d = &s->data;
	const struct fault *f = d->fault;
	unsigned char junk[FAULT_GARBAGE_MAX];
	size_t n;

	d->fault = NULL;
	fslog(FSLOG_INFO, "ftp[%lu]: data %s at byte %lld", s->id,
	    fault_action_name(f->action), d->fault_at);
	switch (f->action) {
	case FAULT_STALL:
		ftpd_data_pause(s, f->secs);
		return;
	case FAULT_HANG:
		ftpd_data_pause(s, -1);
		return;
	case FAULT_RESET:
		ftpd_socket_set_reset(d->fd);
		ftpd_data_close(s);
		ftpd_session_set_state(s, FTPD_READY);
		ftpd_session_reply(s, 426, "Connection reset; transfer aborted.");
		return;
	case FAULT_REPLY:
		ftpd_data_close(s);
		ftpd_session_set_state(s, FTPD_READY);
		ftpd_session_fault_reply(s, f);
		return;
	case FAULT_GARBAGE:
		n = faults_garbage(s->srv->cfg.faults, f, junk);
		(void)send(d->fd, junk, n, MSG_NOSIGNAL);
		ftpd_data_finish(s);
		return;
	case FAULT_CLOSE:
		/* Close early and still claim success: the client must notice. */
		ftpd_data_finish(s);
		return;
	default:
		/* flip, throttle and others act inside the write loop. */
		d->fault = f;
		d->fault_at = -1;
		return;
	}
}

/* How many bytes the throttle allows now; pauses and returns 0 if none. */
static size_t
ftpd_data_throttle(struct ftpd_session *s, size_t want)
{
	struct ftpd_data *d = &s->data;
	double wait;
	size_t n;

	n = fault_pace(&d->pace, d->fault->rate, clock_now(s->srv->cfg.clock),
	    d->sent, want, &wait);
	if (n == 0)
		ftpd_data_pause(s, wait);
	return n;
}

/* Write the next piece of a transfer. */
static void
ftpd_data_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ftpd_session *s = w->data;
	struct ftpd_data *d = &s->data;
	const struct fault *f = d->fault;
	unsigned char tmp[64 * 1024];
	unsigned long long pos;
	size_t want;
	ssize_t r;

	/* Positions are file offsets for RETR (so resumes agree), else bytes. */
	pos = d->kind == FTPD_DATA_FILE ? (unsigned long long)d->off : d->sent;
	if (f != NULL && d->fault_at >= 0 &&
	    pos >= (unsigned long long)d->fault_at) {
		ftpd_data_trigger(s);
		return;
	}
	if (d->kind == FTPD_DATA_LIST)
		want = buf_used(&d->list);
	else
		want = (size_t)(d->end - d->off < FTPD_CHUNK ? d->end - d->off :
		    FTPD_CHUNK);
	if (want == 0) {
		ftpd_data_finish(s);
		return;
	}
	if (f != NULL && d->fault_at >= 0 &&
	    pos + want > (unsigned long long)d->fault_at)
		want = (size_t)((unsigned long long)d->fault_at - pos);
	if (f != NULL && f->action == FAULT_THROTTLE &&
	    (want = ftpd_data_throttle(s, want)) == 0)
		return;

	if (d->kind == FTPD_DATA_LIST)
		r = send(d->fd, buf_head(&d->list), want, MSG_NOSIGNAL);
	else if (f == NULL)
		r = sendfile(d->fd, d->file, &d->off, want);
	else {
		/* Faults need the bytes in hand (flip) or exact sizes. */
		if (want > sizeof tmp)
			want = sizeof tmp;
		r = pread(d->file, tmp, want, d->off);
		if (r <= 0) {
			ftpd_data_finish(s);
			return;
		}
		if (f->action == FAULT_FLIP) {
			long long at = fault_position(f, (long long)d->end);
			if (at >= d->off && at < d->off + r) {
				tmp[at - d->off] ^= 0xff;
				fslog(FSLOG_INFO, "ftp[%lu]: flipped byte %lld",
				    s->id, at);
			}
		}
		r = send(d->fd, tmp, (size_t)r, MSG_NOSIGNAL);
		if (r > 0)
			d->off += r;
	}
	if (r == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		fslog(FSLOG_INFO, "ftp[%lu]: data connection lost: %s", s->id,
		    r == 0 ? "end of file" : strerror(errno));
		ftpd_data_close(s);
		ftpd_session_set_state(s, FTPD_READY);
		ftpd_session_reply(s, 426, "Connection closed; transfer aborted.");
		return;
	}
	if (d->kind == FTPD_DATA_LIST)
		buf_drain(&d->list, (size_t)r);
	d->sent += (size_t)r;
}
