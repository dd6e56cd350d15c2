/*
 * at-ftp.c: the module's own FTP client, for the host's transfers.
 *
 *   AT+QFTPCFG="account"|"filetype"|"transmode"|"contextid"|"rsptimeout"|
 *             "ssltype"|"sslctxid"[,...]
 *   AT+QFTPOPEN=<host>[,<port>]       OK, then +QFTPOPEN: <err>,<protocol_error>
 *   AT+QFTPCWD=<path>                 OK, then +QFTPCWD: <err>,<protocol_error>
 *   AT+QFTPPWD                        OK, then +QFTPPWD: 0,<path> (or <err>,...)
 *   AT+QFTPSIZE=<file>                OK, then +QFTPSIZE: 0,<size> (or ...)
 *   AT+QFTPGET=<file>,"UFS:<name>"    OK, then +QFTPGET: 0,<length>
 *   AT+QFTPGET=<file>,"COM:"          CONNECT, the bytes, OK, +QFTPGET: 0,<length>
 *   AT+QFTPCLOSE                      OK, then +QFTPCLOSE: 0,0
 *   AT+QFTPSTAT                       +QFTPSTAT: <state>, OK
 *
 * The session runs on the module's stack (xfer.c) like AT+QFOTADL: the same
 * context, DNS, engine and code table, so <err> is the manual's <ftp_err>,
 * and <protocol_error> the server's reply that caused it (0 when no reply
 * did).  The control connection stays open from QFTPOPEN to QFTPCLOSE:
 * libcurl keeps it in its cache and the session's own relay keeps it on
 * the link.  The module has one FTP session: a FOTA download over FTP
 * while it is held ends with FTPEND,602 (603 while its QFTPGET runs), and
 * QFTPOPEN while a FOTA download over FTP runs is 602 (603 once its file
 * is moving) (docs/network.md).
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "at-cmd.h"
#include "at-file.h"
#include "at-ftp.h"
#include "modem.h"
#include "net/fota-codes.h"
#include "net/link.h"
#include "translog.h"

static const char *const qftp_state_names[QFTP_NSTATES] = {
	"IDLE", "OPENING", "OPENED", "WORKING", "TRANSFER", "CLOSING",
};

static const struct at_param p_qftpcfg[] = { AT_STR(32), AT_ANY, AT_ANY,
	AT_END };
static const struct at_param p_qftpopen[] = { AT_STR(XFER_PART_MAX + 2),
	AT_INT(1, 65535), AT_END };
static const struct at_param p_qftpname[] = { AT_STR(QFTP_NAME_MAX), AT_END };
static const struct at_param p_qftpget[] = { AT_STR(QFTP_NAME_MAX),
	AT_STR(FIRMWARE_UFS_NAME_MAX + 4), AT_END };

const char *
qftp_state_name(enum qftp_state s)
{
	return s < QFTP_NSTATES ? qftp_state_names[s] : "?";
}

/* The only way to change the session's state. */
static void
qftp_set_state(struct qftp *q, enum qftp_state s)
{
	if (q->state != s)
		translog_state(q->m->log, "ftp", "%s -> %s",
		    qftp_state_name(q->state), qftp_state_name(s));
	q->state = s;
}

/* The code for a service state, from the one table. */
static int
qftp_code(enum dl_svc svc, enum dl_stop stop, uint64_t bytes)
{
	return fota_code_state(DL_FTP, svc, DL_URL_OK, stop, bytes);
}

enum dl_svc
qftp_svc(const struct qftp *q)
{
	switch (q->state) {
	case QFTP_IDLE:
		return DL_SVC_OK;
	case QFTP_TRANSFER:
		return DL_SVC_BUSY;
	default:
		return DL_SVC_BLOCKED;
	}
}

/*
 * What a FOTA download over FTP means to the host's AT+QFTPOPEN: it holds
 * the one session (602), and once its file moves, the one transfer (603).
 */
