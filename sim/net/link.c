/*
 * link.c: the relay every TCP connection of the module passes through.
 *
 * libcurl never touches the network itself: its opensocket callback asks
 * link_open() for a socket, and the address it connects to is rewritten to
 * the relay's loopback listener (libcurl 7.88.1 ignores
 * CURL_SOCKOPT_ALREADY_CONNECTED and calls connect() anyway, curl issue
 * 10626, so libcurl makes a real connect to the relay).  The relay accepts
 * it, opens the real connection to the address libcurl wanted and pumps
 * bytes both ways on the modem's loop, giving each direction the link
 * profile's bandwidth (a serializer: one segment after another) and a
 * one-way delay of rtt/2 +/- jitter, on the simulated clock, so --speed
 * scales it and max mode skips the waits.  The connect is simulated too:
 * the SYN takes a one-way delay up, the real connect happens, the answer
 * takes one down.  The transfer's first connection is opened ahead of
 * libcurl (link_preconnect) so that a refusal reaches libcurl's own connect
 * and a connect that never completes runs into the module's connect timer.
 *
 * The same relay is the fault proxy: stall, blackhole, refuse, close or
 * reset after N bytes, flip the byte at K, slice into segments, each per
 * direction, per connection number and with a seeded probability.  Each
 * fault that fires is logged.  The module's socket table (LINK_SOCKETS,
 * less those other services hold) limits how many connections exist.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <unistd.h>

#include <ev.h>

#include "clock.h"
#include "link.h"
#include "translog.h"
#include "util.h"

#define LINK_CONNS	8		/* connections of one transfer */
#define LINK_READ	65536		/* bytes read at once, unshaped */
#define LINK_SEG_MIN	1460		/* a segment, shaped: one MSS... */
#define LINK_SEG_MAX	65536		/* ...up to 1 ms of the link */
#define LINK_WINDOW	(256 * 1024)	/* bytes one direction holds, at least */

static const char *const link_kind_names[LINK_NKIND] = {
	"stall", "blackhole", "refuse", "close", "reset", "flip", "slice",
};

static const char *const link_dir_names[] = { "up", "down", "any" };

enum link_seg_kind {
	SEG_DATA,
	SEG_FIN,		/* the sender closed: pass the close on */
	SEG_RST,		/* the connection is reset here */
};

struct link_seg {
	struct link_seg		*next;
	enum link_seg_kind	 kind;
	double			 due;	/* simulated time its last byte arrives */
	size_t			 len, off;
	unsigned char		 data[];
};

struct link_conn;

/* One direction of a connection. */
struct link_pipe {
	struct link_conn	*c;
	enum link_dir		 dir;
	int			*from, *to;	/* the fds it reads and writes */
	ev_io			 rd, wr;
	struct clock_timer	 t;		/* the head segment is due */
	struct link_seg		*head, *tail;
	size_t			 queued;	/* data bytes in the queue */
	uint64_t		 moved;		/* bytes read from the source */
	struct link_shaper	 shaper;
	double			 owd;		/* its one-way delay (< 0: not yet
						   drawn) */
	double			 slice_at;	/* slice: the next may leave */
	int			 eof;		/* nothing more is read */
	int			 drain;		/* read and drop (closed) */
	int			 done;		/* FIN or RST passed on */
	int			 reset;		/* ...and it was a RST */
	int			 held;		/* a close waits (fin_hold) */
	const struct link_fault	*faults[LINK_FAULTS_MAX];
	int			 nfaults;
	uint64_t		 fired;		/* faults[i] fired: bit i */
	int			 kpipe[2];	/* splice(): unshaped, no copy */
};

enum link_state {
	LC_SYN,			/* the SYN travels up */
	LC_CONNECT,		/* the real connect runs */
	LC_ANSWER,		/* its answer travels down */
	LC_OPEN,
	LC_REFUSED,
	LC_BLACKHOLE,		/* never completes */
	LC_GONE,		/* reset or closed by a fault */
};

struct link_conn {
	struct link		*l;
	int			 n;		/* 1-based, in its transfer */
	enum link_state		 state;
	int			 pre;		/* opened ahead of libcurl */
	int			 handed;	/* libcurl has its socket */
	int			 curl_fd;	/* libcurl's socket, -1 */
	in_port_t		 curl_port;	/* ...bound to this port */
	int			 accepted;	/* ...and its connect accepted */
	int			 cfd;		/* the relay's end of it */
	int			 ufd;		/* the real connection */
	int			 err;		/* why the connect failed */
	int			 fin_hold;	/* a close toward the module waits
						   for the first connection's... */
	int			 final;		/* ...final reply after a 1yz */
	int			 prelim;	/* a 1yz reply reached the module */
	char			 line[4];	/* the start of the current line */
	int			 linelen;
	struct sockaddr_storage	 peer;
	socklen_t		 peerlen;
	char			 name[64];	/* "addr:port" */
	struct clock_timer	 t;		/* connect steps */
	ev_io			 cio;		/* the real connect */
	struct link_pipe	 up, down;
};

struct link {
	struct clock		*clock;
	struct ev_loop		*loop;
	struct translog		*log;
	const struct link_profile *profile;
	struct link_faults	 faults;
	uint64_t		 rng[LINK_FAULTS_MAX];
	uint64_t		 jitter_rng;
	uint64_t		 jitter_seed;	/* the pipes' delays' streams */
	int			 in_use;	/* other services' sockets */
	const struct link	*other[LINK_OTHERS]; /* the module's other
						   relays, one socket table */
	int			 nother;
	struct link_cbs		 cbs;
	struct link_conn	*conns[LINK_CONNS];
	int			 nconn;		/* numbered so far this transfer */
	int			 lfd;		/* listener libcurl connects to */
	struct sockaddr_in	 laddr;
	ev_io			 accept_w;
	int			 rfd;		/* bound, never listening: refuses */
	struct sockaddr_in	 raddr;
};

static const struct link_profile link_unshaped = { 0, 0, 0, 0 };

static void	link_pipe_run(struct link_pipe *);
static void	link_conn_free(struct link_conn *);
static void	link_delivered(struct link_pipe *, const unsigned char *,
		    size_t);

/* ---- the arithmetic ------------------------------------------------ */

double
link_random(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0;
}

double
link_delay(const struct link_profile *p, double u)
{
	double d = p->rtt / 2 + p->jitter * (2 * u - 1);

	return d > 0 ? d : 0;
}

