/*
 * scenario-host.c: the built-in host of a scenario's [host] section.
 *
 * It is an ordinary host on the same event loop: it opens the pty's slave
 * by the --link path (raw, 115200), writes command lines and reads what
 * the module prints, so the bytes take the real path through the kernel's
 * pty.  Lines it reads wait in a queue that `expect` consumes, so an answer
 * that arrives before its expect is not lost.  Timeouts and sleeps run on
 * the simulated clock.  While bytes it wrote have not reached the modem, or
 * the modem's have not reached it, the clock is told not to skip idle time
 * (clock_set_guard): the pty's buffer is invisible to libev.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <ev.h>

#include "clock.h"
#include "modem.h"
#include "scenario-run.h"
#include "translog.h"
#include "util.h"

#define SCN_HOST_POLL		0.01	/* simulated seconds between opens */
#define SCN_HOST_LINE_MAX	4096

struct scn_host;

/* The host's open of one AT interface's pty (conn[0]: the first, conn[1]:
 * the second with [modem] second-port yes). */
struct scn_conn {
	struct scn_host		*h;
	struct port		*port;		/* the modem's side */
	char			*link;
	int			 fd;
	ev_io			 rio;
	ev_io			 wio;		/* the port takes more */
	int			 gone;		/* the port vanished since opened */
	int			 opened;	/* opened at least once */
	struct buf		 part;		/* a line being read */
	char			**lines;	/* read, not yet expected */
	size_t			 nlines;
	unsigned long long	 wrote, read;	/* as port.bytes_in/_out */
};

struct scn_host {
	const struct scenario	*s;
	struct modem		*m;
	struct clock		*clock;
	struct ev_loop		*loop;
	struct scn_host_vars	 vars;
	void			(*done)(void *, const char *);
	void			*arg;

	size_t			 step;
	struct scn_conn		 conn[MODEM_NIFACE];
	int			 nconn;
	struct clock_timer	 step_t;	/* expect timeout, sleep */
	struct clock_timer	 open_t;	/* try to open the port */
	int			 waiting;	/* step_t runs for this step */
	int			 finished;
	long			 retry_at;	/* the open retry block's step, -1 */
	int			 tries_left;
	struct clock_timer	 retry_t;	/* start the block again */
	unsigned char		*file;		/* send-file: the bytes ... */
	size_t			 file_len, file_off;	/* ... and how far */
};

static void	scn_host_next(struct scn_host *);
static void	scn_host_close(struct scn_conn *);
static void	scn_host_write_cb(struct ev_loop *, ev_io *, int);

/* Whether bytes are between the host and the modem (the clock's guard). */
static int
scn_host_busy(void *arg)
{
	struct scn_host *h = arg;
	struct scn_conn *c;
	int i;

	/* The modem waits in wall time for the host to read before a
	 * reboot (port_drain): not idle either. */
	if (h->m->power == MODEM_RESETTING ||
	    h->m->power == MODEM_POWERING_DOWN)
		return 1;
	for (i = 0; i < h->nconn; i++) {
		c = &h->conn[i];
		if (c->fd == -1 || c->port->fd == -1)
			continue;
		/* Bytes the modem does not read now (flow control, a command
		 * running) wait for it, not for time to stand still. */
		if ((c->wrote > c->port->bytes_in &&
		    ev_is_active(&c->port->rio)) ||
		    c->port->bytes_out > c->read)
			return 1;
	}
	return 0;
}

/* A port's drain: whether every byte the modem wrote has been read. */
static int
scn_host_read_all(void *arg)
{
	struct scn_conn *c = arg;

	return c->fd != -1 && c->read == c->port->bytes_out;
}

/* The connection a step talks on. */
static struct scn_conn *
scn_host_conn(struct scn_host *h, const struct scn_step *st)
{
	return &h->conn[st->port2 && h->nconn > 1 ? 1 : 0];
}

