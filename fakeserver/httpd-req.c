/*
 * httpd-req.c: one HTTP request: its state, the response it gets, and the
 * faults applied to it (status, redirect, raw lies, body cuts, stalls,
 * throttles).  Waiting requests are suspended in MHD and resumed from the
 * simulated clock, with MHD_run() right after each resume.
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
#include "fsnet.h"
#include "fsroot.h"
#include "httpd-int.h"

static const char *const httpd_req_state_names[HTTPD_REQ_NSTATES] = {
	[HTTPD_REQ_NEW] = "NEW",
	[HTTPD_REQ_DELAYED] = "DELAYED",
	[HTTPD_REQ_HUNG] = "HUNG",
	[HTTPD_REQ_SENDING] = "SENDING",
	[HTTPD_REQ_PAUSED] = "PAUSED",
	[HTTPD_REQ_DONE] = "DONE",
};

/* The only way to change a request's state; logs the transition. */
void
httpd_req_set_state(struct httpd_req *r, enum httpd_req_state state)
{
	if (r->state == state)
		return;
	fslog(FSLOG_DEBUG, "http[%lu]: %s -> %s", r->id,
	    httpd_req_state_names[r->state], httpd_req_state_names[state]);
	r->state = state;
}

/* Take the connection off MHD's loop until httpd_req_resume. */
void
httpd_req_suspend(struct httpd_req *r, enum httpd_req_state state,
    double secs)
{
	struct httpd *srv = r->srv;

	MHD_suspend_connection(r->conn);
	r->suspended = 1;
	r->next = srv->suspended;
	if (r->next != NULL)
		r->next->prev = r;
	r->prev = NULL;
	srv->suspended = r;
	httpd_req_set_state(r, state);
	if (secs >= 0)
		clock_timer_start(&r->timer, secs);
}

/* Put a suspended connection back on MHD's loop and let it run. */
void
httpd_req_resume(struct httpd_req *r)
{
	struct httpd *srv = r->srv;

	if (!r->suspended)
		return;
	r->suspended = 0;
	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		srv->suspended = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
	MHD_resume_connection(r->conn);
	MHD_run(srv->mhd);
}

/* A delay, stall or throttle pause is over. */
void
httpd_req_timer_cb(struct clock_timer *t, void *arg)
{
	struct httpd_req *r = arg;

	(void)t;
	if (r->state == HTTPD_REQ_DELAYED)
		httpd_req_set_state(r, HTTPD_REQ_NEW);
	else if (r->state == HTTPD_REQ_PAUSED)
		httpd_req_set_state(r, HTTPD_REQ_SENDING);
	httpd_req_resume(r);
}

/* The socket under an MHD connection. */
int
httpd_conn_fd(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	return ci != NULL ? ci->connect_fd : -1;
}

/* Make the coming close send RST: MHD's socket on HTTP, the TLS front's
 * TCP socket on HTTPS. */