double
link_shape(struct link_shaper *s, double now, size_t len, double bps,
    double delay)
{
	double start = now > s->free_at ? now : s->free_at, due;

	s->free_at = start + (bps > 0 ? (double)len * 8 / bps : 0);
	due = s->free_at + delay;
	if (due < s->last_due)
		due = s->last_due;
	s->last_due = due;
	return due;
}

/* ---- parsing ------------------------------------------------------- */

/* A bandwidth: bits per second, with k or M. */
static int
link_parse_bps(const char *v, double *out)
{
	char *end;
	double x = strtod(v, &end);

	if (end == v || !(x >= 0))
		return -1;
	if (*end == 'k')
		x *= 1e3, end++;
	else if (*end == 'M')
		x *= 1e6, end++;
	if (*end != '\0' || x > 10e9)
		return -1;
	*out = x;
	return 0;
}

/* One key of a profile. */
static int
link_profile_pair(void *arg, const char *key, const char *value)
{
	struct link_profile *p = arg;

	if (strcmp(key, "down") == 0)
		return link_parse_bps(value, &p->down_bps);
	if (strcmp(key, "up") == 0)
		return link_parse_bps(value, &p->up_bps);
	if (strcmp(key, "rtt") == 0)
		return parse_double(value, 0, 60, &p->rtt);
	if (strcmp(key, "jitter") == 0)
		return parse_double(value, 0, 60, &p->jitter);
	return -1;
}

int
link_profile_parse(struct link_profile *p, const char *text, char *err,
    size_t errlen)
{
	if (parse_pairs(text, link_profile_pair, p) == 0)
		return 0;
	snprintf(err, errlen, "expected down=BPS,up=BPS,rtt=S,jitter=S "
	    "(BPS with k or M; 0: unlimited; seconds 0-60), not '%s'", text);
	return -1;
}

/* A non-negative integer. */
static int
link_parse_u64(const char *v, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long x;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0' || x > max)
		return -1;
	*out = x;
	return 0;
}

/* The keys each kind takes, as a string of initials: a(fter), t (at),
 * s(ize), g(ap); every kind takes conn, p, seed. */
static const char *const link_kind_keys[LINK_NKIND] = {
	"a", "", "", "a", "a", "t", "sg",
};

/* One SPEC; 0 or -1 with a message. */
static int
link_fault_parse(struct link_fault *f, char *spec, char *err, size_t errlen)
{
	static const struct {
		const char	*name;
		char		 key;
	} keys[] = {
		{ "after", 'a' }, { "at", 't' }, { "size", 's' }, { "gap", 'g' },
		{ "conn", 'c' }, { "p", 'p' }, { "seed", 'e' },
	};
	char *save = NULL, *w, *eq;
	size_t i;
	int k, have_at = 0;
	uint64_t u;

	memset(f, 0, sizeof *f);
	f->p = 1;
	f->seed = 1;
	f->size = 1;
	str_copy(f->text, spec, sizeof f->text);
	if ((w = strtok_r(spec, " \t", &save)) == NULL) {
		snprintf(err, errlen, "empty fault");
		return -1;
	}
	for (k = 0; k < 3 && strcmp(w, link_dir_names[k]) != 0; k++)
		;
	if (k == 3) {
		snprintf(err, errlen, "'%s': expected up, down or any first, "
		    "not '%s'", f->text, w);
		return -1;
	}
	f->dir = (enum link_dir)k;
	if ((w = strtok_r(NULL, " \t", &save)) == NULL) {
		snprintf(err, errlen, "'%s': expected a fault after '%s': "
		    "stall, blackhole, refuse, close, reset, flip or slice",
		    f->text, link_dir_names[k]);
		return -1;
	}
	for (k = 0; k < LINK_NKIND && strcmp(w, link_kind_names[k]) != 0; k++)
		;
	if (k == LINK_NKIND) {
		snprintf(err, errlen, "'%s': unknown fault '%s' (stall, "
		    "blackhole, refuse, close, reset, flip, slice)", f->text, w);
		return -1;
	}
	f->kind = (enum link_fault_kind)k;
	if ((f->kind == LINK_REFUSE || f->kind == LINK_BLACKHOLE) &&
	    f->dir != LINK_ANY) {
		snprintf(err, errlen, "'%s': %s is about the connection, not a "
		    "direction: write 'any %s'", f->text, w, w);
		return -1;
	}
	while ((w = strtok_r(NULL, " \t", &save)) != NULL) {
		if ((eq = strchr(w, '=')) == NULL) {
			snprintf(err, errlen, "'%s': expected KEY=VALUE, not "
			    "'%s'", f->text, w);
			return -1;
		}
		*eq++ = '\0';
		for (i = 0; i < nitems(keys) && strcmp(w, keys[i].name) != 0;
		    i++)
			;
		if (i == nitems(keys) || (strchr("cpe", keys[i].key) == NULL &&
		    strchr(link_kind_keys[f->kind], keys[i].key) == NULL)) {
			snprintf(err, errlen, "'%s': %s takes no %s=",
			    f->text, link_kind_names[f->kind], w);
			return -1;
		}
		switch (keys[i].key) {
		case 'a':
			if (link_parse_u64(eq, UINT64_MAX / 2, &f->after) != 0)
				goto bad;
			break;
		case 't':
			if (link_parse_u64(eq, UINT64_MAX / 2, &f->at) != 0)
				goto bad;
			have_at = 1;
			break;
		case 's':
			if (link_parse_u64(eq, 1 << 20, &u) != 0 || u == 0)
				goto bad;
			f->size = (size_t)u;
			break;
		case 'g':
			if (parse_double(eq, 0, 3600, &f->gap) != 0)
				goto bad;
			break;
		case 'c':
			if (link_parse_u64(eq, LINK_CONNS, &u) != 0 || u == 0)
				goto bad;
			f->conn = (int)u;
			break;
		case 'p':
			if (parse_double(eq, 0, 1, &f->p) != 0)
				goto bad;
			break;
		case 'e':
			if (link_parse_u64(eq, UINT64_MAX, &f->seed) != 0)
				goto bad;
			break;
		}
		continue;
bad:
		snprintf(err, errlen, "'%s': bad value '%s' for %s= (%s)",
		    f->text, eq, w, keys[i].key == 'p' ? "0 to 1" :
		    keys[i].key == 'g' ? "seconds, 0 to 3600" :
		    keys[i].key == 'c' ? "1 to 8" : keys[i].key == 's' ?
		    "1 to 1048576" : "a number of bytes");
		return -1;
	}
	if (f->kind == LINK_FLIP && !have_at) {
		snprintf(err, errlen, "'%s': flip needs at=K (the byte's "
		    "offset)", f->text);
		return -1;
	}
	return 0;
}