static enum dl_svc
qftp_fota_svc(const struct modem *m)
{
	const struct fota_job *j = &m->fota;

	if ((j->state != FOTA_STARTING && j->state != FOTA_DOWNLOADING) ||
	    j->serial || j->local || j->proto != DL_FTP)
		return DL_SVC_OK;
	switch (xfer_stage(&j->xfer)) {
	case DL_STAGE_REST:
	case DL_STAGE_RETR:
	case DL_STAGE_BODY:
	case DL_STAGE_FINAL:
		return DL_SVC_BUSY;
	default:
		return DL_SVC_BLOCKED;
	}
}

/* The server's reply that caused a code, as the module prints it. */
static long
qftp_reply(const struct qftp *q, int code)
{
	return code != 0 && q->xfer.rc >= 400 && q->xfer.rc <= 599 ?
	    q->xfer.rc : 0;
}

/* Whether a name holds a byte that would end the command line. */
static int
qftp_bad_name(const char *s)
{
	if (*s == '\0')
		return 1;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/*
 * The session's URL: the account and the server, and a file's name in the
 * server's current directory ("/name": libcurl, told not to change
 * directories, asks for "name"), each part encoded by libcurl's URL API.
 * NULL if the parts make no URL.
 */
static char *
qftp_url(const struct qftp *q, const char *file)
{
	CURLU *u = curl_url();
	char port[16], *path = NULL, *out = NULL;
	int bad;

	if (u == NULL)
		return NULL;
	snprintf(port, sizeof port, "%d", q->port);
	xasprintf(&path, "/%s", file != NULL ? file : "");
	bad = curl_url_set(u, CURLUPART_SCHEME, "ftp", 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_HOST, q->host, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_PORT, port, 0) != CURLUE_OK ||
	    (q->user[0] != '\0' && curl_url_set(u, CURLUPART_USER, q->user,
	    CURLU_URLENCODE) != CURLUE_OK) ||
	    (q->pass[0] != '\0' && curl_url_set(u, CURLUPART_PASSWORD, q->pass,
	    CURLU_URLENCODE) != CURLUE_OK) ||
	    curl_url_set(u, CURLUPART_PATH, path, CURLU_URLENCODE) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &out, 0) != CURLUE_OK;
	free(path);
	curl_url_cleanup(u);
	if (bad) {
		curl_free(out);
		return NULL;
	}
	path = xstrdup(out);
	curl_free(out);
	return path;
}

/* Give the stack a new URL (it keeps a pointer to it while it runs). */
static void
qftp_set_url(char **slot, char *url)
{
	free(*slot);
	*slot = url;
}

/* The directory in a 257 reply: the quoted part, "" for a quote. */
static void
qftp_pwd_path(const char *reply, char *out, size_t size)
{
	const char *p = strchr(reply, '"');
	size_t n = 0;

	if (p != NULL)
		for (p++; *p != '\0' && n + 1 < size; p++) {
			if (*p == '"' && p[1] != '"')
				break;
			if (*p == '"')
				p++;
			out[n++] = *p;
		}
	out[n] = '\0';
}

/* The UFS file being written goes (a failed or cancelled download). */
static void
qftp_ufs_abort(struct qftp *q)
{
	if (q->ufs_open && q->m->fw != NULL)
		firmware_ufs_abort(q->m->fw);
	q->ufs_open = 0;
}

/* A UFS download: the file, as large as the server said, or the room. */
static int
qftp_ufs_open(struct qftp *q, uint64_t size)
{
	uint64_t nfree = 0, total = 0;

	if (q->m->fw == NULL)
		return DL_STOP_STORAGE;
	if (size == 0)
		firmware_ufs_space(q->m->fw, &nfree, &total);
	switch (firmware_ufs_create(q->m->fw, q->ufs, size > 0 ? size :
	    nfree)) {
	case 0:
		q->ufs_open = 1;
		return DL_STOP_NONE;
	case FIRMWARE_ERR_TOO_BIG:
	case FIRMWARE_ERR_NOSPACE:
		return DL_STOP_TOO_BIG;
	default:
		return DL_STOP_STORAGE;
	}
}