static void
scn_host_finish(struct scn_host *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The script is over: passed (fmt NULL) or failed. */
static void
scn_host_finish(struct scn_host *h, const char *fmt, ...)
{
	const struct scn_step *st = h->step < h->s->nsteps ?
	    &h->s->steps[h->step] : NULL;
	char msg[768], *why = NULL;
	va_list ap;
	int i;

	if (h->finished)
		return;
	clock_timer_stop(&h->step_t);
	h->waiting = 0;
	/* Inside a retry block with tries left: start the block again. */
	if (fmt != NULL && h->retry_at >= 0 && h->tries_left > 0) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
		h->tries_left--;
		translog_state(h->m->log, "scenario", "host %s:%d: %s; retry "
		    "(%d more)", st ? st->at.file : "", st ? st->at.line : 0, msg,
		    h->tries_left);
		free(h->file);
		h->file = NULL;
		for (i = 0; i < h->nconn; i++)
			if (h->conn[i].fd != -1)
				ev_io_stop(h->loop, &h->conn[i].wio);
		h->step = (size_t)h->retry_at + 1;
		clock_timer_start(&h->retry_t, 0);
		return;
	}
	h->finished = 1;
	clock_timer_stop(&h->open_t);
	/* Nobody reads from now on: the power-down need not wait. */
	for (i = 0; i < h->nconn; i++)
		scn_host_close(&h->conn[i]);
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
		if (st != NULL)
			xasprintf(&why, "%s:%d: %s", st->at.file, st->at.line,
			    msg);
		else
			why = xstrdup(msg);
	}
	h->done(h->arg, why);
	free(why);
}

/* Text with ${...} replaced by the servers' addresses. */
static char *
scn_host_expand(const struct scn_host *h, const char *t)
{
	static const char *const names[] = { "ftp", "http", "https" };
	struct buf b;
	const char *v, *e;
	char *out, *inner, name[32];
	size_t i, n;

	buf_init(&b);
	while ((v = strstr(t, "${")) != NULL &&
	    (e = scenario_var_end(v)) != NULL) {
		buf_add(&b, t, (size_t)(v - t));
		n = (size_t)(e - v - 2);
		snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name - 1 ?
		    n : sizeof name - 1), v + 2);
		if (strncmp(v + 2, "length:", 7) == 0) {
			/* ${length:TEXT}: the bytes of TEXT, expanded. */
			char *raw = xstrndup(v + 9, n - 7);

			inner = scn_host_expand(h, raw);
			buf_addf(&b, "%zu", strlen(inner));
			free(inner);
			free(raw);
			t = e + 1;
			continue;
		}
		if (strncmp(name, "size:", 5) == 0) {
			char *path;
			struct stat st;

			xasprintf(&path, "%s/%s", h->vars.root ? h->vars.root :
			    ".", name + 5 + (name[5] == '/'));
			buf_addf(&b, "%lld", stat(path, &st) == 0 ?
			    (long long)st.st_size : 0LL);
			free(path);
		}
		for (i = 0; i < nitems(names); i++) {
			if (strcmp(name, names[i]) == 0)
				buf_addstr(&b, h->vars.addr[i]);
			else if (strncmp(name, names[i], strlen(names[i])) == 0 &&
			    strcmp(name + strlen(names[i]), "-port") == 0)
				buf_addstr(&b, h->vars.port[i]);
		}
		t = e + 1;
	}
	buf_addstr(&b, t);
	out = buf_used(&b) ? xstrndup((const char *)buf_head(&b), buf_used(&b)) :
	    xstrdup("");
	buf_free(&b);
	return out;
}

/* Forget a port: it vanished (or we close it to reopen). */
static void
scn_host_close(struct scn_conn *c)
{
	if (c->fd == -1)
		return;
	ev_io_stop(c->h->loop, &c->rio);
	ev_io_stop(c->h->loop, &c->wio);
	close(c->fd);
	c->fd = -1;
	c->gone = 1;
	buf_reset(&c->part);
}

/* A complete line from the module (CR LF removed; empty lines dropped). */
static void
scn_host_line(struct scn_conn *c, const char *line)
{
	if (*line == '\0')
		return;
	c->lines = xreallocarray(c->lines, c->nlines + 1, sizeof *c->lines);
	c->lines[c->nlines++] = xstrdup(line);
}

/* Lines of an old port are the old port's. */
static void
scn_host_forget_lines(struct scn_conn *c)
{
	size_t i;

	for (i = 0; i < c->nlines; i++)
		free(c->lines[i]);
	c->nlines = 0;
}

