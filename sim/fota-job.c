/*
 * fota-job.c: AT+QFOTADL after its OK.
 *
 *   OK
 *   +QIND: "FOTA","HTTPSTART"        (FTPSTART over ftp://)
 *   +QIND: "FOTA","DOWNLOADING",n    (only with download_URC_max)
 *   +QIND: "FOTA","HTTPEND",<err>
 *   ... the updater: START, UPDATING, END, and the reboot
 *
 * The URL is taken apart by libcurl's URL API and checked against the
 * manual's limits; what is wrong with it becomes a dl_result like any
 * other outcome, so fota-codes.c alone decides the code.  The body goes
 * into the FOTA area as it arrives; after each piece the download pauses
 * for as long as the flash took to program it, so the flash rate paces
 * the download as on the module.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "firmware/firmware.h"
#include "fota-job.h"
#include "modem.h"
#include "net/fota-codes.h"
#include "translog.h"

static const char *const fota_state_names[FOTA_NSTATES] = {
	"idle", "starting", "downloading", "receiving", "updating",
};

static const struct {
	const char	*prefix;
	enum dl_proto	 proto;
} fota_schemes[] = {
	{ "ftp://", DL_FTP },
	{ "http://", DL_HTTP },
	{ "https://", DL_HTTPS },
};

const char *
fota_state_name(enum fota_state s)
{
	return s < FOTA_NSTATES ? fota_state_names[s] : "?";
}

/* The only way to change the job's state: logs every transition. */
void
fota_set_state(struct fota_job *j, enum fota_state s)
{
	if (j->state == s)
		return;
	translog_state(j->m->log, "fota", "%s -> %s", fota_state_name(j->state),
	    fota_state_name(s));
	j->state = s;
}

int
fota_url_scheme(const char *url, enum dl_proto *proto)
{
	size_t i;

	for (i = 0; i < nitems(fota_schemes); i++)
		if (strncasecmp(url, fota_schemes[i].prefix,
		    strlen(fota_schemes[i].prefix)) == 0) {
			*proto = fota_schemes[i].proto;
			return 1;
		}
	return 0;
}

/* "FTP", "HTTP" or "FILE", as the START and END URCs spell the path. */
static const char *
fota_urc_word(const struct fota_job *j)
{
	if (j->serial)
		return "FILE";
	return j->proto == DL_FTP ? "FTP" : "HTTP";
}

uint64_t
fota_file_length(const char *url)
{
	unsigned long long v;
	char *end;

	if (strncasecmp(url, "FILE:", 5) != 0 || !isdigit((unsigned char)url[5]))
		return 0;
	v = strtoull(url + 5, &end, 10);
	return *end == '\0' ? v : 0;
}

/* The download is over with `code`: clean the FOTA area or keep it, say so. */
void
fota_end(struct fota_job *j, int code)
{
	struct firmware *fw = j->m->fw;

	if (code == 0 && j->staging && firmware_stage_end(fw) != 0)
		code = j->serial ? 500 : j->proto == DL_FTP ? 613 : 729;
	else if (code != 0 && j->staging)
		(void)firmware_stage_abort(fw);
	j->staging = 0;
	translog_state(j->m->log, "fota", "download %s: %d (%llu bytes)",
	    code == 0 ? "done" : "failed", code, (unsigned long long)j->got);
	modem_urc(j->m, "+QIND: \"FOTA\",\"%sEND\",%d", fota_urc_word(j), code);
	if (code != 0) {
		fota_set_state(j, FOTA_IDLE);
		return;
	}
	fota_set_state(j, FOTA_UPDATING);
	if (j->args.mode == 0) {
		/* Reboot first; the boot finds the package and updates. */
		modem_reboot(j->m);
		return;
	}
	if (firmware_update_start(fw) != 0)
		fota_set_state(j, FOTA_IDLE);
}

/* What the DNS said, in the job's words. */
static enum dl_dns
fota_dns_result(enum net_dns_answer a)
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
fota_fail_early(struct fota_job *j, enum dl_url url, enum dl_pdp pdp,
    enum dl_dns dns, enum dl_call call)
{
	static const char *const why[DL_NDNS] = {
		"", "no such name", "server failure", "no answer",
	};
	struct dl_result res;

	memset(&res, 0, sizeof res);
	res.proto = j->proto;
	res.url = url;
	res.pdp = pdp;
	res.call = call;
	res.dns = dns;
	res.stage = DL_STAGE_DNS;
	res.size = -1;
	if (dns == DL_DNS_TIMEOUT)
		translog_state(j->m->log, "fota", "dns: no answer for %s in %g s",
		    j->host, j->m->net.dns_timeout);
	else if (dns != DL_DNS_OK)
		translog_state(j->m->log, "fota", "dns: %s: %s", why[dns],
		    j->host);
	fota_end(j, fota_code(&res));
}

