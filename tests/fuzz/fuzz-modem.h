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

#endif
