/*
 * download.c: libcurl's multi_socket API driven by the modem's libev loop.
 *
 * libcurl's sockets get ev_io watchers and its own timer an ev_timer (wall
 * time: that is libcurl's machinery, not module behaviour).  The module's
 * timeouts are clock timers: one "wait" timer whose meaning follows the
 * stage (connect, a command or request unanswered, the first body byte, a
 * stalled body) and one for the whole download.  When one fires, the
 * transfer is taken off the multi handle at once and reported with the
 * timer's name, so each timeout stays distinct instead of collapsing into
 * CURLE_OPERATION_TIMEDOUT.
 *
 * The stage is followed from what crosses the control connection: commands
 * and request lines through the debug callback (HEADER_OUT), replies and
 * headers through the header callback.  Both are written to the transcript,
 * escaped, FTP passwords masked.
 */
#include "config.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>
#include <ev.h>

#include "download.h"
#include "link.h"
#include "translog.h"
#include "util.h"

#define DL_LOG_MAX	200	/* bytes of a command or reply logged */
#define DL_MAX_FDS	8	/* sockets of one transfer (control, data) */

static const char *const dl_stage_names[DL_NSTAGE] = {
	"dns", "connect", "greeting", "user", "pass", "pwd", "cwd", "pasv",
	"type", "size", "rest", "retr", "request", "headers", "body", "final", "done",
};

static const char *const dl_wait_names[DL_NWAIT] = {
	"none", "connect", "response", "first-byte", "stall", "total",
};

static const char *const dl_proto_names[DL_NPROTO] = { "ftp", "http", "https" };

/* FTP commands and the stage each one starts. */
static const struct {
	const char	*cmd;
	enum dl_stage	 stage;
} dl_ftp_stages[] = {
	{ "USER", DL_STAGE_USER },
	{ "PASS", DL_STAGE_PASS },
	{ "PWD", DL_STAGE_PWD },
	{ "CWD", DL_STAGE_CWD },
	{ "PASV", DL_STAGE_PASV },
	{ "EPSV", DL_STAGE_PASV },
	{ "TYPE", DL_STAGE_TYPE },
	{ "SIZE", DL_STAGE_SIZE },
	{ "REST", DL_STAGE_REST },
	{ "RETR", DL_STAGE_RETR },
};

struct dl_sock {
	ev_io			 io;
	struct download		*dl;
	struct dl_sock		*next;		/* the transfer's sockets */
};

struct download {
	struct clock		*clock;
	struct ev_loop		*loop;
	struct translog		*log;
	struct link		*link;		/* the relay, or NULL */
	struct dl_cbs		 cbs;
	CURLM			*multi;
	CURL			*easy;
	struct curl_slist	*resolve;
	struct curl_slist	*prequote;
	struct curl_slist	*headers;	/* a POST's: no Expect: */
	ev_timer		 curl_t;	/* libcurl's own (wall) timer */
	struct clock_timer	 wait_t;	/* the module's, per stage */
	struct clock_timer	 total_t;
	struct clock_timer	 pause_t;	/* flash busy */
	enum dl_wait		 waiting;	/* what wait_t stands for */
	struct dl_timeouts	 to;
	struct dl_result	 res;
	enum dl_stop		 stop_pending;	/* owner stop, seen from a
						   callback that cannot abort */
	int			 status_bad;	/* HTTP status is not 2xx */
	int			 paused;
	uint64_t		 resume_from;	/* this transfer starts there */
	size_t			 post_len;	/* the request's body, if any */
	int			 suspended;	/* packet data held (a call on
						   GSM): libcurl is not run */
	struct dl_sock		*socks;		/* libcurl's watched sockets */
	int			 pre;		/* the first connection is being
						   made ahead of libcurl */
	int			 fds[DL_MAX_FDS]; /* sockets libcurl opened, -1 free */
	int			 session;	/* this transfer keeps its control
						   connection (dl_request) */
	int			 reuse;		/* ...and runs on the kept one */
	int			 ctl_fd;	/* a session's control connection,
						   -1: none (or gone) */
	int			 cmd;		/* a lone command (ftp_cmd) */
	char			 errbuf[CURL_ERROR_SIZE];
};

const char *
dl_stage_name(enum dl_stage s)
{
	return s < DL_NSTAGE ? dl_stage_names[s] : "?";
}

const char *
dl_wait_name(enum dl_wait w)
{
	return w < DL_NWAIT ? dl_wait_names[w] : "?";
}

void
dl_timeouts_default(struct dl_timeouts *t)
{
	t->connect = 60;
	t->response = 60;
	t->first_byte = 60;
	t->stall = 60;
	t->total = 3600;
}

