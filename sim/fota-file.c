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
	    (unsigned long long)j->file_got, (unsigned long long)j->size,
	    (unsigned long long)j->file_dropped);
	fota_file_stop(j);
	fota_end(j, FOTA_FILE_FAILED);
}

void
fota_file_init(struct fota_job *j)
{
	clock_timer_init(&j->file_t, j->m->clock, fota_file_flash_cb, j);
	clock_timer_init(&j->idle_t, j->m->clock, fota_file_idle_cb, j);
	/* Only the host, outside the simulation, can end this wait. */
	clock_timer_watchdog(&j->idle_t);
}

void
fota_file_start(struct fota_job *j, int flow)
{
	j->size = fota_file_length(j->args.url);
	j->file_got = j->file_dropped = 0;
	j->rx_used = 0;
	j->flow = flow;
	j->skip_lf = 1;
	translog_state(j->m->log, "fota", "file: %llu bytes, flow control %s",
	    (unsigned long long)j->size, flow ? "on" : "off");
	/* A host whose idea of flow control differs from the module's. */
	(void)port_refresh_termios(&j->m->port);
	if (j->m->port.crtscts != flow)
		translog_state(j->m->log, "fota", "file: the host has CRTSCTS %s "
		    "but the module's flow control is %s", j->m->port.crtscts ?
		    "on" : "off", flow ? "on" : "off");
	fota_set_state(j, FOTA_RECEIVING);
	if (firmware_stage_begin(j->m->fw, j->size) != 0) {
		fota_end(j, FOTA_FILE_FAILED);
		return;
	}
	j->staging = 1;
	clock_timer_start(&j->idle_t, j->timeouts.stall);
}

int
fota_file_receiving(const struct fota_job *j)
{
	return j->state == FOTA_RECEIVING && j->file_got < j->size;
}

void
fota_file_stop(struct fota_job *j)
{
	clock_timer_stop(&j->file_t);
	clock_timer_stop(&j->idle_t);
	j->rx_used = 0;
}

/*
 * Write what the buffer holds into the FOTA area, then let the flash be
 * busy for as long as that takes; the buffer refills meanwhile.  Never
 * re-entered: refilling the buffer calls back into fota_file_input.
 */
static void
fota_file_consume(struct fota_job *j)
{
	double busy;

	if (j->state != FOTA_RECEIVING || j->consuming ||
	    clock_timer_active(&j->file_t))
		return;
	j->consuming = 1;
	for (;;) {
		if (j->rx_used > 0 &&
		    firmware_stage_write(j->m->fw, j->rx, j->rx_used) != 0) {
			j->consuming = 0;
			fota_file_stop(j);
			fota_end(j, FOTA_FILE_FAILED);
			return;
		}
		j->got += j->rx_used;
		j->rx_used = 0;
		fota_progress(j);
		if ((busy = firmware_take_busy(j->m->fw)) > 0)
			clock_timer_start(&j->file_t, busy);
		/* Room again: what waited in the pty comes in (flow control). */
		if (j->flow)
			port_pause(&j->m->port, 0);
		if (busy > 0 || j->rx_used == 0)
			break;
	}
	j->consuming = 0;
	if (!clock_timer_active(&j->file_t) && j->got == j->size) {
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
	if (take > j->size - j->file_got)
		take = (size_t)(j->size - j->file_got);
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
