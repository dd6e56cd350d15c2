/*
 * at-http.c: the module's own HTTP(S) client, for the host's transfers.
 *
 *   AT+QHTTPCFG="contextid"|"responseheader"|"requestheader"|"sslctxid"[,v]
 *   AT+QHTTPURL=<URL_length>[,<timeout>]  CONNECT, the URL, OK
 *   AT+QHTTPGET[=<rsptime>]               OK, then +QHTTPGET: <err>[,<status>
 *                                         [,<content_length>]]
 *   AT+QHTTPPOST=<len>[,<input_time>[,<rsptime>]]
 *                                         CONNECT, the body, OK, then
 *                                         +QHTTPPOST: <err>[,<status>
 *                                         [,<content_length>]]
 *   AT+QHTTPREAD[=<wait_time>]            CONNECT, the response, OK, then
 *                                         +QHTTPREAD: <err>
 *   AT+QHTTPREADFILE=<name>[,<wait_time>] the response into a UFS file: OK,
 *                                         then +QHTTPREADFILE: <err>
 *   AT+QHTTPSTOP                          OK
 *
 * The request runs on the module's stack (xfer.c), the same one as
 * AT+QFOTADL: the same URL checks, context, DNS, engine and code table, so
 * its <err> values are the manual's <http_err>.  The module runs one
 * HTTP(S) request at a time: a GET while another (the host's, or a FOTA
 * download over HTTP(S)) runs is 703, and a FOTA download over HTTP(S)
 * while the host's request runs ends with HTTPEND,703.  The response is
 * kept whole until AT+QHTTPREAD (docs/at-commands.md).
 *
 * With "requestheader" 1 the host types the whole request (its request
 * line, header lines, the empty line, and a POST's body) after
 * AT+QHTTPGET=<rsptime>,<data_length>[,<input_time>] or AT+QHTTPPOST; the
 * module sends it as typed to the server of the AT+QHTTPURL URL, through
 * libcurl (the typed lines replace libcurl's own, which are dropped), and
 * a typed request it cannot send as such is 720.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/uio.h>

#include <curl/curl.h>

#include "at-cmd.h"
#include "at-http.h"
#include "modem.h"
#include "net/fota-codes.h"
#include "translog.h"

static const struct at_param p_qhttpcfg[] = { AT_STR(32), AT_INT(0, 65535),
	AT_END };
static const struct at_param p_qhttpurl[] = { AT_INT(1, QHTTP_URL_MAX),
	AT_INT(1, 65535), AT_END };
static const struct at_param p_qhttpget[] = { AT_INT(1, 65535),
	AT_INT(1, QHTTP_POST_MAX), AT_INT(1, 65535), AT_END };
static const struct at_param p_qhttpreadfile[] = { AT_STR(FIRMWARE_UFS_NAME_MAX
	+ 4), AT_INT(1, 65535), AT_END };
static const struct at_param p_qhttpread[] = { AT_INT(1, 65535), AT_END };
static const struct at_param p_qhttppost[] = { AT_INT(1, QHTTP_POST_MAX),
	AT_INT(1, 65535), AT_INT(1, 65535), AT_END };

/* The code for a service state, from the one table. */
static int
qhttp_code(enum dl_svc svc, enum dl_url url)
{
	return fota_code_state(DL_HTTP, svc, url, DL_STOP_NONE, 0);
}

/* Whether the FOTA job downloads over HTTP(S) now. */
static int
qhttp_fota_busy(const struct modem *m)
{
	const struct fota_job *j = &m->fota;

	return (j->state == FOTA_STARTING || j->state == FOTA_DOWNLOADING) &&
	    !j->serial && !j->local && j->proto != DL_FTP;
}

int
qhttp_busy(const struct qhttp *q)
{
	return q->running;
}

int
qhttp_receiving(const struct qhttp *q)
{
	return serial_rx_active(&q->rx);
}

/* The stack: the declared length (a response longer than the module keeps
 * is refused: 729). */
static int
qhttp_size(void *arg, uint64_t size)
{
	struct qhttp *q = arg;

	if (size > QHTTP_BODY_MAX)
		return DL_STOP_TOO_BIG;
	q->length = size;
	q->length_known = 1;
	return DL_STOP_NONE;
}

/* The stack: body bytes, kept for AT+QHTTPREAD. */
static int
qhttp_data(void *arg, const void *p, size_t n)
{
	struct qhttp *q = arg;

	if (buf_used(&q->body) + n > QHTTP_BODY_MAX)
		return DL_STOP_TOO_BIG;
	buf_add(&q->body, p, n);
	return DL_STOP_NONE;
}