/* The stack: the declared size (SIZE's 213, for GET and AT+QFTPSIZE). */
static int
qftp_size(void *arg, uint64_t size)
{
	struct qftp *q = arg;

	if (q->state != QFTP_TRANSFER || q->to_com || q->ufs_open || size == 0)
		return DL_STOP_NONE;
	return qftp_ufs_open(q, size);
}

/* The stack: the file's bytes, to the port or the UFS. */
static int
qftp_data(void *arg, const void *p, size_t n)
{
	struct qftp *q = arg;
	struct modem *m = q->m;
	double busy;
	int why;

	if (q->state != QFTP_TRANSFER)
		return DL_STOP_NONE;
	if (q->to_com) {
		if (!q->connected) {
			at_result(&q->iface->at, AT_RES_CONNECT);
			q->connected = 1;
		}
		at_write(&q->iface->at, p, n);
		q->got += n;
		return DL_STOP_NONE;
	}
	if (!q->ufs_open && (why = qftp_ufs_open(q, 0)) != DL_STOP_NONE)
		return why;
	switch (firmware_ufs_write(m->fw, p, n)) {
	case 0:
		break;
	case FIRMWARE_ERR_TOO_BIG:
		return DL_STOP_TOO_BIG;
	default:
		return DL_STOP_STORAGE;
	}
	q->got += n;
	if ((busy = firmware_take_busy(m->fw)) > 0)
		xfer_pause(&q->xfer, busy);
	return DL_STOP_NONE;
}

/* AT+QFTPGET is over with `code`: the file kept or dropped, the result. */
static void
qftp_get_done(struct qftp *q, int code)
{
	struct modem *m = q->m;
	long rc = qftp_reply(q, code);

	if (!q->to_com) {
		if (code == 0 && q->ufs_open) {
			q->ufs_open = 0;
			if (firmware_ufs_close(m->fw) != 0) {
				code = qftp_code(DL_SVC_OK, DL_STOP_STORAGE,
				    q->got);
				rc = 0;
			}
		} else
			qftp_ufs_abort(q);
	}
	translog_state(m->log, "ftp", "GET done: %d, %llu bytes", code,
	    (unsigned long long)q->got);
	if (q->to_com) {
		if (code == 0 && !q->connected)
			at_result(&q->iface->at, AT_RES_CONNECT);	/* an empty file */
		modem_at_finish(q->iface, AT_RES_OK);
	}
	if (code == 0)
		modem_urc_on(m, q->iface, "+QFTPGET: 0,%llu", (unsigned long long)q->got);
	else
		modem_urc_on(m, q->iface, "+QFTPGET: %d,%ld", code, rc);
}

/* The stack: the session's command is over. */
static void
qftp_done(void *arg, int code)
{
	struct qftp *q = arg;
	struct modem *m = q->m;
	enum qftp_state was = q->state;
	char path[QFTP_NAME_MAX + 1];

	translog_state(m->log, "ftp", "%s done: %d, reply %ld", q->op, code,
	    q->xfer.rc);
	if (was == QFTP_CLOSING || !q->xfer.open) {
		/* Closed, or the control connection is gone with it. */
		xfer_session_end(&q->xfer);
		qftp_set_state(q, QFTP_IDLE);
	} else
		qftp_set_state(q, QFTP_OPENED);
	switch (was) {
	case QFTP_TRANSFER:
		qftp_get_done(q, code);
		return;
	case QFTP_CLOSING:
		/* The session is over, whatever the QUIT got. */
		modem_urc_on(m, q->iface, "+QFTPCLOSE: 0,0");
		return;
	default:
		break;
	}
	if (code != 0) {
		modem_urc_on(m, q->iface, "+QFTP%s: %d,%ld", q->op, code, qftp_reply(q, code));
		return;
	}
	if (strcmp(q->op, "PWD") == 0) {
		qftp_pwd_path(q->xfer.reply, path, sizeof path);
		modem_urc_on(m, q->iface, "+QFTPPWD: 0,\"%s\"", path);
	} else if (strcmp(q->op, "SIZE") == 0)
		modem_urc_on(m, q->iface, "+QFTPSIZE: 0,%llu",
		    (unsigned long long)q->xfer.size);
	else
		modem_urc_on(m, q->iface, "+QFTP%s: 0,0", q->op);
}