static void
httpd_req_set_reset(struct httpd_req *r)
{
	struct linger l = { 1, 0 };
	int fd = httpd_conn_fd(r->conn);

	if (r->hc->tls != NULL)
		r->hc->tls->reset = 1;
	else if (fd != -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

/* Queue a short text response with an optional extra header. */
enum MHD_Result
httpd_req_simple(struct httpd_req *r, unsigned code, const char *text,
    const char *hname, const char *hvalue)
{
	struct MHD_Response *resp;
	enum MHD_Result rc;
	char *copy = xstrdup(text);

	resp = MHD_create_response_from_buffer(strlen(copy), copy,
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(copy);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "text/plain");
	if (hname != NULL)
		MHD_add_response_header(resp, hname, hvalue);
	httpd_req_set_state(r, HTTPD_REQ_SENDING);
	rc = MHD_queue_response(r->conn, code, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* Body bytes for callback responses: file data with faults applied. */
static ssize_t
httpd_req_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct httpd_req *r = cls;
	const struct fault *f = r->fault;
	long long at = r->start + (long long)pos;
	ssize_t n;

	if (r->srv->stopping)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (r->noclose && at >= r->start + r->len)
		return MHD_CONTENT_READER_END_OF_STREAM;	/* then close */
	if (r->noclose && at + (long long)max > r->start + r->len)
		max = (size_t)(r->start + r->len - at);
	if (f != NULL && f->action != FAULT_FLIP && f->action != FAULT_THROTTLE &&
	    r->fault_at >= 0 && at >= r->fault_at) {
		fslog(FSLOG_INFO, "http[%lu]: body %s at byte %lld", r->id,
		    fault_action_name(f->action), at);
		r->srv->kick = 1;
		switch (f->action) {
		case FAULT_RESET:
			httpd_req_set_reset(r);
			return MHD_CONTENT_READER_END_WITH_ERROR;
		case FAULT_STALL:
			r->fault = NULL;
			httpd_req_suspend(r, HTTPD_REQ_PAUSED, f->secs);
			return 0;
		case FAULT_HANG:
			r->fault = NULL;
			httpd_req_suspend(r, HTTPD_REQ_PAUSED, -1);
			return 0;
		default:
			return MHD_CONTENT_READER_END_WITH_ERROR;
		}
	}
	if (f != NULL && f->action != FAULT_FLIP && f->action != FAULT_THROTTLE &&
	    r->fault_at >= 0 && at + (long long)max > r->fault_at)
		max = (size_t)(r->fault_at - at);
	if (f != NULL && f->action == FAULT_THROTTLE &&
	    at < r->start + r->len) {
		double wait;
		size_t left = (size_t)(r->start + r->len - at);

		max = fault_pace(&r->pace, f->rate, clock_now(r->srv->cfg.clock),
		    pos, max < left ? max : left, &wait);
		if (max == 0) {
			/* Off MHD's loop until the slice is due: MHD must not
			 * call again (and again) before. */
			httpd_req_suspend(r, HTTPD_REQ_PAUSED, wait);
			return 0;
		}
	}
	n = pread(r->fd, buf, max, (off_t)at);
	if (n <= 0)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (f != NULL && f->action == FAULT_FLIP && r->fault_at >= at &&
	    r->fault_at < at + n) {
		buf[r->fault_at - at] ^= (char)0xff;
		fslog(FSLOG_INFO, "http[%lu]: flipped byte %lld", r->id,
		    r->fault_at);
	}
	return n;
}

/* Parse "bytes=A-B", "bytes=A-" or "bytes=-N"; 1 if usable, 0 to ignore,
 * -1 if unsatisfiable. */
static int
httpd_parse_range(const char *v, off_t size, off_t *start, off_t *len)
{
	long long a = -1, b = -1;
	char *end;

	if (strncmp(v, "bytes=", 6) != 0 || strchr(v, ',') != NULL)
		return 0;
	v += 6;
	if (*v == '-') {
		b = strtoll(v + 1, &end, 10);
		if (end == v + 1 || *end != '\0' || b <= 0)
			return 0;
		if (b > size)
			b = size;
		*start = size - b;
		*len = b;
		return size > 0 ? 1 : -1;
	}
	a = strtoll(v, &end, 10);
	if (end == v || *end != '-' || a < 0)
		return 0;
	v = end + 1;
	if (*v != '\0') {
		b = strtoll(v, &end, 10);
		if (*end != '\0' || b < a)
			return 0;
	}
	if (a >= size)
		return -1;
	if (b < 0 || b >= size)
		b = size - 1;
	*start = a;
	*len = b - a + 1;
	return 1;
}

/* Read a whole file section into a buffer for the raw responder. */
static void
httpd_req_slurp(struct httpd_req *r, struct buf *b)
{
	char tmp[65536];
	off_t off = r->start, end = r->start + r->len;
	ssize_t n;

	while (off < end && (n = pread(r->fd, tmp, sizeof tmp, off)) > 0) {
		buf_add(b, tmp, (size_t)n);
		off += n;
	}
}

/* Faults that replace the whole response with raw bytes.  On HTTPS the
 * bytes go into the TLS front's socketpair and reach the client encrypted. */
static enum MHD_Result
httpd_req_raw(struct httpd_req *r, const struct fault *f)
{
	struct buf b;
	unsigned char junk[FAULT_GARBAGE_MAX];

	buf_init(&b);
	switch (f->action) {
	case FAULT_GARBAGE:
		buf_add(&b, junk, faults_garbage(r->srv->cfg.faults, f, junk));
		break;
	case FAULT_LENGTH:
		buf_addf(&b, "HTTP/1.1 200 OK\r\nContent-Type: "
		    "application/octet-stream\r\nContent-Length: %lld\r\n"
		    "Connection: close\r\n\r\n", (long long)r->len +
		    f->count < 0 ? 0 : (long long)r->len + f->count);
		httpd_req_slurp(r, &b);
		break;
	case FAULT_BADCHUNK:
		buf_addstr(&b, "HTTP/1.1 200 OK\r\nContent-Type: "
		    "application/octet-stream\r\nTransfer-Encoding: chunked\r\n"
		    "Connection: close\r\n\r\n");
		buf_addstr(&b, "10\r\n0123456789abcdef\r\nzz; not a chunk size\r\n"
		    "0123456789\r\n");
		break;
	default:
		fatal("httpd_req_raw: %s", fault_action_name(f->action));
	}
	httpd_req_set_state(r, HTTPD_REQ_DONE);
	if (httpd_raw_start(r->srv, r->conn, &b, 0) == -1)
		buf_free(&b);
	return MHD_NO;
}

/* Decide and queue the response for a request whose wait (if any) is over. */
enum MHD_Result
httpd_req_respond(struct httpd_req *r, int head)
{
	const struct fault *f = r->fault;
	struct MHD_Response *resp;
	struct stat st;
	const char *range;
	char who[64], crange[96], *vpath;
	enum fsroot_rc orc;
	unsigned code = MHD_HTTP_OK;
	enum MHD_Result rc;
	int rr;

	if (f != NULL && (f->action == FAULT_DELAY || f->action == FAULT_HANG))
		f = r->fault = NULL;
	if (f != NULL && f->action == FAULT_STATUS) {
		snprintf(crange, sizeof crange, "fault: status %ld\n", f->code);
		return httpd_req_simple(r, (unsigned)f->code, crange, NULL, NULL);
	}
	if (f != NULL && f->action == FAULT_REDIRECT)
		return httpd_req_simple(r, (unsigned)f->code, "redirect\n",
		    "Location", f->text);
	if (f != NULL && (f->action == FAULT_CLOSE || f->action == FAULT_RESET) &&
	    f->after < 0 && f->after_pct < 0) {
		if (f->action == FAULT_RESET)
			httpd_req_set_reset(r);
		httpd_req_set_state(r, HTTPD_REQ_DONE);
		return MHD_NO;
	}
	if (f != NULL && f->action == FAULT_GARBAGE)
		return httpd_req_raw(r, f);

	snprintf(who, sizeof who, "http[%lu]", r->id);
	if (r->path[0] != '/') {
		fslog(FSLOG_INFO, "refused: %s: request target is not a path", who);
		return httpd_req_simple(r, MHD_HTTP_FORBIDDEN, "forbidden\n",
		    NULL, NULL);
	}
	if (fsroot_vpath("/", r->path, &vpath, who) != FSROOT_OK)
		return httpd_req_simple(r, MHD_HTTP_FORBIDDEN, "forbidden\n",
		    NULL, NULL);
	orc = fsroot_open(r->srv->cfg.root, vpath, &r->fd, &st, who);
	free(vpath);
	switch (orc) {
	case FSROOT_OK:
		break;
	case FSROOT_REFUSED:
		return httpd_req_simple(r, MHD_HTTP_FORBIDDEN, "forbidden\n",
		    NULL, NULL);
	default:
		return httpd_req_simple(r, MHD_HTTP_NOT_FOUND, "not found\n",
		    NULL, NULL);
	}
	r->start = 0;
	r->len = st.st_size;
	range = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Range");
	if (range != NULL &&
	    (rr = httpd_parse_range(range, st.st_size, &r->start, &r->len)) != 0) {
		if (rr == -1) {
			snprintf(crange, sizeof crange, "bytes */%lld",
			    (long long)st.st_size);
			return httpd_req_simple(r, 416, "range not satisfiable\n",
			    "Content-Range", crange);
		}
		code = MHD_HTTP_PARTIAL_CONTENT;
	}
	if (f != NULL && (f->action == FAULT_LENGTH ||
	    f->action == FAULT_BADCHUNK))
		return httpd_req_raw(r, f);
	r->fault_at = f != NULL ? fault_position(f, (long long)st.st_size) : -1;

	if (f != NULL && f->action == FAULT_GZIPJUNK) {
		unsigned char *junk = xmalloc(1024);
		faults_random(r->srv->cfg.faults, junk, 1024);
		resp = MHD_create_response_from_buffer(1024, junk,
		    MHD_RESPMEM_MUST_FREE);
		if (resp != NULL)
			MHD_add_response_header(resp, "Content-Encoding", "gzip");
	} else if (r->noclose && !head) {
		/* A body delimited by the close, so the client must see it. */
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 65536,
		    httpd_req_read, r, NULL);
		if (resp != NULL)
			MHD_set_response_options(resp,
			    MHD_RF_HTTP_1_0_COMPATIBLE_STRICT, MHD_RO_END);
	} else if (f != NULL && !head)
		resp = MHD_create_response_from_callback((uint64_t)r->len, 65536,
		    httpd_req_read, r, NULL);
	else {
		resp = MHD_create_response_from_fd_at_offset64((uint64_t)r->len,
		    r->fd, (uint64_t)r->start);
		r->fd = -1;		/* the response owns it now */
		/* One wakeup per response, not one per drained piece of an
		 * autotuned buffer (docs/performance.md); HTTPS goes through
		 * the TLS front's socket instead. */
		if (resp != NULL && !head && r->hc->tls == NULL)
			fsnet_widen_sndbuf(httpd_conn_fd(r->conn), r->len);
	}
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", "application/octet-stream");
	MHD_add_response_header(resp, "Accept-Ranges", "bytes");
	if (code == MHD_HTTP_PARTIAL_CONTENT) {
		snprintf(crange, sizeof crange, "bytes %lld-%lld/%lld",
		    (long long)r->start, (long long)(r->start + r->len - 1),
		    (long long)st.st_size);
		MHD_add_response_header(resp, "Content-Range", crange);
	}
	httpd_req_set_state(r, HTTPD_REQ_SENDING);
	rc = MHD_queue_response(r->conn, code, resp);
	MHD_destroy_response(resp);
	return rc;
}