/* Whether a host is a numeric address (brackets allowed around IPv6). */
static int
fota_host_numeric(const char *host, char *addr, size_t size)
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
fota_host_dotted(const char *host)
{
	for (; *host != '\0'; host++)
		if (!isdigit((unsigned char)*host) && *host != '.')
			return 0;
	return 1;
}

/* Whether decoded text holds a control byte. */
static int
fota_has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* One part of the parsed URL, or "" when it is absent. */
static char *
fota_url_part(CURLU *u, CURLUPart what)
{
	char *p = NULL;

	if (curl_url_get(u, what, &p, CURLU_URLDECODE) != CURLUE_OK || p == NULL)
		return xstrdup("");
	return p;
}

/* What libcurl's URL parser says about the URL, in our words. */
static enum dl_url
fota_url_parse_error(CURLUcode rc)
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
fota_url_check(struct fota_job *j)
{
	CURLU *u = curl_url();
	char *user, *pass, *host, *port, *path;
	enum dl_url why = DL_URL_OK;
	CURLUcode rc;
	long v;

	if (u == NULL)
		return DL_URL_MALFORMED;
	if ((rc = curl_url_set(u, CURLUPART_URL, j->args.url, 0)) != CURLUE_OK) {
		curl_url_cleanup(u);
		return fota_url_parse_error(rc);
	}
	user = fota_url_part(u, CURLUPART_USER);
	pass = fota_url_part(u, CURLUPART_PASSWORD);
	host = fota_url_part(u, CURLUPART_HOST);
	port = fota_url_part(u, CURLUPART_PORT);
	path = fota_url_part(u, CURLUPART_PATH);
	curl_url_cleanup(u);
	str_copy(j->host, host, sizeof j->host);
	j->port = j->proto == DL_FTP ? 21 : j->proto == DL_HTTP ? 80 : 443;
	if (host[0] == '\0')
		why = DL_URL_NO_HOST;
	else if (port[0] != '\0' && parse_long(port, 1, 65535, &v) != 0)
		why = DL_URL_BAD_PORT;
	else if (j->proto == DL_FTP && (strlen(user) > FOTA_PART_MAX ||
	    strlen(pass) > FOTA_PART_MAX || strlen(host) > FOTA_PART_MAX ||
	    strlen(path) > FOTA_PART_MAX + 1))
		why = DL_URL_TOO_LONG;
	else if (j->proto == DL_FTP && (path[0] != '/' || path[1] == '\0' ||
	    strchr(path + 1, '/') != NULL))
		why = DL_URL_NOT_ROOT;
	else if (fota_has_control(user) || fota_has_control(pass) ||
	    fota_has_control(path))
		why = DL_URL_MALFORMED;	/* %0d%0a would be a second command */
	else if (!fota_host_numeric(host, j->addr, sizeof j->addr) &&
	    (host[0] == '[' || fota_host_dotted(host)))
		why = DL_URL_BAD_ADDRESS;
	if (why == DL_URL_OK && port[0] != '\0')
		j->port = (int)v;
	if (why == DL_URL_OK && j->proto == DL_FTP)
		str_copy(j->file, path + 1, sizeof j->file);
	free(user);
	free(pass);
	free(host);
	free(port);
	free(path);
	return why;
}

/* Download engine: the declared size; refuse what the FOTA area cannot hold. */
static int
fota_dl_size(void *arg, uint64_t size)
{
	struct fota_job *j = arg;
	int rc;

	j->size = size;
	if (j->staging)
		return DL_STOP_NONE;
	rc = firmware_stage_begin(j->m->fw, size);
	if (rc == FIRMWARE_ERR_TOO_BIG)
		return DL_STOP_TOO_BIG;
	if (rc != 0)
		return DL_STOP_STORAGE;
	j->staging = 1;
	return DL_STOP_NONE;
}

/* Print the DOWNLOADING URCs the bytes so far (j->got) have earned. */
void
fota_progress(struct fota_job *j)
{
	int n = j->args.dl_urc_max;

	if (j->m->hooks.download != NULL)
		j->m->hooks.download(j->m->hooks.arg, j->got, j->size);
	if (n == 0 || j->size == 0)
		return;
	while (j->dl_urcs < n &&
	    j->got >= j->size * (uint64_t)(j->dl_urcs + 1) / (uint64_t)n)
		modem_urc(j->m, "+QIND: \"FOTA\",\"DOWNLOADING\",%d",
		    ++j->dl_urcs);
}