int
link_faults_parse(struct link_faults *f, const char *text, char *err,
    size_t errlen)
{
	char *copy = xstrdup(text), *save = NULL, *spec;
	int rc = 0, any = 0;

	for (spec = strtok_r(copy, ";", &save); spec != NULL && rc == 0;
	    spec = strtok_r(NULL, ";", &save)) {
		while (*spec == ' ' || *spec == '\t')
			spec++;
		if (*spec == '\0')
			continue;
		any = 1;
		if (f->n == LINK_FAULTS_MAX) {
			snprintf(err, errlen, "at most %d faults",
			    LINK_FAULTS_MAX);
			rc = -1;
		} else if (link_fault_parse(&f->v[f->n], spec, err,
		    errlen) == 0)
			f->n++;
		else
			rc = -1;
	}
	free(copy);
	if (rc == 0 && !any) {
		snprintf(err, errlen, "expected DIR KIND [KEY=VALUE...], "
		    "e.g. 'down reset after=40000 conn=2'");
		rc = -1;
	}
	return rc;
}

/* ---- the relay ------------------------------------------------------ */

static const struct link_profile *
link_prof(const struct link *l)
{
	return l->profile != NULL ? l->profile : &link_unshaped;
}

static int
link_shaped(const struct link *l)
{
	const struct link_profile *p = link_prof(l);

	return p->down_bps > 0 || p->up_bps > 0 || p->rtt > 0 || p->jitter > 0;
}

static double
link_owd(struct link *l)
{
	return link_delay(link_prof(l), link_random(&l->jitter_rng));
}

