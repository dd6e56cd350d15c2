/*
 * port.c: the pty behind the AT port.
 *
 * A pty master is not told when the host opens the slave, and "nobody has
 * the slave open" shows on the master only as POLLHUP, a level that would
 * spin an ev_io.  So the port watches the host with two events instead of a
 * timer: inotify IN_OPEN on the slave node says somebody opened it, and a
 * private epoll set holding the master with no events asked for (epoll
 * always reports EPOLLHUP) says the host hung up; it is armed only while a
 * host is attached, so neither level spins.  Each event is only a hint:
 * poll() on the master decides.  Without inotify (no instances left) a short
 * wall-clock poll does the same job.  The host's termios is read on attach,
 * on input and when the owner asks, since modem-line ioctls do not work on
 * a pty.  These observe the host, not the module, so they run on wall time.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "port.h"
#include "translog.h"

#define PORT_WATCH_INTERVAL	0.005	/* wall seconds, polling fallback */
#define PORT_READ_CHUNK		4096
#define PORT_DRAIN_QUIET	0.05	/* wall seconds since the last write */
#define PORT_DRAIN_ZEROES	3	/* consecutive "nothing unread" samples */
#define PORT_OUT_HIGH		65536	/* stop reading input above this */
#define PORT_OUT_LOW		16384	/* ...and resume below this */

static ssize_t	port_read_once(struct port *);
static void	port_deliver(struct port *);
static void	port_rio_cb(struct ev_loop *, ev_io *, int);
static void	port_wio_cb(struct ev_loop *, ev_io *, int);
static void	port_nio_cb(struct ev_loop *, ev_io *, int);
static void	port_hio_cb(struct ev_loop *, ev_io *, int);
static void	port_watch_cb(struct ev_loop *, ev_timer *, int);
static void	port_drain_cb(struct ev_loop *, ev_timer *, int);

void
port_init(struct port *p, struct ev_loop *loop, const char *link,
    const struct port_cb *cb, void *arg)
{
	memset(p, 0, sizeof *p);
	p->loop = loop;
	p->link = xstrdup(link);
	p->comp = "port";
	p->tl_host = TRANSLOG_HOST;
	p->tl_modem = TRANSLOG_MODEM;
	p->fd = -1;
	p->nfd = -1;
	p->hfd = -1;
	p->cb = *cb;
	p->arg = arg;
	buf_init(&p->out);
	buf_init(&p->in);
	ev_init(&p->rio, port_rio_cb);
	p->rio.data = p;
	ev_init(&p->wio, port_wio_cb);
	p->wio.data = p;
	ev_init(&p->nio, port_nio_cb);
	p->nio.data = p;
	ev_init(&p->hio, port_hio_cb);
	p->hio.data = p;
	ev_init(&p->watch, port_watch_cb);
	p->watch.data = p;
	ev_init(&p->drain, port_drain_cb);
	p->drain.data = p;
}