/* Download engine: body bytes into the FOTA area, paced by the flash. */
static int
fota_dl_data(void *arg, const void *p, size_t n)
{
	struct fota_job *j = arg;
	double busy;
	int rc;

	if (!j->staging) {
		if (firmware_stage_begin(j->m->fw, 0) != 0)
			return DL_STOP_STORAGE;
		j->staging = 1;
	}
	rc = firmware_stage_write(j->m->fw, p, n);
	if (rc == FIRMWARE_ERR_TOO_BIG)
		return DL_STOP_TOO_BIG;
	if (rc != 0)
		return DL_STOP_STORAGE;
	j->got += n;
	fota_progress(j);
	if ((busy = firmware_take_busy(j->m->fw)) > 0)
		dl_pause(j->dl, busy);
	return DL_STOP_NONE;
}

/* The `i`-th of the DNS's addresses into j->pin; 0, or -1: no more. */
static int
fota_pick_addr(struct fota_job *j, int i)
{
	const char *p = j->addr, *comma;
	size_t len;

	for (; i > 0 && p != NULL; i--)
		if ((p = strchr(p, ',')) != NULL)
			p++;
	if (p == NULL || *p == '\0')
		return -1;
	comma = strchr(p, ',');
	len = comma != NULL ? (size_t)(comma - p) : strlen(p);
	if (len >= sizeof j->pin)
		return -1;
	memcpy(j->pin, p, len);
	j->pin[len] = '\0';
	return 0;
}

/*
 * Whether a transfer that ended with `code` resumes (--fota-resume): only a
 * connection that broke on the wire after part of the package was staged
 * (the server closed or reset it without an error reply), never a server's
 * refusal, one of the module's own timers, or the module stopping it.
 */
static int
fota_resumable(const struct fota_job *j, const struct dl_result *res, int code)
{
	static const int broken[] = { 606, 607, 608, 717, 719 };
	size_t i;

	if (j->resumed >= j->resumes || !j->staging || j->got == 0 ||
	    res->stop != DL_STOP_NONE || res->wait != DL_WAIT_NONE)
		return 0;
	for (i = 0; i < nitems(broken); i++)
		if (code == broken[i])
			return 1;
	return 0;
}

/* Download engine: the transfer is over. */
static void
fota_dl_done(void *arg, const struct dl_result *res)
{
	struct fota_job *j = arg;
	int code;

	if (j->state != FOTA_DOWNLOADING)
		return;
	/* An address that refuses or never answers the connect: the next
	 * one the DNS gave, each with the whole connect timeout. */
	if (j->resolved && res->stage == DL_STAGE_CONNECT && res->bytes == 0 &&
	    res->stop == DL_STOP_NONE &&
	    (res->curl == CURLE_COULDNT_CONNECT ||
	    res->wait == DL_WAIT_CONNECT)) {
		char failed[sizeof j->pin];

		str_copy(failed, j->pin, sizeof failed);
		if (fota_pick_addr(j, j->addr_i + 1) == 0) {
			j->addr_i++;
			translog_state(j->m->log, "fota", "connect to %s failed, "
			    "trying %s", failed, j->pin);
			clock_timer_start(&j->next_t, 0);
			return;
		}
	}
	code = fota_code(res);
	if (fota_resumable(j, res, code)) {
		j->resumed++;
		translog_state(j->m->log, "fota", "transfer broke at %llu (%d), "
		    "resuming (%d of %d)", (unsigned long long)j->got, code,
		    j->resumed, j->resumes);
		clock_timer_start(&j->resume_t, FOTA_RESUME_DELAY);
		return;
	}
	fota_end(j, code);
}

/* The server's addresses are known (or it is a literal): start. */
static void
fota_connect(struct fota_job *j)
{
	struct dl_request rq;

	memset(&rq, 0, sizeof rq);
	rq.url = j->args.url;
	rq.proto = j->proto;
	rq.port = j->port;
	rq.timeouts = j->timeouts;
	rq.ca_file = j->ca_file;
	rq.ftp_file = j->proto == DL_FTP ? j->file : NULL;
	rq.resume_from = j->resumed > 0 ? j->got : 0;
	if (j->resolved) {
		rq.host = j->host;
		rq.addr = j->pin;
	}
	if (j->dl == NULL) {
		struct dl_cbs cbs = { fota_dl_size, fota_dl_data, fota_dl_done, j };
		j->dl = dl_new(j->m->clock, j->m->log, &cbs);
	}
	if (j->dl == NULL || dl_start(j->dl, &rq) != 0)
		fota_end(j, j->proto == DL_FTP ? 601 : 701);
}