static void
link_log(struct link_conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
link_log(struct link_conn *c, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	translog_state(c->l->log, "link", "conn %d %s", c->n, msg);
}

/* Connections a relay holds. */
static int
link_conns_open(const struct link *l)
{
	int i, n = 0;

	for (i = 0; i < LINK_CONNS; i++)
		if (l->conns[i] != NULL)
			n++;
	return n;
}

/* Sockets of the table in use (the other relays' too). */
static int
link_sockets_used(const struct link *l)
{
	int i, n = l->in_use + link_conns_open(l);

	for (i = 0; i < l->nother; i++)
		n += link_conns_open(l->other[i]);
	return n;
}


static void	link_accept_cb(struct ev_loop *, ev_io *, int);

/* The listener libcurl connects to, and the socket that refuses. */
static int
link_listen(struct link *l)
{
	socklen_t len = sizeof l->laddr;

	if (l->lfd != -1)
		return 0;
	memset(&l->laddr, 0, sizeof l->laddr);
	l->laddr.sin_family = AF_INET;
	l->laddr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l->raddr = l->laddr;
	if ((l->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (bind(l->lfd, (struct sockaddr *)&l->laddr, sizeof l->laddr) != 0 ||
	    getsockname(l->lfd, (struct sockaddr *)&l->laddr, &len) != 0 ||
	    listen(l->lfd, 8) != 0)
		goto fail;
	len = sizeof l->raddr;
	if ((l->rfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(l->rfd, (struct sockaddr *)&l->raddr, sizeof l->raddr) != 0 ||
	    getsockname(l->rfd, (struct sockaddr *)&l->raddr, &len) != 0 ||
	    fd_set_nonblock(l->lfd) != 0)
		goto fail;
	/* Before libcurl's own watchers: the relay has its end first. */
	ev_io_init(&l->accept_w, link_accept_cb, l->lfd, EV_READ);
	l->accept_w.data = l;
	ev_set_priority(&l->accept_w, EV_MAXPRI);
	ev_io_start(l->loop, &l->accept_w);
	return 0;
fail:
	close(l->lfd);
	l->lfd = -1;
	if (l->rfd != -1)
		close(l->rfd);
	l->rfd = -1;
	return -1;
}

/* A socket for libcurl, bound so its connect can be told apart. */
static int
link_curl_socket(struct link *l, struct link_conn *c)
{
	struct sockaddr_in me = l->laddr;
	socklen_t len = sizeof me;
	int fd, sndbuf = LINK_SNDBUF;

	me.sin_port = 0;
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	/* The module's TCP stack buffers little of what it sends: a request
	 * larger than that is still being written when the link fails. */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	if (bind(fd, (struct sockaddr *)&me, sizeof me) != 0 ||
	    getsockname(fd, (struct sockaddr *)&me, &len) != 0) {
		close(fd);
		return -1;
	}
	c->curl_fd = fd;
	c->curl_port = me.sin_port;
	c->handed = 1;
	return fd;
}

/* Close with a RST. */
static void
link_close_rst(int *fd)
{
	struct linger lg = { 1, 0 };

	if (*fd == -1)
		return;
	(void)setsockopt(*fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	close(*fd);
	*fd = -1;
}

static void
link_pipe_stop(struct link_pipe *p)
{
	struct link_seg *s;

	ev_io_stop(p->c->l->loop, &p->rd);
	ev_io_stop(p->c->l->loop, &p->wr);
	clock_timer_stop(&p->t);
	while ((s = p->head) != NULL) {
		p->head = s->next;
		free(s);
	}
	p->tail = NULL;
	p->queued = 0;
	if (p->kpipe[0] != -1) {
		close(p->kpipe[0]);
		close(p->kpipe[1]);
		p->kpipe[0] = p->kpipe[1] = -1;
	}
}

/* The transfer's first connection, or NULL. */
static struct link_conn *
link_first(const struct link *l)
{
	int i;

	for (i = 0; i < LINK_CONNS; i++)
		if (l->conns[i] != NULL && l->conns[i]->n == 1)
			return l->conns[i];
	return NULL;
}

/* Whether a held close may go: the control connection delivered the
 * final reply after a preliminary one, or it is gone. */
static int
link_fin_may_go(struct link_conn *c)
{
	struct link_conn *first = link_first(c->l);

	return first == NULL || first->down.done || first->state != LC_OPEN ||
	    first->final;
}

/* FTP replies the first connection delivered: "1yz " then "2yz "-"5yz ". */
static void
link_scan_replies(struct link_conn *c, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n') {
			if (c->linelen == 4 && c->line[3] == ' ') {
				if (c->line[0] == '1')
					c->prelim = 1;
				else if (c->line[0] >= '2' && c->line[0] <= '5' &&
				    c->prelim)
					c->final = 1;
			}
			c->linelen = 0;
		} else if (c->linelen < 4)
			c->line[c->linelen++] = (char)p[i];
	}
}

/* Queue a segment; the shaper says when it arrives. */
static void
link_pipe_queue(struct link_pipe *p, enum link_seg_kind kind,
    const void *data, size_t len, double gap)
{
	struct link *l = p->c->l;
	const struct link_profile *prof = link_prof(l);
	struct link_seg *s = xmalloc(sizeof *s + len);
	double now = clock_now(l->clock);
	double bps = p->dir == LINK_UP ? prof->up_bps : prof->down_bps;

	/*
	 * libcurl reads an FTP transfer's final reply blocking, once the data
	 * connection has closed: a reply still in the relay then never comes.
	 * So a data connection's close reaches the module only after the
	 * control connection has passed on the reply that ends the transfer.
	 */
	if (kind == SEG_FIN && p->dir == LINK_DOWN && p->c->l->cbs.ftp &&
	    p->c->n >= 2)
		p->c->fin_hold = 1;
	s->next = NULL;
	s->kind = kind;
	s->len = len;
	s->off = 0;
	if (len > 0)
		memcpy(s->data, data, len);
	if (p->slice_at > now)
		now = p->slice_at;
	/*
	 * One delay per direction of a connection, drawn from its own
	 * stream: what the segments are depends on how the kernel's reads
	 * happened to come, so a draw per segment would not replay.
	 */
	if (p->owd < 0) {
		uint64_t st = l->jitter_seed ^ (((uint64_t)p->c->n << 1 |
		    (uint64_t)p->dir) * 0xd1b54a32d192ed03ULL);

		p->owd = link_delay(link_prof(l), link_random(&st));
	}
	s->due = link_shape(&p->shaper, now, len, bps, p->owd);
	if (gap >= 0)		/* slice: the next segment leaves gap later */
		p->slice_at = p->shaper.free_at + gap;
	if (p->tail != NULL)
		p->tail->next = s;
	else
		p->head = s;
	p->tail = s;
	p->queued += len;
}

/* The connection is reset: both ends get a RST, nothing more passes. */
static void
link_conn_reset(struct link_conn *c)
{
	link_pipe_stop(&c->up);
	link_pipe_stop(&c->down);
	c->up.done = c->down.done = 1;
	c->up.reset = c->down.reset = 1;
	link_close_rst(&c->cfd);
	link_close_rst(&c->ufd);
	c->state = LC_GONE;
}

/* The fault of a pipe that fires next at offset `limit`, or NULL. */
static const struct link_fault *
link_pipe_limit(const struct link_pipe *p, uint64_t *limit, int *idx)
{
	const struct link_fault *best = NULL;
	int i;

	for (i = 0; i < p->nfaults; i++) {
		const struct link_fault *f = p->faults[i];

		if ((p->fired >> i) & 1 || (f->kind != LINK_STALL &&
		    f->kind != LINK_CLOSE && f->kind != LINK_RESET))
			continue;
		/* At the same offset a reset beats a close beats a stall. */
		if (best == NULL || f->after < *limit || (f->after == *limit &&
		    f->kind > best->kind)) {
			best = f;
			*limit = f->after;
			*idx = i;
		}
	}
	return best;
}

/* A stream fault's offset is reached. */
static void
link_pipe_fire(struct link_pipe *p, const struct link_fault *f, int idx)
{
	struct link_conn *c = p->c;
	struct link_pipe *q = p == &c->up ? &c->down : &c->up;

	p->fired |= (uint64_t)1 << idx;
	link_log(c, "fault: %s %s after %llu bytes", link_dir_names[p->dir],
	    link_kind_names[f->kind], (unsigned long long)f->after);
	switch (f->kind) {
	case LINK_STALL:
		p->eof = 1;		/* nothing more is taken */
		ev_io_stop(c->l->loop, &p->rd);
		break;
	case LINK_CLOSE:
		/* Both ways: what passed arrives, then the close. */
		p->eof = q->eof = 1;
		p->drain = q->drain = 1;
		link_pipe_queue(p, SEG_FIN, NULL, 0, -1);
		link_pipe_queue(q, SEG_FIN, NULL, 0, -1);
		break;
	default:			/* LINK_RESET */
		/* The way that broke takes nothing more: a sender still
		 * writing (a long request) blocks until the RST reaches it,
		 * and then its write fails.  The other way is dropped. */
		p->eof = q->eof = 1;
		q->drain = 1;
		link_pipe_queue(p, SEG_RST, NULL, 0, -1);
		link_pipe_queue(q, SEG_RST, NULL, 0, -1);
		break;
	}
	/* The other way runs from its own timer, after this one's bytes. */
	if (q->head != NULL && !ev_is_active(&q->wr) && c->accepted)
		clock_timer_at(&q->t, q->head->due);
}

/* The slice fault of a pipe, or NULL. */
static const struct link_fault *
link_pipe_slice(const struct link_pipe *p)
{
	int i;

	for (i = 0; i < p->nfaults; i++)
		if (p->faults[i]->kind == LINK_SLICE)
			return p->faults[i];
	return NULL;
}

/* Flip the byte at a flip fault's offset if this piece holds it. */
static void
link_pipe_flip(struct link_pipe *p, unsigned char *buf, size_t n)
{
	int i;

	for (i = 0; i < p->nfaults; i++) {
		const struct link_fault *f = p->faults[i];

		if (f->kind != LINK_FLIP || f->at < p->moved ||
		    f->at >= p->moved + n)
			continue;
		buf[f->at - p->moved] ^= 0xff;
		link_log(p->c, "fault: %s flip at %llu (0x%02x -> 0x%02x)",
		    link_dir_names[p->dir], (unsigned long long)f->at,
		    buf[f->at - p->moved] ^ 0xff, buf[f->at - p->moved]);
	}
}

/* The most one direction holds. */
static size_t
link_window(const struct link *l, const struct link_pipe *p)
{
	const struct link_profile *prof = link_prof(l);
	double bps = p->dir == LINK_UP ? prof->up_bps : prof->down_bps;
	double w = 2 * bps / 8 * (prof->rtt / 2 + prof->jitter);

	return w > LINK_WINDOW ? (size_t)w + 2 * LINK_SEG_MAX : LINK_WINDOW;
}

/* A segment's size: a MSS, up to 1 ms of the link (unshaped: a read). */
static size_t
link_seg_size(const struct link *l, const struct link_pipe *p)
{
	const struct link_profile *prof = link_prof(l);
	double bps = p->dir == LINK_UP ? prof->up_bps : prof->down_bps;
	double n = bps / 8 / 1000;

	if (!(bps > 0))
		return LINK_READ;
	return n < LINK_SEG_MIN ? LINK_SEG_MIN : n > LINK_SEG_MAX ?
	    LINK_SEG_MAX : (size_t)n;
}

/* Whether bytes may go source to receiver in the kernel: unshaped,
 * nothing queued, no byte to flip, no FTP reply to follow. */
static int
link_pipe_fast(const struct link_pipe *p)
{
	struct link_conn *c = p->c;
	int i;

	if (link_shaped(c->l) || p->head != NULL || !c->accepted ||
	    *p->to == -1 || p->done || (c->l->cbs.ftp && c->n == 1 &&
	    p->dir == LINK_DOWN))
		return 0;
	for (i = 0; i < p->nfaults; i++)
		if (p->faults[i]->kind == LINK_FLIP ||
		    p->faults[i]->kind == LINK_SLICE)
			return 0;
	return 1;
}

/*
 * Up to `want` bytes from the source to the receiver through a kernel
 * pipe.  > 0: moved (what the receiver did not take is queued from buf);
 * 0: the source closed; -1: its error (errno); -2: the receiver is gone
 * (the connection is reset); -3: nothing to read now.
 */
static ssize_t
link_pipe_splice(struct link_pipe *p, size_t want, unsigned char *buf)
{
	ssize_t n, w, r;
	int one = 1;

	if (p->kpipe[0] == -1 && pipe2(p->kpipe, O_NONBLOCK | O_CLOEXEC) != 0)
		return recv(*p->from, buf, want, 0);
	n = splice(*p->from, NULL, p->kpipe[1], NULL, want,
	    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	(void)setsockopt(*p->from, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return -3;
	if (n <= 0)
		return n;
	p->moved += (uint64_t)n;
	w = splice(p->kpipe[0], NULL, *p->to, NULL, (size_t)n,
	    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (w < 0 && errno != EAGAIN && errno != EINTR) {
		link_conn_reset(p->c);
		return -2;
	}
	if (w < 0)
		w = 0;
	if (w < n) {
		/* The receiver is full: the rest waits in the queue. */
		r = read(p->kpipe[0], buf, (size_t)(n - w));
		if (r > 0)
			link_pipe_queue(p, SEG_DATA, buf, (size_t)r, -1);
	}
	return n;
}

/* Take what the source has, as far as the window and the faults allow. */
static void
link_pipe_fill(struct link_pipe *p)
{
	struct link_conn *c = p->c;
	struct link *l = c->l;
	unsigned char buf[LINK_READ];
	const struct link_fault *f, *slice;
	uint64_t limit = 0;
	size_t want;
	ssize_t n;
	int idx = 0, one = 1;

	while (!p->eof && p->queued < link_window(l, p) && *p->from != -1) {
		want = link_seg_size(l, p);
		if ((slice = link_pipe_slice(p)) != NULL && slice->size < want)
			want = slice->size;
		if ((f = link_pipe_limit(p, &limit, &idx)) != NULL) {
			if (limit <= p->moved) {
				link_pipe_fire(p, f, idx);
				continue;
			}
			if (limit - p->moved < want)
				want = (size_t)(limit - p->moved);
		}
		if (link_pipe_fast(p)) {
			n = link_pipe_splice(p, want, buf);
			if (n > 0)
				continue;	/* straight on */
			if (n == -2)
				return;		/* the receiver is gone */
			if (n == -3)
				break;		/* nothing came */
		} else
			n = recv(*p->from, buf, want, 0);
		/*
		 * ACK at once: a sender's Nagle holds a small reply (an FTP
		 * 226 after the 150) until the last one is ACKed, and a
		 * delayed ACK takes 40 ms of wall time, which max mode skips.
		 */
		(void)setsockopt(*p->from, IPPROTO_TCP, TCP_QUICKACK, &one,
		    sizeof one);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n <= 0) {
			/* The sender closed, or reset: pass it on. */
			p->eof = 1;
			link_pipe_queue(p, n == 0 ? SEG_FIN : SEG_RST, NULL, 0,
			    -1);
			break;
		}
		link_pipe_flip(p, buf, (size_t)n);
		p->moved += (uint64_t)n;
		/* Unshaped and nothing waiting: straight on, no copy. */
		if (!link_shaped(l) && slice == NULL && p->head == NULL &&
		    c->accepted && *p->to != -1) {
			ssize_t w = send(*p->to, buf, (size_t)n, MSG_NOSIGNAL);

			if (w < 0 && errno != EAGAIN && errno != EINTR) {
				link_conn_reset(c);
				return;
			}
			if (w > 0)
				link_delivered(p, buf, (size_t)w);
			if (w == n)
				continue;
			if (w > 0) {
				memmove(buf, buf + w, (size_t)(n - w));
				n -= w;
			}
		}
		link_pipe_queue(p, SEG_DATA, buf, (size_t)n,
		    slice != NULL ? slice->gap : -1);
	}
	/* Read on while there is room; a drained pipe reads and drops. */
	if (p->drain && *p->from != -1) {
		while ((n = recv(*p->from, buf, sizeof buf, 0)) > 0)
			;
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			p->drain = 0;
	}
	if (*p->from != -1 && ((!p->eof && p->queued < link_window(l, p)) ||
	    p->drain)) {
		if (!ev_is_active(&p->rd)) {
			ev_io_set(&p->rd, *p->from, EV_READ);
			ev_io_start(l->loop, &p->rd);
		}
	} else {
		ev_io_stop(l->loop, &p->rd);
	}
}

static void	link_pipe_run(struct link_pipe *);
static void	link_kick_held(struct link *);

/* Bytes reached the receiver: follow the control connection's replies. */
static void
link_delivered(struct link_pipe *p, const unsigned char *data, size_t n)
{
	struct link_conn *c = p->c;

	/* Only FTP's control connection has replies to follow: an HTTP
	 * body was scanned byte by byte for them (bench/fota-cycle). */
	if (!c->l->cbs.ftp || c->n != 1 || p->dir != LINK_DOWN)
		return;
	link_scan_replies(c, data, n);
	if (c->final)
		link_kick_held(c->l);
}

/* The first connection has delivered all it had: held closes may go. */
static void
link_kick_held(struct link *l)
{
	int i;

	for (i = 0; i < LINK_CONNS; i++)
		if (l->conns[i] != NULL && l->conns[i]->down.held &&
		    l->conns[i]->down.head != NULL &&
		    link_fin_may_go(l->conns[i])) {
			l->conns[i]->down.held = 0;
			clock_timer_at(&l->conns[i]->down.t,
			    l->conns[i]->down.head->due);
		}
}

/* Hand the due segments to the destination. */
static void
link_pipe_flush(struct link_pipe *p)
{
	struct link_conn *c = p->c;
	struct link *l = c->l;
	struct link_seg *s;
	ssize_t n;

	ev_io_stop(l->loop, &p->wr);
	if (!c->accepted) {		/* libcurl's connect has not come yet */
		clock_timer_stop(&p->t);
		return;
	}
	while ((s = p->head) != NULL && s->due <= clock_now(l->clock)) {
		if (*p->to == -1 || p->done) {
			p->head = s->next;
			p->queued -= s->len - s->off;
			free(s);
			continue;
		}
		if (s->kind == SEG_RST) {
			/* A RST toward this way's receiver; the other way
			 * delivers what it holds, then its own. */
			link_log(c, "reset toward the %s",
			    p->dir == LINK_UP ? "server" : "module");
			link_pipe_stop(p);
			link_close_rst(p->to);
			p->done = 1;
			p->reset = 1;
			if (c->up.done && c->down.done)
				c->state = LC_GONE;
			return;
		}
		if (s->kind == SEG_FIN) {
			if (c->fin_hold && !link_fin_may_go(c)) {
				clock_timer_stop(&p->t);
				p->held = 1;	/* the first one kicks it */
				return;
			}
			p->held = 0;
			(void)shutdown(*p->to, SHUT_WR);
			p->done = 1;
			/* A control connection the server closed: a kept
			 * session finds it so at its next command. */
			if (c->n == 1 && p->dir == LINK_DOWN)
				link_log(c, "closed toward the module");
		} else {
			n = send(*p->to, s->data + s->off, s->len - s->off,
			    MSG_NOSIGNAL);
			if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
				ev_io_set(&p->wr, *p->to, EV_WRITE);
				ev_io_start(l->loop, &p->wr);
				return;
			}
			if (n < 0) {
				/* The receiver is gone: so is the connection. */
				link_conn_reset(c);
				return;
			}
			link_delivered(p, s->data + s->off, (size_t)n);
			s->off += (size_t)n;
			p->queued -= (size_t)n;
			if (s->off < s->len) {
				ev_io_set(&p->wr, *p->to, EV_WRITE);
				ev_io_start(l->loop, &p->wr);
				return;
			}
		}
		p->head = s->next;
		if (p->head == NULL)
			p->tail = NULL;
		free(s);
	}
	if (p->head != NULL)
		clock_timer_at(&p->t, p->head->due);
	else
		clock_timer_stop(&p->t);
}

/* Deliver what is due, take what comes, a few rounds at most. */
static void
link_pipe_run(struct link_pipe *p)
{
	struct link_conn *c = p->c;
	int i;

	for (i = 0; i < 16; i++) {
		if (c->state != LC_OPEN || p->done)
			return;
		link_pipe_flush(p);
		if (c->state != LC_OPEN || p->done)
			return;
		link_pipe_fill(p);
		if (p->head == NULL || ev_is_active(&p->wr) || p->held ||
		    p->head->due > clock_now(c->l->clock))
			break;
	}
	if (c->state == LC_OPEN && !p->done && p->head != NULL &&
	    !ev_is_active(&p->wr) && c->accepted && !p->held)
		clock_timer_at(&p->t, p->head->due);
}

static void
link_pipe_rd_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop; (void)revents;
	link_pipe_run(w->data);
}

static void
link_pipe_timer_cb(struct clock_timer *t, void *arg)
{
	(void)t;
	link_pipe_run(arg);
}

static void
link_pipe_init(struct link_conn *c, struct link_pipe *p, enum link_dir dir)
{
	memset(p, 0, sizeof *p);
	p->c = c;
	p->dir = dir;
	p->from = dir == LINK_UP ? &c->cfd : &c->ufd;
	p->to = dir == LINK_UP ? &c->ufd : &c->cfd;
	p->kpipe[0] = p->kpipe[1] = -1;
	p->owd = -1;
	ev_init(&p->rd, link_pipe_rd_cb);
	p->rd.data = p;
	ev_init(&p->wr, link_pipe_rd_cb);
	p->wr.data = p;
	clock_timer_init(&p->t, c->l->clock, link_pipe_timer_cb, p);
}

/* The connection is open: start pumping. */
static void
link_conn_open(struct link_conn *c)
{
	c->state = LC_OPEN;
	link_pipe_run(&c->up);
	link_pipe_run(&c->down);
}

/* Tell the engine its first connection is decided. */
static void
link_ready(struct link_conn *c)
{
	if (c->pre && c->l->cbs.ready != NULL)
		c->l->cbs.ready(c->l->cbs.arg);
}

static void	link_conn_step(struct clock_timer *, void *);

/* The real connect finished. */
static void
link_connect_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct link_conn *c = w->data;
	socklen_t len = sizeof c->err;

	(void)revents;
	ev_io_stop(loop, w);
	if (getsockopt(c->ufd, SOL_SOCKET, SO_ERROR, &c->err, &len) != 0)
		c->err = errno;
	c->state = LC_ANSWER;
	clock_timer_start(&c->t, link_owd(c->l));
}

/* The connect's steps: SYN up, the real connect, the answer down. */
static void
link_conn_step(struct clock_timer *t, void *arg)
{
	struct link_conn *c = arg;
	struct link *l = c->l;

	(void)t;
	if (c->state == LC_SYN) {
		c->state = LC_CONNECT;
		c->ufd = socket(c->peer.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, 0);
		if (c->ufd == -1)
			c->err = errno;
		else if (connect(c->ufd, (struct sockaddr *)&c->peer,
		    c->peerlen) != 0 && errno != EINPROGRESS)
			c->err = errno;
		else {
			int one = 1;

			(void)setsockopt(c->ufd, IPPROTO_TCP, TCP_NODELAY, &one,
			    sizeof one);
			ev_io_init(&c->cio, link_connect_cb, c->ufd, EV_WRITE);
			c->cio.data = c;
			ev_io_start(l->loop, &c->cio);
			return;
		}
		c->state = LC_ANSWER;
		clock_timer_start(&c->t, link_owd(l));
		return;
	}
	if (c->state != LC_ANSWER)
		return;
	if (c->err != 0) {
		c->state = LC_REFUSED;
		link_log(c, "connect failed: %s", strerror(c->err));
		if (c->ufd != -1)
			close(c->ufd);
		c->ufd = -1;
		link_close_rst(&c->cfd);	/* libcurl's, if any: a RST */
		link_ready(c);
		return;
	}
	link_log(c, "established");
	link_conn_open(c);
	link_ready(c);
}

/* A new connection of the transfer, with its faults drawn; NULL: none. */
static struct link_conn *
link_conn_new(struct link *l, const struct sockaddr *sa, socklen_t len)
{
	struct link_conn *c;
	char host[INET6_ADDRSTRLEN] = "?";
	int i, slot, port = 0;

	for (slot = 0; slot < LINK_CONNS && l->conns[slot] != NULL; slot++)
		;
	if (slot == LINK_CONNS || link_sockets_used(l) >= LINK_SOCKETS ||
	    len > sizeof c->peer ||
	    (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)) {
		l->nconn++;
		translog_state(l->log, "link", "conn %d no socket (%d of %d "
		    "in use)", l->nconn, link_sockets_used(l), LINK_SOCKETS);
		return NULL;
	}
	c = xcalloc(1, sizeof *c);
	c->l = l;
	c->n = ++l->nconn;
	c->curl_fd = c->cfd = c->ufd = -1;
	memcpy(&c->peer, sa, len);
	c->peerlen = len;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
		port = ntohs(in->sin_port);
		snprintf(c->name, sizeof c->name, "%s:%d", host, port);
	} else {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
		port = ntohs(in6->sin6_port);
		snprintf(c->name, sizeof c->name, "[%s]:%d", host, port);
	}
	clock_timer_init(&c->t, l->clock, link_conn_step, c);
	link_pipe_init(c, &c->up, LINK_UP);
	link_pipe_init(c, &c->down, LINK_DOWN);
	l->conns[slot] = c;
	link_log(c, "connect %s", c->name);
	c->state = LC_SYN;
	for (i = 0; i < l->faults.n; i++) {
		const struct link_fault *f = &l->faults.v[i];

		if (f->conn != 0 && f->conn != c->n)
			continue;
		if (f->p < 1 && !(link_random(&l->rng[i]) < f->p))
			continue;
		if (f->kind == LINK_REFUSE || f->kind == LINK_BLACKHOLE) {
			if (c->state != LC_SYN)
				continue;
			c->state = f->kind == LINK_REFUSE ? LC_REFUSED :
			    LC_BLACKHOLE;
			c->err = ECONNREFUSED;
			link_log(c, "fault: %s", f->text);
			continue;
		}
		if (f->dir != LINK_DOWN && c->up.nfaults < LINK_FAULTS_MAX)
			c->up.faults[c->up.nfaults++] = f;
		if (f->dir != LINK_UP && c->down.nfaults < LINK_FAULTS_MAX)
			c->down.faults[c->down.nfaults++] = f;
	}
	return c;
}

/* Start a connection's connect (a refused one answers after a round trip). */
static void
link_conn_start(struct link_conn *c)
{
	if (c->state == LC_SYN)
		clock_timer_start(&c->t, link_owd(c->l));
	else if (c->state == LC_REFUSED) {
		c->state = LC_ANSWER;
		clock_timer_start(&c->t, link_owd(c->l) + link_owd(c->l));
	}
}

static void
link_conn_free(struct link_conn *c)
{
	struct link *l = c->l;
	int i;

	for (i = 0; i < LINK_CONNS; i++)
		if (l->conns[i] == c)
			l->conns[i] = NULL;
	clock_timer_stop(&c->t);
	ev_io_stop(l->loop, &c->cio);
	link_pipe_stop(&c->up);
	link_pipe_stop(&c->down);
	if (c->cfd != -1)
		close(c->cfd);
	if (c->ufd != -1)
		close(c->ufd);
	translog_state(l->log, "link", "conn %d closed (up %llu bytes, down "
	    "%llu bytes)", c->n, (unsigned long long)c->up.moved,
	    (unsigned long long)c->down.moved);
	free(c);
}

struct link *
link_new(struct clock *clock, struct translog *log)
{
	struct link *l = xcalloc(1, sizeof *l);
	int i;

	l->clock = clock;
	l->loop = clock_loop(clock);
	l->log = log;
	l->lfd = l->rfd = -1;
	l->jitter_rng = 1;
	l->jitter_seed = 1;
	for (i = 0; i < LINK_FAULTS_MAX; i++)
		l->rng[i] = 1;
	return l;
}

void
link_free(struct link *l)
{
	if (l == NULL)
		return;
	link_end(l);
	ev_io_stop(l->loop, &l->accept_w);
	if (l->lfd != -1)
		close(l->lfd);
	if (l->rfd != -1)
		close(l->rfd);
	free(l);
}

void
link_set_profile(struct link *l, const struct link_profile *p)
{
	l->profile = p;
}

void
link_set_faults(struct link *l, const struct link_faults *f)
{
	int i;

	l->faults = *f;
	for (i = 0; i < f->n; i++) {
		l->rng[i] = f->v[i].seed;
		translog_state(l->log, "link", "fault %s", f->v[i].text);
	}
}

void
link_set_sockets_in_use(struct link *l, int n)
{
	l->in_use = n < 0 ? 0 : n > LINK_SOCKETS ? LINK_SOCKETS : n;
	translog_state(l->log, "link", "sockets in use by other services: "
	    "%d of %d", l->in_use, LINK_SOCKETS);
}

void
link_begin(struct link *l, const struct link_cbs *cbs)
{
	const struct link_profile *p = link_prof(l);

	link_end(l);
	l->nconn = 0;
	if (cbs != NULL)
		l->cbs = *cbs;
	else
		memset(&l->cbs, 0, sizeof l->cbs);
	if (link_shaped(l))
		translog_state(l->log, "link", "profile down=%g up=%g rtt=%g "
		    "jitter=%g", p->down_bps, p->up_bps, p->rtt, p->jitter);
}

void
link_share_table(struct link *l, const struct link *other)
{
	int i;

	if (other == NULL) {
		l->nother = 0;
		return;
	}
	for (i = 0; i < l->nother; i++)
		if (l->other[i] == other)
			return;
	if (l->nother == LINK_OTHERS)
		fatal("link_share_table: more than %d other relays",
		    LINK_OTHERS);
	l->other[l->nother++] = other;
}

void
link_continue(struct link *l, const struct link_cbs *cbs)
{
	struct link_conn *first = link_first(l);

	if (cbs != NULL)
		l->cbs = *cbs;
	else
		memset(&l->cbs, 0, sizeof l->cbs);
	/* A new transfer's replies: a 1yz, then its final one. */
	if (first != NULL) {
		first->prelim = first->final = 0;
		first->linelen = 0;
	}
}

enum link_first_state
link_first_state(const struct link *l)
{
	const struct link_conn *first = link_first(l);

	if (first == NULL || (first->down.done && !first->down.reset))
		return LINK_FIRST_CLOSED;
	if (first->state == LC_GONE || first->down.reset)
		return LINK_FIRST_RESET;
	return first->state == LC_OPEN ? LINK_FIRST_OPEN : LINK_FIRST_CLOSED;
}

int
link_preconnect(struct link *l, const struct sockaddr *sa, socklen_t len)
{
	struct link_conn *c;

	/* No socket: libcurl's own request finds none either, and says so. */
	if (link_sockets_used(l) >= LINK_SOCKETS ||
	    (c = link_conn_new(l, sa, len)) == NULL)
		return -1;
	c->pre = 1;
	link_conn_start(c);
	return 0;
}

/* Whether a connection is to this address. */
static int
link_same_peer(const struct link_conn *c, const struct sockaddr *sa,
    socklen_t len)
{
	const struct sockaddr_in *a4 = (const void *)&c->peer, *b4 = (const void *)sa;
	const struct sockaddr_in6 *a6 = (const void *)&c->peer, *b6 = (const void *)sa;

	if (sa->sa_family != c->peer.ss_family)
		return 0;
	if (sa->sa_family == AF_INET)
		return len >= sizeof *b4 && a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	return len >= sizeof *b6 && a6->sin6_port == b6->sin6_port &&
	    memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof b6->sin6_addr) == 0;
}

