/*
 * xfer.c: one client transfer through the module's TCP/IP stack (see
 * xfer.h): URL, call, context, DNS, addresses, engine, code.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "modem.h"
#include "net/fota-codes.h"
#include "translog.h"
#include "xfer.h"

static const struct {
	const char	*prefix;
	enum dl_proto	 proto;
} xfer_schemes[] = {
	{ "ftp://", DL_FTP },
	{ "http://", DL_HTTP },
	{ "https://", DL_HTTPS },
};

int
xfer_url_scheme(const char *url, enum dl_proto *proto)
{
	size_t i;

	for (i = 0; i < nitems(xfer_schemes); i++)
		if (strncasecmp(url, xfer_schemes[i].prefix,
		    strlen(xfer_schemes[i].prefix)) == 0) {
			*proto = xfer_schemes[i].proto;
			return 1;
		}
	return 0;
}

/* The transfer is over: tell the owner, once. */
static void
xfer_done(struct xfer *x, int code)
{
	if (!x->active)
		return;
	x->active = 0;
	clock_timer_stop(&x->dns_t);
	clock_timer_stop(&x->next_t);
	clock_timer_stop(&x->resume_t);
	x->pdp_wait = 0;
	if (x->cbs.done != NULL)
		x->cbs.done(x->cbs.arg, code);
}

/* End with what `res` says, through the one table. */
static void
xfer_fail(struct xfer *x, struct dl_result *res)
{
	res->proto = x->proto;
	xfer_done(x, fota_code(res));
}

void
xfer_refuse(struct xfer *x, enum dl_proto proto, enum dl_svc svc,
    enum dl_url url)
{
	x->active = 1;
	x->proto = proto;
	x->rc = 0;			/* no server said anything */
	xfer_done(x, fota_code_state(proto, svc, url, DL_STOP_NONE, 0));
}

/* What the DNS said, in the job's words. */
static enum dl_dns
xfer_dns_result(enum net_dns_answer a)
{
	switch (a) {
	case NET_DNS_NXDOMAIN:
		return DL_DNS_NXDOMAIN;
	case NET_DNS_SERVFAIL:
		return DL_DNS_SERVFAIL;
	case NET_DNS_TIMEOUT:
		return DL_DNS_TIMEOUT;
	default:
		return DL_DNS_OK;
	}
}

/* Fail before any transfer, through the same table as after one. */
static void
xfer_fail_early(struct xfer *x, enum dl_url url, enum dl_pdp pdp,
    enum dl_dns dns, enum dl_call call)
{
	static const char *const why[DL_NDNS] = {
		"", "no such name", "server failure", "no answer",
	};
	struct dl_result res;

	memset(&res, 0, sizeof res);
	res.url = url;
	res.pdp = pdp;
	res.call = call;
	res.dns = dns;
	res.stage = DL_STAGE_DNS;
	res.size = -1;
	if (dns == DL_DNS_TIMEOUT)
		translog_state(x->m->log, x->name, "dns: no answer for %s in %g s",
		    x->host, x->m->net.dns_timeout);
	else if (dns != DL_DNS_OK)
		translog_state(x->m->log, x->name, "dns: %s: %s", why[dns],
		    x->host);
	xfer_fail(x, &res);
}

/* Whether a host is a numeric address (brackets allowed around IPv6). */
static int
xfer_host_numeric(const char *host, char *addr, size_t size)
{
	unsigned char bin[16];
	size_t n = strlen(host);

	if (n > 2 && host[0] == '[' && host[n - 1] == ']') {
		if (n - 2 >= size)
			return 0;
		memcpy(addr, host + 1, n - 2);
		addr[n - 2] = '\0';
		return inet_pton(AF_INET6, addr, bin) == 1;
	}
	if (inet_pton(AF_INET, host, bin) != 1)
		return 0;
	str_copy(addr, host, size);
	return 1;
}

/* Whether a host looks like an IPv4 literal (digits and dots only). */
static int
xfer_host_dotted(const char *host)
{
	for (; *host != '\0'; host++)
		if (!isdigit((unsigned char)*host) && *host != '.')
			return 0;
	return 1;
}

/* Whether decoded text holds a control byte. */
static int
xfer_has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/*
 * Whether the URL as given holds a byte no request line can carry: a
 * control byte, or one outside US-ASCII.  The module's stack sends the
 * URL as it is given; it does not percent-encode.
 */
static int
xfer_unencodable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return 1;
	return 0;
}