/* The next address's turn (after the engine's done() has returned). */
static void
fota_next_cb(struct clock_timer *t, void *arg)
{
	struct fota_job *j = arg;

	(void)t;
	if (j->state == FOTA_DOWNLOADING)
		fota_connect(j);
}

/* A lookup with no answer: the module's DNS timeout is up. */
static void
fota_dns_cb(struct clock_timer *t, void *arg)
{
	struct fota_job *j = arg;

	(void)t;
	if (j->state == FOTA_DOWNLOADING)
		fota_fail_early(j, DL_URL_OK, DL_PDP_OK, DL_DNS_TIMEOUT,
		    DL_CALL_NONE);
}

/* The context is up: resolve the name (a literal needs nothing), start. */
static void
fota_transfer(struct fota_job *j)
{
	enum net_dns_answer a;

	if (j->addr[0] != '\0') {
		fota_connect(j);
		return;
	}
	a = net_dns_lookup(&j->m->net, j->host, j->addr, sizeof j->addr);
	if (a == NET_DNS_OK && fota_pick_addr(j, 0) == 0) {
		j->resolved = 1;
		j->addr_i = 0;
		fota_connect(j);
	} else if (a == NET_DNS_TIMEOUT)
		clock_timer_start(&j->dns_t, j->m->net.dns_timeout);
	else
		fota_fail_early(j, DL_URL_OK, DL_PDP_OK, fota_dns_result(a),
		    DL_CALL_NONE);
}

/*
 * The chosen context, activated on demand as the module does: a context
 * that is not defined, or that something else is activating, ends the job.
 * Returns whether it is up now; otherwise the job waits for the network.
 */
static int
fota_pdp_ready(struct fota_job *j)
{
	const struct net_pdp *p = &j->m->net.pdp[j->cid];

	if (p->active)
		return 1;
	if (!p->defined)
		fota_fail_early(j, DL_URL_OK, DL_PDP_NONE, DL_DNS_OK,
		    DL_CALL_NONE);
	else if (p->activating)
		fota_fail_early(j, DL_URL_OK, DL_PDP_BUSY, DL_DNS_OK,
		    DL_CALL_NONE);
	else {
		j->pdp_wait = j->cid;
		net_pdp_activate(&j->m->net, j->cid);
	}
	return 0;
}

/*
 * A voice call in the way of the download: only over HTTP(S).  Both
 * modules are on LTE or WCDMA, where packet data and a call run at once;
 * the module's HTTP(S) client refuses, FTP goes on (docs/network.md).
 */
static enum dl_call
fota_call(const struct fota_job *j)
{
	if (j->proto == DL_FTP)
		return DL_CALL_NONE;
	switch (j->m->net.call) {
	case NET_CALL_RINGING:
		return DL_CALL_RINGING;
	case NET_CALL_ACTIVE:
		return DL_CALL_ACTIVE;
	default:
		return DL_CALL_NONE;
	}
}

/* After OK: check the URL, bring the context up, start the transfer. */
static void
fota_begin_cb(struct clock_timer *t, void *arg)
{
	struct fota_job *j = arg;
	enum dl_url why;
	enum dl_call call;

	(void)t;
	fota_set_state(j, FOTA_DOWNLOADING);
	if ((why = fota_url_check(j)) != DL_URL_OK) {
		fota_fail_early(j, why, DL_PDP_OK, DL_DNS_OK, DL_CALL_NONE);
		return;
	}
	if ((call = fota_call(j)) != DL_CALL_NONE) {
		fota_fail_early(j, DL_URL_OK, DL_PDP_OK, DL_DNS_OK, call);
		return;
	}
	if (fota_pdp_ready(j))
		fota_transfer(j);
}