/* The stack: a header line, kept for "responseheader" 1.  A 1xx interim
 * response's lines are dropped when the real status line comes. */
static void
qhttp_header(void *arg, const char *p, size_t n)
{
	struct qhttp *q = arg;

	if (n >= 5 && strncmp(p, "HTTP/", 5) == 0)
		buf_reset(&q->head);
	buf_add(&q->head, p, n);
}

/* The stack: the request is over. */
static void
qhttp_done(void *arg, int code)
{
	struct qhttp *q = arg;
	struct modem *m = q->m;

	q->running = 0;
	buf_reset(&q->post);
	translog_state(m->log, "http", "%s done: %d, status %ld, %zu bytes",
	    q->method, code, q->xfer.rc, buf_used(&q->body));
	if (code != 0) {
		buf_reset(&q->head);
		buf_reset(&q->body);
		modem_urc_on(m, q->iface, "+QHTTP%s: %d", q->method, code);
		return;
	}
	q->have = 1;
	if (q->length_known)
		modem_urc_on(m, q->iface, "+QHTTP%s: 0,%ld,%llu", q->method,
		    q->xfer.rc,
		    (unsigned long long)q->length);
	else
		modem_urc_on(m, q->iface, "+QHTTP%s: 0,%ld", q->method,
		    q->xfer.rc);
}

/* What the data mode of AT+QHTTPURL/GET/POST takes (q->posting). */
enum {
	QHTTP_TYPING_URL,
	QHTTP_TYPING_POST,	/* a POST's body (or whole request) */
	QHTTP_TYPING_GET,	/* a GET's whole request (requestheader 1) */
};

/* Serial receiver: URL bytes, or a POST's body. */
static int
qhttp_url_store(void *arg, const unsigned char *p, size_t n)
{
	struct qhttp *q = arg;

	if (q->posting) {
		buf_add(&q->post, p, n);
		return 0;
	}
	if (q->typed + n > QHTTP_URL_MAX)
		return -1;
	memcpy(q->typing + q->typed, p, n);
	q->typed += n;
	return 0;
}

static void	qhttp_request(struct qhttp *, const char *method);

/* A POST's body is in (OK, and the request), or the time ran out (726). */
static void
qhttp_post_typed(struct qhttp *q, int complete)
{
	struct modem *m = q->m;

	const char *method = q->posting == QHTTP_TYPING_GET ? "GET" : "POST";
	const char *what = q->posting == QHTTP_TYPING_GET ? "request" : "post";

	q->posting = 0;
	if (!complete) {
		translog_state(m->log, "http", "%s: %zu bytes typed, timed out",
		    what, buf_used(&q->post));
		buf_reset(&q->post);
		modem_at_finish(q->rx.iface, qhttp_code(DL_SVC_INPUT_TIMEOUT,
		    DL_URL_OK));
		return;
	}
	translog_state(m->log, "http", "%s: %zu bytes", what,
	    buf_used(&q->post));
	modem_at_finish(q->rx.iface, AT_RES_OK);
	qhttp_request(q, method);
}

/* The URL's input is over: all of it (OK), or the time ran out (726). */
static void
qhttp_url_end(struct qhttp *q, int complete)
{
	struct modem *m = q->m;

	clock_timer_stop(&q->url_t);
	serial_rx_stop(&q->rx);
	if (q->posting) {
		qhttp_post_typed(q, complete);
		return;
	}
	if (!complete) {
		translog_state(m->log, "http", "url: %zu bytes typed, timed out",
		    q->typed);
		modem_at_finish(q->rx.iface, qhttp_code(DL_SVC_INPUT_TIMEOUT,
		    DL_URL_OK));
		return;
	}
	memcpy(q->url, q->typing, q->typed);
	q->url[q->typed] = '\0';
	q->url_len = q->typed;
	translog_state(m->log, "http", "url: %zu bytes", q->url_len);
	modem_at_finish(q->rx.iface, AT_RES_OK);
}

static void
qhttp_url_rx_end(void *arg, enum serial_rx_end why)
{
	qhttp_url_end(arg, why == SERIAL_RX_DONE);
}

/* <timeout> for the whole URL is up. */
static void
qhttp_url_cb(struct clock_timer *t, void *arg)
{
	(void)t;
	qhttp_url_end(arg, 0);
}

