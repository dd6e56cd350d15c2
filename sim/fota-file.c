/*
 * fota-file.c: AT+QFOTADL="FILE:<length>", the package over the AT port.
 *
 *   OK
 *   +QIND: "FOTA","FILESTART"
 *   ... exactly <length> raw bytes from the host ...
 *   +QIND: "FOTA","FILEEND",<0|500>
 *   ... the updater, as after a download
 *
 * The bytes after the command line go into a receive buffer of
 * FOTA_FILE_RX bytes, and from there into the FOTA area at the flash's
 * program rate on the simulated clock: each piece is written, then nothing
 * more is written until the flash's busy time has passed.
 *
 * With hardware flow control (AT+IFC=2,2 on the UART, AT+QCFG="usbifc",2,2
 * on USB) the modem takes no more than the buffer holds; the rest stays in
 * the pty, whose buffer fills, and the host's write() blocks: that is CTS.
 * Without it the modem drains the pty eagerly and what does not fit the
 * buffer is lost, counted in the transcript; the file then comes up short,
 * the modem waits for the rest, and after its inactivity timeout (the stall
 * timer of --fota-timeouts) reports FILEEND,500.
 */
#include "config.h"

#include <string.h>

#include "firmware/firmware.h"
#include "fota-job.h"
#include "modem.h"
#include "translog.h"

#define FOTA_FILE_FAILED	500

static void	fota_file_consume(struct fota_job *);

/* The flash has finished the last piece: write the next. */
static void
fota_file_flash_cb(struct clock_timer *t, void *arg)
{
	(void)t;
	fota_file_consume(arg);
}

/* The host stopped sending before the package was complete. */
static void
fota_file_idle_cb(struct clock_timer *t, void *arg)
{
	struct fota_job *j = arg;

	(void)t;
	translog_state(j->m->log, "fota", "file: no byte for %g s, %llu of "
	    "%llu bytes received, %llu lost", j->timeouts.stall,
	    (unsigned long long)j->file_got, (unsigned long long)j->file_len,
	    (unsigned long long)j->file_dropped);
	fota_file_stop(j);
	fota_end(j, FOTA_FILE_FAILED);
}

void
fota_file_init(struct fota_job *j)
{
	clock_timer_init(&j->file_t, j->m->clock, fota_file_flash_cb, j);
	clock_timer_init(&j->idle_t, j->m->clock, fota_file_idle_cb, j);
}

void
fota_file_start(struct fota_job *j, int flow)
{
	j->file_len = fota_file_length(j->args.url);
	j->file_got = j->file_dropped = 0;
	j->rx_used = 0;
	j->flow = flow;
	j->skip_lf = 1;
	j->size = j->file_len;
	translog_state(j->m->log, "fota", "file: %llu bytes, flow control %s",
	    (unsigned long long)j->file_len, flow ? "on" : "off");
	fota_set_state(j, FOTA_RECEIVING);
	if (firmware_stage_begin(j->m->fw, j->file_len) != 0) {
		fota_end(j, FOTA_FILE_FAILED);
		return;
	}
	j->staging = 1;
	clock_timer_start(&j->idle_t, j->timeouts.stall);
}

int
fota_file_receiving(const struct fota_job *j)
{
	return j->state == FOTA_RECEIVING && j->file_got < j->file_len;
}

void
fota_file_stop(struct fota_job *j)
{
	clock_timer_stop(&j->file_t);
	clock_timer_stop(&j->idle_t);
	j->rx_used = 0;
}

/* Print the DOWNLOADING URCs the bytes written so far have earned. */
static void
fota_file_progress(struct fota_job *j, uint64_t written)
{
	int n = j->args.dl_urc_max;

	while (n > 0 && j->dl_urcs < n &&
	    written >= j->file_len * (uint64_t)(j->dl_urcs + 1) / (uint64_t)n)
		modem_urc(j->m, "+QIND: \"FOTA\",\"DOWNLOADING\",%d", ++j->dl_urcs);
}

/* Write what the buffer holds into the FOTA area, paced by the flash. */
static void
fota_file_consume(struct fota_job *j)
{
	double busy;

	if (j->state != FOTA_RECEIVING || clock_timer_active(&j->file_t))
		return;
	if (j->rx_used > 0) {
		if (firmware_stage_write(j->m->fw, j->rx, j->rx_used) != 0) {
			fota_file_stop(j);
			fota_end(j, FOTA_FILE_FAILED);
			return;
		}
		j->got += j->rx_used;
		j->rx_used = 0;
		fota_file_progress(j, j->got);
		/* Room again: what waited in the pty comes in (flow control). */
		if (j->flow)
			port_pause(&j->m->port, 0);
		if ((busy = firmware_take_busy(j->m->fw)) > 0) {
			clock_timer_start(&j->file_t, busy);
			return;
		}
	}
	if (j->got == j->file_len) {
		fota_file_stop(j);
		translog_state(j->m->log, "fota", "file: %llu bytes received",
		    (unsigned long long)j->got);
		fota_end(j, 0);
	}
}

size_t
fota_file_input(struct fota_job *j, const unsigned char *p, size_t n)
{
	size_t take, keep, lost;

	if (n == 0 || !fota_file_receiving(j))
		return 0;
	clock_timer_start(&j->idle_t, j->timeouts.stall);
	/* CR LF after the command: the LF ends the line, it is not data. */
	if (j->skip_lf) {
		j->skip_lf = 0;
		if (p[0] == '\n')
			return 1;
	}
	take = n;
	if (take > j->file_len - j->file_got)
		take = (size_t)(j->file_len - j->file_got);
	keep = FOTA_FILE_RX - j->rx_used;
	if (j->flow && take > keep)
		take = keep;		/* the rest waits: the host blocks */
	if (keep > take)
		keep = take;
	memcpy(j->rx + j->rx_used, p, keep);
	j->rx_used += keep;
	j->file_got += keep;
	lost = take - keep;
	if (lost > 0 && j->file_dropped == 0)
		translog_state(j->m->log, "fota", "file: receive buffer full, "
		    "bytes lost (no flow control)");
	j->file_dropped += lost;
	fota_file_consume(j);
	return take;
}
