/*
 * fota-codes.c: the table from a download's outcome to the manual's code.
 *
 * A row matches on any of: the protocol family, the data context, a voice
 * call, which of the module's
 * timers fired, why the module stopped the transfer, the simulated DNS,
 * the CURLcode, the last FTP reply or HTTP status (a range), errno, the
 * stage, whether body bytes arrived, and a word of libcurl's error text.
 * The first row that matches gives the code, so the order is the rule:
 * module causes first (a full socket table among them), then the server's
 * reply, then what the transport
 * saw, then a fallback per protocol.  See docs/error-codes.md.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <curl/curl.h>

#include "fota-codes.h"
#include "util.h"

#define ANY		-1
#define FTP		0x1
#define WEB		0x2		/* HTTP and HTTPS */

struct fota_rule {
	unsigned	 protos;
	int		 wait;		/* enum dl_wait, ANY */
	int		 stop;		/* enum dl_stop, ANY */
	int		 dns;		/* enum dl_dns, ANY */
	int		 curl;		/* CURLcode; ANY; ERR: not CURLE_OK */
	long		 rc_lo, rc_hi;	/* reply or status range; ANY */
	int		 os_errno;	/* ANY */
	int		 stage;		/* enum dl_stage, ANY */
	int		 bytes;		/* 0 none arrived, 1 some, ANY */
	const char	*text;		/* a word of the error text, or NULL */
	int		 url;		/* enum dl_url, ANY */
	int		 pdp;		/* enum dl_pdp, ANY */
	int		 call;		/* enum dl_call, ANY */
	int		 code;
	int		 svc;		/* enum dl_svc: 0 in every row but
					   the SVC() ones */
	int		 page;		/* 1: only the host's own requests */
	int		 no_socket;	/* 1: only when a connection found the
					   socket table full; 0: either */
	int		 unsent;	/* 1: only when the request was still
					   being written; 0: either */
	int		 ctl;		/* enum dl_ctl: 0 in every row but the
					   CTL() ones */
};

#define ERR		-2		/* any CURLcode but CURLE_OK */

/* Shorthands for the common row shapes. */
#define ROW(p, w, s, d, c, lo, hi, e, st, b, t, code) \
	{ p, w, s, d, c, lo, hi, e, st, b, t, DL_URL_OK, DL_PDP_OK, ANY, code, DL_SVC_OK, 0, 0, 0, 0 }
#define URL(p, u, code) \
	{ p, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, NULL, u, ANY, ANY, code, DL_SVC_OK, 0, 0, 0, 0 }
#define PDP(p, x, code) \
	{ p, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, NULL, DL_URL_OK, x, ANY, code, DL_SVC_OK, 0, 0, 0, 0 }
#define VOICE(p, x, code) \
	{ p, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, NULL, DL_URL_OK, DL_PDP_OK, x, code, DL_SVC_OK, 0, 0, 0, 0 }
#define SVC(p, x, code) \
	{ p, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, NULL, ANY, ANY, ANY, code, x, 0, 0, 0, 0 }
#define CTL(p, x, code) \
	{ p, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, NULL, ANY, ANY, ANY, code, DL_SVC_OK, 0, 0, 0, x }
#define DNS(p, d, code)	ROW(p, ANY, ANY, d, ANY, ANY, ANY, ANY, ANY, ANY, NULL, code)
#define WAIT(p, w, code)	ROW(p, w, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, NULL, code)
#define STOP(p, s, b, code)	ROW(p, DL_WAIT_NONE, s, ANY, ANY, ANY, ANY, ANY, ANY, b, NULL, code)
#define REPLY(r, code)		ROW(FTP, DL_WAIT_NONE, DL_STOP_NONE, DL_DNS_OK, ERR, r, r, ANY, ANY, ANY, NULL, code)
#define CURL(p, c, e, code)	ROW(p, DL_WAIT_NONE, DL_STOP_NONE, DL_DNS_OK, c, ANY, ANY, e, ANY, ANY, NULL, code)
#define NOSOCK(p, code) \
	{ p, DL_WAIT_NONE, DL_STOP_NONE, DL_DNS_OK, ANY, ANY, ANY, ANY, ANY, ANY, NULL, DL_URL_OK, DL_PDP_OK, ANY, code, DL_SVC_OK, 0, 1, 0, 0 }