/* Point the link at the current slave atomically (temp name, rename). */
static int
port_relink(struct port *p)
{
	char *tmp;
	int rc;

	xasprintf(&tmp, "%s.tmp%ld", p->link, (long)getpid());
	unlink(tmp);
	rc = symlink(p->slave, tmp);
	if (rc == 0 && (rc = rename(tmp, p->link)) != 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

/*
 * Remove the link while the port is gone, as a USB tty node disappears
 * during re-enumeration: the old slave's number may be handed to another
 * program's pty at once, and a host must not open that by mistake.  Only a
 * link that still names our slave is removed.
 */
static void
port_unlink(struct port *p)
{
	char target[sizeof p->slave];
	ssize_t n;

	n = readlink(p->link, target, sizeof target - 1);
	if (n < 0)
		return;
	target[n] = '\0';
	if (strcmp(target, p->slave) == 0)
		unlink(p->link);
}

/* The baud rate in bits per second of a termios speed code. */
static unsigned long
port_baud_rate(speed_t code)
{
	static const struct { speed_t code; unsigned long bps; } rates[] = {
		{ B0, 0 }, { B1200, 1200 }, { B2400, 2400 }, { B4800, 4800 },
		{ B9600, 9600 }, { B19200, 19200 }, { B38400, 38400 },
		{ B57600, 57600 }, { B115200, 115200 }, { B230400, 230400 },
		{ B460800, 460800 }, { B921600, 921600 }, { B1000000, 1000000 },
		{ B2000000, 2000000 }, { B3000000, 3000000 }, { B4000000, 4000000 },
	};
	size_t i;

	for (i = 0; i < nitems(rates); i++)
		if (rates[i].code == code)
			return rates[i].bps;
	return 0;
}

/* Read the host's baud rate and flow control; returns 1 if they changed. */
static int
port_sample_termios(struct port *p)
{
	struct termios t;
	speed_t baud;
	int crtscts;

	if (tcgetattr(p->fd, &t) != 0)
		return 0;
	baud = port_baud_rate(cfgetospeed(&t));
	crtscts = (t.c_cflag & CRTSCTS) != 0;
	if (baud == p->baud && crtscts == p->crtscts)
		return 0;
	p->baud = baud;
	p->crtscts = crtscts;
	return 1;
}

int
port_refresh_termios(struct port *p)
{
	if (p->fd == -1 || !port_sample_termios(p))
		return 0;
	translog_state(p->log, p->comp, "termios baud=%lu crtscts=%d",
	    p->baud, p->crtscts);
	if (p->cb.event != NULL)
		p->cb.event(p->arg, PORT_TERMIOS);
	return 1;
}

/* Stop watching the host (the pty is going away). */
static void
port_unwatch(struct port *p)
{
	ev_io_stop(p->loop, &p->nio);
	ev_io_stop(p->loop, &p->hio);
	ev_timer_stop(p->loop, &p->watch);
	if (p->nfd != -1)
		close(p->nfd);
	if (p->hfd != -1)
		close(p->hfd);
	p->nfd = p->hfd = -1;
}

/*
 * Watch the slave for opens and get ready to hear the master's hang-up;
 * without inotify or epoll, poll instead.  The watch is made before the link
 * exists, so no host can open the slave unseen.
 */
static void
port_watch(struct port *p)
{
	const char *why = "asked to";

	if (!p->polling) {
		p->nfd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		p->hfd = epoll_create1(EPOLL_CLOEXEC);
		if (p->nfd != -1 && p->hfd != -1 &&
		    inotify_add_watch(p->nfd, p->slave, IN_OPEN) != -1) {
			ev_io_set(&p->nio, p->nfd, EV_READ);
			ev_io_start(p->loop, &p->nio);
			ev_io_set(&p->hio, p->hfd, EV_READ);
			return;
		}
		why = strerror(errno);
		port_unwatch(p);
	}
	translog_state(p->log, p->comp, "watching the host by polling: %s",
	    why);
	ev_timer_set(&p->watch, 0, PORT_WATCH_INTERVAL);
	ev_timer_again(p->loop, &p->watch);
}

/* Listen for the attached host's hang-up (on), or stop (off). */
static void
port_watch_hup(struct port *p, int on)
{
	struct epoll_event ev = { .events = 0 };	/* EPOLLHUP only */

	if (p->hfd == -1 || on == ev_is_active(&p->hio))
		return;
	if (on && epoll_ctl(p->hfd, EPOLL_CTL_ADD, p->fd, &ev) == 0)
		ev_io_start(p->loop, &p->hio);
	if (!on) {
		ev_io_stop(p->loop, &p->hio);
		epoll_ctl(p->hfd, EPOLL_CTL_DEL, p->fd, &ev);
	}
}

int
port_open(struct port *p)
{
	struct termios t;
	int fd, s, saved;

	if (p->fd != -1)
		port_close(p);
	fd = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (grantpt(fd) != 0 || unlockpt(fd) != 0 ||
	    ptsname_r(fd, p->slave, sizeof p->slave) != 0)
		goto fail;
	/* Raw before anything is written, or the line discipline echoes. */
	if (tcgetattr(fd, &t) != 0)
		goto fail;
	cfmakeraw(&t);
	cfsetispeed(&t, B115200);
	cfsetospeed(&t, B115200);
	if (tcsetattr(fd, TCSANOW, &t) != 0)
		goto fail;
	/*
	 * A slave that was never opened shows no POLLHUP; open and close it
	 * once so that "nobody attached" looks the same from the start.
	 */
	if ((s = open(p->slave, O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		goto fail;
	close(s);
	p->fd = fd;
	port_watch(p);
	if (port_relink(p) != 0) {
		port_unwatch(p);
		p->fd = -1;
		goto fail;
	}
	p->attached = 0;
	p->baud = 0;
	p->crtscts = -1;
	port_sample_termios(p);
	buf_reset(&p->out);
	buf_reset(&p->in);
	ev_io_set(&p->rio, fd, EV_READ);
	ev_io_set(&p->wio, fd, EV_WRITE);
	translog_state(p->log, p->comp, "up %s", p->slave);
	if (ev_is_active(&p->nio))	/* look once, as the poll would */
		ev_feed_event(p->loop, &p->nio, EV_READ);
	return 0;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/*
 * Read input only while the owner wants it and the host is reading our
 * output: a host that sends commands but never reads the answers is pushed
 * back on (its writes block), instead of growing our buffer without bound.
 */
static void
port_update_reading(struct port *p)
{
	size_t queued = buf_used(&p->out);

	if (queued > PORT_OUT_HIGH)
		p->backlogged = 1;
	else if (queued < PORT_OUT_LOW)
		p->backlogged = 0;
	/* Input read earlier but held back by the backlog goes first. */
	if (!p->backlogged && buf_used(&p->in) > 0)
		port_deliver(p);
	if (p->fd != -1 && p->attached && !p->paused && !p->backlogged &&
	    buf_used(&p->in) == 0)
		ev_io_start(p->loop, &p->rio);
	else
		ev_io_stop(p->loop, &p->rio);
}

/*
 * Hand buffered input to the owner, which takes what it can: it stops at a
 * line end when its output is backlogged, so one chunk of input cannot
 * produce unbounded output.  What the owner answers is collected and written
 * once at the end (echo, response and final result code in one write()).
 * Never re-entered from the owner's callback.
 */
static void
port_deliver(struct port *p)
{
	size_t used;

	if (p->delivering)
		return;
	p->delivering = 1;
	port_cork(p);
	while (p->fd != -1 && buf_used(&p->in) > 0 && !p->paused &&
	    (p->leaving || !p->backlogged) && p->cb.input != NULL) {
		used = p->cb.input(p->arg, buf_head(&p->in), buf_used(&p->in));
		if (p->fd == -1 || used == 0)
			break;		/* closed (buffers reset), or stalled */
		buf_drain(&p->in, used);
	}
	port_uncork(p);
	p->delivering = 0;
}

/* Open the slave for a moment beside the host, who does not notice. */
static int
port_open_aside(struct port *p)
{
	return open(p->slave, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
}

/*
 * Discard what we wrote that the host has not read.  tcflush(TCOFLUSH) on
 * the master does not reach it on current kernels; TCIFLUSH on the slave
 * does.
 */
static void
port_discard_unread(struct port *p)
{
	int s;

	if ((s = port_open_aside(p)) == -1)
		return;
	tcflush(s, TCIFLUSH);
	close(s);
}

/* The host went away: stop I/O and forget queued output. */
static void
port_detach(struct port *p)
{
	if (!p->attached)
		return;
	p->attached = 0;
	ev_io_stop(p->loop, &p->rio);
	ev_io_stop(p->loop, &p->wio);
	port_watch_hup(p, 0);
	buf_reset(&p->out);
	buf_reset(&p->in);
	/* Now, so that the next host cannot read it before port_attach. */
	port_discard_unread(p);
	translog_state(p->log, p->comp, "host detached");
	if (p->cb.event != NULL)
		p->cb.event(p->arg, PORT_DETACH);
}

/* The host opened the port: flush stale output and start reading. */
static void
port_attach(struct port *p)
{
	p->attached = 1;
	p->backlogged = 0;
	port_discard_unread(p);
	port_watch_hup(p, 1);
	port_update_reading(p);
	translog_state(p->log, p->comp, "host attached");
	if (p->cb.event != NULL)
		p->cb.event(p->arg, PORT_ATTACH);
	port_refresh_termios(p);
}

void
port_close(struct port *p)
{
	if (p->fd == -1)
		return;
	ev_io_stop(p->loop, &p->rio);
	ev_io_stop(p->loop, &p->wio);
	ev_timer_stop(p->loop, &p->drain);
	port_unwatch(p);
	close(p->fd);
	p->fd = -1;
	p->attached = 0;
	buf_reset(&p->out);
	buf_reset(&p->in);
	port_unlink(p);
	translog_state(p->log, p->comp, "down %s", p->slave);
}

void
port_free(struct port *p)
{
	port_close(p);
	free(p->link);
	p->link = NULL;
	buf_free(&p->out);
	buf_free(&p->in);
}

int
port_backlogged(const struct port *p)
{
	return p->backlogged;
}

int
port_is_open(const struct port *p)
{
	return p->fd != -1;
}

/* Write as much queued output as the pty takes now. */
static void
port_flush(struct port *p)
{
	ssize_t n;

	while (buf_used(&p->out) > 0) {
		n = write(p->fd, buf_head(&p->out), buf_used(&p->out));
		if (n > 0) {
			translog_io(p->log, p->tl_modem, buf_head(&p->out),
			    (size_t)n);
			p->bytes_out += (unsigned long long)n;
			buf_drain(&p->out, (size_t)n);
			p->last_write = ev_now(p->loop);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			ev_io_start(p->loop, &p->wio);
			port_update_reading(p);
			return;
		}
		port_detach(p);
		return;
	}
	ev_io_stop(p->loop, &p->wio);
	port_update_reading(p);
}

void
port_write(struct port *p, const void *data, size_t n)
{
	if (p->fd == -1 || !p->attached || p->leaving || n == 0)
		return;
	buf_add(&p->out, data, n);
	/* Corked: collect, but a large answer goes out as it grows. */
	if (p->corked > 0 && buf_used(&p->out) < PORT_OUT_LOW)
		return;
	port_flush(p);
}

void
port_cork(struct port *p)
{
	p->corked++;
}

void
port_uncork(struct port *p)
{
	if (p->corked > 0 && --p->corked == 0 && p->fd != -1 &&
	    p->attached && buf_used(&p->out) > 0)
		port_flush(p);
}

size_t
port_queued(const struct port *p)
{
	return buf_used(&p->out);
}

void
port_pause(struct port *p, int paused)
{
	p->paused = paused;
	port_update_reading(p);
}

/* Hand on n bytes the host sent. */
static void
port_take(struct port *p, const unsigned char *data, size_t n)
{
	translog_io(p->log, p->tl_host, data, n);
	p->bytes_in += (unsigned long long)n;
	/* The host may have changed its settings before sending. */
	port_refresh_termios(p);
	buf_add(&p->in, data, n);
	port_deliver(p);
	if (p->fd != -1)
		port_update_reading(p);
}

/* Read one chunk of input and hand it on; returns bytes read, 0 or -1. */
static ssize_t
port_read_once(struct port *p)
{
	unsigned char data[PORT_READ_CHUNK];
	ssize_t n;

	n = read(p->fd, data, sizeof data);
	if (n > 0)
		port_take(p, data, (size_t)n);
	return n;
}

/* Whether nobody holds the slave open (the master reports POLLHUP). */
static int
port_hung_up(struct port *p)
{
	struct pollfd pfd = { .fd = p->fd, .events = 0 };

	return poll(&pfd, 1, 0) >= 0 && (pfd.revents & POLLHUP) != 0;
}

/* Input from the host, or the hang-up that ends it. */
static void
port_rio_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct port *p = w->data;
	ssize_t n;

	(void)loop; (void)revents;
	n = port_read_once(p);
	if (n > 0 || (n == -1 && (errno == EAGAIN || errno == EINTR)))
		return;
	if (p->fd != -1)
		port_detach(p);
}

/* The pty has room again. */
static void
port_wio_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop; (void)revents;
	port_flush(w->data);
}

/*
 * Whether somebody holds the slave open decides attached or not; the
 * events (or the poll timer) only say when to look.
 */
static void
port_check_host(struct port *p)
{
	unsigned char data[PORT_READ_CHUNK];
	ssize_t n;
	int hup;

	if (p->fd == -1)
		return;
	hup = port_hung_up(p);
	if (!p->attached && !hup)
		port_attach(p);
	else if (p->attached && hup) {
		/*
		 * What the host sent before it left is still its input: run
		 * it, with its answers going nowhere.  Each piece is read
		 * before looking again: bytes read while the master still
		 * hangs up came from a host that has left, but a host that
		 * opened the slave since may have written them (a quick
		 * close and reopen): then they are the new host's, for the
		 * new attachment.
		 */
		p->leaving = 1;
		while (p->fd != -1 && p->attached && !p->paused &&
		    (n = read(p->fd, data, sizeof data)) > 0) {
			if (!port_hung_up(p)) {
				p->leaving = 0;
				port_detach(p);
				if (p->fd == -1)
					return;
				port_attach(p);
				port_take(p, data, (size_t)n);
				return;
			}
			port_take(p, data, (size_t)n);
		}
		p->leaving = 0;
		port_detach(p);
	}
}

/* Somebody opened the slave: the host, or our own brief opens. */
static void
port_nio_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct port *p = w->data;
	char events[sizeof(struct inotify_event) * 16];

	(void)loop; (void)revents;
	while (read(p->nfd, events, sizeof events) > 0)
		;
	port_check_host(p);
}

/* The master hung up: the last holder of the slave closed it. */
static void
port_hio_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop; (void)revents;
	port_check_host(w->data);
}

/* Polling fallback: look for the host attaching or detaching. */
static void
port_watch_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop; (void)revents;
	port_check_host(w->data);
}

/* Bytes written to the pty that the host has not read yet. */
static int
port_unread(struct port *p)
{
	int s, n = 0;

	if ((s = port_open_aside(p)) == -1)
		return 0;
	if (ioctl(s, FIONREAD, &n) != 0)
		n = 0;
	close(s);
	return n;
}

/*
 * One step of port_drain: finished when the host has read everything.
 *
 * FIONREAD on the slave counts only what has reached the line discipline;
 * bytes just written by the master may still sit in the tty flip buffer
 * until a kernel worker moves them, and then read as 0.  So "read" means:
 * nothing queued by us, some quiet time since our last write, and several
 * consecutive samples with nothing unread.
 */
static void
port_drain_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct port *p = w->data;
	int done;

	(void)revents;
	if (p->fd != -1 && p->attached && buf_used(&p->out) == 0 &&
	    p->host_read_all != NULL && p->host_read_all(p->host_arg))
		p->drain_zeroes = PORT_DRAIN_ZEROES;
	else if (p->fd != -1 && p->attached && buf_used(&p->out) == 0 &&
	    ev_now(loop) - p->last_write >= PORT_DRAIN_QUIET &&
	    port_unread(p) == 0)
		p->drain_zeroes++;
	else
		p->drain_zeroes = 0;
	done = p->fd == -1 || !p->attached ||
	    p->drain_zeroes >= PORT_DRAIN_ZEROES ||
	    ev_now(loop) >= p->drain_until;
	if (!done)
		return;
	if (p->drain_zeroes < PORT_DRAIN_ZEROES && p->fd != -1 && p->attached)
		translog_state(p->log, p->comp,
		    "drain gave up: host did not read");
	ev_timer_stop(loop, w);
	if (p->cb.event != NULL)
		p->cb.event(p->arg, PORT_DRAINED);
}

void
port_drain(struct port *p, double bound)
{
	p->drain_until = ev_now(p->loop) + bound;
	p->drain_zeroes = 0;
	ev_timer_set(&p->drain, 0, PORT_WATCH_INTERVAL);
	ev_timer_again(p->loop, &p->drain);
}