/* One part of the parsed URL, or "" when it is absent. */
static char *
xfer_url_part(CURLU *u, CURLUPart what)
{
	char *p = NULL;

	if (curl_url_get(u, what, &p, CURLU_URLDECODE) != CURLUE_OK || p == NULL)
		return xstrdup("");
	return p;
}

/* What libcurl's URL parser says about the URL, in our words. */
static enum dl_url
xfer_url_parse_error(CURLUcode rc)
{
	switch (rc) {
	case CURLUE_NO_HOST:
		return DL_URL_NO_HOST;
	case CURLUE_BAD_PORT_NUMBER:
		return DL_URL_BAD_PORT;
	case CURLUE_BAD_IPV6:
		return DL_URL_BAD_ADDRESS;
	default:
		return DL_URL_MALFORMED;
	}
}

/* Check the URL's parts against the manual; fill host, port. */
static enum dl_url
xfer_url_check(struct xfer *x)
{
	CURLU *u = curl_url();
	char *user, *pass, *host, *port, *path;
	enum dl_url why = DL_URL_OK;
	CURLUcode rc;
	long v;

	if (u == NULL)
		return DL_URL_MALFORMED;
	if (x->url[0] == '\0' || xfer_unencodable(x->url)) {
		curl_url_cleanup(u);
		return x->url[0] == '\0' ? DL_URL_EMPTY : DL_URL_ENCODE;
	}
	if ((rc = curl_url_set(u, CURLUPART_URL, x->url, 0)) != CURLUE_OK) {
		curl_url_cleanup(u);
		return xfer_url_parse_error(rc);
	}
	user = xfer_url_part(u, CURLUPART_USER);
	pass = xfer_url_part(u, CURLUPART_PASSWORD);
	host = xfer_url_part(u, CURLUPART_HOST);
	port = xfer_url_part(u, CURLUPART_PORT);
	path = xfer_url_part(u, CURLUPART_PATH);
	curl_url_cleanup(u);
	str_copy(x->host, host, sizeof x->host);
	x->port = x->proto == DL_FTP ? 21 : x->proto == DL_HTTP ? 80 : 443;
	if (host[0] == '\0')
		why = DL_URL_NO_HOST;
	else if (port[0] != '\0' && parse_long(port, 1, 65535, &v) != 0)
		why = DL_URL_BAD_PORT;
	else if (x->proto == DL_FTP && (strlen(user) > XFER_PART_MAX ||
	    strlen(pass) > XFER_PART_MAX || strlen(host) > XFER_PART_MAX ||
	    (!x->session && strlen(path) > XFER_PART_MAX + 1)))
		why = DL_URL_TOO_LONG;
	else if (x->proto == DL_FTP && !x->session && (path[0] != '/' ||
	    path[1] == '\0' || strchr(path + 1, '/') != NULL))
		why = DL_URL_NOT_ROOT;
	else if (xfer_has_control(user) || xfer_has_control(pass) ||
	    xfer_has_control(path))
		why = DL_URL_MALFORMED;	/* %0d%0a would be a second command */
	else if (!xfer_host_numeric(host, x->addr, sizeof x->addr) &&
	    (host[0] == '[' || xfer_host_dotted(host)))
		why = DL_URL_BAD_ADDRESS;
	if (why == DL_URL_OK && port[0] != '\0')
		x->port = (int)v;
	if (why == DL_URL_OK && x->proto == DL_FTP && !x->session)
		str_copy(x->file, path + 1, sizeof x->file);
	free(user);
	free(pass);
	free(host);
	free(port);
	free(path);
	return why;
}

/* Download engine: the declared size, for the owner. */
static int
xfer_dl_size(void *arg, uint64_t size)
{
	struct xfer *x = arg;

	x->size = size;
	return x->cbs.size != NULL ? x->cbs.size(x->cbs.arg, size) :
	    DL_STOP_NONE;
}

/* Download engine: an HTTP header line, for the owner. */
static void
xfer_dl_header(void *arg, const char *p, size_t n)
{
	struct xfer *x = arg;

	x->cbs.header(x->cbs.arg, p, n);
}

/* Download engine: body bytes, for the owner. */
static int
xfer_dl_data(void *arg, const void *p, size_t n)
{
	struct xfer *x = arg;
	int why;

	why = x->cbs.data != NULL ? x->cbs.data(x->cbs.arg, p, n) :
	    DL_STOP_NONE;
	if (why == DL_STOP_NONE)
		x->got += n;
	return why;
}

