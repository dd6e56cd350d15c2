/*
 * fuzz-modem.h: what the modem fuzz targets share: a small untimed flash
 * (a 4 KiB image, 4 KiB blocks) for a fresh temporary state dir per input,
 * kept in memory when the system has a tmpfs (a disk's fsync per input is
 * what makes a run slow: 2 s instead of 20 for 20000 inputs).
 */
#ifndef FOTASIM_FUZZ_MODEM_H
#define FOTASIM_FUZZ_MODEM_H

#include <stdlib.h>
#include <unistd.h>

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
	m->at.set = m->nv.at;
	m->at.out = out;
	m->power = MODEM_ON;
}

#endif
