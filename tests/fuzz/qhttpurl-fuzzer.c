/*
 * qhttpurl-fuzzer.c: fuzz target for AT+QHTTPURL's receiver (the URL typed
 * in data mode).  Each input drives a fresh modem through
 * AT+QHTTPURL=<len>,<timeout> and then hands it the rest of the input in
 * pieces, as a host's writes would arrive:
 *
 *   byte 0       bit 0: flow control on; bits 1-7: piece size (1..128)
 *   byte 1       <len>: 1 to 256
 *   byte 2       <timeout>: 1 to 3 seconds
 *   the rest     the host's bytes (the URL, too few, or too many)
 *
 * It aborts if the receiver holds more than its buffer, if the command
 * never answers, if the answer is neither CONNECT ... OK with the URL
 * exactly the first <len> bytes sent (when nothing was lost) nor CONNECT
 * ... +CME ERROR: 726 with no URL kept, or if the modem does not come
 * back to answering AT.  Built for libFuzzer with --enable-fuzzing, and
 * always as a standalone runner.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fuzz-modem.h"
#include "modem.h"
#include "statedir.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The answer after CONNECT, and the URL kept, agree with what was sent. */
static void
fuzz_check_url(struct modem *m, size_t len, const uint8_t *sent, size_t nsent)
{
	const char *out = (const char *)buf_head(fuzz_answer());
	size_t n = buf_used(fuzz_answer());

	if (n >= 6 && memcmp(out, "\r\nOK\r\n", 6) == 0) {
		if (m->http.url_len != len)
			abort();
		if (m->http.rx.dropped == 0 &&
		    (nsent < len || memcmp(m->http.url, sent, len) != 0))
			abort();
		return;
	}
	if (n < 19 || memcmp(out, "\r\n+CME ERROR: 726\r\n", 19) != 0 ||
	    m->http.url_len != 0)
		abort();
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
	char cmd[64];
	size_t piece, off, n, len, skip;

	if (size < 3)
		return 0;
	clk = fuzz_clock(&loop);
	piece = (size_t)(data[0] >> 1) + 1;
	len = (size_t)data[1] + 1;
	fuzz_modem_up(&m, clk, &cfg, &sd, fuzz_answer_sink);
	m.iface[0].at.set.echo = 0;
	if (data[0] & 1) {
		m.nv.usbifc_dce = 2;
		m.nv.usbifc_dte = 2;
	}
	snprintf(cmd, sizeof cmd, "AT+QHTTPURL=%zu,%d\r", len, data[2] % 3 + 1);
	at_frame_input(&m.iface[0].frame, (const unsigned char *)cmd,
	    strlen(cmd));
	if (!qhttp_receiving(&m.http) || buf_used(fuzz_answer()) != 11 ||
	    memcmp(buf_head(fuzz_answer()), "\r\nCONNECT\r\n", 11) != 0)
		abort();
	buf_reset(fuzz_answer());
	skip = 0;
	for (off = 3; off < size; off += n) {
		n = size - off < piece ? size - off : piece;
		if (qhttp_receiving(&m.http)) {
			/* An LF right after the command line is not data. */
			if (off == 3 && data[off] == '\n')
				skip = 1;
			n = serial_rx_input(&m.http.rx, data + off, n);
		} else if (!m.iface[0].at.pending) {
			/* The rest is AT input: the URL's answer comes first. */
			break;
		}
		if (m.http.rx.used > SERIAL_RX_BUF || m.http.typed > len)
			abort();
		if (n == 0)
			fuzz_settle(loop, clk);
	}
	fuzz_settle(loop, clk);
	if (m.iface[0].at.pending || qhttp_receiving(&m.http))
		abort();
	fuzz_check_url(&m, len, data + 3 + skip, size - 3 - skip);
	fuzz_answers_at(&m);
	modem_free(&m);
	statedir_close(&sd);
	buf_reset(fuzz_answer());
	return 0;
}