/* The `i`-th of the DNS's addresses into x->pin; 0, or -1: no more. */
static int
xfer_pick_addr(struct xfer *x, int i)
{
	const char *p = x->addr, *comma;
	size_t len;

	for (; i > 0 && p != NULL; i--)
		if ((p = strchr(p, ',')) != NULL)
			p++;
	if (p == NULL || *p == '\0')
		return -1;
	comma = strchr(p, ',');
	len = comma != NULL ? (size_t)(comma - p) : strlen(p);
	if (len >= sizeof x->pin)
		return -1;
	memcpy(x->pin, p, len);
	x->pin[len] = '\0';
	return 0;
}

/*
 * Whether a transfer that ended with `code` resumes (--fota-resume): only a
 * connection that broke on the wire after part of the package was staged
 * (the server closed or reset it without an error reply), never a server's
 * refusal, one of the module's own timers, or the module stopping it.
 */
static int
xfer_resumable(const struct xfer *x, const struct dl_result *res, int code)
{
	static const int broken[] = { 606, 607, 608, 717, 719 };
	size_t i;

	if (x->resumed >= x->resumes || x->got == 0 ||
	    res->stop != DL_STOP_NONE || res->wait != DL_WAIT_NONE)
		return 0;
	for (i = 0; i < nitems(broken); i++)
		if (code == broken[i])
			return 1;
	return 0;
}

/*
 * The chosen context, activated on demand as the module does: a context
 * that is not defined, or that something else is activating, ends the job.
 * Returns whether it is up now; otherwise the job waits for the network.
 */
static int
xfer_pdp_ready(struct xfer *x)
{
	const struct net_pdp *p = &x->m->net.pdp[x->cid];

	if (p->active)
		return 1;
	if (!p->defined)
		xfer_fail_early(x, DL_URL_OK, DL_PDP_NONE, DL_DNS_OK,
		    DL_CALL_NONE);
	else if (p->activating)
		xfer_fail_early(x, DL_URL_OK, DL_PDP_BUSY, DL_DNS_OK,
		    DL_CALL_NONE);
	else {
		x->pdp_wait = x->cid;
		net_pdp_activate(&x->m->net, x->cid);
	}
	return 0;
}

/*
 * A voice call in the way of the download: only over HTTP(S), and only on
 * WCDMA, HSPA+ and LTE (a call on LTE falls back to WCDMA), where packet
 * data and a call run at once and the module's HTTP(S) client refuses;
 * FTP goes on.  On GSM, GPRS and EDGE (class B) the call suspends packet
 * data instead, for every protocol (docs/network.md).
 */
static enum dl_call
xfer_call(const struct xfer *x)
{
	if (x->proto == DL_FTP || net_rat_info(x->m->net.rat)->class_b)
		return DL_CALL_NONE;
	switch (x->m->net.call) {
	case NET_CALL_RINGING:
		return DL_CALL_RINGING;
	case NET_CALL_ACTIVE:
		return DL_CALL_ACTIVE;
	default:
		return DL_CALL_NONE;
	}
}

/* Download engine: the transfer is over. */
static void
xfer_dl_done(void *arg, const struct dl_result *res)
{
	struct xfer *x = arg;
	int code;

	if (!x->active)
		return;
	x->rc = res->rc;
	str_copy(x->reply, res->reply, sizeof x->reply);
	/* libcurl kept the control connection (a close or reset that came
	 * with the last reply is found by the next command). */
	if (x->session)
		x->open = dl_session_kept(x->dl);
	/* An address that refuses or never answers the connect: the next
	 * one the DNS gave, each with the whole connect timeout. */
	if (x->resolved && res->stage == DL_STAGE_CONNECT && res->bytes == 0 &&
	    res->stop == DL_STOP_NONE &&
	    (res->curl == CURLE_COULDNT_CONNECT ||
	    res->wait == DL_WAIT_CONNECT)) {
		char failed[sizeof x->pin];

		str_copy(failed, x->pin, sizeof failed);
		if (xfer_pick_addr(x, x->addr_i + 1) == 0) {
			x->addr_i++;
			translog_state(x->m->log, x->name, "connect to %s failed, "
			    "trying %s", failed, x->pin);
			clock_timer_start(&x->next_t, 0);
			return;
		}
	}
	code = fota_code(res);
	if (xfer_resumable(x, res, code)) {
		x->resumed++;
		translog_state(x->m->log, x->name, "transfer broke at %llu (%d), "
		    "resuming (%d of %d)", (unsigned long long)x->got, code,
		    x->resumed, x->resumes);
		clock_timer_start(&x->resume_t, XFER_RESUME_DELAY);
		return;
	}
	xfer_done(x, code);
}

