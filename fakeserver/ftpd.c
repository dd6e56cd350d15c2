/*
 * ftpd.c: the fake FTP server's listener, sessions and command dispatch.
 *
 * Each control connection is one struct ftpd_session that owns its buffers,
 * watchers, timers and state.  Faults are looked up once per event (greeting,
 * each command) in the dispatcher, so command handlers stay plain RFC 959.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faults.h"
#include "fslog.h"
#include "fsnet.h"
#include "fsroot.h"
#include "ftpd-int.h"

static const char *const ftpd_state_names[FTPD_NSTATES] = {
	[FTPD_GREETING] = "GREETING",
	[FTPD_USER] = "USER",
	[FTPD_PASS] = "PASS",
	[FTPD_READY] = "READY",
	[FTPD_TRANSFER] = "TRANSFER",
	[FTPD_HUNG] = "HUNG",
	[FTPD_CLOSING] = "CLOSING",
};

static void	ftpd_session_read_cb(struct ev_loop *, ev_io *, int);
static void	ftpd_session_write_cb(struct ev_loop *, ev_io *, int);
static void	ftpd_session_process(struct ftpd_session *);

void
ftpd_session_set_state(struct ftpd_session *s, enum ftpd_state state)
{
	if (s->state == state)
		return;
	fslog(FSLOG_DEBUG, "ftp[%lu]: %s -> %s", s->id,
	    ftpd_state_names[s->state], ftpd_state_names[state]);
	s->state = state;
}

/* The live session with this id, or NULL once it has closed. */
static struct ftpd_session *
ftpd_session_find(struct ftpd *srv, unsigned long id)
{
	struct ftpd_session *s;

	for (s = srv->sessions; s != NULL && s->id != id; s = s->next)
		;
	return s;
}

/* Start the writer if output is queued. */
static void
ftpd_session_flush(struct ftpd_session *s)
{
	if (buf_used(&s->out) > 0 && s->fd != -1)
		ev_io_start(s->srv->loop, &s->wio);
}

void
ftpd_session_send(struct ftpd_session *s, const void *p, size_t n)
{
	if (s->state == FTPD_CLOSING)
		return;
	buf_add(&s->out, p, n);
	ftpd_session_flush(s);
}

void
ftpd_session_reply(struct ftpd_session *s, int code, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		fatal("out of memory in ftpd_session_reply");
	va_end(ap);
	fslog(FSLOG_DEBUG, "ftp[%lu]: > %d %s", s->id, code, text);
	if (s->state != FTPD_CLOSING) {
		buf_addf(&s->out, "%d %s\r\n", code, text);
		ftpd_session_flush(s);
	}
	free(text);
}

void
ftpd_socket_set_reset(int fd)
{
	struct linger l = { 1, 0 };

	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

void
ftpd_session_close(struct ftpd_session *s, int reset)
{
	struct ftpd *srv = s->srv;

	fslog(FSLOG_DEBUG, "ftp[%lu]: closed%s", s->id, reset ? " (reset)" : "");
	ftpd_data_close(s);
	ev_io_stop(srv->loop, &s->rio);
	ev_io_stop(srv->loop, &s->wio);
	clock_timer_stop(&s->idle);
	clock_timer_stop(&s->delay);
	if (reset)
		ftpd_socket_set_reset(s->fd);
	close(s->fd);
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		srv->sessions = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	fsnet_listener_closed(&srv->lis);
	buf_free(&s->in);
	buf_free(&s->out);
	buf_free(&s->data.list);
	free(s->delayed);
	free(s->user);
	free(s->cwd);
	free(s);
}

void
ftpd_session_close_later(struct ftpd_session *s)
{
	ftpd_data_close(s);
	ev_io_stop(s->srv->loop, &s->rio);
	ftpd_session_set_state(s, FTPD_CLOSING);
	if (buf_used(&s->out) == 0)
		ftpd_session_close(s, 0);
}

/* Restart the idle timer after activity. */
static void
ftpd_session_touch(struct ftpd_session *s)
{
	clock_timer_start(&s->idle, s->srv->cfg.idle_timeout);
}

/* The idle timer fired: say so and hang up, unless data is moving. */
static void
ftpd_session_idle_cb(struct clock_timer *t, void *arg)
{
	struct ftpd_session *s = arg;

	(void)t;
	if (s->state == FTPD_TRANSFER && s->data.fd != -1 && !s->data.paused) {
		ftpd_session_touch(s);
		return;
	}
	fslog(FSLOG_INFO, "ftp[%lu]: idle timeout", s->id);
	ftpd_session_reply(s, 421, "Timeout.");
	ftpd_session_close_later(s);
}

/* Write queued control output; close when a closing session is flushed. */
static void
ftpd_session_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ftpd_session *s = w->data;
	size_t n = buf_used(&s->out);
	const struct fault *f = s->ctl_fault;
	ssize_t r;

	if (f != NULL && f->after >= 0 && s->ctl_sent + n > (unsigned long long)f->after)
		n = (size_t)((unsigned long long)f->after - s->ctl_sent);
	r = n > 0 ? send(s->fd, buf_head(&s->out), n, MSG_NOSIGNAL) : 0;
	if (r == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r == -1) {
		ftpd_session_close(s, 0);
		return;
	}
	buf_drain(&s->out, (size_t)r);
	s->ctl_sent += (size_t)r;
	if (f != NULL && f->after >= 0 && s->ctl_sent >= (unsigned long long)f->after) {
		fslog(FSLOG_INFO, "ftp[%lu]: control %s after %llu bytes", s->id,
		    fault_action_name(f->action), s->ctl_sent);
		ftpd_session_close(s, f->action == FAULT_RESET);
		return;
	}
	if (buf_used(&s->out) == 0) {
		ev_io_stop(loop, w);
		if (s->state == FTPD_CLOSING)
			ftpd_session_close(s, 0);
	}
}

