/*
 * fota-job.c: AT+QFOTADL after its OK.
 *
 *   OK
 *   +QIND: "FOTA","HTTPSTART"        (FTPSTART over ftp://)
 *   +QIND: "FOTA","DOWNLOADING",n    (only with download_URC_max)
 *   +QIND: "FOTA","HTTPEND",<err>
 *   ... the updater: START, UPDATING, END, and the reboot
 *
 * Over the air the module's TCP/IP stack (xfer.c) checks the URL, brings
 * the context up, resolves the name and runs the download, and the one
 * table (net/fota-codes.c) gives the code.  The body goes into the FOTA
 * area as it arrives; after each piece the download pauses
 * for as long as the flash took to program it, so the flash rate paces
 * the download as on the module.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "firmware/firmware.h"
#include "fota-job.h"
#include "modem.h"
#include "net/fota-codes.h"
#include "translog.h"

static const char *const fota_state_names[FOTA_NSTATES] = {
	"idle", "starting", "downloading", "receiving", "copying", "updating",
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
		code = j->local ? FOTA_END_FAILED : j->serial ? 500 :
		    j->proto == DL_FTP ? 613 : 729;
	else if (code != 0 && j->staging)
		(void)firmware_stage_abort(fw);
	j->staging = 0;
	translog_state(j->m->log, "fota", "%s %s: %d (%llu bytes)",
	    j->local ? "copy" : "download", code == 0 ? "done" : "failed", code,
	    (unsigned long long)j->got);
	/* From the UFS nothing was downloaded: the updater's URCs only. */
	if (j->local && code != 0)
		modem_urc_on(j->m, j->iface, "+QIND: \"FOTA\",\"END\",%d",
		    code);
	else if (!j->local)
		modem_urc_on(j->m, j->iface, "+QIND: \"FOTA\",\"%sEND\",%d",
		    fota_urc_word(j), code);
	if (code != 0) {
		fota_set_state(j, FOTA_IDLE);
		return;
	}
	fota_set_state(j, FOTA_UPDATING);
	if (j->args.mode == 0 || j->reboot_first) {
		/* Reboot first; the boot finds the package and updates. */
		modem_reboot(j->m);
		return;
	}
	if (firmware_update_start(fw) != 0)
		fota_set_state(j, FOTA_IDLE);
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
		modem_urc_on(j->m, j->iface,
		    "+QIND: \"FOTA\",\"DOWNLOADING\",%d",
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
		xfer_pause(&j->xfer, busy);
	return DL_STOP_NONE;
}

void
fota_job_net_event(struct fota_job *j, enum net_event ev, int cid)
{
	if (j->state == FOTA_DOWNLOADING)
		xfer_net_event(&j->xfer, ev, cid);
}

/* The stack: the transfer is over. */
static void
fota_xfer_done(void *arg, int code)
{
	struct fota_job *j = arg;

	if (j->state == FOTA_DOWNLOADING)
		fota_end(j, code);
}

/* After OK: the transfer starts (the stack checks the URL first). */
static void
fota_begin_cb(struct clock_timer *t, void *arg)
{
	struct fota_job *j = arg;

	(void)t;
	fota_set_state(j, FOTA_DOWNLOADING);
	/* The module runs one HTTP(S) request at a time: the host's own
	 * (AT+QHTTPGET) is in the way. */
	if (j->proto != DL_FTP && qhttp_busy(&j->m->http)) {
		xfer_refuse(&j->xfer, j->proto, DL_SVC_BUSY, DL_URL_OK);
		return;
	}
	/* Another AT interface is in data mode (a CONNECT of AT+QHTTPURL,
	 * AT+QHTTPREAD, AT+QFUPL or FILE:): the HTTP(S) stack does not start
	 * (704, "UART busy").  The FTP table has no such code: FTP goes on. */
	if (j->proto != DL_FTP && modem_other_in_data_mode(j->m, j->iface)) {
		xfer_refuse(&j->xfer, j->proto, DL_SVC_UART_BUSY, DL_URL_OK);
		return;
	}
	/* And one FTP session: the host's (AT+QFTPOPEN) holds it (602), or
	 * its AT+QFTPGET runs on it (603). */
	if (j->proto == DL_FTP && qftp_svc(&j->m->ftp) != DL_SVC_OK) {
		xfer_refuse(&j->xfer, j->proto, qftp_svc(&j->m->ftp),
		    DL_URL_OK);
		return;
	}
	xfer_start(&j->xfer, j->args.url, j->proto);
}

void
fota_job_init(struct fota_job *j, struct modem *m)
{
	struct xfer_cbs cbs = { fota_dl_size, fota_dl_data, fota_xfer_done, j,
	    NULL };

	memset(j, 0, sizeof *j);
	j->m = m;
	xfer_init(&j->xfer, m, "fota", &cbs);
	clock_timer_init(&j->start_t, m->clock, fota_begin_cb, j);
	fota_file_init(j);
	fota_local_init(j);
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
	j->iface = j->m->cur;
	j->serial = fota_file_length(a->url) > 0;
	j->local = fota_local_name(a->url) != NULL;
	if (!j->serial && !j->local)
		(void)xfer_url_scheme(a->url, &j->proto);
	j->staging = 0;
	j->size = j->got = 0;
	j->dl_urcs = j->up_urcs = 0;
	j->up_last = 0;
	fota_set_state(j, FOTA_STARTING);
	if (j->local) {
		fota_local_start(j);
		return;
	}
	modem_urc_on(j->m, j->iface, "+QIND: \"FOTA\",\"%sSTART\"",
	    fota_urc_word(j));
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
	/*
	 * Idle first: the engine's done() then reports nothing.  An update
	 * belongs to the updater and goes on after a reboot (upgrade_mode 0,
	 * or a power cut): the job keeps filtering its URCs until END.
	 */
	if (j->state != FOTA_UPDATING)
		fota_set_state(j, FOTA_IDLE);
	xfer_cancel(&j->xfer);
	fota_file_stop(j);
	fota_local_stop(j);
	/* The FOTA area keeps what it has: the next boot discards it. */
	j->staging = 0;
}

void
fota_job_free(struct fota_job *j)
{
	fota_job_cancel(j);
	xfer_free(&j->xfer);
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
