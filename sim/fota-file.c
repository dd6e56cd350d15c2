/*
 * fota-file.c: AT+QFOTADL="FILE:<length>", the package over the AT port.
 *
 *   OK
 *   +QIND: "FOTA","FILESTART"
 *   ... exactly <length> raw bytes from the host ...
 *   +QIND: "FOTA","FILEEND",<0|500>
 *   ... the updater, as after a download
 *
 * The bytes come through the serial receiver (serial-rx.c: the receive
 * buffer, flow control, the flash's pace) into the FOTA area.  Without
 * flow control a fast host loses bytes; the file then comes up short, the
 * modem waits for the rest, and after its inactivity timeout (the stall
 * timer of --fota-timeouts) reports FILEEND,500.
 */
#include "config.h"

#include "firmware/firmware.h"
#include "fota-job.h"
#include "modem.h"

#define FOTA_FILE_FAILED	500

/* Serial receiver: bytes into the FOTA area. */
static int
fota_file_store(void *arg, const unsigned char *p, size_t n)
{
	struct fota_job *j = arg;

	return firmware_stage_write(j->m->fw, p, n) == 0 ? 0 : -1;
}

/* Serial receiver: DOWNLOADING URCs as the package lands. */
static void
fota_file_progress(void *arg, uint64_t stored)
{
	struct fota_job *j = arg;

	j->got = stored;
	fota_progress(j);
}

/* Serial receiver: the whole package, or FILEEND,500. */
static void
fota_file_end(void *arg, enum serial_rx_end why)
{
	struct fota_job *j = arg;

	fota_end(j, why == SERIAL_RX_DONE ? 0 : FOTA_FILE_FAILED);
}

void
fota_file_init(struct fota_job *j)
{
	static const struct serial_rx_cbs cbs = { fota_file_store,
	    fota_file_progress, fota_file_end, NULL };
	struct serial_rx_cbs c = cbs;

	c.arg = j;
	serial_rx_init(&j->rx, j->m, "fota", "file", &c);
}

void
fota_file_start(struct fota_job *j, int flow)
{
	j->size = fota_file_length(j->args.url);
	fota_set_state(j, FOTA_RECEIVING);
	serial_rx_start(&j->rx, j->size, flow, j->xfer.timeouts.stall);
	if (firmware_stage_begin(j->m->fw, j->size) != 0) {
		serial_rx_stop(&j->rx);
		fota_end(j, FOTA_FILE_FAILED);
		return;
	}
	j->staging = 1;
}

int
fota_file_receiving(const struct fota_job *j)
{
	return j->state == FOTA_RECEIVING && serial_rx_active(&j->rx);
}

void
fota_file_stop(struct fota_job *j)
{
	serial_rx_stop(&j->rx);
}

size_t
fota_file_input(struct fota_job *j, const unsigned char *p, size_t n)
{
	if (!fota_file_receiving(j))
		return 0;
	return serial_rx_input(&j->rx, p, n);
}