int
ftpd_session_apply_fault(struct ftpd_session *s, const struct fault *f)
{
	unsigned char junk[FAULT_GARBAGE_MAX];
	size_t n;

	switch (f->action) {
	case FAULT_CLOSE:
		ftpd_session_close(s, 0);
		return 1;
	case FAULT_RESET:
		ftpd_session_close(s, 1);
		return 1;
	case FAULT_HANG:
		ev_io_stop(s->srv->loop, &s->rio);
		ftpd_session_set_state(s, FTPD_HUNG);
		return 1;
	case FAULT_GARBAGE:
		n = faults_garbage(s->srv->cfg.faults, f, junk);
		/* End with a line break so that clients read it as a reply. */
		ftpd_session_send(s, junk, n);
		ftpd_session_send(s, "\r\n", 2);
		ftpd_session_close_later(s);
		return 1;
	default:
		return 0;
	}
}

/*
 * The one rule for "reply CODE" faults, at every stage (greeting, command,
 * data, final): the control connection closes once the reply is written
 * when the code is 421, or when the reply takes the place of the greeting
 * and is negative (4xx or 5xx).  Every other reply keeps the session.  This
 * is what real servers do: RFC 959 gives 421 as "closing control
 * connection", and a server that refuses the greeting (vsftpd's "500 OOPS")
 * hangs up, since no session was ever opened.  Returns 1 if the session is
 * closing.
 */
int
ftpd_session_fault_reply(struct ftpd_session *s, const struct fault *f)
{
	int refused = s->state == FTPD_GREETING && f->code >= 400;

	ftpd_session_reply(s, (int)f->code, "%s", f->text);
	if (f->code != 421 && !refused)
		return 0;
	ftpd_session_close_later(s);
	return 1;
}

/* Send the greeting (or what a fault puts in its place). */
static void
ftpd_session_greet(struct ftpd_session *s, int nofault)
{
	const struct fault *f = NULL;

	if (!nofault && s->srv->cfg.faults != NULL)
		f = faults_match(s->srv->cfg.faults, FAULT_FTP, "greeting", NULL,
		    s->id);
	if (f != NULL && ftpd_session_apply_fault(s, f))
		return;
	if (f != NULL && f->action == FAULT_DELAY) {
		clock_timer_start(&s->delay, f->secs);
		return;
	}
	if (f != NULL && f->action == FAULT_REPLY) {
		if (ftpd_session_fault_reply(s, f))
			return;
	} else
		ftpd_session_reply(s, 220, "fotasim FTP server ready.");
	ftpd_session_set_state(s, FTPD_USER);
	ev_io_start(s->srv->loop, &s->rio);
	ftpd_session_process(s);
}

