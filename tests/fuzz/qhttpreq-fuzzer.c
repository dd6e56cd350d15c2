/*
 * qhttpreq-fuzzer.c: fuzz target for the request the host types with
 * AT+QHTTPCFG="requestheader",1.  Each input drives a fresh modem:
 *
 *   byte 0       bit 0: AT+QHTTPPOST (else AT+QHTTPGET=<rsptime>,<len>);
 *                bit 1: a request line first; bits 2-7: the head's empty
 *                line after that many pieces (63: none added)
 *   the rest     one piece of the typed request per byte (its low four
 *                bits choose: a request line, a header line, CR LF, a
 *                lone CR or LF, a byte outside US-ASCII, the byte itself,
 *                ...), so that requests the module sends come as often as
 *                ones it refuses; all <len> bytes are sent
 *
 * The command answers CONNECT, then OK once the bytes are in, then one
 * +QHTTPGET/+QHTTPPOST result line.  It aborts if the answer is not that,
 * if a request with no empty line, a byte outside printable US-ASCII (or a
 * lone CR or LF) in its head, or another method than the command's is not
 * refused with 720, if a request that is sent has a URL off the
 * AT+QHTTPURL server or a header line without its colon, or if the modem
 * does not come back to answering AT.  Built for libFuzzer with
 * --enable-fuzzing, and always as a standalone runner.
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

#define URL	"http://127.0.0.1:1/x"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FAIL(why) do {							\
	fprintf(stderr, "qhttpreq-fuzzer: %s\n", why);			\
	abort();							\
} while (0)

/* The typed request the input's bytes make (see above). */
static size_t
fuzz_request(uint8_t how, const uint8_t *in, size_t n, const char *method,
    unsigned char *out, size_t max)
{
	static const char *const piece[16] = {
		NULL, NULL, "/a?b=1", " HTTP/1.1", "Host: x\r\n", "X-A: 1\r\n",
		"Content-Length: 5\r\n", "User-Agent: y\r\n", "\r\n", "hello",
		"\r", "\n", ": ", " ", "\x80", NULL,
	};
	char line[32];
	size_t i, len = 0, k;
	const char *p;

	if (how & 2)
		len = (size_t)snprintf((char *)out, max, "%s / HTTP/1.1\r\n",
		    method);
	for (i = 0; i < n; i++) {
		if (i == (size_t)(how >> 2) && len + 2 <= max) {
			memcpy(out + len, "\r\n", 2);
			len += 2;
		}
		switch (in[i] & 15) {
		case 0:
			snprintf(line, sizeof line, "%s /a HTTP/1.1\r\n", method);
			p = line;
			break;
		case 1:
			p = method;
			break;
		case 15:
			line[0] = (char)in[i];
			line[1] = '\0';
			p = line;
			break;
		default:
			p = piece[in[i] & 15];
		}
		k = strlen(p);
		if (len + k > max)
			break;
		memcpy(out + len, p, k);
		len += k;
	}
	return len;
}

/* Whether the typed head must be refused, by rules read off the bytes. */
static int
fuzz_must_refuse(const uint8_t *p, size_t n, const char *method)
{
	const uint8_t *end = NULL;
	size_t i, m = strlen(method);

	for (i = 0; i + 4 <= n; i++)
		if (memcmp(p + i, "\r\n\r\n", 4) == 0) {
			end = p + i;
			break;
		}
	if (end == NULL)
		return 1;
	for (i = 0; p + i < end + 2; i++) {
		if (p[i] == '\r' || p[i] == '\n') {
			if (p[i] == '\r' ? p[i + 1] != '\n' :
			    i == 0 || p[i - 1] != '\r')
				return 1;
		} else if (p[i] < 0x20 || p[i] >= 0x7f)
			return 1;
	}
	return n < m + 1 || memcmp(p, method, m) != 0 || p[m] != ' ';
}

/* A request the module sent: its URL and header lines as they must be. */
static void
fuzz_check_sent(const struct modem *m)
{
	size_t i;

	if (m->http.req_url == NULL ||
	    strncmp(m->http.req_url, "http://127.0.0.1:1/", 19) != 0 ||
	    m->http.req_nheaders > QHTTP_HEADERS_MAX + 4)
		FAIL("sent: the URL or the number of header lines");
	for (i = 0; i < m->http.req_nheaders; i++)
		if (strchr(m->http.req_headers[i], ':') == NULL ||
		    strpbrk(m->http.req_headers[i], "\r\n") != NULL)
			FAIL("sent: a header line that is not one");
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
	const char *method, *out;
	char *end;
	static unsigned char req[8192];
	char cmd[80], word[32];
	size_t len, off, n;
	int code, post;

	if (size < 2)
		return 0;
	clk = fuzz_clock(&loop);
	post = data[0] & 1;
	method = post ? "POST" : "GET";
	if ((len = fuzz_request(data[0], data + 1, size - 1, method, req,
	    sizeof req)) == 0)
		return 0;
	fuzz_modem_up(&m, clk, &cfg, &sd, fuzz_answer_sink);
	m.iface[0].at.set.echo = 0;
	m.nv.usbifc_dce = m.nv.usbifc_dte = 2;	/* flow control: nothing lost */
	m.http.requestheader = 1;
	memcpy(m.http.url, URL, sizeof URL);
	m.http.url_len = sizeof URL - 1;
	if (post)
		snprintf(cmd, sizeof cmd, "AT+QHTTPPOST=%zu,5,5\r", len);
	else
		snprintf(cmd, sizeof cmd, "AT+QHTTPGET=5,%zu,5\r", len);
	at_frame_input(&m.iface[0].frame, (const unsigned char *)cmd, strlen(cmd));
	if (!qhttp_receiving(&m.http) || buf_used(fuzz_answer()) != 11 ||
	    memcmp(buf_head(fuzz_answer()), "\r\nCONNECT\r\n", 11) != 0)
		FAIL("no CONNECT");
	buf_reset(fuzz_answer());
	/* An LF right after the command line ends it, as a host's CR LF: so
	 * that a request starting with LF keeps its LF, send one first. */
	if (serial_rx_input(&m.http.rx, (const unsigned char *)"\n", 1) != 1)
		FAIL("the LF after the command line");
	for (off = 0; off < len && qhttp_receiving(&m.http); off += n)
		if ((n = serial_rx_input(&m.http.rx, req + off, len - off)) == 0)
			fuzz_settle(loop, clk);
	fuzz_settle(loop, clk);
	if (off != len || m.iface[0].at.pending || qhttp_receiving(&m.http) ||
	    m.http.running)
		FAIL("the input or the request did not end");
	/* OK, then the one result line. */
	out = (const char *)buf_head(fuzz_answer());
	buf_add(fuzz_answer(), "", 1);
	n = (size_t)snprintf(word, sizeof word, "\r\nOK\r\n\r\n+QHTTP%s: ",
	    method);
	if (strncmp(out, word, n) != 0 ||
	    (code = (int)strtol(out + n, &end, 10)) <= 0 ||
	    strcmp(end, "\r\n") != 0)
		FAIL("not OK and one result line");
	if (fuzz_must_refuse(req, len, method) && code != 720)
		FAIL("a request that cannot be sent as typed was not 720");
	if (code != 720)
		fuzz_check_sent(&m);
	fuzz_answers_at(&m);
	modem_free(&m);
	statedir_close(&sd);
	buf_reset(fuzz_answer());
	return 0;
}