/* One key of --fota-timeouts. */
static int
dl_timeout_pair(void *arg, const char *key, const char *value)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} keys[] = {
		{ "connect", offsetof(struct dl_timeouts, connect) },
		{ "response", offsetof(struct dl_timeouts, response) },
		{ "first-byte", offsetof(struct dl_timeouts, first_byte) },
		{ "stall", offsetof(struct dl_timeouts, stall) },
		{ "total", offsetof(struct dl_timeouts, total) },
	};
	double v;
	size_t i;

	if (parse_double(value, 0, 86400 * 365, &v) != 0 || !(v > 0))
		return -1;
	for (i = 0; i < nitems(keys); i++)
		if (strcmp(key, keys[i].name) == 0) {
			*(double *)((char *)arg + keys[i].off) = v;
			return 0;
		}
	return -1;
}

int
dl_timeouts_parse(struct dl_timeouts *t, const char *text, char *err,
    size_t errlen)
{
	if (parse_pairs(text, dl_timeout_pair, t) == 0)
		return 0;
	snprintf(err, errlen, "expected connect=S,response=S,"
	    "first-byte=S,stall=S,total=S (seconds > 0), not '%s'", text);
	return -1;
}

/* Log a line from the wire, escaped and cut to DL_LOG_MAX bytes. */
static void
dl_log_wire(struct download *dl, const char *dir, const char *p, size_t n)
{
	struct buf esc;

	while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r'))
		n--;
	buf_init(&esc);
	buf_add_escaped(&esc, p, n > DL_LOG_MAX ? DL_LOG_MAX : n);
	buf_add(&esc, "", 1);
	translog_state(dl->log, "download", "%s %s %s%s",
	    dl_proto_names[dl->res.proto], dir, (char *)buf_head(&esc),
	    n > DL_LOG_MAX ? "..." : "");
	buf_free(&esc);
}

/* Arm the wait timer for what the transfer waits for now. */
static void
dl_wait(struct download *dl, enum dl_wait w)
{
	double t = 0;

	dl->waiting = w;
	switch (w) {
	case DL_WAIT_CONNECT:
		t = dl->to.connect;
		break;
	case DL_WAIT_RESPONSE:
		t = dl->to.response;
		break;
	case DL_WAIT_FIRST_BYTE:
		t = dl->to.first_byte;
		break;
	case DL_WAIT_STALL:
		t = dl->to.stall;
		break;
	default:
		clock_timer_stop(&dl->wait_t);
		return;
	}
	if (!dl->paused)
		clock_timer_start(&dl->wait_t, t);
}

/* The only way to change the stage. */
static void
dl_set_stage(struct download *dl, enum dl_stage s)
{
	dl->res.stage = s;
}

/*
 * libcurl: a socket for a connection, from the relay; remembered so it can
 * be dropped.  A full socket table is the module's own refusal, recorded
 * as such (no_socket), not guessed later from libcurl's code.
 */
static curl_socket_t
dl_open_cb(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct download *dl = arg;
	int fd = -1, i;

	(void)purpose;
	/*
	 * A session's command on its kept connection: if libcurl wants a new
	 * one, it found the control connection dead (the server closed it
	 * since); the module does not log in again behind the host's back.
	 */
	if (dl->reuse && dl->ctl_fd == -1) {
		dl->res.ctl = DL_CTL_CLOSED;
		return CURL_SOCKET_BAD;
	}
	if (dl->link == NULL)
		fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
	else
		switch (link_open(dl->link, &a->addr, &a->addrlen, &fd)) {
		case LINK_OPEN_RELAYED:
		case LINK_OPEN_REFUSED:
			a->family = AF_INET;	/* the relay's loopback */
			break;
		case LINK_OPEN_NO_SOCKET:
			dl->res.no_socket = 1;
			return CURL_SOCKET_BAD;
		default:
			return CURL_SOCKET_BAD;
		}
	if (fd == -1)
		return CURL_SOCKET_BAD;
	if (dl->session && !dl->reuse && dl->ctl_fd == -1)
		dl->ctl_fd = fd;		/* the session's first: control */
	for (i = 0; i < DL_MAX_FDS; i++)
		if (dl->fds[i] == -1) {
			dl->fds[i] = fd;
			break;
		}
	return fd;
}

static int
dl_close_cb(void *arg, curl_socket_t fd)
{
	struct download *dl = arg;
	int i;

	for (i = 0; i < DL_MAX_FDS; i++)
		if (dl->fds[i] == fd)
			dl->fds[i] = -1;
	if (fd == dl->ctl_fd)
		dl->ctl_fd = -1;
	if (dl->link != NULL)
		link_closed(dl->link, fd);
	return close(fd);
}

/*
 * The module keeps no connection after a download.  libcurl would keep it
 * and, when its multi handle goes, send QUIT and wait for the answer in a
 * blocking loop, which a server on this very loop could never give; a shut
 * down socket makes that wait end at once.
 */