/* A delayed greeting or reply is due. */
static void
ftpd_session_delay_cb(struct clock_timer *t, void *arg)
{
	struct ftpd_session *s = arg;
	char *line;

	(void)t;
	if (s->state == FTPD_GREETING) {
		ftpd_session_greet(s, 1);
		return;
	}
	line = s->delayed;
	s->delayed = NULL;
	if (line != NULL) {
		struct ftpd *srv = s->srv;
		unsigned long id = s->id;

		ftpd_session_dispatch(s, line, 1);
		free(line);
		if ((s = ftpd_session_find(srv, id)) == NULL)
			return;
	}
	if (s->state == FTPD_HUNG || s->state == FTPD_CLOSING)
		return;
	ev_io_start(s->srv->loop, &s->rio);
	ftpd_session_process(s);
}

void
ftpd_session_dispatch(struct ftpd_session *s, char *line, int nofault)
{
	const struct ftpd_cmd *cmd;
	const struct fault *f = NULL;
	char *arg, *p;

	arg = line + strcspn(line, " ");
	if (*arg != '\0')
		*arg++ = '\0';
	for (p = line; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	fslog(FSLOG_DEBUG, "ftp[%lu]: < %s %s", s->id, line,
	    strcmp(line, "PASS") == 0 ? "****" : arg);

	if (!nofault && strcmp(line, "RETR") == 0 && *arg != '\0') {
		char *vpath, who[64];

		snprintf(who, sizeof who, "ftp[%lu]", s->id);
		if (fsroot_vpath(s->cwd, arg, &vpath, who) == FSROOT_OK) {
			fsroot_hit(s->srv->cfg.root, vpath);
			free(vpath);
		}
	}
	if (!nofault && s->srv->cfg.faults != NULL)
		f = faults_match(s->srv->cfg.faults, FAULT_FTP, line, arg, s->id);
	if (f != NULL && ftpd_session_apply_fault(s, f))
		return;
	if (f != NULL && f->action == FAULT_DELAY) {
		/* Put the line back together; it runs when the timer fires. */
		xasprintf(&s->delayed, "%s%s%s", line, *arg ? " " : "", arg);
		ev_io_stop(s->srv->loop, &s->rio);
		clock_timer_start(&s->delay, f->secs);
		return;
	}
	if (f != NULL && f->action == FAULT_REPLY) {
		ftpd_session_fault_reply(s, f);
		return;
	}

	cmd = ftpd_cmd_find(line);
	if (cmd == NULL) {
		ftpd_session_reply(s, 500, "Unknown command.");
		return;
	}
	if ((cmd->flags & FTPD_CMD_LOGIN) && s->state < FTPD_READY) {
		ftpd_session_reply(s, 530, "Please login with USER and PASS.");
		return;
	}
	if ((cmd->flags & FTPD_CMD_ARG) && *arg == '\0') {
		ftpd_session_reply(s, 501, "Syntax error in parameters.");
		return;
	}
	if ((cmd->flags & FTPD_CMD_NOARG) && *arg != '\0') {
		ftpd_session_reply(s, 501, "%s takes no argument.", line);
		return;
	}
	s->fault = f;
	cmd->fn(s, arg);
}

/* Run every complete line in the input buffer. */
static void
ftpd_session_process(struct ftpd_session *s)
{
	struct ftpd *srv = s->srv;
	unsigned char *head, *nl;
	unsigned long id = s->id;
	size_t used, len;
	char *line;

	for (;;) {
		if (s->state == FTPD_HUNG || s->state == FTPD_CLOSING ||
		    s->state == FTPD_GREETING || clock_timer_active(&s->delay))
			return;
		used = buf_used(&s->in);
		head = buf_head(&s->in);
		nl = used ? memchr(head, '\n', used) : NULL;
		if (nl == NULL) {
			if (used > FTPD_LINE_MAX) {
				if (!s->skipping)
					ftpd_session_reply(s, 500, "Line too long.");
				s->skipping = 1;
				buf_reset(&s->in);
			}
			return;
		}
		len = (size_t)(nl - head);
		if (s->skipping || len > FTPD_LINE_MAX) {
			if (!s->skipping)
				ftpd_session_reply(s, 500, "Line too long.");
			s->skipping = 0;
			buf_drain(&s->in, len + 1);
			continue;
		}
		if (len > 0 && head[len - 1] == '\r')
			len--;
		line = xstrndup((char *)head, len);
		buf_drain(&s->in, (size_t)(nl - head) + 1);
		if (strlen(line) != len) {
			ftpd_session_reply(s, 500, "NUL byte in command.");
			free(line);
			continue;
		}
		ftpd_session_touch(s);
		ftpd_session_dispatch(s, line, 0);
		free(line);
		/* The command may have closed the session. */
		if ((s = ftpd_session_find(srv, id)) == NULL)
			return;
	}
}

/* Read control input. */
static void
ftpd_session_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ftpd_session *s = w->data;
	char tmp[4096];
	ssize_t r;

	r = read(s->fd, tmp, sizeof tmp);
	if (r == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r == 0) {
		/* The client is done sending: flush its replies, then close. */
		ftpd_session_close_later(s);
		return;
	}
	if (r < 0) {
		ftpd_session_close(s, 0);
		return;
	}
	buf_add(&s->in, tmp, (size_t)r);
	ftpd_session_process(s);
}

