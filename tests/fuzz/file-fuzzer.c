/*
 * file-fuzzer.c: fuzz target for the FILE:<length> receiver.  Each input
 * drives a fresh modem (its own small untimed flash in a temporary state
 * dir) through AT+QFOTADL="FILE:<length>" and then hands it the rest of the
 * input in pieces, as a host's writes would arrive:
 *
 *   byte 0       bit 0: flow control on; bits 1-7: piece size (1..128)
 *   bytes 1-2    the announced length, modulo the FOTA area, plus one
 *   the rest     the host's bytes (the package, too few, or too many)
 *
 * The simulated clock runs between pieces and at the end, so the flash
 * waits, the inactivity timeout and the updater all happen.  It aborts if
 * the receiver ever holds more than its buffer or takes more than was
 * announced, or if the modem does not come back to answering AT.  Built for
 * libFuzzer with --enable-fuzzing, and always as a standalone runner.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "firmware/firmware.h"
#include "fuzz-modem.h"
#include "modem.h"
#include "statedir.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ev_loop *loop;
	static struct clock *clk;
	struct modem_config cfg = { .model = MODEM_EC200T, .link = "/nonexistent",
	    .fw_opts = &fuzz_flash };
	struct dl_timeouts to;
	struct statedir sd;
	struct modem m;
	char cmd[64];
	size_t piece, off, n;
	uint64_t len;
	int flow;

	if (size < 3)
		return 0;
	if (loop == NULL) {
		loop = ev_loop_new(EVFLAG_AUTO);
		/* Not max: the inactivity timer is a watchdog, which max
		 * mode would leave to run at wall speed. */
		clk = clock_new(loop, CLOCK_SPEED_MAX);
		fuzz_state_in_memory();
	}
	flow = data[0] & 1;
	piece = (size_t)(data[0] >> 1) + 1;
	dl_timeouts_default(&to);
	to.stall = 5;
	cfg.fota_timeouts = &to;
	fuzz_modem_up(&m, clk, &cfg, &sd, fuzz_answer_sink);
	m.iface[0].at.set.echo = 0;
	if (flow) {
		m.nv.usbifc_dce = 2;
		m.nv.usbifc_dte = 2;
	}
	len = ((uint64_t)data[1] | (uint64_t)data[2] << 8) %
	    firmware_fota_size(m.fw) + 1;
	snprintf(cmd, sizeof cmd, "AT+QFOTADL=\"FILE:%llu\"\r",
	    (unsigned long long)len);
	at_frame_input(&m.iface[0].frame, (const unsigned char *)cmd,
	    strlen(cmd));
	if (!fota_file_receiving(&m.fota))
		abort();		/* a length that fits is always taken */
	for (off = 3; off < size; off += n) {
		n = size - off < piece ? size - off : piece;
		if (fota_file_receiving(&m.fota))
			n = fota_file_input(&m.fota, data + off, n);
		else
			n = at_frame_input(&m.iface[0].frame, data + off, n);
		if (m.fota.rx.used > SERIAL_RX_BUF ||
		    m.fota.rx.got > m.fota.size)
			abort();
		if (n == 0) {		/* flow control: the flash must drain */
			fuzz_settle(loop, clk);
			n = 0;
			if (fota_file_receiving(&m.fota) &&
			    m.fota.rx.used == SERIAL_RX_BUF) {
				abort();	/* it never made room */
			}
		}
	}
	fuzz_settle(loop, clk);
	/* Over, one way or another; then the AT port answers again. */
	if (m.fota.state == FOTA_RECEIVING)
		abort();
	fuzz_answers_at(&m);
	modem_free(&m);
	statedir_close(&sd);
	buf_reset(fuzz_answer());
	return 0;
}