static const struct fota_rule fota_rules[] = {
	/* The module's own services, before anything is sent: one FTP
	 * session and one HTTP(S) request at a time (docs/network.md). */
	SVC(FTP, DL_SVC_BLOCKED, 602),
	SVC(FTP, DL_SVC_BUSY, 603),
	SVC(WEB, DL_SVC_BUSY, 703),
	SVC(WEB, DL_SVC_UART_BUSY, 704),
	SVC(WEB, DL_SVC_NO_REQUEST, 705),
	SVC(WEB, DL_SVC_INPUT_TIMEOUT, 726),

	/* The host's FTP session: its control connection went away between
	 * two commands (the server closed or reset it). */
	CTL(FTP, DL_CTL_CLOSED, 606),
	CTL(FTP, DL_CTL_RESET, 608),

	/* The URL, checked before anything is sent. */
	URL(FTP, DL_URL_MALFORMED, 610),
	URL(FTP, DL_URL_NO_HOST, 610),
	URL(FTP, DL_URL_BAD_ADDRESS, 610),
	URL(FTP, DL_URL_BAD_PORT, 610),
	URL(FTP, DL_URL_TOO_LONG, 610),
	URL(FTP, DL_URL_NOT_ROOT, 610),
	URL(FTP, DL_URL_EMPTY, 610),
	URL(FTP, DL_URL_ENCODE, 610),
	URL(WEB, DL_URL_MALFORMED, 711),
	URL(WEB, DL_URL_EMPTY, 712),
	URL(WEB, DL_URL_ENCODE, 720),
	URL(WEB, DL_URL_NO_HOST, 712),
	URL(WEB, DL_URL_BAD_ADDRESS, 713),
	URL(WEB, DL_URL_BAD_PORT, 730),

	/* No data context: before the DNS, which needs one. */
	PDP(FTP, DL_PDP_NONE, 605),
	PDP(FTP, DL_PDP_BUSY, 605),
	PDP(FTP, DL_PDP_FAILED, 605),
	PDP(WEB, DL_PDP_BUSY, 706),
	PDP(WEB, DL_PDP_FAILED, 707),
	PDP(WEB, DL_PDP_NONE, 708),

	/* A voice call in the way when the download was asked for (the
	 * job asks only for HTTP(S): FTP goes on, docs/network.md). */
	VOICE(WEB, DL_CALL_RINGING, 724),
	VOICE(WEB, DL_CALL_ACTIVE, 725),

	/* The simulated DNS gave no address: the manual has one code per
	 * protocol for all three (docs/network.md). */
	DNS(FTP, DL_DNS_NXDOMAIN, 604),
	DNS(FTP, DL_DNS_SERVFAIL, 604),
	DNS(FTP, DL_DNS_TIMEOUT, 604),
	DNS(WEB, DL_DNS_NXDOMAIN, 714),
	DNS(WEB, DL_DNS_SERVFAIL, 714),
	DNS(WEB, DL_DNS_TIMEOUT, 714),

	/* The module's own timers (simulated time). */
	WAIT(FTP, DL_WAIT_CONNECT, 609),
	WAIT(FTP, DL_WAIT_RESPONSE, 609),
	WAIT(FTP, DL_WAIT_FIRST_BYTE, 609),
	WAIT(FTP, DL_WAIT_STALL, 609),
	WAIT(FTP, DL_WAIT_TOTAL, 609),
	WAIT(WEB, DL_WAIT_CONNECT, 716),
	WAIT(WEB, DL_WAIT_RESPONSE, 728),
	WAIT(WEB, DL_WAIT_FIRST_BYTE, 727),
	WAIT(WEB, DL_WAIT_STALL, 722),
	WAIT(WEB, DL_WAIT_TOTAL, 702),

	/* The module stopped the transfer. */
	STOP(FTP, DL_STOP_TOO_BIG, ANY, 613),
	STOP(FTP, DL_STOP_STORAGE, 0, 611),
	STOP(FTP, DL_STOP_STORAGE, 1, 613),
	STOP(FTP, DL_STOP_NETWORK, ANY, 605),
	STOP(FTP, DL_STOP_PDP, ANY, 605),
	STOP(WEB, DL_STOP_TOO_BIG, ANY, 729),
	STOP(WEB, DL_STOP_STORAGE, ANY, 729),
	STOP(WEB, DL_STOP_NETWORK, ANY, 710),
	STOP(WEB, DL_STOP_PDP, ANY, 709),
	STOP(WEB, DL_STOP_CALL, ANY, 724),

	/* A connection found the module's socket table full (the engine's
	 * own opensocket refused; docs/network.md).  The FTP list has no
	 * socket code: 605, its network error. */
	NOSOCK(FTP, 605),
	NOSOCK(WEB, 715),

	/* FTP: an RFC 959 reply ended the session, at whatever stage. */
	REPLY(421, 614), REPLY(425, 615), REPLY(426, 616), REPLY(450, 617),
	REPLY(451, 618), REPLY(452, 619), REPLY(500, 620), REPLY(501, 621),
	REPLY(502, 622), REPLY(503, 623), REPLY(504, 624), REPLY(530, 625),
	REPLY(532, 626), REPLY(550, 627), REPLY(551, 628), REPLY(552, 629),
	REPLY(553, 630),

	/* FTP: what the transport saw. */
	ROW(FTP, DL_WAIT_NONE, DL_STOP_NONE, DL_DNS_OK, CURLE_OK, ANY, ANY, ANY, DL_STAGE_DONE, ANY, NULL, 0),
	CURL(FTP, CURLE_OK, ANY, 607),		/* short data, then 226 */
	CURL(FTP, CURLE_COULDNT_RESOLVE_HOST, ANY, 604),
	CURL(FTP, CURLE_COULDNT_CONNECT, ANY, 605),
	CURL(FTP, CURLE_RECV_ERROR, ECONNRESET, 608),
	CURL(FTP, CURLE_SEND_ERROR, ECONNRESET, 608),
	CURL(FTP, CURLE_SEND_ERROR, EPIPE, 608),
	CURL(FTP, CURLE_RECV_ERROR, ANY, 606),
	CURL(FTP, CURLE_GOT_NOTHING, ANY, 606),
	CURL(FTP, CURLE_PARTIAL_FILE, ANY, 607),
	CURL(FTP, CURLE_OPERATION_TIMEDOUT, ANY, 609),
	/* Resuming (--fota-resume): REST refused with a reply the table
	 * above does not have (RFC 3659's 554 invalid REST parameter). */
	ROW(FTP, DL_WAIT_NONE, DL_STOP_NONE, DL_DNS_OK, CURLE_QUOTE_ERROR, ANY,
	    ANY, ANY, DL_STAGE_REST, ANY, NULL, 612),
	CURL(FTP, CURLE_URL_MALFORMAT, ANY, 610),
	CURL(FTP, CURLE_FTP_WEIRD_SERVER_REPLY, ANY, 601),
	CURL(FTP, ANY, ANY, 601),

	/* HTTP(S): the status, when one came.  The host's own request
	 * reads whatever page came, its status beside it. */
	{ WEB, DL_WAIT_NONE, DL_STOP_NONE, DL_DNS_OK, CURLE_OK, 100, 999, ANY,
	  DL_STAGE_DONE, ANY, NULL, DL_URL_OK, DL_PDP_OK, ANY, 0, 0, 1, 0, 0, 0 },
	ROW(WEB, DL_WAIT_NONE, DL_STOP_NONE, DL_DNS_OK, CURLE_OK, 200, 299, ANY, ANY, ANY, NULL, 0),
	ROW(WEB, DL_WAIT_NONE, DL_STOP_NONE, DL_DNS_OK, ANY, 300, 999, ANY, ANY, ANY, NULL, 723),

	/* HTTP(S): what the transport saw. */
	CURL(WEB, CURLE_UNSUPPORTED_PROTOCOL, ANY, 723),	/* not HTTP */
	CURL(WEB, CURLE_WEIRD_SERVER_REPLY, ANY, 723),
	CURL(WEB, CURLE_URL_MALFORMAT, ANY, 711),
	CURL(WEB, CURLE_COULDNT_RESOLVE_HOST, ANY, 714),
	CURL(WEB, CURLE_COULDNT_CONNECT, ANY, 716),
	CURL(WEB, CURLE_BAD_CONTENT_ENCODING, ANY, 721),
	ROW(WEB, DL_WAIT_NONE, DL_STOP_NONE, DL_DNS_OK, CURLE_RECV_ERROR, ANY, ANY, ANY, ANY, ANY, "chunk", 721),
	/* The connection died while the request (a POST's body) was still
	 * being written: libcurl reports the read it polls for meanwhile. */
	{ WEB, DL_WAIT_NONE, DL_STOP_NONE, DL_DNS_OK, ERR, ANY, ANY, ANY, ANY,
	  ANY, NULL, DL_URL_OK, DL_PDP_OK, ANY, 718, DL_SVC_OK, 0, 0, 1, 0 },
	CURL(WEB, CURLE_RECV_ERROR, ANY, 717),
	CURL(WEB, CURLE_SEND_ERROR, ANY, 718),
	CURL(WEB, CURLE_GOT_NOTHING, ANY, 719),
	CURL(WEB, CURLE_PARTIAL_FILE, ANY, 719),
	CURL(WEB, CURLE_OUT_OF_MEMORY, ANY, 729),
	CURL(WEB, ANY, ANY, 701),
};