void
fota_job_net_event(struct fota_job *j, enum net_event ev, int cid)
{
	enum dl_stop why;

	if (j->state != FOTA_DOWNLOADING)
		return;
	if (ev == NET_EV_CALL_RING && j->pdp_wait != 0 &&
	    fota_call(j) != DL_CALL_NONE) {
		/* Ringing while the context comes up: no transfer starts. */
		j->pdp_wait = 0;
		fota_fail_early(j, DL_URL_OK, DL_PDP_OK, DL_DNS_OK,
		    fota_call(j));
		return;
	}
	if (j->pdp_wait != 0 && cid == j->pdp_wait &&
	    (ev == NET_EV_PDP_UP || ev == NET_EV_PDP_FAILED)) {
		j->pdp_wait = 0;
		if (ev == NET_EV_PDP_UP)
			fota_transfer(j);
		else
			fota_fail_early(j, DL_URL_OK, DL_PDP_FAILED, DL_DNS_OK,
			    DL_CALL_NONE);
		return;
	}
	if (ev == NET_EV_CALL_RING && fota_call(j) != DL_CALL_NONE)
		why = DL_STOP_CALL;
	else if (ev == NET_EV_RADIO_LOST)
		why = DL_STOP_NETWORK;
	else if (ev == NET_EV_PDP_DOWN && cid == j->cid)
		why = DL_STOP_PDP;
	else
		return;
	if (dl_running(j->dl))
		dl_stop(j->dl, why);
	else if (clock_timer_active(&j->resume_t)) {
		/* Waiting to resume: the same end as if it were running. */
		struct dl_result res;

		clock_timer_stop(&j->resume_t);
		memset(&res, 0, sizeof res);
		res.proto = j->proto;
		res.stage = DL_STAGE_BODY;
		res.stop = why;
		res.bytes = j->got;
		res.size = j->size > 0 ? (int64_t)j->size : -1;
		fota_end(j, fota_code(&res));
	}
}

void
fota_job_init(struct fota_job *j, struct modem *m)
{
	memset(j, 0, sizeof *j);
	j->m = m;
	dl_timeouts_default(&j->timeouts);
	j->cid = 1;
	clock_timer_init(&j->start_t, m->clock, fota_begin_cb, j);
	clock_timer_init(&j->dns_t, m->clock, fota_dns_cb, j);
	clock_timer_init(&j->next_t, m->clock, fota_next_cb, j);
	clock_timer_init(&j->resume_t, m->clock, fota_next_cb, j);
	fota_file_init(j);
}

int
fota_job_busy(const struct fota_job *j)
{
	return j->state != FOTA_IDLE;
}

void
fota_job_start(struct fota_job *j, const struct fota_args *a)
{
	j->args = *a;
	j->serial = fota_file_length(a->url) > 0;
	if (!j->serial)
		(void)fota_url_scheme(a->url, &j->proto);
	j->staging = 0;
	j->size = j->got = 0;
	j->dl_urcs = j->up_urcs = 0;
	j->up_last = 0;
	j->host[0] = j->addr[0] = j->file[0] = '\0';
	j->resolved = 0;
	j->pdp_wait = 0;
	j->resumed = 0;
	fota_set_state(j, FOTA_STARTING);
	modem_urc(j->m, "+QIND: \"FOTA\",\"%sSTART\"", fota_urc_word(j));
	if (j->serial) {
		/* Bytes after the command line are the package's. */
		fota_file_start(j, modem_flow_control(j->m));
		return;
	}
	/* The rest runs after the final result code has gone out. */
	clock_timer_start(&j->start_t, 0);
}

void
fota_job_cancel(struct fota_job *j)
{
	clock_timer_stop(&j->start_t);
	clock_timer_stop(&j->dns_t);
	clock_timer_stop(&j->next_t);
	clock_timer_stop(&j->resume_t);
	j->pdp_wait = 0;
	/*
	 * Idle first: the engine's done() then reports nothing.  An update
	 * belongs to the updater and goes on after a reboot (upgrade_mode 0,
	 * or a power cut): the job keeps filtering its URCs until END.
	 */
	if (j->state != FOTA_UPDATING)
		fota_set_state(j, FOTA_IDLE);
	if (dl_running(j->dl))
		dl_stop(j->dl, DL_STOP_NETWORK);
	fota_file_stop(j);
	/* The FOTA area keeps what it has: the next boot discards it. */
	j->staging = 0;
}

void
fota_job_free(struct fota_job *j)
{
	fota_job_cancel(j);
	dl_free(j->dl);
	j->dl = NULL;
}

int
fota_job_updater_urc(struct fota_job *j, const char *line)
{
	static const char updating[] = "+QIND: \"FOTA\",\"UPDATING\",";
	static const char end[] = "+QIND: \"FOTA\",\"END\",";
	int max = j->args.up_urc_max, pct;

	if (strncmp(line, end, sizeof end - 1) == 0)
		fota_set_state(j, FOTA_IDLE);
	if (strncmp(line, updating, sizeof updating - 1) != 0)
		return 1;
	if (j->state != FOTA_UPDATING || max == FOTA_UPDATE_URC_ALL)
		return 1;
	if (max == 0)
		return 0;
	/* At most `max` lines, evenly spaced, the last at 100. */
	pct = atoi(line + sizeof updating - 1);
	if (j->up_urcs >= max || pct * max < (j->up_urcs + 1) * 100)
		return 0;
	j->up_urcs++;
	return 1;
}
