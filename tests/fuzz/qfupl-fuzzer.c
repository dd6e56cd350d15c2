/*
 * qfupl-fuzzer.c: fuzz target for AT+QFUPL's receiver.  Each input drives
 * a fresh modem (its own small untimed flash in a temporary state dir)
 * through AT+QFUPL="f.bin",<size>,<timeout>,<ackmode> and then hands it
 * the rest of the input in pieces, as a host's writes would arrive:
 *
 *   byte 0       bit 0: flow control on; bit 1: ackmode; bits 2-7: piece
 *                size (1..64)
 *   bytes 1-2    <size>, modulo the UFS, plus one
 *   byte 3       <timeout>: 1 to 4 seconds
 *   the rest     the host's bytes (the file, too few, or too many)
 *
 * The simulated clock runs between pieces and at the end, so the flash
 * waits and the timeout happen.  It aborts if the receiver holds more than
 * its buffer or takes more than announced, if the command never answers,
 * if +QFUPL reports a size or checksum that does not match the file the
 * UFS then holds (when nothing was lost), if a file exists without
 * +QFUPL, or if the modem does not come back to answering AT.  Built for
 * libFuzzer with --enable-fuzzing, and always as a standalone runner.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "firmware/firmware.h"
#include "fuzz-modem.h"
#include "modem.h"
#include "statedir.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The file +QFUPL reported must be in the UFS, byte for byte. */
static void
fuzz_check_file(struct modem *m, const uint8_t *sent, size_t nsent)
{
	const char *out = (const char *)buf_head(fuzz_answer()), *q;
	unsigned long long n = 0;
	unsigned sum = 0;
	uint64_t size, pos = 0;
	unsigned char *back;
	int found;

	q = memmem(out, buf_used(fuzz_answer()), "+QFUPL: ", 8);
	found = firmware_ufs_stat(m->fw, "f.bin", &size) == 0;
	if (q == NULL) {
		if (found)
			abort();	/* a file without +QFUPL */
		return;
	}
	if (sscanf(q, "+QFUPL: %llu,%x", &n, &sum) != 2 || !found || size != n)
		abort();
	if (m->upl.rx.dropped > 0)
		return;			/* lost bytes: the file is a guess */
	if (n > nsent)
		abort();
	back = xmalloc(n + 1);
	if (firmware_ufs_read(m->fw, "f.bin", 0, back, n) != 0 ||
	    memcmp(back, sent, n) != 0 ||
	    qfupl_checksum(0, &pos, back, n) != sum)
		abort();
	free(back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ev_loop *loop;
	static struct clock *clk;
	struct modem_config cfg = { .model = MODEM_EC200T, .link = "/nonexistent",
	    .fw_opts = &fuzz_flash };
	struct statedir sd;
	struct modem m;
	char cmd[96];
	uint64_t nfree, total, len;
	size_t piece, off, n, skip;
	int flow, ack;

	if (size < 4)
		return 0;
	clk = fuzz_clock(&loop);
	flow = data[0] & 1;
	ack = (data[0] >> 1) & 1;
	piece = (size_t)(data[0] >> 2) + 1;
	fuzz_modem_up(&m, clk, &cfg, &sd, fuzz_answer_sink);
	m.iface[0].at.set.echo = 0;
	if (flow) {
		m.nv.usbifc_dce = 2;
		m.nv.usbifc_dte = 2;
	}
	firmware_ufs_space(m.fw, &nfree, &total);
	len = ((uint64_t)data[1] | (uint64_t)data[2] << 8) % total + 1;
	snprintf(cmd, sizeof cmd, "AT+QFUPL=\"f.bin\",%llu,%d,%d\r",
	    (unsigned long long)len, data[3] % 4 + 1, ack);
	at_frame_input(&m.iface[0].frame, (const unsigned char *)cmd,
	    strlen(cmd));
	if (!qfupl_receiving(&m.upl) || buf_used(fuzz_answer()) != 11 ||
	    memcmp(buf_head(fuzz_answer()), "\r\nCONNECT\r\n", 11) != 0)
		abort();		/* a size that fits is always taken */
	buf_reset(fuzz_answer());
	skip = 0;
	for (off = 4; off < size; off += n) {
		n = size - off < piece ? size - off : piece;
		if (qfupl_receiving(&m.upl)) {
			/* An LF right after the command line is not data. */
			if (off == 4 && data[off] == '\n')
				skip = 1;
			n = serial_rx_input(&m.upl.rx, data + off, n);
		} else if (!m.iface[0].at.pending)
			n = at_frame_input(&m.iface[0].frame, data + off, n);
		if (m.upl.rx.used > SERIAL_RX_BUF || m.upl.rx.got > len)
			abort();
		if (n == 0) {		/* flow control, or the result pending */
			fuzz_settle(loop, clk);
			if (qfupl_receiving(&m.upl) &&
			    m.upl.rx.used == SERIAL_RX_BUF)
				abort();	/* it never made room */
		}
	}
	fuzz_settle(loop, clk);
	/* Over, one way or another: +QFUPL and OK, or an error. */
	if (m.iface[0].at.pending || qfupl_receiving(&m.upl))
		abort();
	fuzz_check_file(&m, data + 4 + skip, size - 4 - skip);
	fuzz_answers_at(&m);
	modem_free(&m);
	statedir_close(&sd);
	buf_reset(fuzz_answer());
	return 0;
}