int
qftp_com_on(const struct qftp *q, const struct modem_iface *f)
{
	return q->to_com && q->state == QFTP_TRANSFER && q->iface == f;
}

void
qftp_init(struct qftp *q, struct modem *m)
{
	struct xfer_cbs cbs = { qftp_size, qftp_data, qftp_done, q, NULL };

	memset(q, 0, sizeof *q);
	q->m = m;
	xfer_init(&q->xfer, m, "ftp", &cbs);
	q->xfer.session = 1;
	q->transmode = 1;
	q->rsptimeout = QFTP_RSPTIMEOUT_DEFAULT;
	/* Its own relay, so that no other transfer's end closes its control
	 * connection (modem_relay_new: the module's profile and faults). */
	q->link = modem_relay_new(m);
	q->xfer.link = q->link;
}

void
qftp_cancel(struct qftp *q)
{
	if (q->m == NULL)
		return;
	xfer_cancel(&q->xfer);
	xfer_session_end(&q->xfer);
	qftp_ufs_abort(q);
	qftp_set_state(q, QFTP_IDLE);
}

void
qftp_free(struct qftp *q)
{
	if (q->m == NULL)
		return;			/* never set up */
	qftp_cancel(q);
	xfer_free(&q->xfer);
	link_free(q->link);
	q->link = NULL;
	qftp_set_url(&q->url, NULL);
	qftp_set_url(&q->file_url, NULL);
}

void
qftp_net_event(struct qftp *q, enum net_event ev, int cid)
{
	if (q->xfer.active) {
		xfer_net_event(&q->xfer, ev, cid);
		return;
	}
	/* An open session loses its connection with the radio or context. */
	if (q->state == QFTP_OPENED && (ev == NET_EV_RADIO_LOST ||
	    (ev == NET_EV_PDP_DOWN && cid == q->xfer.cid))) {
		translog_state(q->m->log, "ftp", "session lost with the %s",
		    ev == NET_EV_RADIO_LOST ? "radio" : "context");
		xfer_session_end(&q->xfer);
		qftp_set_state(q, QFTP_IDLE);
	}
}

/* AT+QFTPCFG="<name>": an integer setting, its range and where it lives. */
static int *
qftp_setting(struct qftp *q, const char *name, long *lo, long *hi)
{
	static const struct {
		const char	*name;
		long		 lo, hi;
		size_t		 off;
	} tab[] = {
		{ "filetype", 0, 1, offsetof(struct qftp, filetype) },
		{ "transmode", 0, 1, offsetof(struct qftp, transmode) },
		{ "rsptimeout", 20, 180, offsetof(struct qftp, rsptimeout) },
		{ "ssltype", 0, 2, offsetof(struct qftp, ssltype) },
		{ "sslctxid", 0, 5, offsetof(struct qftp, sslctxid) },
	};
	size_t i;

	if (strcasecmp(name, "contextid") == 0) {
		*lo = 1, *hi = NET_NCID - 1;
		return &q->xfer.cid;
	}
	for (i = 0; i < nitems(tab); i++)
		if (strcasecmp(name, tab[i].name) == 0) {
			*lo = tab[i].lo, *hi = tab[i].hi;
			return (int *)((char *)q + tab[i].off);
		}
	return NULL;
}

/*
 * AT+QFTPCFG="<name>"[,<value>...]: read or set.  "transmode" 0 (active:
 * the server connects to the module) and "ssltype" 1/2 (FTPS) are not
 * built and are refused as unsupported.
 */
