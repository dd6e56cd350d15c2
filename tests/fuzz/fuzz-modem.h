/*
 * fuzz-modem.h: what the modem fuzz targets share: a small untimed flash
 * (a 4 KiB image, 4 KiB blocks) for a fresh temporary state dir per input,
 * kept in memory when the system has a tmpfs (a disk's fsync per input is
 * what makes a run slow: 2 s instead of 20 for 20000 inputs).
 */
#ifndef FOTASIM_FUZZ_MODEM_H
#define FOTASIM_FUZZ_MODEM_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "firmware/firmware-opts.h"
#include "modem.h"
#include "statedir.h"
#include "util.h"

static const struct firmware_options fuzz_flash = {
	.given = FWOPT_IMAGE_SIZE | FWOPT_TIMING | FWOPT_BLOCK | FWOPT_PAGE,
	.image_size = 4096,
	.block_size = 4096,
	.page_size = 256,
	.timing = FIRMWARE_TIMING_ZERO,
};

/* Once per process: state dirs in /dev/shm unless TMPDIR says otherwise. */
static inline void
fuzz_state_in_memory(void)
{
	if (getenv("TMPDIR") == NULL && access("/dev/shm", W_OK | X_OK) == 0)
		setenv("TMPDIR", "/dev/shm", 0);
}

/* The loop and the clock at max speed all inputs of a target share, made
 * on the first call (with fuzz_state_in_memory). */
static inline struct clock *
fuzz_clock(struct ev_loop **loop)
{
	static struct clock *clk;

	if (clk == NULL) {
		*loop = ev_loop_new(EVFLAG_AUTO);
		clk = clock_new(*loop, CLOCK_SPEED_MAX);
		fuzz_state_in_memory();
	}
	return clk;
}

/*
 * A powered modem on clk in a fresh temporary state dir (sd), answering
 * into out; cfg gives the model and options.  Exits if it does not boot.
 */
static inline void
fuzz_modem_up(struct modem *m, struct clock *clk, struct modem_config *cfg,
    struct statedir *sd, void (*out)(void *, const void *, size_t))
{
	char err[256];

	if (statedir_open(sd, NULL, err, sizeof err) != 0)
		fatal("fuzz: %s", err);
	cfg->state_dir = sd->path;
	if (modem_init(m, clk, cfg) != 0)
		fatal("fuzz: a fresh state dir does not boot");
	modem_nv_load(m);
	m->iface[0].at.set = m->nv.at;
	m->iface[0].at.out = out;
	m->power = MODEM_ON;
}

/* What the modem answered during one input (fuzz_answer_sink). */
static inline struct buf *
fuzz_answer(void)
{
	static struct buf b;
	static int ready;

	if (!ready) {
		buf_init(&b);
		ready = 1;
	}
	return &b;
}

static inline void
fuzz_answer_sink(void *arg, const void *p, size_t n)
{
	(void)arg;
	buf_add(fuzz_answer(), p, n);
}

/* Run the simulated clock until nothing is pending. */
static inline void
fuzz_settle(struct ev_loop *loop, struct clock *clk)
{
	int guard = 100000;

	while (clock_pending(clk) > 0 && guard-- > 0)
		ev_run(loop, EVRUN_ONCE);
}

/*
 * After a transfer over the AT port: the modem answers AT with OK.  Bytes
 * after the transfer were AT input and may have set V0, Q1, S3...: it
 * answers with the factory settings.  Aborts if it does not.
 */
static inline void
fuzz_answers_at(struct modem *m)
{
	struct buf *out = fuzz_answer();

	if (m->power != MODEM_ON || m->iface[0].at.halt)
		return;
	buf_reset(out);
	at_settings_default(&m->iface[0].at.set);
	m->iface[0].at.set.echo = 0;
	m->iface[0].frame.s3 = m->iface[0].at.set.s3;
	m->iface[0].frame.s5 = m->iface[0].at.set.s5;
	at_frame_reset(&m->iface[0].frame);
	at_frame_input(&m->iface[0].frame, (const unsigned char *)"AT\r", 3);
	/* OK first; URCs held back during the line follow it. */
	if (buf_used(out) < 6 || memcmp(buf_head(out), "\r\nOK\r\n", 6) != 0)
		abort();
}

#endif
