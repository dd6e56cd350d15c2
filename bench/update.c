/*
 * update.c: how fast the updater applies a package when flash time is zero.
 *
 * Applies a 32 MB full package and a delta package on the RAM backend and on
 * the file backend (a sparse flash.img in a temporary state dir), with the
 * simulated clock in max mode.  Prints wall time and MB/s of image written.
 * Target: under 0.5 s for 32 MB.
 */
#include "config.h"

#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "firmware/firmware.h"
#include "firmware/package.h"
#include "util.h"

#define ISIZE	(32ULL << 20)
#define REV_A	"EC200TCNHAR02A14M16"
#define REV_B	"EC200TCNHAR02A15M16"

/* Generate an image into a malloc'd buffer. */
static unsigned char *
bench_image(const char *rev)
{
	unsigned char *p = xmalloc(ISIZE);

	if (image_read(FIRMWARE_DEFAULT_MODEL, rev, ISIZE, 0, p, ISIZE) != 0)
		fatal("image_read");
	return p;
}

/* Stage a package, apply it, and print how long applying took. */
static int
bench_one(const char *backend, const char *kind, const unsigned char *pkg,
    size_t len)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct firmware_config cfg;
	struct firmware *fw;
	struct clock *clk;
	struct flash_dev *ram = NULL;
	char dir[] = "/tmp/bench-update.XXXXXX", path[64], err[256];
	double t0, t;
	int ok;

	clk = clock_new(loop, 0);
	firmware_config_default(&cfg);
	cfg.clock = clk;
	cfg.image_size = ISIZE;
	flash_geometry_untimed(&cfg.geom);
	if (strcmp(backend, "ram") == 0) {
		ram = flash_ram_open(128ULL << 20);
		cfg.dev = ram;
	} else {
		if (mkdtemp(dir) == NULL)
			fatal("mkdtemp");
		cfg.state_dir = dir;
	}
	if (firmware_boot(&cfg, NULL, &fw, err, sizeof err) != 0)
		fatal("boot: %s", err);
	if (firmware_stage(fw, pkg, len) != 0)
		fatal("stage");
	ev_now_update(loop);
	t0 = ev_time();
	if (firmware_update_start(fw) != 0)
		fatal("start");
	while (clock_pending(clk) > 0)
		ev_run(loop, EVRUN_ONCE);
	t = ev_time() - t0;
	ok = firmware_update_result(fw) == 0;
	printf("%-5s %-5s package %9zu B: %.3f s, %.1f MB/s%s%s\n", backend,
	    kind, len, t, ISIZE / 1e6 / t, ok ? "" : "  FAILED",
	    kind[0] == 'f' && t >= 0.5 ? "  (over the 0.5 s target)" : "");
	firmware_close(fw);
	flash_dev_close(ram);
	if (ram == NULL) {
		snprintf(path, sizeof path, "%s/flash.img", dir);
		unlink(path);
		rmdir(dir);
	}
	clock_free(clk);
	ev_loop_destroy(loop);
	return ok ? 0 : 1;
}

int
main(void)
{
	unsigned char *a = bench_image(REV_A), *b = bench_image(REV_B);
	unsigned char *full, *delta;
	size_t full_len, delta_len;
	int rc = 0;

	if (pkg_build(PKG_FULL, FIRMWARE_DEFAULT_MODEL, REV_A, a, ISIZE, REV_B,
	    b, ISIZE, &full, &full_len) != 0 ||
	    pkg_build(PKG_DELTA, FIRMWARE_DEFAULT_MODEL, REV_A, a, ISIZE, REV_B,
	    b, ISIZE, &delta, &delta_len) != 0)
		fatal("pkg_build");
	printf("update: 32 MB image, flash timing zero, clock max\n");
	rc |= bench_one("ram", "full", full, full_len);
	rc |= bench_one("ram", "delta", delta, delta_len);
	rc |= bench_one("file", "full", full, full_len);
	rc |= bench_one("file", "delta", delta, delta_len);
	free(a);
	free(b);
	free(full);
	free(delta);
	return rc;
}