void
qhttp_init(struct qhttp *q, struct modem *m)
{
	struct xfer_cbs cbs = { qhttp_size, qhttp_data, qhttp_done, q,
	    qhttp_header };
	struct serial_rx_cbs rcbs = { qhttp_url_store, NULL, qhttp_url_rx_end,
	    q };

	memset(q, 0, sizeof *q);
	q->m = m;
	xfer_init(&q->xfer, m, "http", &cbs);
	q->xfer.page = 1;
	serial_rx_init(&q->rx, m, "http", "url", &rcbs);
	clock_timer_init(&q->url_t, m->clock, qhttp_url_cb, q);
	clock_timer_watchdog(&q->url_t);
	buf_init(&q->head);
	buf_init(&q->body);
	buf_init(&q->post);
	q->method = "GET";
}

void
qhttp_cancel(struct qhttp *q)
{
	xfer_cancel(&q->xfer);
	q->running = 0;
	q->have = 0;
	clock_timer_stop(&q->url_t);
	serial_rx_stop(&q->rx);
	q->posting = 0;
	buf_reset(&q->head);
	buf_reset(&q->body);
	buf_reset(&q->post);
	free(q->req_url);
	q->req_url = NULL;
}

void
qhttp_free(struct qhttp *q)
{
	qhttp_cancel(q);
	xfer_free(&q->xfer);
	buf_free(&q->head);
	buf_free(&q->body);
	buf_free(&q->post);
}

void
qhttp_net_event(struct qhttp *q, enum net_event ev, int cid)
{
	if (q->running)
		xfer_net_event(&q->xfer, ev, cid);
}

/* The settings AT+QHTTPCFG knows, their ranges and where they live. */
static int *
qhttp_setting(struct qhttp *q, const char *name, long *lo, long *hi)
{
	if (strcasecmp(name, "contextid") == 0) {
		*lo = 1, *hi = NET_NCID - 1;
		return &q->xfer.cid;
	}
	if (strcasecmp(name, "responseheader") == 0) {
		*lo = 0, *hi = 1;
		return &q->responseheader;
	}
	if (strcasecmp(name, "sslctxid") == 0) {
		*lo = 0, *hi = 5;
		return &q->sslctxid;
	}
	if (strcasecmp(name, "requestheader") == 0) {
		*lo = 0, *hi = 1;
		return &q->requestheader;
	}
	return NULL;
}

/* AT+QHTTPCFG="<name>"[,<value>]: the value, or set it. */
static int
at_http_qhttpcfg(struct at_req *r)
{
	struct qhttp *q = &at_req_modem(r)->http;
	const char *name;
	long lo, hi;
	int *v;

	if (r->form == AT_TEST) {
		at_info(r, "+QHTTPCFG: \"contextid\",(1-%d)", NET_NCID - 1);
		at_info(r, "+QHTTPCFG: \"requestheader\",(0,1)");
		at_info(r, "+QHTTPCFG: \"responseheader\",(0,1)");
		at_info(r, "+QHTTPCFG: \"sslctxid\",(0-5)");
		return AT_RES_OK;
	}
	name = r->args[0].s;
	if ((v = qhttp_setting(q, name, &lo, &hi)) == NULL)
		return CME_BAD_PARAM;
	if (r->nargs < 2) {
		at_info(r, "+QHTTPCFG: \"%s\",%d", name, *v);
		return AT_RES_OK;
	}
	if (r->args[1].i < lo || r->args[1].i > hi)
		return CME_BAD_PARAM;
	if (q->running)
		return qhttp_code(DL_SVC_BUSY, DL_URL_OK);
	*v = (int)r->args[1].i;
	return AT_RES_OK;
}

/* AT+QHTTPURL=<URL_length>[,<timeout>]: CONNECT, then the URL's bytes. */
static int
at_http_qhttpurl(struct at_req *r)
{
	struct modem *m = at_req_modem(r);
	struct qhttp *q = &m->http;
	long timeout = QHTTP_TIMEOUT_DEFAULT;

	if (r->form == AT_TEST) {
		at_info(r, "+QHTTPURL: (1-%d),(1-65535)", QHTTP_URL_MAX);
		return AT_RES_OK;
	}
	if (r->form == AT_READ) {
		if (q->url_len > 0)
			at_info(r, "+QHTTPURL: %s", q->url);
		return AT_RES_OK;
	}
	if (q->running)
		return qhttp_code(DL_SVC_BUSY, DL_URL_OK);
	if (r->nargs > 1 && r->args[1].present)
		timeout = r->args[1].i;
	q->typed = 0;
	q->posting = 0;
	at_result(r->engine, AT_RES_CONNECT);
	serial_rx_start(&q->rx, (uint64_t)r->args[0].i, modem_flow_control(m),
	    (double)timeout);
	clock_timer_start(&q->url_t, (double)timeout);
	return AT_RES_PENDING;
}