static void
scn_host_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct scn_conn *c = w->data;
	unsigned char data[4096];
	const unsigned char *nl;
	char *line;
	size_t len;
	ssize_t n;

	(void)loop; (void)revents;
	n = read(c->fd, data, sizeof data);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* EIO or end of file: the module's port went away. */
		scn_host_close(c);
		scn_host_next(c->h);
		return;
	}
	c->read += (unsigned long long)n;
	buf_add(&c->part, data, (size_t)n);
	while ((nl = memchr(buf_head(&c->part), '\n', buf_used(&c->part))) !=
	    NULL) {
		len = (size_t)(nl - buf_head(&c->part));
		line = xstrndup((const char *)buf_head(&c->part), len);
		if (len > 0 && line[len - 1] == '\r')
			line[len - 1] = '\0';
		scn_host_line(c, line);
		free(line);
		buf_drain(&c->part, len + 1);
	}
	if (buf_used(&c->part) > SCN_HOST_LINE_MAX)
		buf_reset(&c->part);
	scn_host_next(c->h);
}

/* Open a slave as a host would; 0 or -1 (not there yet). */
static int
scn_host_open1(struct scn_conn *c)
{
	struct termios t;
	int fd;

	if (c->fd != -1)
		return 0;
	if ((fd = open(c->link, O_RDWR | O_NOCTTY | O_NONBLOCK)) == -1)
		return -1;
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		cfsetispeed(&t, B115200);
		cfsetospeed(&t, B115200);
		tcsetattr(fd, TCSANOW, &t);
	}
	c->fd = fd;
	c->gone = 0;
	c->opened = 1;
	/* What was in flight on the old pty is lost with it. */
	c->wrote = c->port->bytes_in;
	c->read = c->port->bytes_out;
	ev_io_init(&c->rio, scn_host_read_cb, fd, EV_READ);
	c->rio.data = c;
	ev_io_start(c->h->loop, &c->rio);
	ev_io_init(&c->wio, scn_host_write_cb, fd, EV_WRITE);
	c->wio.data = c;
	return 0;
}

/* Open every interface (they appear together); 0, or -1 while one is not
 * there yet. */
static int
scn_host_open(struct scn_host *h)
{
	int i, rc = 0;

	for (i = 0; i < h->nconn; i++)
		if (scn_host_open1(&h->conn[i]) != 0)
			rc = -1;
	return rc;
}

static void
scn_host_open_cb(struct clock_timer *t, void *arg)
{
	struct scn_host *h = arg;

	(void)t;
	if (scn_host_open(h) != 0) {
		clock_timer_start(&h->open_t, SCN_HOST_POLL);
		return;
	}
	/* The port came back: a reopen step is done. */
	if (h->step < h->s->nsteps && h->s->steps[h->step].kind == SCN_REOPEN &&
	    h->waiting) {
		clock_timer_stop(&h->step_t);
		h->waiting = 0;
		h->step++;
	}
	scn_host_next(h);
}

static void
scn_host_step_cb(struct clock_timer *t, void *arg)
{
	struct scn_host *h = arg;
	const struct scn_step *st = &h->s->steps[h->step];
	struct scn_conn *c = scn_host_conn(h, st);
	struct buf last;
	char *want;

	(void)t;
	h->waiting = 0;
	switch (st->kind) {
	case SCN_SLEEP:
		h->step++;
		scn_host_next(h);
		break;
	case SCN_EXPECT:
		want = scn_host_expand(h, st->text);
		/* The last line read says where the module was (escaped:
		 * it may hold anything). */
		buf_init(&last);
		if (c->nlines > 0)
			buf_add_escaped(&last, c->lines[c->nlines - 1],
			    strlen(c->lines[c->nlines - 1]) > 200 ? 200 :
			    strlen(c->lines[c->nlines - 1]));
		buf_add(&last, "", 1);
		scn_host_finish(h, "expect%s %s: nothing matched within "
		    "%gs%s%s%s", st->port2 ? "2" : "", want, st->secs,
		    c->fd == -1 ? " (the port is gone)" : "",
		    c->nlines ? "; the last line read: " : "",
		    (const char *)buf_head(&last));
		buf_free(&last);
		free(want);
		break;
	case SCN_REOPEN:
		scn_host_finish(h, "reopen after reboot: the port did not come "
		    "back within %gs", st->secs);
		break;
	case SCN_SEND:
	case SCN_SEND_DATA:
	case SCN_SEND_FILE:
	case SCN_RETRY:
	case SCN_RETRY_END:
		break;
	}
}