/* The server's addresses are known (or it is a literal): start. */
static void
xfer_connect(struct xfer *x)
{
	struct dl_request rq;

	memset(&rq, 0, sizeof rq);
	rq.url = x->url;
	rq.proto = x->proto;
	rq.port = x->port;
	rq.timeouts = x->timeouts;
	rq.ca_file = x->ca_file;
	rq.ftp_file = x->proto == DL_FTP && x->file[0] != '\0' &&
	    x->ftp_cmd == NULL ? x->file : NULL;
	rq.session = x->session;
	rq.reuse = x->session && x->open;
	rq.ftp_cmd = x->proto == DL_FTP ? x->ftp_cmd : NULL;
	rq.ascii = x->ascii;
	rq.resume_from = x->resumed > 0 ? x->got : 0;
	rq.page = x->page;
	rq.post = x->post;
	rq.post_len = x->post_len;
	rq.method = x->method;
	rq.headers = x->headers;
	rq.nheaders = x->nheaders;
	if (x->resolved) {
		rq.host = x->host;
		rq.addr = x->pin;
	}
	rq.peer = x->resolved ? x->pin : x->addr;
	if (x->dl == NULL) {
		struct dl_cbs cbs = { xfer_dl_size, xfer_dl_data, xfer_dl_done,
		    x, x->cbs.header != NULL ? xfer_dl_header : NULL };
		/* FOTASIM_NO_RELAY: bench/link's direct reference only. */
		x->dl = dl_new(x->m->clock, x->m->log,
		    getenv("FOTASIM_NO_RELAY") != NULL ? NULL :
		    x->link != NULL ? x->link : x->m->link, &cbs);
	}
	if (x->dl == NULL || dl_start(x->dl, &rq) != 0) {
		xfer_done(x, x->proto == DL_FTP ? 601 : 701);
		return;
	}
	/* A call on GSM holds packet data: the transfer waits for it. */
	if (x->m->net.data_suspended)
		dl_suspend(x->dl, 1);
}

/* The next address's turn, or a resume (after the engine's done()). */
static void
xfer_next_cb(struct clock_timer *t, void *arg)
{
	struct xfer *x = arg;

	(void)t;
	if (x->active)
		xfer_connect(x);
}

/* A lookup with no answer: the module's DNS timeout is up. */
static void
xfer_dns_cb(struct clock_timer *t, void *arg)
{
	struct xfer *x = arg;

	(void)t;
	if (x->active)
		xfer_fail_early(x, DL_URL_OK, DL_PDP_OK, DL_DNS_TIMEOUT,
		    DL_CALL_NONE);
}

/* The context is up: resolve the name (a literal needs nothing), start. */
static void
xfer_transfer(struct xfer *x)
{
	enum net_dns_answer a;

	if (x->addr[0] != '\0') {
		xfer_connect(x);
		return;
	}
	a = net_dns_lookup(&x->m->net, x->host, x->addr, sizeof x->addr);
	if (a == NET_DNS_OK && xfer_pick_addr(x, 0) == 0) {
		x->resolved = 1;
		x->addr_i = 0;
		xfer_connect(x);
	} else if (a == NET_DNS_TIMEOUT)
		clock_timer_start(&x->dns_t, x->m->net.dns_timeout);
	else
		xfer_fail_early(x, DL_URL_OK, DL_PDP_OK, xfer_dns_result(a),
		    DL_CALL_NONE);
}

void
xfer_init(struct xfer *x, struct modem *m, const char *name,
    const struct xfer_cbs *cbs)
{
	memset(x, 0, sizeof *x);
	x->m = m;
	x->name = name;
	x->cbs = *cbs;
	x->cid = 1;
	dl_timeouts_default(&x->timeouts);
	clock_timer_init(&x->dns_t, m->clock, xfer_dns_cb, x);
	clock_timer_init(&x->next_t, m->clock, xfer_next_cb, x);
	clock_timer_init(&x->resume_t, m->clock, xfer_next_cb, x);
}

void
xfer_free(struct xfer *x)
{
	xfer_cancel(x);
	dl_free(x->dl);
	x->dl = NULL;
}

void
xfer_start(struct xfer *x, const char *url, enum dl_proto proto)
{
	enum dl_url why;
	enum dl_call call;

	x->active = 1;
	x->url = url;
	x->proto = proto;
	x->size = x->got = 0;
	x->rc = 0;
	x->host[0] = x->addr[0] = x->file[0] = '\0';
	x->resolved = 0;
	x->pdp_wait = 0;
	x->resumed = 0;
	x->open = 0;
	if ((why = xfer_url_check(x)) != DL_URL_OK) {
		xfer_fail_early(x, why, DL_PDP_OK, DL_DNS_OK, DL_CALL_NONE);
		return;
	}
	if ((call = xfer_call(x)) != DL_CALL_NONE) {
		xfer_fail_early(x, DL_URL_OK, DL_PDP_OK, DL_DNS_OK, call);
		return;
	}
	if (xfer_pdp_ready(x))
		xfer_transfer(x);
}

