/*
 * fsnet.c: listening sockets shared by the fake servers, and the capped
 * listener they all accept on.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fslog.h"
#include "fsnet.h"
#include "util.h"

int
fsnet_listen(const char *what, const char *addr, int port, char **err)
{
	struct addrinfo hints, *res;
	char portstr[16];
	int fd, one = 1, rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	snprintf(portstr, sizeof portstr, "%d", port);
	if ((rc = getaddrinfo(addr, portstr, &hints, &res)) != 0) {
		xasprintf(err, "bad address %s: %s", addr, gai_strerror(rc));
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) == -1 ||
	    listen(fd, 1024) == -1) {
		xasprintf(err, "%s on %s port %d: %s", what, addr, port,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

int
fsnet_socket_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

/*
 * Measured in bench/servers: with the whole file in the socket, serving
 * 8 MB to 32 clients cost 0.6-0.7x the server CPU per GB of an autotuned
 * buffer, which has the loop come back once per drained piece.
 */
void
fsnet_widen_sndbuf(int fd, long long bytes)
{
	int have, want;
	socklen_t len = sizeof have;

	if (fd == -1 || bytes <= 0)
		return;
	want = bytes > INT_MAX / 2 ? INT_MAX / 2 : (int)bytes;
	/* getsockopt reports the doubled size the kernel keeps. */
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &have, &len) == 0 &&
	    have / 2 < want)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof want);
}

/*
 * Refuse a connection the cap (or the descriptor limit) leaves no room
 * for: read what it sent already, so that the close does not turn into an
 * RST that could destroy the refusal in flight, write the refusal, close.
 */
static void
fsnet_listener_refuse(struct fsnet_listener *l, int fd, const char *why)
{
	char junk[4096];
	int i;

	for (i = 0; i < 16 && recv(fd, junk, sizeof junk, MSG_DONTWAIT) > 0; i++)
		;
	if (l->refusal != NULL)
		(void)send(fd, l->refusal, strlen(l->refusal),
		    MSG_DONTWAIT | MSG_NOSIGNAL);
	close(fd);
	fslog(FSLOG_INFO, "%s: refused a connection: %s", l->what, why);
}

/* Accept was paused with no spare descriptor; try again. */
static void
fsnet_listener_backoff_cb(struct clock_timer *t, void *arg)
{
	struct fsnet_listener *l = arg;

	(void)t;
	if (l->spare == -1)
		l->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ev_io_start(l->loop, &l->io);
}

/* Out of descriptors: refuse one pending connection with the spare. */
static int
fsnet_listener_emfile(struct fsnet_listener *l)
{
	char why[96];
	int fd;

	if (l->spare == -1) {
		fslog(FSLOG_ERROR, "%s: accept: %s; pausing", l->what,
		    strerror(errno));
		ev_io_stop(l->loop, &l->io);
		clock_timer_start(&l->backoff, 0.1);
		return -1;
	}
	snprintf(why, sizeof why, "accept: %s", strerror(errno));
	close(l->spare);
	l->spare = -1;
	fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd != -1)
		fsnet_listener_refuse(l, fd, why);
	l->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return fd == -1 ? -1 : 0;
}

/* Accept every pending connection, within the cap. */
static void
fsnet_listener_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct fsnet_listener *l = w->data;
	struct sockaddr_storage peer;
	socklen_t len;
	char why[96];
	int fd;

	(void)loop;
	(void)revents;
	for (;;) {
		len = sizeof peer;
		fd = accept4(l->fd, (struct sockaddr *)&peer, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if ((errno == EMFILE || errno == ENFILE) &&
			    fsnet_listener_emfile(l) == 0)
				continue;
			return;
		}
		if (l->open >= l->max) {
			snprintf(why, sizeof why, "%zu open, the cap "
			    "(--max-connections)", l->open);
			fsnet_listener_refuse(l, fd, why);
			continue;
		}
		l->open++;
		l->accept(l->arg, fd, &peer, len);
	}
}

int
fsnet_listener_start(struct fsnet_listener *l, struct ev_loop *loop,
    struct clock *clock, const char *what, const char *addr, int port,
    size_t max, const char *refusal, fsnet_accept_fn fn, void *arg,
    char **err)
{
	memset(l, 0, sizeof *l);
	if ((l->fd = fsnet_listen(what, addr, port, err)) == -1)
		return -1;
	l->loop = loop;
	l->what = what;
	l->max = max > 0 ? max : FSNET_MAX_CONNECTIONS;
	l->refusal = refusal;
	l->accept = fn;
	l->arg = arg;
	l->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	clock_timer_init(&l->backoff, clock, fsnet_listener_backoff_cb, l);
	ev_io_init(&l->io, fsnet_listener_cb, l->fd, EV_READ);
	l->io.data = l;
	ev_io_start(loop, &l->io);
	return 0;
}

void
fsnet_listener_closed(struct fsnet_listener *l)
{
	if (l->open == 0)
		fatal("fsnet_listener_closed: %s: no connection open", l->what);
	l->open--;
}

int
fsnet_listener_port(const struct fsnet_listener *l)
{
	return fsnet_socket_port(l->fd);
}

void
fsnet_listener_stop(struct fsnet_listener *l)
{
	if (l->loop == NULL)
		return;
	ev_io_stop(l->loop, &l->io);
	clock_timer_stop(&l->backoff);
	close(l->fd);
	if (l->spare != -1)
		close(l->spare);
	l->loop = NULL;
}