/* A plain socket whose connect meets the refusing one. */
static enum link_open
link_open_refused(struct link *l, struct sockaddr *addr, unsigned int *len,
    int *fd)
{
	if (link_listen(l) != 0 || (*fd = socket(AF_INET, SOCK_STREAM |
	    SOCK_CLOEXEC, 0)) == -1)
		return LINK_OPEN_FAILED;
	memcpy(addr, &l->raddr, sizeof l->raddr);
	*len = sizeof l->raddr;
	return LINK_OPEN_REFUSED;
}

/* libcurl's connect to the relay: its end joins the connection. */
static void
link_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct link *l = w->data;
	struct sockaddr_in peer;
	socklen_t len;
	struct link_conn *c;
	int fd, i, one = 1;

	(void)loop; (void)revents;
	for (;;) {
		len = sizeof peer;
		if ((fd = accept4(l->lfd, (struct sockaddr *)&peer, &len,
		    SOCK_CLOEXEC | SOCK_NONBLOCK)) == -1)
			return;
		for (c = NULL, i = 0; i < LINK_CONNS && c == NULL; i++)
			if (l->conns[i] != NULL && !l->conns[i]->accepted &&
			    l->conns[i]->curl_port == peer.sin_port &&
			    peer.sin_addr.s_addr == l->laddr.sin_addr.s_addr)
				c = l->conns[i];
		if (c == NULL) {
			close(fd);	/* not one of ours */
			continue;
		}
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		c->cfd = fd;
		c->accepted = 1;
		if (c->state == LC_REFUSED || c->state == LC_GONE)
			link_close_rst(&c->cfd);
		else if (c->state == LC_OPEN) {
			link_pipe_run(&c->up);
			link_pipe_run(&c->down);
		}
	}
}

