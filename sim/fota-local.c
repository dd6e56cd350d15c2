/*
 * fota-local.c: AT+QFOTADL="/data/ufs/<name>" (or "UFS:<name>"), the
 * update from a package already in the module's UFS, as fwupd's
 * modem-manager DFOTA plugin starts it after AT+QFUPL.
 *
 *   OK
 *   ... the updater: START, UPDATING, END, and the reboot
 *
 * No URC comes before START: nothing is downloaded.  After OK the file is
 * copied into the FOTA area through the normal staging path, piece by
 * piece at the flash's pace, and the updater takes it from there, so a
 * corrupt file ends as any corrupt package does (END,506) after its real
 * checks.  A flash error while copying ends with END,504.  The file stays
 * in the UFS; the host deletes it (fwupd does, before its next upload).
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "at-file.h"
#include "firmware/firmware.h"
#include "fota-job.h"
#include "modem.h"
#include "translog.h"

#define FOTA_LOCAL_PIECE	4096	/* bytes copied per flash step */
#define FOTA_LOCAL_DIR		"/data/ufs/"

const char *
fota_local_name(const char *url)
{
	if (strncmp(url, FOTA_LOCAL_DIR, sizeof FOTA_LOCAL_DIR - 1) == 0)
		return qfupl_ufs_name(url + sizeof FOTA_LOCAL_DIR - 1);
	if (strncasecmp(url, "UFS:", 4) == 0)
		return qfupl_ufs_name(url);
	return NULL;
}

/* Copy the next piece, then wait for the flash; the last one stages. */
static void
fota_local_copy_cb(struct clock_timer *t, void *arg)
{
	struct fota_job *j = arg;
	struct firmware *fw = j->m->fw;
	unsigned char buf[FOTA_LOCAL_PIECE];
	size_t n;
	double busy;

	(void)t;
	if (j->state != FOTA_COPYING)
		return;
	if (j->got == j->size) {
		translog_state(j->m->log, "fota", "local: %s copied (%llu bytes)",
		    j->ufs_name, (unsigned long long)j->got);
		fota_end(j, 0);
		return;
	}
	n = j->size - j->got < sizeof buf ? (size_t)(j->size - j->got) :
	    sizeof buf;
	if (firmware_ufs_read(fw, j->ufs_name, j->got, buf, n) != 0 ||
	    firmware_stage_write(fw, buf, n) != 0) {
		translog_state(j->m->log, "fota", "local: copying %s failed at "
		    "%llu bytes", j->ufs_name, (unsigned long long)j->got);
		fota_end(j, FOTA_END_FAILED);
		return;
	}
	j->got += n;
	busy = firmware_take_busy(fw);
	clock_timer_start(&j->copy_t, busy);
}

void
fota_local_init(struct fota_job *j)
{
	clock_timer_init(&j->copy_t, j->m->clock, fota_local_copy_cb, j);
}

void
fota_local_start(struct fota_job *j)
{
	uint64_t size = 0;

	str_copy(j->ufs_name, fota_local_name(j->args.url), sizeof j->ufs_name);
	fota_set_state(j, FOTA_COPYING);
	if (firmware_ufs_stat(j->m->fw, j->ufs_name, &size) != 0 ||
	    firmware_stage_begin(j->m->fw, size) != 0) {
		fota_end(j, FOTA_END_FAILED);
		return;
	}
	j->staging = 1;
	j->size = size;
	translog_state(j->m->log, "fota", "local: copying %s (%llu bytes) into "
	    "the FOTA area", j->ufs_name, (unsigned long long)size);
	/* After the final result code has gone out. */
	clock_timer_start(&j->copy_t, 0);
}

void
fota_local_stop(struct fota_job *j)
{
	clock_timer_stop(&j->copy_t);
}