/* Whether a request can start now: 0, or the code for +CME ERROR. */
static int
qhttp_can_start(struct qhttp *q)
{
	if (q->running || qhttp_fota_busy(q->m))
		return qhttp_code(DL_SVC_BUSY, DL_URL_OK);
	if (q->url_len == 0)
		return qhttp_code(DL_SVC_OK, DL_URL_EMPTY);
	return 0;
}

/* Whether a header line the host typed names `name` ("Name:"). */
static int
qhttp_typed_has(const struct qhttp *q, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < q->req_nheaders; i++)
		if (strncasecmp(q->req_headers[i], name, n) == 0)
			return 1;
	return 0;
}

/*
 * The request the host typed (requestheader 1), in q->post: its request
 * line "<method> <target> HTTP/1.x" with the command's method and an
 * origin-form target, header lines "Name: value", the empty line, then a
 * POST's body (a GET has none).  Only printable US-ASCII and CR LF line
 * ends in the head.  Sets the request's URL (the target on the URL's
 * server), its header lines and its body; 0, or -1: no request the stack
 * can send as typed (720).
 */
static int
qhttp_typed_request(struct qhttp *q, const char *method)
{
	static const char *const own[] = { "Host:", "User-Agent:", "Accept:",
	    "Content-Type:" };
	char *p = (char *)buf_head(&q->post), *end, *line, *eol, *target;
	size_t len = buf_used(&q->post), mlen = strlen(method), i;
	CURLU *u;
	char *url = NULL;

	q->req_nheaders = 0;
	free(q->req_url);
	q->req_url = NULL;
	if (len < 4 || (end = memmem(p, len, "\r\n\r\n", 4)) == NULL)
		return -1;
	for (line = p; line < end + 2; line++)
		if (*line == '\r' ? line[1] != '\n' :
		    *line == '\n' ? line == p || line[-1] != '\r' :
		    (unsigned char)*line < 0x20 || (unsigned char)*line >= 0x7f)
			return -1;
	/* The request line. */
	eol = strstr(p, "\r\n");
	*eol = '\0';
	if (strncmp(p, method, mlen) != 0 || p[mlen] != ' ' ||
	    p[mlen + 1] != '/')
		return -1;
	target = p + mlen + 1;
	if ((line = strchr(target, ' ')) == NULL ||
	    (strcmp(line, " HTTP/1.1") != 0 && strcmp(line, " HTTP/1.0") != 0))
		return -1;
	*line = '\0';
	/* The header lines, each NUL-ended in place. */
	for (line = eol + 2; line < end + 2; line = eol + 2) {
		eol = strstr(line, "\r\n");
		*eol = '\0';
		if (q->req_nheaders == QHTTP_HEADERS_MAX ||
		    strchr(line, ':') == NULL || *line == ':' || *line == ' ')
			return -1;
		q->req_headers[q->req_nheaders++] = line;
	}
	/* libcurl's own header lines go unless the host typed them. */
	for (i = 0; i < sizeof own / sizeof own[0]; i++)
		if (!qhttp_typed_has(q, own[i]))
			q->req_headers[q->req_nheaders++] = own[i];
	/* The target on the server of the URL (a relative reference). */
	if ((u = curl_url()) == NULL)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, q->url, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, target, 0) == CURLUE_OK)
		(void)curl_url_get(u, CURLUPART_URL, &url, 0);
	curl_url_cleanup(u);
	if (url == NULL)
		return -1;
	q->req_url = strdup(url);
	curl_free(url);
	if (q->req_url == NULL)
		return -1;
	q->xfer.headers = q->req_headers;
	q->xfer.nheaders = q->req_nheaders;
	if (strcmp(method, "GET") == 0)
		return (size_t)(end + 4 - p) == len ? 0 : -1;
	q->xfer.post = end + 4;
	q->xfer.post_len = len - (size_t)(end + 4 - p);
	return 0;
}