static int
at_ftp_qftpcfg(struct at_req *r)
{
	struct qftp *q = &at_req_modem(r)->ftp;
	const char *name;
	long lo, hi, v;
	int *p;

	if (r->form == AT_TEST) {
		at_info(r, "+QFTPCFG: \"account\",<username>,<password>");
		at_info(r, "+QFTPCFG: \"filetype\",(0,1)");
		at_info(r, "+QFTPCFG: \"transmode\",(1)");
		at_info(r, "+QFTPCFG: \"contextid\",(1-%d)", NET_NCID - 1);
		at_info(r, "+QFTPCFG: \"rsptimeout\",(20-180)");
		at_info(r, "+QFTPCFG: \"ssltype\",(0)");
		at_info(r, "+QFTPCFG: \"sslctxid\",(0-5)");
		return AT_RES_OK;
	}
	name = r->args[0].s;
	if (strcasecmp(name, "account") == 0) {
		if (r->nargs < 2) {
			at_info(r, "+QFTPCFG: \"account\",\"%s\",\"%s\"", q->user,
			    q->pass);
			return AT_RES_OK;
		}
		if (r->nargs != 3 || r->args[1].type != AT_P_STR ||
		    r->args[2].type != AT_P_STR ||
		    strlen(r->args[1].s) > QFTP_ACCOUNT_MAX ||
		    strlen(r->args[2].s) > QFTP_ACCOUNT_MAX)
			return CME_BAD_PARAM;
		if (q->state != QFTP_IDLE)
			return qftp_code(qftp_svc(q), DL_STOP_NONE, 0);
		str_copy(q->user, r->args[1].s, sizeof q->user);
		str_copy(q->pass, r->args[2].s, sizeof q->pass);
		return AT_RES_OK;
	}
	if ((p = qftp_setting(q, name, &lo, &hi)) == NULL)
		return CME_BAD_PARAM;
	if (r->nargs < 2) {
		at_info(r, "+QFTPCFG: \"%s\",%d", name, *p);
		return AT_RES_OK;
	}
	if (r->nargs > 2 || r->args[1].type != AT_P_INT ||
	    at_arg_int(r, 1, lo, hi, 0, &v) != 0)
		return CME_BAD_PARAM;
	if ((p == &q->transmode && v == 0) || (p == &q->ssltype && v != 0))
		return CME_NOT_SUPPORTED;
	if (q->state != QFTP_IDLE)
		return qftp_code(qftp_svc(q), DL_STOP_NONE, 0);
	*p = (int)v;
	return AT_RES_OK;
}

/* The stack's settings for the session, from AT+QFTPCFG. */
static void
qftp_apply(struct qftp *q)
{
	dl_timeouts_default(&q->xfer.timeouts);
	q->xfer.timeouts.response = q->rsptimeout;
	q->xfer.ascii = q->filetype == 1;
	q->xfer.resumes = 0;
}

/*
 * AT+QFTPOPEN=<host>[,<port>]: OK, then the login; +QFTPOPEN when it is
 * over.  The module's one FTP session held (the host's own, or a FOTA
 * download's) answers 602, a transfer on it 603, from the table.
 */
static int
at_ftp_qftpopen(struct at_req *r)
{
	struct modem *m = at_req_modem(r);
	struct qftp *q = &m->ftp;
	enum dl_svc svc;
	char *url;

	if (r->form == AT_TEST) {
		at_info(r, "+QFTPOPEN: <hostname>,(1-65535)");
		return AT_RES_OK;
	}
	if ((svc = qftp_svc(q)) == DL_SVC_OK)
		svc = qftp_fota_svc(m);
	if (svc != DL_SVC_OK) {
		translog_state(m->log, "ftp", "OPEN refused: the FTP session "
		    "is %s", svc == DL_SVC_BUSY ? "transferring" : "held");
		modem_urc_on(m, modem_req_iface(r), "+QFTPOPEN: %d,0",
		    qftp_code(svc, DL_STOP_NONE, 0));
		return AT_RES_OK;
	}
	str_copy(q->host, r->args[0].s, sizeof q->host);
	q->port = r->nargs > 1 && r->args[1].present ? (int)r->args[1].i : 21;
	q->op = "OPEN";
	q->iface = modem_req_iface(r);
	q->xfer.ftp_cmd = NULL;		/* only the login */
	qftp_apply(q);
	qftp_set_state(q, QFTP_OPENING);
	url = qftp_url(q, NULL);
	qftp_set_url(&q->url, url);
	if (url == NULL || qftp_bad_name(q->host))
		xfer_refuse(&q->xfer, DL_FTP, DL_SVC_OK, DL_URL_MALFORMED);
	else
		xfer_start(&q->xfer, q->url, DL_FTP);
	return AT_RES_OK;
}