void
xfer_again(struct xfer *x, const char *url, const char *file)
{
	struct dl_result res;
	enum dl_ctl ctl;

	x->active = 1;
	x->url = url;
	x->size = x->got = 0;
	x->rc = 0;
	x->resumed = 0;
	str_copy(x->file, file != NULL ? file : "", sizeof x->file);
	ctl = x->open ? dl_session_ctl(x->dl) : DL_CTL_CLOSED;
	if (ctl != DL_CTL_OK) {
		translog_state(x->m->log, x->name, "control connection %s",
		    ctl == DL_CTL_RESET ? "reset" : "closed");
		x->open = 0;
		dl_session_end(x->dl);
		memset(&res, 0, sizeof res);
		res.ctl = ctl;
		res.stage = DL_STAGE_CONNECT;
		res.size = -1;
		xfer_fail(x, &res);
		return;
	}
	xfer_connect(x);
}

void
xfer_session_end(struct xfer *x)
{
	x->open = 0;
	dl_session_end(x->dl);
}

enum dl_stage
xfer_stage(const struct xfer *x)
{
	if (!x->active)
		return DL_STAGE_DONE;
	return dl_running(x->dl) ? dl_stage(x->dl) : DL_STAGE_DNS;
}

void
xfer_stop(struct xfer *x, enum dl_stop why)
{
	struct dl_result res;

	if (!x->active)
		return;
	if (dl_running(x->dl)) {
		dl_stop(x->dl, why);
		return;
	}
	/* Before the engine runs, or waiting to resume: the same end as if
	 * it were running. */
	memset(&res, 0, sizeof res);
	res.stage = x->got > 0 ? DL_STAGE_BODY : DL_STAGE_DNS;
	res.stop = why;
	res.bytes = x->got;
	res.size = x->size > 0 ? (int64_t)x->size : -1;
	xfer_fail(x, &res);
}

void
xfer_cancel(struct xfer *x)
{
	x->active = 0;
	clock_timer_stop(&x->dns_t);
	clock_timer_stop(&x->next_t);
	clock_timer_stop(&x->resume_t);
	x->pdp_wait = 0;
	if (dl_running(x->dl))
		dl_stop(x->dl, DL_STOP_NETWORK);
}

void
xfer_pause(struct xfer *x, double seconds)
{
	dl_pause(x->dl, seconds);
}

void
xfer_net_event(struct xfer *x, enum net_event ev, int cid)
{
	enum dl_stop why;

	if (!x->active)
		return;
	if (ev == NET_EV_CALL_RING && x->pdp_wait != 0 &&
	    xfer_call(x) != DL_CALL_NONE) {
		/* Ringing while the context comes up: no transfer starts. */
		x->pdp_wait = 0;
		xfer_fail_early(x, DL_URL_OK, DL_PDP_OK, DL_DNS_OK,
		    xfer_call(x));
		return;
	}
	if (x->pdp_wait != 0 && cid == x->pdp_wait &&
	    (ev == NET_EV_PDP_UP || ev == NET_EV_PDP_FAILED)) {
		x->pdp_wait = 0;
		if (ev == NET_EV_PDP_UP)
			xfer_transfer(x);
		else
			xfer_fail_early(x, DL_URL_OK, DL_PDP_FAILED, DL_DNS_OK,
			    DL_CALL_NONE);
		return;
	}
	if (ev == NET_EV_DATA_SUSPENDED || ev == NET_EV_DATA_RESUMED) {
		/* A resume still waiting starts suspended (xfer_connect). */
		if (dl_running(x->dl))
			dl_suspend(x->dl, ev == NET_EV_DATA_SUSPENDED);
		return;
	}
	if (ev == NET_EV_CALL_RING && xfer_call(x) != DL_CALL_NONE)
		why = DL_STOP_CALL;
	else if (ev == NET_EV_RADIO_LOST)
		why = DL_STOP_NETWORK;
	else if (ev == NET_EV_PDP_DOWN && cid == x->cid)
		why = DL_STOP_PDP;
	else
		return;
	/* Only under a transfer or a resume: not while the DNS answers or
	 * the context comes up (those have their own ends). */
	if (dl_running(x->dl) || clock_timer_active(&x->resume_t))
		xfer_stop(x, why);
}