/* Start the request (GET, or POST of q->post) on the stack. */
static void
qhttp_request(struct qhttp *q, const char *method)
{
	struct modem *m = q->m;
	enum dl_proto proto = DL_HTTP;

	dl_timeouts_default(&q->xfer.timeouts);
	q->xfer.timeouts.response = q->rsptime;
	q->xfer.ca_file = m->fota.xfer.ca_file;
	q->xfer.post = strcmp(method, "POST") == 0 ? buf_head(&q->post) : NULL;
	q->xfer.post_len = buf_used(&q->post);
	q->xfer.headers = NULL;
	q->xfer.nheaders = 0;
	q->method = method;
	q->have = 0;
	q->length = 0;
	q->length_known = 0;
	buf_reset(&q->head);
	buf_reset(&q->body);
	q->running = 1;
	/* GET: the command's interface; POST: the one that typed the body. */
	q->iface = m->cur != NULL ? m->cur : q->rx.iface;
	translog_state(m->log, "http", "%s", method);
	/* A scheme the stack does not take fails its URL check (723). */
	(void)xfer_url_scheme(q->url, &proto);
	/* A NUL byte typed in the URL: no request line carries it; nor a
	 * typed request the stack cannot send as typed. */
	if (strlen(q->url) != q->url_len ||
	    (q->requestheader && qhttp_typed_request(q, method) != 0))
		xfer_refuse(&q->xfer, proto, DL_SVC_OK, DL_URL_ENCODE);
	else
		xfer_start(&q->xfer, q->requestheader ? q->req_url : q->url,
		    proto);
}

/* Take the host's bytes for a POST's body or a typed request. */
static int
qhttp_type(struct at_req *r, int what, long len, long input)
{
	struct modem *m = at_req_modem(r);
	struct qhttp *q = &m->http;

	buf_reset(&q->post);
	q->posting = what;
	at_result(r->engine, AT_RES_CONNECT);
	serial_rx_start(&q->rx, (uint64_t)len, modem_flow_control(m),
	    (double)input);
	clock_timer_start(&q->url_t, (double)input);
	return AT_RES_PENDING;
}

/*
 * AT+QHTTPGET[=<rsptime>]: OK, then the request; +QHTTPGET when it ends.
 * With "requestheader" 1, AT+QHTTPGET=<rsptime>,<data_length>[,
 * <input_time>]: CONNECT, the typed request, OK, then the request.
 */
static int
at_http_qhttpget(struct at_req *r)
{
	struct modem *m = at_req_modem(r);
	struct qhttp *q = &m->http;
	int rc;

	if (r->form == AT_TEST) {
		if (q->requestheader)
			at_info(r, "+QHTTPGET: (1-65535),(1-%u),(1-65535)",
			    QHTTP_POST_MAX);
		else
			at_info(r, "+QHTTPGET: (1-65535)");
		return AT_RES_OK;
	}
	if (q->requestheader != (r->nargs > 1 && r->args[1].present) ||
	    (!q->requestheader && r->nargs > 2))
		return CME_BAD_PARAM;
	if ((rc = qhttp_can_start(q)) != 0)
		return rc;
	q->rsptime = r->form == AT_SET && r->args[0].present ?
	    (double)r->args[0].i : QHTTP_TIMEOUT_DEFAULT;
	if (q->requestheader)
		return qhttp_type(r, QHTTP_TYPING_GET, r->args[1].i,
		    r->nargs > 2 && r->args[2].present ? r->args[2].i :
		    QHTTP_TIMEOUT_DEFAULT);
	buf_reset(&q->post);
	qhttp_request(q, "GET");
	return AT_RES_OK;
}

/*
 * AT+QHTTPPOST=<data_length>[,<input_time>[,<rsptime>]]: CONNECT, the
 * body's bytes, OK, then the request; +QHTTPPOST when it ends.
 */
static int
at_http_qhttppost(struct at_req *r)
{
	struct modem *m = at_req_modem(r);
	struct qhttp *q = &m->http;
	long input = QHTTP_TIMEOUT_DEFAULT;
	int rc;

	if (r->form == AT_TEST) {
		at_info(r, "+QHTTPPOST: (1-%u),(1-65535),(1-65535)",
		    QHTTP_POST_MAX);
		return AT_RES_OK;
	}
	if ((rc = qhttp_can_start(q)) != 0)
		return rc;
	if (r->nargs > 1 && r->args[1].present)
		input = r->args[1].i;
	q->rsptime = r->nargs > 2 && r->args[2].present ?
	    (double)r->args[2].i : QHTTP_TIMEOUT_DEFAULT;
	return qhttp_type(r, QHTTP_TYPING_POST, r->args[0].i, input);
}