static void
dl_drop_connections(struct download *dl)
{
	int i;

	for (i = 0; i < DL_MAX_FDS; i++)
		if (dl->fds[i] != -1)
			(void)shutdown(dl->fds[i], SHUT_RDWR);
}

/* Free the easy handle and the lists its options point at. */
static void
dl_release(struct download *dl)
{
	curl_easy_cleanup(dl->easy);
	dl->easy = NULL;
	curl_slist_free_all(dl->resolve);
	dl->resolve = NULL;
	curl_slist_free_all(dl->prequote);
	dl->prequote = NULL;
	curl_slist_free_all(dl->headers);
	dl->headers = NULL;
}

/* The transfer is over: collect the result, clean up, tell the owner. */
static void
dl_finish(struct download *dl, CURLcode code)
{
	struct dl_result res;
	curl_off_t up;
	long v;

	if (dl->easy == NULL)
		return;
	clock_timer_stop(&dl->wait_t);
	clock_timer_stop(&dl->total_t);
	clock_timer_stop(&dl->pause_t);
	dl->res.curl = code;
	if (curl_easy_getinfo(dl->easy, CURLINFO_RESPONSE_CODE, &v) == CURLE_OK)
		dl->res.rc = v;
	if (curl_easy_getinfo(dl->easy, CURLINFO_OS_ERRNO, &v) == CURLE_OK)
		dl->res.os_errno = v;
	/* The connection died while the module still wrote its request. */
	if (code != CURLE_OK && dl->post_len > 0 &&
	    curl_easy_getinfo(dl->easy, CURLINFO_SIZE_UPLOAD_T, &up) == CURLE_OK) {
		translog_state(dl->log, "download", "request body: %lld of %zu "
		    "bytes written", (long long)up, dl->post_len);
		if (up < (curl_off_t)dl->post_len)
			dl->res.unsent = 1;
	}
	/* A lone command ("*CMD": libcurl takes any reply) ends with its
	 * reply: anything but a positive one is the server's refusal. */
	if (dl->cmd && code == CURLE_OK && dl->res.wait == DL_WAIT_NONE &&
	    dl->res.stop == DL_STOP_NONE && !(dl->res.rc >= 200 &&
	    dl->res.rc <= 299))
		code = dl->res.curl = CURLE_QUOTE_ERROR;
	/* A data connection closed early, then 226: the module counts. */
	if (code == CURLE_OK && !dl->cmd && dl->res.size >= 0 &&
	    dl->res.bytes < (uint64_t)dl->res.size)
		dl->res.short_body = 1;
	if (code == CURLE_OK && dl->res.wait == DL_WAIT_NONE &&
	    dl->res.stop == DL_STOP_NONE && !dl->status_bad &&
	    !dl->res.short_body)
		dl_set_stage(dl, DL_STAGE_DONE);
	str_copy(dl->res.error, dl->errbuf[0] ? dl->errbuf :
	    curl_easy_strerror(code), sizeof dl->res.error);
	if (!dl->pre)
		curl_multi_remove_handle(dl->multi, dl->easy);
	dl->pre = 0;
	dl_release(dl);
	/* A session keeps its control connection, unless it is gone. */
	if (!dl->session || dl->ctl_fd == -1) {
		dl_drop_connections(dl);
		if (dl->link != NULL)
			link_end(dl->link);
	}
	ev_timer_stop(dl->loop, &dl->curl_t);
	translog_state(dl->log, "download", "end curl=%d rc=%ld errno=%ld "
	    "stage=%s wait=%s bytes=%llu%s", (int)code, dl->res.rc,
	    dl->res.os_errno, dl_stage_name(dl->res.stage),
	    dl_wait_name(dl->res.wait), (unsigned long long)dl->res.bytes,
	    dl->res.no_socket ? " no-socket" : dl->res.unsent ?
	    " request-unsent" : "");
	res = dl->res;
	if (dl->cbs.done != NULL)
		dl->cbs.done(dl->cbs.arg, &res);
}

/* Collect finished transfers from libcurl. */
static void
dl_check(struct download *dl)
{
	CURLMsg *msg;
	int left;

	while (dl->easy != NULL &&
	    (msg = curl_multi_info_read(dl->multi, &left)) != NULL)
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == dl->easy)
			dl_finish(dl, msg->data.result);
}

/* A module timer ended the transfer. */
static void
dl_wait_cb(struct clock_timer *t, void *arg)
{
	struct download *dl = arg;

	(void)t;
	dl->res.wait = dl->waiting;
	dl_finish(dl, CURLE_ABORTED_BY_CALLBACK);
}

static void
dl_total_cb(struct clock_timer *t, void *arg)
{
	struct download *dl = arg;

	(void)t;
	dl->res.wait = DL_WAIT_TOTAL;
	dl_finish(dl, CURLE_ABORTED_BY_CALLBACK);
}