/*
 * A command on the open session: 0 when it may go, else the result for
 * the command itself (no session: not allowed; one running: 603).
 */
static int
qftp_can_run(const struct qftp *q)
{
	if (q->state == QFTP_IDLE)
		return CME_NOT_ALLOWED;
	if (q->state != QFTP_OPENED)
		return qftp_code(DL_SVC_BUSY, DL_STOP_NONE, 0);
	return 0;
}

/* Run one command (CWD, PWD, SIZE) on the session; its result later. */
static int
qftp_command(struct at_req *r, const char *op, const char *arg)
{
	struct qftp *q = &at_req_modem(r)->ftp;
	int rc;

	if ((rc = qftp_can_run(q)) != 0)
		return rc;
	if (arg != NULL && qftp_bad_name(arg))
		return CME_BAD_PARAM;
	if (arg != NULL)
		snprintf(q->cmd, sizeof q->cmd, "%s %s", op, arg);
	else
		snprintf(q->cmd, sizeof q->cmd, "%s", op);
	q->op = op;
	q->iface = modem_req_iface(r);
	q->xfer.ftp_cmd = q->cmd;
	qftp_set_state(q, QFTP_WORKING);
	xfer_again(&q->xfer, q->url, NULL);
	return AT_RES_OK;
}

static int
at_ftp_qftpcwd(struct at_req *r)
{
	if (r->form == AT_TEST) {
		at_info(r, "+QFTPCWD: <path_name>");
		return AT_RES_OK;
	}
	return qftp_command(r, "CWD", r->args[0].s);
}

static int
at_ftp_qftppwd(struct at_req *r)
{
	if (r->form == AT_TEST)
		return AT_RES_OK;
	return qftp_command(r, "PWD", NULL);
}

static int
at_ftp_qftpsize(struct at_req *r)
{
	if (r->form == AT_TEST) {
		at_info(r, "+QFTPSIZE: <file_name>");
		return AT_RES_OK;
	}
	return qftp_command(r, "SIZE", r->args[0].s);
}

/*
 * AT+QFTPGET=<file>,<local>: "COM:" (CONNECT, the bytes as they come, OK,
 * then +QFTPGET) or a UFS file ("UFS:name" or "name": OK, then +QFTPGET).
 * A UFS name already taken is refused (407) before anything is sent.
 */
static int
at_ftp_qftpget(struct at_req *r)
{
	struct modem *m = at_req_modem(r);
	struct qftp *q = &m->ftp;
	const char *local = r->args[1].s, *name;
	uint64_t size;
	char *url;
	int rc;

	if (r->form == AT_TEST) {
		at_info(r, "+QFTPGET: <file_name>,\"COM:\"|\"UFS:<local_name>\"");
		return AT_RES_OK;
	}
	if ((rc = qftp_can_run(q)) != 0)
		return rc;
	if (qftp_bad_name(r->args[0].s))
		return CME_BAD_PARAM;
	q->to_com = strcasecmp(local, "COM:") == 0;
	if (!q->to_com) {
		if ((name = qfupl_ufs_name(local)) == NULL)
			return CME_FILE_NAME;
		if (m->fw != NULL && firmware_ufs_stat(m->fw, name, &size) == 0)
			return CME_FILE_EXISTS;
		str_copy(q->ufs, name, sizeof q->ufs);
	}
	if ((url = qftp_url(q, r->args[0].s)) == NULL)
		return CME_BAD_PARAM;
	qftp_set_url(&q->file_url, url);
	q->connected = 0;
	q->ufs_open = 0;
	q->got = 0;
	q->op = "GET";
	q->iface = modem_req_iface(r);
	q->xfer.ftp_cmd = NULL;
	qftp_set_state(q, QFTP_TRANSFER);
	xfer_again(&q->xfer, q->file_url, r->args[0].s);
	/* "COM:": the bytes are this command's; its OK comes after them. */
	if (q->to_com && q->state == QFTP_TRANSFER)
		return AT_RES_PENDING;
	return AT_RES_OK;
}