/* AT+QHTTPREAD[=<wait_time>]: CONNECT, the response, OK, +QHTTPREAD: 0. */
static int
at_http_qhttpread(struct at_req *r)
{
	struct modem *m = at_req_modem(r);
	struct qhttp *q = &m->http;

	if (r->form == AT_TEST) {
		at_info(r, "+QHTTPREAD: (1-65535)");
		return AT_RES_OK;
	}
	if (q->running)
		return qhttp_code(DL_SVC_BUSY, DL_URL_OK);
	if (!q->have)
		return qhttp_code(DL_SVC_NO_REQUEST, DL_URL_OK);
	q->read_iface = modem_req_iface(r);
	at_result(r->engine, AT_RES_CONNECT);
	if (q->responseheader)
		at_write(r->engine, buf_head(&q->head), buf_used(&q->head));
	at_write(r->engine, buf_head(&q->body), buf_used(&q->body));
	translog_state(m->log, "http", "read: %zu bytes", buf_used(&q->body));
	q->have = 0;
	buf_reset(&q->head);
	buf_reset(&q->body);
	modem_urc_on(m, q->read_iface, "+QHTTPREAD: 0");
	return AT_RES_OK;
}

/*
 * AT+QHTTPREADFILE=<name>[,<wait_time>]: the response (its head first with
 * "responseheader" 1) into a new UFS file, then +QHTTPREADFILE: 0.  The
 * response is kept whole, so the file is written at once: a name, space or
 * flash problem is the file commands' +CME code, and the response stays
 * to be read.
 */
static int
at_http_qhttpreadfile(struct at_req *r)
{
	struct modem *m = at_req_modem(r);
	struct qhttp *q = &m->http;
	struct iovec v[2];
	int rc;

	if (r->form == AT_TEST) {
		at_info(r, "+QHTTPREADFILE: <filename>,(1-65535)");
		return AT_RES_OK;
	}
	if (q->running)
		return qhttp_code(DL_SVC_BUSY, DL_URL_OK);
	if (!q->have)
		return qhttp_code(DL_SVC_NO_REQUEST, DL_URL_OK);
	v[0].iov_base = buf_head(&q->head);
	v[0].iov_len = q->responseheader ? buf_used(&q->head) : 0;
	v[1].iov_base = buf_head(&q->body);
	v[1].iov_len = buf_used(&q->body);
	if ((rc = at_file_save(m, r->args[0].s, v, 2)) != 0)
		return rc;
	translog_state(m->log, "http", "read to file: %zu bytes",
	    v[0].iov_len + v[1].iov_len);
	q->have = 0;
	buf_reset(&q->head);
	buf_reset(&q->body);
	modem_urc_on(m, modem_req_iface(r), "+QHTTPREADFILE: 0");
	return AT_RES_OK;
}

/* AT+QHTTPSTOP: the running request ends, nothing more is printed. */
static int
at_http_qhttpstop(struct at_req *r)
{
	struct qhttp *q = &at_req_modem(r)->http;

	if (q->running) {
		translog_state(q->m->log, "http", "get stopped");
		xfer_cancel(&q->xfer);
		q->running = 0;
		buf_reset(&q->head);
		buf_reset(&q->body);
	}
	return AT_RES_OK;
}

const struct at_cmd at_http_cmds[] = {
	{ .name = "+QHTTPCFG", .forms = AT_TEST | AT_SET, .params = p_qhttpcfg,
	  .nreq = 1, .proceed = at_http_qhttpcfg },
	{ .name = "+QHTTPURL", .forms = AT_TEST | AT_READ | AT_SET,
	  .params = p_qhttpurl, .nreq = 1, .proceed = at_http_qhttpurl },
	{ .name = "+QHTTPGET", .forms = AT_EXEC | AT_TEST | AT_SET,
	  .params = p_qhttpget, .proceed = at_http_qhttpget },
	{ .name = "+QHTTPPOST", .forms = AT_TEST | AT_SET,
	  .params = p_qhttppost, .nreq = 1, .proceed = at_http_qhttppost },
	{ .name = "+QHTTPREAD", .forms = AT_EXEC | AT_TEST | AT_SET,
	  .params = p_qhttpread, .proceed = at_http_qhttpread },
	{ .name = "+QHTTPREADFILE", .forms = AT_TEST | AT_SET,
	  .params = p_qhttpreadfile, .nreq = 1,
	  .proceed = at_http_qhttpreadfile },
	{ .name = "+QHTTPSTOP", .forms = AT_EXEC | AT_TEST,
	  .proceed = at_http_qhttpstop },
	{ .name = NULL },
};