/* Whether a row's CURLcode condition holds. */
static int
fota_curl_matches(int want, int got)
{
	if (want == ANY)
		return 1;
	if (want == ERR)
		return got != CURLE_OK;
	return want == got;
}

/* Whether a row matches an outcome. */
static int
fota_rule_matches(const struct fota_rule *r, const struct dl_result *res)
{
	unsigned proto = res->proto == DL_FTP ? FTP : WEB;

	return (r->protos & proto) &&
	    (r->wait == ANY || r->wait == (int)res->wait) &&
	    (r->stop == ANY || r->stop == (int)res->stop) &&
	    (r->dns == ANY || r->dns == (int)res->dns) &&
	    fota_curl_matches(r->curl, res->curl) &&
	    (r->rc_lo == ANY || (res->rc >= r->rc_lo && res->rc <= r->rc_hi)) &&
	    (r->os_errno == ANY || r->os_errno == res->os_errno) &&
	    (r->stage == ANY || r->stage == (int)res->stage) &&
	    (r->bytes == ANY || r->bytes == (res->bytes > 0)) &&
	    (r->text == NULL || strstr(res->error, r->text) != NULL) &&
	    (r->url == ANY || r->url == (int)res->url) &&
	    (r->pdp == ANY || r->pdp == (int)res->pdp) &&
	    (r->call == ANY || r->call == (int)res->call) &&
	    r->svc == (int)res->svc && (!r->page || res->page) &&
	    (!r->no_socket || res->no_socket) &&
	    (!r->unsent || res->unsent) && r->ctl == (int)res->ctl;
}

int
fota_code_state(enum dl_proto proto, enum dl_svc svc, enum dl_url url,
    enum dl_stop stop, uint64_t bytes)
{
	struct dl_result res;

	memset(&res, 0, sizeof res);
	res.proto = proto;
	res.svc = svc;
	res.url = url;
	res.stop = stop;
	res.bytes = bytes;
	res.size = -1;
	return fota_code(&res);
}

int
fota_code(const struct dl_result *res)
{
	size_t i;

	for (i = 0; i < nitems(fota_rules); i++)
		if (fota_rule_matches(&fota_rules[i], res))
			return fota_rules[i].code;
	return res->proto == DL_FTP ? 601 : 701;
}