static void
scn_host_retry_cb(struct clock_timer *t, void *arg)
{
	(void)t;
	scn_host_next(arg);
}

/* send-file: write what the port takes now; 1 when all is written, 0 to
 * wait for the port (EV_WRITE), -1 on error. */
static int
scn_host_file_write(struct scn_host *h, struct scn_conn *c)
{
	ssize_t k;

	while (h->file_off < h->file_len) {
		k = write(c->fd, h->file + h->file_off,
		    h->file_len - h->file_off);
		if (k > 0) {
			h->file_off += (size_t)k;
			c->wrote += (unsigned long long)k;
			continue;
		}
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1 && errno == EAGAIN) {
			ev_io_start(h->loop, &c->wio);
			return 0;
		}
		return -1;
	}
	ev_io_stop(h->loop, &c->wio);
	return 1;
}

static void
scn_host_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct scn_conn *c = w->data;

	(void)loop; (void)revents;
	ev_io_stop(c->h->loop, &c->wio);
	scn_host_next(c->h);
}

/* Load a served file for send-file; 0 or -1. */
static int
scn_host_file_load(struct scn_host *h, const char *name)
{
	char *path;
	FILE *f;
	struct stat st;
	int rc = -1;

	xasprintf(&path, "%s/%s", h->vars.root ? h->vars.root : ".", name);
	if ((f = fopen(path, "rb")) != NULL && fstat(fileno(f), &st) == 0) {
		h->file_len = (size_t)st.st_size;
		h->file = xmalloc(h->file_len ? h->file_len : 1);
		h->file_off = 0;
		rc = fread(h->file, 1, h->file_len, f) == h->file_len ? 0 : -1;
	}
	if (f != NULL)
		fclose(f);
	free(path);
	return rc;
}