/* AT+QFTPCLOSE: QUIT on the session, then +QFTPCLOSE: 0,0. */
static int
at_ftp_qftpclose(struct at_req *r)
{
	struct modem *m = at_req_modem(r);
	struct qftp *q = &m->ftp;

	if (r->form == AT_TEST)
		return AT_RES_OK;
	q->iface = modem_req_iface(r);
	if (q->state == QFTP_TRANSFER || q->state == QFTP_WORKING) {
		/* What runs ends without its result. */
		translog_state(m->log, "ftp", "%s stopped by CLOSE", q->op);
		xfer_cancel(&q->xfer);
		qftp_ufs_abort(q);
		q->xfer.open = q->xfer.open && dl_session_kept(q->xfer.dl);
		qftp_set_state(q, QFTP_OPENED);
	}
	if (q->state == QFTP_OPENING) {
		xfer_cancel(&q->xfer);
		q->xfer.open = 0;
	}
	if (q->state == QFTP_CLOSING)
		return qftp_code(DL_SVC_BUSY, DL_STOP_NONE, 0);
	if (q->state != QFTP_OPENED || !q->xfer.open ||
	    dl_session_ctl(q->xfer.dl) != DL_CTL_OK) {
		xfer_session_end(&q->xfer);
		qftp_set_state(q, QFTP_IDLE);
		modem_urc_on(m, q->iface, "+QFTPCLOSE: 0,0");
		return AT_RES_OK;
	}
	q->op = "CLOSE";
	snprintf(q->cmd, sizeof q->cmd, "QUIT");
	q->xfer.ftp_cmd = q->cmd;
	qftp_set_state(q, QFTP_CLOSING);
	xfer_again(&q->xfer, q->url, NULL);
	return AT_RES_OK;
}

/* AT+QFTPSTAT: the session's state. */
static int
at_ftp_qftpstat(struct at_req *r)
{
	struct qftp *q = &at_req_modem(r)->ftp;

	if (r->form == AT_TEST)
		return AT_RES_OK;
	at_info(r, "+QFTPSTAT: %s", qftp_state_name(q->state));
	return AT_RES_OK;
}

const struct at_cmd at_ftp_cmds[] = {
	{ .name = "+QFTPCFG", .forms = AT_TEST | AT_SET, .params = p_qftpcfg,
	  .nreq = 1, .proceed = at_ftp_qftpcfg },
	{ .name = "+QFTPOPEN", .forms = AT_TEST | AT_SET, .params = p_qftpopen,
	  .nreq = 1, .proceed = at_ftp_qftpopen },
	{ .name = "+QFTPCWD", .forms = AT_TEST | AT_SET, .params = p_qftpname,
	  .nreq = 1, .proceed = at_ftp_qftpcwd },
	{ .name = "+QFTPPWD", .forms = AT_EXEC | AT_TEST,
	  .proceed = at_ftp_qftppwd },
	{ .name = "+QFTPSIZE", .forms = AT_TEST | AT_SET, .params = p_qftpname,
	  .nreq = 1, .proceed = at_ftp_qftpsize },
	{ .name = "+QFTPGET", .forms = AT_TEST | AT_SET, .params = p_qftpget,
	  .nreq = 2, .proceed = at_ftp_qftpget },
	{ .name = "+QFTPCLOSE", .forms = AT_EXEC | AT_TEST,
	  .proceed = at_ftp_qftpclose },
	{ .name = "+QFTPSTAT", .forms = AT_EXEC | AT_TEST,
	  .proceed = at_ftp_qftpstat },
	{ .name = NULL },
};