/* The flash is ready for more. */
static void
dl_pause_cb(struct clock_timer *t, void *arg)
{
	struct download *dl = arg;

	(void)t;
	if (dl->easy == NULL || !dl->paused)
		return;
	dl->paused = 0;
	dl_wait(dl, dl->waiting);
	/*
	 * May deliver buffered bytes at once, and pause again.  If the owner
	 * stops the transfer on those bytes (the flash failing), libcurl only
	 * says so here: the multi handle never reports it, so end it now.
	 */
	if (curl_easy_pause(dl->easy, CURLPAUSE_CONT) != CURLE_OK &&
	    dl->res.stop != DL_STOP_NONE) {
		dl_finish(dl, CURLE_ABORTED_BY_CALLBACK);
		return;
	}
	dl_check(dl);
}

static void	dl_io_cb(struct ev_loop *, ev_io *, int);

/* libcurl: a socket to watch, or to stop watching. */
static int
dl_sock_cb(CURL *e, curl_socket_t s, int what, void *userp, void *sockp)
{
	struct download *dl = userp;
	struct dl_sock *ds = sockp;
	int events = 0;

	struct dl_sock **pp;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (ds != NULL) {
			ev_io_stop(dl->loop, &ds->io);
			for (pp = &dl->socks; *pp != NULL; pp = &(*pp)->next)
				if (*pp == ds) {
					*pp = ds->next;
					break;
				}
			free(ds);
		}
		return 0;
	}
	if (ds == NULL) {
		ds = xcalloc(1, sizeof *ds);
		ds->dl = dl;
		ds->next = dl->socks;
		dl->socks = ds;
		curl_multi_assign(dl->multi, s, ds);
	} else
		ev_io_stop(dl->loop, &ds->io);
	if (what & CURL_POLL_IN)
		events |= EV_READ;
	if (what & CURL_POLL_OUT)
		events |= EV_WRITE;
	ev_io_init(&ds->io, dl_io_cb, s, events);
	/* Suspended: nothing is read or sent until packet data resumes. */
	if (!dl->suspended)
		ev_io_start(dl->loop, &ds->io);
	return 0;
}

/* A watched socket is ready. */
static void
dl_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct dl_sock *ds = (struct dl_sock *)w;
	struct download *dl = ds->dl;
	int flags = 0, running;

	(void)loop;
	if (revents & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (revents & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(dl->multi, w->fd, flags, &running);
	dl_check(dl);
}

/* libcurl wants its timer (re)armed, or stopped. */
static int
dl_timer_cb(CURLM *m, long timeout_ms, void *userp)
{
	struct download *dl = userp;

	(void)m;
	ev_timer_stop(dl->loop, &dl->curl_t);
	if (timeout_ms >= 0 && !dl->suspended) {
		ev_timer_set(&dl->curl_t, timeout_ms / 1000.0, 0);
		ev_timer_start(dl->loop, &dl->curl_t);
	}
	return 0;
}

static void
dl_curl_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct download *dl = w->data;
	int running;

	(void)loop; (void)revents;
	curl_multi_socket_action(dl->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	dl_check(dl);
}

/* Outgoing FTP commands and HTTP requests: follow the stage, log them. */
static int
dl_debug_cb(CURL *e, curl_infotype type, char *p, size_t n, void *arg)
{
	struct download *dl = arg;
	char word[8];
	size_t i, len;

	(void)e;
	if (type == CURLINFO_TEXT && n > 13 && strncmp(p, "Connected to ", 13) == 0) {
		if (dl->res.proto == DL_FTP) {
			dl_set_stage(dl, DL_STAGE_GREETING);
			dl_wait(dl, DL_WAIT_RESPONSE);
		}
		return 0;
	}
	if (type != CURLINFO_HEADER_OUT)
		return 0;
	if (dl->res.proto != DL_FTP) {
		for (len = 0; len < n && p[len] != '\r' && p[len] != '\n'; len++)
			;
		dl_log_wire(dl, ">", p, len);
		dl_set_stage(dl, DL_STAGE_REQUEST);
		dl_wait(dl, DL_WAIT_RESPONSE);
		return 0;
	}
	for (len = 0; len < sizeof word - 1 && len < n && isalpha((unsigned char)p[len]); len++)
		word[len] = (char)toupper((unsigned char)p[len]);
	word[len] = '\0';
	if (strcmp(word, "PASS") == 0)
		dl_log_wire(dl, ">", "PASS ****", 9);
	else
		dl_log_wire(dl, ">", p, n);
	for (i = 0; i < nitems(dl_ftp_stages); i++)
		if (strcmp(word, dl_ftp_stages[i].cmd) == 0)
			dl_set_stage(dl, dl_ftp_stages[i].stage);
	dl_wait(dl, DL_WAIT_RESPONSE);
	return 0;
}

/* The three-digit code that ends an FTP reply, or -1 (continuation). */
static int
dl_ftp_code(const char *p, size_t n)
{
	if (n < 3 || !isdigit((unsigned char)p[0]) ||
	    !isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]))
		return -1;
	if (n > 3 && p[3] != ' ' && p[3] != '\r' && p[3] != '\n')
		return -1;
	return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