/* Set up a session for a control connection the listener accepted. */
static void
ftpd_session_new(void *arg, int fd, const struct sockaddr_storage *peer,
    socklen_t peerlen)
{
	struct ftpd *srv = arg;
	struct ftpd_session *s = xcalloc(1, sizeof *s);
	socklen_t len = sizeof s->local;
	int one = 1;

	/*
	 * Each reply is written whole.  With Nagle on, the 226 that follows a
	 * 150 (the client sends nothing in between) waited for the client's
	 * delayed ACK of the 150: about 40 ms per transfer.
	 */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	s->srv = srv;
	s->id = ++srv->nconn;
	s->fd = fd;
	s->peer = *peer;
	s->cwd = xstrdup("/");
	s->type = 'A';
	s->data.lfd = s->data.fd = s->data.file = -1;
	buf_init(&s->in);
	buf_init(&s->out);
	buf_init(&s->data.list);
	(void)getsockname(fd, (struct sockaddr *)&s->local, &len);
	ev_io_init(&s->rio, ftpd_session_read_cb, fd, EV_READ);
	ev_io_init(&s->wio, ftpd_session_write_cb, fd, EV_WRITE);
	s->rio.data = s->wio.data = s;
	clock_timer_init(&s->idle, srv->cfg.clock, ftpd_session_idle_cb, s);
	clock_timer_watchdog(&s->idle);	/* waits on the client */
	clock_timer_init(&s->delay, srv->cfg.clock, ftpd_session_delay_cb,
	    s);
	/* s->state is FTPD_GREETING (zero): only the setter changes it. */
	s->next = srv->sessions;
	if (s->next != NULL)
		s->next->prev = s;
	srv->sessions = s;
	fslog(FSLOG_DEBUG, "ftp[%lu]: connected", s->id);
	if (srv->cfg.faults != NULL)
		s->ctl_fault = faults_match(srv->cfg.faults, FAULT_FTP, "control",
		    NULL, s->id);
	if (s->ctl_fault != NULL && s->ctl_fault->after < 0)
		s->ctl_fault = NULL;
	ftpd_session_touch(s);
	ftpd_session_greet(s, 0);
}

struct ftpd *
ftpd_start(struct ev_loop *loop, const struct ftpd_config *cfg, char **err)
{
	struct ftpd *srv = xcalloc(1, sizeof *srv);

	srv->loop = loop;
	srv->cfg = *cfg;
	if (srv->cfg.idle_timeout <= 0)
		srv->cfg.idle_timeout = 300;
	/* One more than the cap hears RFC 959's "421 closing control
	 * connection" before any greeting. */
	if (fsnet_listener_start(&srv->lis, loop, cfg->clock, "ftp", cfg->bind,
	    cfg->port, cfg->max_connections, "421 Too many connections.\r\n",
	    ftpd_session_new, srv, err) == -1) {
		free(srv);
		return NULL;
	}
	srv->port = fsnet_listener_port(&srv->lis);
	return srv;
}

int
ftpd_port(const struct ftpd *srv)
{
	return srv->port;
}

size_t
ftpd_sessions(const struct ftpd *srv)
{
	return srv->lis.open;
}

void
ftpd_stop(struct ftpd *srv)
{
	if (srv == NULL)
		return;
	while (srv->sessions != NULL)
		ftpd_session_close(srv->sessions, 0);
	fsnet_listener_stop(&srv->lis);
	free(srv);
}
