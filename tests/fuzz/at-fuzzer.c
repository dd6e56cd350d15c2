/*
 * at-fuzzer.c: fuzz target for the AT framer and dispatcher together.  Every
 * input is a byte stream from a host into a freshly set-up, powered modem
 * (no pty; output discarded) with a flash of its own in a fresh temporary
 * state dir, so AT&W, AT&F, ATZ and the NV record log are fuzzed too.  The
 * flash is small and untimed (a 4 KiB image, 4 KiB blocks, --flash-timing
 * zero), and the state dir is removed after each input.  Built for libFuzzer with
 * --enable-fuzzing, and always as a standalone runner (fuzz-main.c) that
 * make check exercises.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "fuzz-modem.h"
#include "modem.h"
#include "statedir.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static size_t fuzz_out_bytes;

/* Output sink: count and drop. */
static void
fuzz_out(void *arg, const void *p, size_t n)
{
	(void)arg; (void)p;
	fuzz_out_bytes += n;
}

/* Whether two profiles hold the same settings (padding aside). */
static int
fuzz_nv_same(const struct modem_nv *a, const struct modem_nv *b)
{
	return a->at.echo == b->at.echo && a->at.verbose == b->at.verbose &&
	    a->at.quiet == b->at.quiet && a->at.cmee == b->at.cmee &&
	    a->at.s0 == b->at.s0 && a->at.s3 == b->at.s3 &&
	    a->at.s4 == b->at.s4 && a->at.s5 == b->at.s5 &&
	    a->ifc_dce == b->ifc_dce && a->ifc_dte == b->ifc_dte &&
	    a->usbifc_dce == b->usbifc_dce && a->usbifc_dte == b->usbifc_dte;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ev_loop *loop;
	static struct clock *clk;
	struct modem_config cfg = { .model = MODEM_EC200T, .link = "/nonexistent",
	    .fw_opts = &fuzz_flash };
	struct statedir sd;
	struct modem_nv saved;
	struct modem m;

	if (loop == NULL) {
		loop = ev_loop_new(EVFLAG_AUTO);
		clk = clock_new(loop, 0);
		fuzz_state_in_memory();
	}
	if (size > 0 && data[0] & 1)
		cfg.model = MODEM_UC200T;
	fuzz_modem_up(&m, clk, &cfg, &sd, fuzz_out);
	net_set_sim_ready(&m.net, 1);
	net_set_cfun(&m.net, 1);
	net_set_reg(&m.net, NET_REG_HOME);
	at_frame_input(&m.iface[0].frame, data, size);
	/* Every change of the profile is saved at once (AT&W, QCFG), so
	 * what the flash reads back now is the profile: nothing lost. */
	saved = m.nv;
	modem_nv_load(&m);
	if (!fuzz_nv_same(&saved, &m.nv))
		abort();
	modem_free(&m);
	statedir_close(&sd);
	return 0;
}
