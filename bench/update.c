/*
 * update.c: how fast the updater applies a package when flash time is zero.
 *
 * Applies a 32 MB full package and a delta package on the RAM backend and on
 * the file backend (a sparse flash.img in a temporary state dir), with the
 * simulated clock in max mode, several times each.  The floor is what the
 * updater cannot avoid, measured beside each run on the same bytes: the MD5
 * of the package (its payload check) and of the 32 MB target image (the
 * written slot's check).  Prints the median time, MB/s of image written and
 * the median ratio to the floor.  Goal: <= 1.5x for RAM, <= 2x for file.
 */
#include "config.h"

#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "statedir.h"
#include "firmware/firmware.h"
#include "firmware/package.h"
#include "util.h"

#define ISIZE	(32ULL << 20)
#define REV_A	"EC200TCNHAR02A14M16"
#define REV_B	"EC200TCNHAR02A15M16"
#define RUNS	5

/* Generate an image into a malloc'd buffer. */
static unsigned char *
bench_image(const char *rev)
{
	unsigned char *p = xmalloc(ISIZE);

	if (image_read(FIRMWARE_DEFAULT_MODEL, rev, ISIZE, 0, p, ISIZE) != 0)
		fatal("image_read");
	return p;
}

/* Stage a package and apply it; returns the seconds applying took, or -1. */
static double
bench_apply(const char *backend, const unsigned char *pkg, size_t len)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct firmware_config cfg;
	struct firmware *fw;
	struct clock *clk;
	struct flash_dev *ram = NULL;
	struct statedir sd = { .lockfd = -1 };
	char err[256];
	double t0, t;

	clk = clock_new(loop, 0);
	firmware_config_default(&cfg);
	cfg.clock = clk;
	cfg.image_size = ISIZE;
	flash_geometry_untimed(&cfg.geom);
	if (strcmp(backend, "ram") == 0) {
		ram = flash_ram_open(256ULL << 20);
		cfg.dev = ram;
	} else {
		/* Temporary: removed by statedir_close with all it holds. */
		if (statedir_open(&sd, NULL, err, sizeof err) != 0)
			fatal("state dir: %s", err);
		cfg.state_dir = sd.path;
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
	if (firmware_update_result(fw) != 0)
		t = -1;
	firmware_close(fw);
	flash_dev_close(ram);
	statedir_close(&sd);
	clock_free(clk);
	ev_loop_destroy(loop);
	return t;
}

/* The floor: MD5 of the package and of the target image; seconds. */
static double
bench_floor(const unsigned char *pkg, size_t len, const unsigned char *target)
{
	unsigned char md5[PKG_MD5_LEN];
	double t0 = ev_time();

	pkg_md5_mem(pkg, len, md5);
	pkg_md5_mem(target, ISIZE, md5);
	return ev_time() - t0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Apply a package RUNS times, each beside its floor; print the figures. */
static int
bench_one(const char *backend, const char *kind, const unsigned char *pkg,
    size_t len, const unsigned char *target, double goal)
{
	double t[RUNS], floor_[RUNS], ratio[RUNS];
	int i;

	for (i = 0; i < RUNS; i++) {
		floor_[i] = bench_floor(pkg, len, target);
		if ((t[i] = bench_apply(backend, pkg, len)) < 0) {
			printf("%-5s %-5s package: update FAILED\n", backend, kind);
			return 1;
		}
		ratio[i] = t[i] / floor_[i];
	}
	qsort(t, RUNS, sizeof *t, cmp_double);
	qsort(floor_, RUNS, sizeof *floor_, cmp_double);
	qsort(ratio, RUNS, sizeof *ratio, cmp_double);
	printf("%-5s %-5s package %9zu B: %.3f s, %6.1f MB/s; MD5 floor %.3f s; "
	    "ratio %.2fx (goal <= %.1fx: %s)\n", backend, kind, len, t[RUNS / 2],
	    ISIZE / 1e6 / t[RUNS / 2], floor_[RUNS / 2], ratio[RUNS / 2], goal,
	    ratio[RUNS / 2] <= goal ? "met" : "MISSED");
	return 0;
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
	printf("update: 32 MB image, flash timing zero, clock max; median of %d "
	    "runs, each beside its floor\n", RUNS);
	rc |= bench_one("ram", "full", full, full_len, b, 1.5);
	rc |= bench_one("ram", "delta", delta, delta_len, b, 1.5);
	rc |= bench_one("file", "full", full, full_len, b, 2.0);
	rc |= bench_one("file", "delta", delta, delta_len, b, 2.0);
	free(a);
	free(b);
	free(full);
	free(delta);
	return rc;
}