/* Write a command line and CR (or, with cr 0, the text alone); 0 or -1. */
static int
scn_host_send(struct scn_conn *c, const char *text, int cr)
{
	char *line;
	size_t n, off = 0;
	ssize_t k;
	int rc = 0;

	xasprintf(&line, "%s%s", text, cr ? "\r" : "");
	n = strlen(line);
	while (off < n) {
		k = write(c->fd, line + off, n - off);
		if (k > 0) {
			off += (size_t)k;
			c->wrote += (unsigned long long)k;
			continue;
		}
		if (k == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		rc = -1;
		break;
	}
	free(line);
	return rc;
}

/* Run steps until one has to wait. */
static void
scn_host_next(struct scn_host *h)
{
	const struct scn_step *st;
	struct scn_conn *c;
	char *text;
	size_t i, j;
	int k;

	while (!h->finished) {
		if (h->step == h->s->nsteps) {
			scn_host_finish(h, NULL);
			return;
		}
		st = &h->s->steps[h->step];
		c = scn_host_conn(h, st);
		switch (st->kind) {
		case SCN_SEND:
		case SCN_SEND_DATA:
			if (c->fd == -1) {
				if (!c->opened)
					return;		/* not open yet */
				scn_host_finish(h, "send: the port is gone");
				return;
			}
			text = scn_host_expand(h, st->text);
			if (scn_host_send(c, text, st->kind == SCN_SEND) != 0) {
				free(text);
				scn_host_finish(h, "send: %s", strerror(errno));
				return;
			}
			free(text);
			h->step++;
			break;
		case SCN_EXPECT:
			text = scn_host_expand(h, st->text);
			for (i = 0; i < c->nlines; i++)
				if (fnmatch(text, c->lines[i], 0) == 0)
					break;
			free(text);
			if (i == c->nlines) {
				/* Keep what was read: a later line may match. */
				if (!h->waiting) {
					h->waiting = 1;
					clock_timer_start(&h->step_t, st->secs);
				}
				return;
			}
			for (j = 0; j <= i; j++)
				free(c->lines[j]);
			memmove(c->lines, c->lines + i + 1,
			    (c->nlines - i - 1) * sizeof *c->lines);
			c->nlines -= i + 1;
			clock_timer_stop(&h->step_t);
			h->waiting = 0;
			h->step++;
			break;
		case SCN_REOPEN:
			if (!h->waiting) {
				h->waiting = 1;
				clock_timer_start(&h->step_t, st->secs);
			}
			/* Every interface goes and comes back together: the
			 * step waits until all of them were gone. */
			for (k = 0; k < h->nconn; k++)
				if (h->conn[k].fd != -1)
					break;
			if (k < h->nconn || clock_timer_active(&h->open_t))
				return;
			/* Gone: lines of the old ports are the old ports'. */
			for (k = 0; k < h->nconn; k++)
				scn_host_forget_lines(&h->conn[k]);
			if (scn_host_open(h) != 0) {
				clock_timer_start(&h->open_t, SCN_HOST_POLL);
				return;
			}
			clock_timer_stop(&h->step_t);
			h->waiting = 0;
			h->step++;
			break;
		case SCN_SLEEP:
			if (!h->waiting) {
				h->waiting = 1;
				clock_timer_start(&h->step_t, st->secs);
			}
			return;
		case SCN_RETRY:
			h->retry_at = (long)h->step;
			h->tries_left = st->count - 1;
			h->step++;
			break;
		case SCN_RETRY_END:
			h->retry_at = -1;
			h->step++;
			break;
		case SCN_SEND_FILE:
			if (c->fd == -1) {
				scn_host_finish(h, "send-file: the port is gone");
				return;
			}
			if (h->file == NULL && scn_host_file_load(h, st->text)
			    != 0) {
				scn_host_finish(h, "send-file: cannot read /%s",
				    st->text);
				return;
			}
			switch (scn_host_file_write(h, c)) {
			case 0:
				return;
			case -1:
				scn_host_finish(h, "send-file: %s",
				    strerror(errno));
				return;
			}
			free(h->file);
			h->file = NULL;
			h->step++;
			break;
		}
	}
}

struct scn_host *
scn_host_start(const struct scenario *s, struct modem *m, const char *link,
    const struct scn_host_vars *vars, void (*done)(void *, const char *),
    void *arg)
{
	struct scn_host *h = xcalloc(1, sizeof *h);
	struct scn_conn *c;
	int i;

	h->s = s;
	h->m = m;
	h->clock = m->clock;
	h->loop = clock_loop(m->clock);
	h->vars = *vars;
	h->done = done;
	h->arg = arg;
	/* The second interface only when the scenario drives it. */
	h->nconn = s->second_port && m->niface > 1 ? 2 : 1;
	for (i = 0; i < h->nconn; i++) {
		c = &h->conn[i];
		c->h = h;
		c->port = &m->iface[i].port;
		c->link = xstrdup(i == 0 ? link : m->cfg.link2);
		c->fd = -1;
		buf_init(&c->part);
		c->port->host_read_all = scn_host_read_all;
		c->port->host_arg = c;
	}
	clock_timer_init(&h->step_t, h->clock, scn_host_step_cb, h);
	clock_timer_init(&h->open_t, h->clock, scn_host_open_cb, h);
	clock_timer_init(&h->retry_t, h->clock, scn_host_retry_cb, h);
	h->retry_at = -1;
	clock_set_guard(h->clock, scn_host_busy, h);
	/* The host is the last peer outside the loop that a watchdog waits
	 * for: with it in here, nothing is outside. */
	clock_set_closed(h->clock);
	/* The port appears during the boot: try until it is there. */
	clock_timer_start(&h->open_t, 0);
	return h;
}

void
scn_host_free(struct scn_host *h)
{
	struct scn_conn *c;
	int i;

	if (h == NULL)
		return;
	clock_set_guard(h->clock, NULL, NULL);
	clock_timer_stop(&h->retry_t);
	clock_timer_stop(&h->step_t);
	clock_timer_stop(&h->open_t);
	for (i = 0; i < h->nconn; i++) {
		c = &h->conn[i];
		c->port->host_read_all = NULL;
		c->port->host_arg = NULL;
		scn_host_close(c);
		scn_host_forget_lines(c);
		free(c->lines);
		buf_free(&c->part);
		free(c->link);
	}
	free(h->file);
	free(h);
}