/* An FTP data connection goes to the control connection's address, which
 * libcurl knows as the relay's: the real one is the first connection's. */
static void
link_real_peer(struct link *l, struct sockaddr *addr, unsigned int len)
{
	struct sockaddr_in *in = (void *)addr;
	int i;

	if (addr->sa_family != AF_INET || len < sizeof *in ||
	    in->sin_addr.s_addr != l->laddr.sin_addr.s_addr)
		return;
	for (i = 0; i < LINK_CONNS; i++)
		if (l->conns[i] != NULL && l->conns[i]->n == 1) {
			struct link_conn *c = l->conns[i];
			in_port_t port = in->sin_port;

			if (c->peerlen > len)
				return;
			memcpy(addr, &c->peer, c->peerlen);
			if (c->peer.ss_family == AF_INET)
				((struct sockaddr_in *)addr)->sin_port = port;
			else
				((struct sockaddr_in6 *)addr)->sin6_port = port;
			return;
		}
}

enum link_open
link_open(struct link *l, struct sockaddr *addr, unsigned int *addrlen,
    int *fd)
{
	struct link_conn *c = NULL;
	struct sockaddr_storage want;
	unsigned int wantlen = *addrlen;
	int i;

	*fd = -1;
	if (link_listen(l) != 0 || wantlen > sizeof want)
		return LINK_OPEN_FAILED;
	memcpy(&want, addr, wantlen);
	link_real_peer(l, (struct sockaddr *)&want, wantlen);
	for (i = 0; i < LINK_CONNS; i++)
		if (l->conns[i] != NULL && l->conns[i]->pre &&
		    !l->conns[i]->handed &&
		    link_same_peer(l->conns[i], (struct sockaddr *)&want,
		    wantlen)) {
			c = l->conns[i];
			break;
		}
	if (c == NULL && (c = link_conn_new(l, (struct sockaddr *)&want,
	    wantlen)) == NULL)
		return LINK_OPEN_NO_SOCKET;
	if (c->state == LC_REFUSED) {
		link_conn_free(c);
		return link_open_refused(l, addr, addrlen, fd);
	}
	if ((*fd = link_curl_socket(l, c)) == -1) {
		link_conn_free(c);
		return LINK_OPEN_FAILED;
	}
	memcpy(addr, &l->laddr, sizeof l->laddr);
	*addrlen = sizeof l->laddr;
	if (c->state == LC_SYN && !clock_timer_active(&c->t))
		link_conn_start(c);
	return LINK_OPEN_RELAYED;
}

void
link_closed(struct link *l, int fd)
{
	int i;

	for (i = 0; i < LINK_CONNS; i++)
		if (l->conns[i] != NULL && l->conns[i]->curl_fd == fd) {
			link_conn_free(l->conns[i]);
			return;
		}
}

void
link_end(struct link *l)
{
	int i;

	for (i = 0; i < LINK_CONNS; i++)
		if (l->conns[i] != NULL)
			link_conn_free(l->conns[i]);
}