/* Tell the owner the declared size; a refusal stops the transfer. */
static int
dl_declare_size(struct download *dl, uint64_t size)
{
	enum dl_stop why = DL_STOP_NONE;

	dl->res.size = (int64_t)size;
	translog_state(dl->log, "download", "%s size %llu",
	    dl_proto_names[dl->res.proto], (unsigned long long)size);
	if (dl->cbs.size != NULL)
		why = (enum dl_stop)dl->cbs.size(dl->cbs.arg, size);
	if (why != DL_STOP_NONE)
		dl->stop_pending = why;
	return why == DL_STOP_NONE ? 0 : -1;
}

/* An FTP reply line. */
static void
dl_ftp_reply(struct download *dl, const char *p, size_t n)
{
	int code = dl_ftp_code(p, n);
	unsigned long long size;

	dl_log_wire(dl, "<", p, n);
	if (code < 0)
		return;
	dl->res.rc = code;
	while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r'))
		n--;
	if (n >= sizeof dl->res.reply)
		n = sizeof dl->res.reply - 1;
	memcpy(dl->res.reply, p, n);
	dl->res.reply[n] = '\0';
	if (code == 213 && dl->res.stage == DL_STAGE_SIZE &&
	    sscanf(p + 4, "%llu", &size) == 1)
		(void)dl_declare_size(dl, size);
	if (dl->res.stage == DL_STAGE_RETR && (code == 150 || code == 125)) {
		dl_set_stage(dl, DL_STAGE_BODY);
		dl_wait(dl, DL_WAIT_STALL);
		return;
	}
	if (dl->res.stage == DL_STAGE_BODY || dl->res.stage == DL_STAGE_FINAL)
		return;
	dl_wait(dl, DL_WAIT_NONE);
}

/* An HTTP header line (the status line first, an empty line last). */
static int
dl_http_header(struct download *dl, const char *p, size_t n)
{
	long status;
	unsigned long long len;

	if (strncmp(p, "HTTP/", 5) == 0) {
		dl_log_wire(dl, "<", p, n);
		dl_set_stage(dl, DL_STAGE_HEADERS);
		dl_wait(dl, DL_WAIT_RESPONSE);
		return 0;
	}
	if (n <= 2 && (p[0] == '\r' || p[0] == '\n')) {
		if (curl_easy_getinfo(dl->easy, CURLINFO_RESPONSE_CODE,
		    &status) != CURLE_OK || status < 200)
			return 0;		/* 1xx: the real status follows */
		dl->status_bad = status > 299 && !dl->res.page;
		dl_wait(dl, DL_WAIT_FIRST_BYTE);
		return 0;
	}
	/* A resumed transfer's length is what is left of the file. */
	if (n > 15 && strncasecmp(p, "Content-Length:", 15) == 0 &&
	    sscanf(p + 15, " %llu", &len) == 1)
		return dl_declare_size(dl, len + dl->resume_from);
	return 0;
}

/* libcurl: a reply line (FTP) or header line (HTTP). */
static size_t
dl_header_cb(char *p, size_t size, size_t nmemb, void *arg)
{
	struct download *dl = arg;
	size_t n = size * nmemb;

	if (dl->res.proto == DL_FTP) {
		dl_ftp_reply(dl, p, n);
		return n;
	}
	if (dl->cbs.header != NULL)
		dl->cbs.header(dl->cbs.arg, p, n);
	return dl_http_header(dl, p, n) == 0 ? n : 0;
}

/* libcurl: body bytes. */
static size_t
dl_write_cb(char *p, size_t size, size_t nmemb, void *arg)
{
	struct download *dl = arg;
	size_t n = size * nmemb;
	enum dl_stop why;

	if (dl->stop_pending != DL_STOP_NONE) {
		dl->res.stop = dl->stop_pending;
		return 0;
	}
	if (dl->status_bad)
		return 0;			/* an error page is not a package */
	dl_set_stage(dl, DL_STAGE_BODY);
	dl->res.bytes += n;
	if (dl->res.proto == DL_FTP && dl->res.size >= 0 &&
	    dl->res.bytes >= (uint64_t)dl->res.size)
		dl_set_stage(dl, DL_STAGE_FINAL);
	dl_wait(dl, DL_WAIT_STALL);
	why = dl->cbs.data != NULL ?
	    (enum dl_stop)dl->cbs.data(dl->cbs.arg, p, n) : DL_STOP_NONE;
	if (why != DL_STOP_NONE) {
		dl->res.stop = why;
		return 0;
	}
	return n;
}

