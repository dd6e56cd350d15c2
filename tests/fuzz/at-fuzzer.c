/*
 * at-fuzzer.c: fuzz target for the AT framer and dispatcher together.  Every
 * input is a byte stream from a host into a freshly set-up, powered modem
 * (no pty; output discarded).  Built for libFuzzer with --enable-fuzzing, and
 * always as a standalone runner (fuzz-main.c) that make check exercises.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "clock.h"
#include "modem.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static size_t fuzz_out_bytes;

/* Output sink: count and drop. */
static void
fuzz_out(void *arg, const void *p, size_t n)
{
	(void)arg; (void)p;
	fuzz_out_bytes += n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ev_loop *loop;
	static struct clock *clk;
	struct modem_config cfg = { .model = MODEM_EC200T, .link = "/nonexistent" };
	struct modem m;

	if (loop == NULL) {
		loop = ev_loop_new(EVFLAG_AUTO);
		clk = clock_new(loop, 0);
	}
	if (size > 0 && data[0] & 1)
		cfg.model = MODEM_UC200T;
	if (modem_init(&m, clk, &cfg) != 0)
		return 0;
	modem_nv_load(&m);
	m.at.set = m.nv.at;
	m.at.out = fuzz_out;
	m.power = MODEM_ON;
	net_set_sim_ready(&m.net, 1);
	net_set_cfun(&m.net, 1);
	net_set_reg(&m.net, NET_REG_HOME);
	at_frame_input(&m.frame, data, size);
	modem_free(&m);
	return 0;
}