/* libcurl: progress; the way to abort from where nothing else can. */
static int
dl_xferinfo_cb(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	struct download *dl = arg;

	(void)dt; (void)dn; (void)ut; (void)un;
	if (dl->stop_pending == DL_STOP_NONE)
		return 0;
	dl->res.stop = dl->stop_pending;
	return 1;
}

/* libcurl's multi handle on the loop (its connection cache with it). */
static int
dl_multi_new(struct download *dl)
{
	if ((dl->multi = curl_multi_init()) == NULL)
		return -1;
	curl_multi_setopt(dl->multi, CURLMOPT_SOCKETFUNCTION, dl_sock_cb);
	curl_multi_setopt(dl->multi, CURLMOPT_SOCKETDATA, dl);
	curl_multi_setopt(dl->multi, CURLMOPT_TIMERFUNCTION, dl_timer_cb);
	curl_multi_setopt(dl->multi, CURLMOPT_TIMERDATA, dl);
	return 0;
}

struct download *
dl_new(struct clock *clock, struct translog *log, struct link *link,
    const struct dl_cbs *cbs)
{
	static int curl_ready;
	struct download *dl;

	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return NULL;
		curl_ready = 1;
	}
	dl = xcalloc(1, sizeof *dl);
	dl->clock = clock;
	dl->loop = clock_loop(clock);
	dl->log = log;
	dl->link = link;
	if (cbs != NULL)
		dl->cbs = *cbs;
	if (dl_multi_new(dl) != 0) {
		free(dl);
		return NULL;
	}
	ev_timer_init(&dl->curl_t, dl_curl_timer_cb, 0, 0);
	dl->curl_t.data = dl;
	clock_timer_init(&dl->wait_t, clock, dl_wait_cb, dl);
	clock_timer_init(&dl->total_t, clock, dl_total_cb, dl);
	clock_timer_init(&dl->pause_t, clock, dl_pause_cb, dl);
	memset(dl->fds, -1, sizeof dl->fds);
	dl->ctl_fd = -1;
	return dl;
}

void
dl_free(struct download *dl)
{
	if (dl == NULL)
		return;
	if (dl->easy != NULL) {
		dl->cbs.done = NULL;
		dl_finish(dl, CURLE_ABORTED_BY_CALLBACK);
	}
	ev_timer_stop(dl->loop, &dl->curl_t);
	dl_drop_connections(dl);	/* a kept session's: no QUIT wait */
	curl_multi_cleanup(dl->multi);
	free(dl);
}

/* Set the options of a fresh easy handle. */
static int
dl_setup(struct download *dl, const struct dl_request *rq)
{
	CURL *e = dl->easy;
	char pin[1024];

	if (rq->host != NULL && rq->addr != NULL) {
		snprintf(pin, sizeof pin, "%s:%d:%s", rq->host, rq->port, rq->addr);
		if ((dl->resolve = curl_slist_append(NULL, pin)) == NULL)
			return -1;
		curl_easy_setopt(e, CURLOPT_RESOLVE, dl->resolve);
	}
	curl_easy_setopt(e, CURLOPT_URL, rq->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "ftp,http,https");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, dl->errbuf);
	curl_easy_setopt(e, CURLOPT_PRIVATE, dl);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, dl_open_cb);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, dl);
	curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, dl_close_cb);
	curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, dl);
	/* A fresh connection per download, as the module makes; a session's
	 * commands go on the connection it opened, however long the host
	 * waits between them (libcurl's own idle limit is wall time). */
	if (!rq->reuse)
		curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	if (rq->session) {
		curl_easy_setopt(e, CURLOPT_MAXAGE_CONN, 86400L * 365);
		/* The server's current directory is the host's (AT+QFTPCWD):
		 * libcurl sends no CWD of its own. */
		curl_easy_setopt(e, CURLOPT_FTP_FILEMETHOD,
		    (long)CURLFTPMETHOD_NOCWD);
	}
	if (rq->ascii)
		curl_easy_setopt(e, CURLOPT_TRANSFERTEXT, 1L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, dl_write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, dl);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, dl_header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, dl);
	curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, dl_debug_cb);
	curl_easy_setopt(e, CURLOPT_DEBUGDATA, dl);
	curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, dl_xferinfo_cb);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, dl);
	/* The module's timers decide; libcurl's wall-clock ones never do. */
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 86400L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	/* PASV only: the stages stay the same on every server. */
	curl_easy_setopt(e, CURLOPT_FTP_USE_EPSV, 0L);
	/*
	 * The module reads the reply that ends a transfer even when the data
	 * connection closed early (426, or 226 after a short file), so libcurl
	 * must not stop at the data connection's close: it is told to ignore
	 * the size, and asks for it itself, as a command whose failure is not
	 * an error (the RETR that follows reports a missing file).
	 */
	if (rq->proto == DL_FTP && rq->ftp_cmd != NULL) {
		/* One command and its reply, whatever it is ('*': libcurl
		 * goes on); dl_finish judges the reply. */
		snprintf(pin, sizeof pin, "*%s", rq->ftp_cmd);
		if ((dl->prequote = curl_slist_append(NULL, pin)) == NULL)
			return -1;
		curl_easy_setopt(e, CURLOPT_QUOTE, dl->prequote);
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else if (rq->proto == DL_FTP && rq->ftp_file == NULL) {
		/* Only the login (a session's AT+QFTPOPEN). */
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else if (rq->proto == DL_FTP && rq->ftp_file != NULL) {
		snprintf(pin, sizeof pin, "*SIZE %s", rq->ftp_file);
		if ((dl->prequote = curl_slist_append(NULL, pin)) == NULL)
			return -1;
		/* Resuming: REST as well, just before RETR (libcurl's own
		 * resume needs the size it was told to ignore); a refusal
		 * ends the transfer (CURLE_QUOTE_ERROR at stage "rest"). */
		if (rq->resume_from > 0) {
			struct curl_slist *l;

			snprintf(pin, sizeof pin, "REST %llu",
			    (unsigned long long)rq->resume_from);
			if ((l = curl_slist_append(dl->prequote, pin)) == NULL)
				return -1;
			dl->prequote = l;
		}
		curl_easy_setopt(e, CURLOPT_PREQUOTE, dl->prequote);
		curl_easy_setopt(e, CURLOPT_IGNORE_CONTENT_LENGTH, 1L);
	} else if (rq->resume_from > 0)
		curl_easy_setopt(e, CURLOPT_RESUME_FROM_LARGE,
		    (curl_off_t)rq->resume_from);
	if (rq->post != NULL && rq->proto != DL_FTP) {
		/* The module sends the body at once: libcurl's wall-clock
		 * wait for a 100 Continue would not scale with --speed. */
		if ((dl->headers = curl_slist_append(NULL, "Expect:")) == NULL)
			return -1;
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, rq->post);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)rq->post_len);
	}
	if (rq->proto != DL_FTP) {
		size_t i;

		for (i = 0; i < rq->nheaders; i++) {
			struct curl_slist *l;

			if ((l = curl_slist_append(dl->headers,
			    rq->headers[i])) == NULL)
				return -1;
			dl->headers = l;
		}
		if (dl->headers != NULL)
			curl_easy_setopt(e, CURLOPT_HTTPHEADER, dl->headers);
		if (rq->method != NULL)
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, rq->method);
	}
	curl_easy_setopt(e, CURLOPT_USERAGENT, "QUECTEL_MODULE");
	if (rq->proto == DL_HTTPS && rq->ca_file == NULL) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (rq->proto == DL_HTTPS)
		curl_easy_setopt(e, CURLOPT_CAINFO, rq->ca_file);
	return 0;
}

/* The relay's first connection is decided: libcurl takes it from here. */
static void
dl_link_ready(void *arg)
{
	struct download *dl = arg;

	if (dl->easy == NULL || !dl->pre)
		return;
	dl->pre = 0;
	if (curl_multi_add_handle(dl->multi, dl->easy) != CURLM_OK)
		dl_finish(dl, CURLE_FAILED_INIT);
}

/* Open the first connection on the link before libcurl runs; 0 if so. */
static int
dl_preconnect(struct download *dl, const struct dl_request *rq)
{
	struct link_cbs cbs = { dl_link_ready, dl, rq->proto == DL_FTP };
	struct sockaddr_in6 in6;
	struct sockaddr_in in;

	link_begin(dl->link, &cbs);
	if (rq->peer == NULL)
		return -1;
	memset(&in, 0, sizeof in);
	memset(&in6, 0, sizeof in6);
	if (inet_pton(AF_INET, rq->peer, &in.sin_addr) == 1) {
		in.sin_family = AF_INET;
		in.sin_port = htons((uint16_t)rq->port);
		return link_preconnect(dl->link, (struct sockaddr *)&in,
		    sizeof in);
	}
	if (inet_pton(AF_INET6, rq->peer, &in6.sin6_addr) == 1) {
		in6.sin6_family = AF_INET6;
		in6.sin6_port = htons((uint16_t)rq->port);
		return link_preconnect(dl->link, (struct sockaddr *)&in6,
		    sizeof in6);
	}
	return -1;
}

int
dl_start(struct download *dl, const struct dl_request *rq)
{
	if (dl->easy != NULL || (dl->easy = curl_easy_init()) == NULL)
		return -1;
	memset(&dl->res, 0, sizeof dl->res);
	dl->res.proto = rq->proto;
	dl->res.size = -1;
	dl->res.bytes = dl->resume_from = rq->resume_from;
	dl->res.page = rq->page;
	dl->post_len = rq->post != NULL ? rq->post_len : 0;
	dl->res.stage = DL_STAGE_CONNECT;
	dl->errbuf[0] = '\0';
	dl->stop_pending = DL_STOP_NONE;
	dl->status_bad = 0;
	dl->paused = 0;
	dl->suspended = 0;
	dl->to = rq->timeouts;
	dl->pre = 0;
	dl->session = rq->proto == DL_FTP && rq->session;
	dl->reuse = dl->session && rq->reuse;
	dl->cmd = rq->proto == DL_FTP && rq->ftp_cmd != NULL;
	if (!dl->reuse)
		dl->ctl_fd = -1;
	if (dl_setup(dl, rq) != 0) {
		dl_release(dl);
		return -1;
	}
	if (dl->reuse) {
		struct link_cbs cbs = { dl_link_ready, dl, 1 };

		if (dl->link != NULL)
			link_continue(dl->link, &cbs);
		if (curl_multi_add_handle(dl->multi, dl->easy) != CURLM_OK) {
			dl_release(dl);
			return -1;
		}
	} else if (dl->link != NULL && dl_preconnect(dl, rq) == 0)
		dl->pre = 1;
	else if (curl_multi_add_handle(dl->multi, dl->easy) != CURLM_OK) {
		dl_release(dl);
		return -1;
	}
	if (rq->resume_from > 0)
		translog_state(dl->log, "download", "start %s at %llu",
		    dl_proto_names[rq->proto],
		    (unsigned long long)rq->resume_from);
	else
		translog_state(dl->log, "download", "start %s",
		    dl_proto_names[rq->proto]);
	dl_wait(dl, DL_WAIT_CONNECT);
	if (dl->to.total > 0)
		clock_timer_start(&dl->total_t, dl->to.total);
	return 0;
}

void
dl_stop(struct download *dl, enum dl_stop why)
{
	if (dl->easy == NULL)
		return;
	dl->res.stop = why;
	dl_finish(dl, CURLE_ABORTED_BY_CALLBACK);
}

void
dl_pause(struct download *dl, double seconds)
{
	if (dl->easy == NULL || seconds <= 0)
		return;
	if (!dl->paused) {
		dl->paused = 1;
		clock_timer_stop(&dl->wait_t);
		curl_easy_pause(dl->easy, CURLPAUSE_RECV);
	}
	clock_timer_start(&dl->pause_t, seconds);
}

void
dl_suspend(struct download *dl, int on)
{
	struct dl_sock *ds;

	if (dl->easy == NULL || dl->suspended == on)
		return;
	dl->suspended = on;
	translog_state(dl->log, "download", "%s", on ?
	    "suspended: no packet data" : "resumed");
	/*
	 * libcurl only moves when it is run: with its sockets unwatched and
	 * its timer held, nothing is read or written, in whatever stage.  The
	 * module's own timers go on, so a long enough hold ends in their code.
	 */
	for (ds = dl->socks; ds != NULL; ds = ds->next)
		if (on)
			ev_io_stop(dl->loop, &ds->io);
		else
			ev_io_start(dl->loop, &ds->io);
	ev_timer_stop(dl->loop, &dl->curl_t);
	if (!on) {
		/* Let libcurl look at everything that waited. */
		ev_timer_set(&dl->curl_t, 0, 0);
		ev_timer_start(dl->loop, &dl->curl_t);
	}
}

int
dl_running(const struct download *dl)
{
	return dl != NULL && dl->easy != NULL;
}

enum dl_stage
dl_stage(const struct download *dl)
{
	return dl_running(dl) ? dl->res.stage : DL_STAGE_DONE;
}

enum dl_ctl
dl_session_ctl(const struct download *dl)
{
	if (dl == NULL || dl->ctl_fd == -1)
		return DL_CTL_CLOSED;
	if (dl->link == NULL)
		return DL_CTL_OK;
	switch (link_first_state(dl->link)) {
	case LINK_FIRST_OPEN:
		return DL_CTL_OK;
	case LINK_FIRST_RESET:
		return DL_CTL_RESET;
	default:
		return DL_CTL_CLOSED;
	}
}

int
dl_session_kept(const struct download *dl)
{
	return dl != NULL && dl->ctl_fd != -1;
}

void
dl_session_end(struct download *dl)
{
	if (dl == NULL || dl->easy != NULL)
		return;
	/*
	 * libcurl keeps the connection in its multi handle's cache, and would
	 * say QUIT and wait for the answer blocking when it goes: shut down,
	 * that ends at once.  A fresh multi handle for what comes next.
	 */
	dl_drop_connections(dl);
	curl_multi_cleanup(dl->multi);
	dl->multi = NULL;
	dl->ctl_fd = -1;
	if (dl->link != NULL)
		link_end(dl->link);
	if (dl_multi_new(dl) != 0)
		fatal("libcurl: no multi handle");
}
