/*
 * check_updater.c: the updater end to end on a RAM (or file) flash: happy
 * paths, rollback, every refusal with its END code, flash faults, the
 * power-cut sweep over a full and a delta update, and the boot flags' writers.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check-run.h"
#include "clock.h"
#include "firmware/firmware-priv.h"
#include "firmware/flash-fault.h"
#include "translog.h"

#define ISIZE	(128 * 1024)
#define MODEL	"EC200T"
#define REV_A	"EC200TCNHAR02A14M16"
#define REV_B	"EC200TCNHAR02A15M16"
#define REV_C	"EC200TEUHAR05A01M16"

struct rig {
	struct ev_loop		*loop;
	struct clock		*clock;
	struct flash_dev	*ram;
	struct firmware_config	 cfg;
	char			 urc[512][48];
	int			 nurc;
	int			 reboots;
};

/* Record a URC line. */
static void
rig_urc(void *arg, const char *line)
{
	struct rig *r = arg;

	ck_assert_int_lt(r->nurc, 512);
	snprintf(r->urc[r->nurc++], sizeof r->urc[0], "%s", line);
}

/* Record a reboot request. */
static void
rig_reboot(void *arg)
{
	((struct rig *)arg)->reboots++;
}

/* A rig on a fresh RAM flash with untimed small NOR geometry. */
static void
rig_init(struct rig *r)
{
	memset(r, 0, sizeof *r);
	r->loop = ev_loop_new(EVFLAG_AUTO);
	r->clock = clock_new(r->loop, 0);
	firmware_config_default(&r->cfg);
	r->cfg.clock = r->clock;
	r->cfg.model = MODEL;
	r->cfg.revision = REV_A;
	r->cfg.image_size = ISIZE;
	r->cfg.geom.block_size = 4096;
	r->cfg.geom.page_size = 256;
	flash_geometry_untimed(&r->cfg.geom);
	r->ram = flash_ram_open(2 << 20);
}

/* Free a rig. */
static void
rig_free(struct rig *r)
{
	flash_dev_close(r->ram);
	translog_close(r->cfg.log);
	clock_free(r->clock);
	ev_loop_destroy(r->loop);
}

/* Power on over dev (the RAM store, or a fault layer around it). */
static struct firmware *
rig_boot(struct rig *r, struct flash_dev *dev)
{
	struct firmware_cbs cbs = { rig_urc, rig_reboot, r };
	struct firmware *fw;
	char err[256];

	r->cfg.dev = dev;
	if (firmware_boot(&r->cfg, &cbs, &fw, err, sizeof err) != 0)
		ck_abort_msg("boot failed: %s", err);
	return fw;
}

/* Run the event loop until no simulated timer is left. */
static void
rig_run(struct rig *r)
{
	while (clock_pending(r->clock) > 0)
		ev_run(r->loop, EVRUN_ONCE);
}

/* Build a package between two generated images of ISIZE. */
static unsigned char *
mkpkg(enum pkg_kind kind, const char *model, const char *from, const char *to,
    size_t *len)
{
	unsigned char *s = malloc(ISIZE), *t = malloc(ISIZE), *p;

	ck_assert_int_eq(image_read(model, from, ISIZE, 0, s, ISIZE), 0);
	ck_assert_int_eq(image_read(model, to, ISIZE, 0, t, ISIZE), 0);
	ck_assert_int_eq(pkg_build(kind, model, from, s, ISIZE, to, t, ISIZE,
	    &p, len), 0);
	free(s);
	free(t);
	return p;
}

/* The booted slot holds exactly the generated image of the booted revision. */
static void
assert_booted_image(struct firmware *fw)
{
	unsigned char *want = malloc(ISIZE), *have = malloc(ISIZE);
	uint64_t off = fw->lay.slot_off[fw->boot.active];

	ck_assert_int_eq(image_read(MODEL, firmware_revision(fw), ISIZE, 0,
	    want, ISIZE), 0);
	ck_assert_int_eq(flash_read(fw->flash, off, have, ISIZE), 0);
	ck_assert_int_eq(memcmp(want, have, ISIZE), 0);
	free(want);
	free(have);
}

/*
 * The URCs from index `from` are START, UPDATING with rising percentages
 * from >= 1 to 100, then END,<code>; or, with no START, just END,0.
 */
static void
assert_urcs(struct rig *r, int from, int code)
{
	char end[48];
	int i, last = 0, p;

	snprintf(end, sizeof end, "+QIND: \"FOTA\",\"END\",%d", code);
	ck_assert_int_gt(r->nurc, from);
	ck_assert_str_eq(r->urc[r->nurc - 1], end);
	if (r->nurc - from == 1) {
		ck_assert_int_eq(code, 0);
		return;
	}
	ck_assert_str_eq(r->urc[from], "+QIND: \"FOTA\",\"START\"");
	for (i = from + 1; i < r->nurc - 1; i++) {
		ck_assert_int_eq(sscanf(r->urc[i],
		    "+QIND: \"FOTA\",\"UPDATING\",%d", &p), 1);
		ck_assert_int_gt(p, last);
		ck_assert_int_ge(p, 1);
		last = p;
	}
	if (code == 0)
		ck_assert_int_eq(last, 100);
}

/* Stage a package and apply it now; returns the END code. */
static int
update(struct rig *r, struct firmware *fw, const void *pkg, size_t len)
{
	int from = r->nurc;

	ck_assert_int_eq(firmware_stage(fw, pkg, len), 0);
	ck_assert_str_eq(firmware_update_state(fw), "downloaded");
	ck_assert_int_eq(firmware_update_start(fw), 0);
	rig_run(r);
	assert_urcs(r, from, firmware_update_result(fw));
	return firmware_update_result(fw);
}

/* Full and delta: A -> B, reboot into B, then roll back B -> A. */
START_TEST(test_update_and_rollback)
{
	enum pkg_kind kind = _i ? PKG_DELTA : PKG_FULL;
	struct rig r;
	struct firmware *fw;
	unsigned char *p;
	size_t len;

	rig_init(&r);
	fw = rig_boot(&r, r.ram);
	ck_assert_str_eq(firmware_revision(fw), REV_A);
	ck_assert_str_eq(firmware_model(fw), MODEL);
	assert_booted_image(fw);
	p = mkpkg(kind, MODEL, REV_A, REV_B, &len);
	ck_assert_int_eq(update(&r, fw, p, len), 0);
	ck_assert_str_eq(firmware_update_state(fw), "done");
	ck_assert_int_eq(r.reboots, 1);
	/* Still A until the reboot, and no second update before it. */
	ck_assert_str_eq(firmware_revision(fw), REV_A);
	ck_assert_int_eq(firmware_stage(fw, p, len), FIRMWARE_ERR_BUSY);
	firmware_close(fw);
	free(p);

	fw = rig_boot(&r, r.ram);
	ck_assert_str_eq(firmware_revision(fw), REV_B);
	ck_assert(!firmware_pending(fw));
	assert_booted_image(fw);
	p = mkpkg(kind, MODEL, REV_B, REV_A, &len);
	ck_assert_int_eq(update(&r, fw, p, len), 0);
	firmware_close(fw);
	free(p);

	fw = rig_boot(&r, r.ram);
	ck_assert_str_eq(firmware_revision(fw), REV_A);
	assert_booted_image(fw);
	firmware_close(fw);
	rig_free(&r);
}
END_TEST

/* Refusals: each bad package gives its END code and A keeps running. */
START_TEST(test_refusals)
{
	struct rig r;
	struct firmware *fw;
	unsigned char *p;
	size_t len;
	int code;

	rig_init(&r);
	fw = rig_boot(&r, r.ram);
	p = mkpkg(PKG_DELTA, MODEL, REV_A, REV_B, &len);
	switch (_i) {
	case 0:		/* one payload byte flipped in transit */
		p[len - 10] ^= 0x20;
		code = FOTA_END_MD5;
		break;
	case 1:		/* truncated download */
		len -= 100;
		code = FOTA_END_MD5;
		break;
	case 2:		/* malformed header */
		p[20] ^= 0x01;
		code = FOTA_END_FAILED;
		break;
	case 3:		/* another model */
		free(p);
		p = mkpkg(PKG_DELTA, "UC200T", REV_A, REV_B, &len);
		code = FOTA_END_FAILED;
		break;
	case 4:		/* another source revision */
		free(p);
		p = mkpkg(PKG_DELTA, MODEL, REV_C, REV_B, &len);
		code = FOTA_END_FAILED;
		break;
	default:	/* not a package at all */
		memset(p, 'x', len);
		code = FOTA_END_FAILED;
		break;
	}
	ck_assert_int_eq(update(&r, fw, p, len), code);
	ck_assert_str_eq(firmware_update_state(fw), "failed");
	ck_assert_int_eq(r.reboots, 0);
	ck_assert_int_eq(r.nurc, 2);		/* START, END */
	firmware_close(fw);
	/* The next power-on runs A and does not retry the bad package. */
	fw = rig_boot(&r, r.ram);
	ck_assert_str_eq(firmware_revision(fw), REV_A);
	ck_assert(!firmware_pending(fw));
	assert_booted_image(fw);
	/* And a good package still works afterwards. */
	free(p);
	p = mkpkg(PKG_FULL, MODEL, REV_A, REV_B, &len);
	ck_assert_int_eq(update(&r, fw, p, len), 0);
	firmware_close(fw);
	free(p);
	rig_free(&r);
}
END_TEST

/* A failed program and bit flips while writing: END,504, A boots. */
START_TEST(test_flash_faults)
{
	struct flash_fault_cfg fc = { 0 };
	struct flash_dev *fd;
	struct rig r;
	struct firmware *fw;
	unsigned char *p;
	size_t len;

	rig_init(&r);
	fw = rig_boot(&r, r.ram);
	p = mkpkg(PKG_DELTA, MODEL, REV_A, REV_B, &len);
	ck_assert_int_eq(firmware_stage(fw, p, len), 0);
	firmware_close(fw);
	if (_i == 0)
		fc.fail_op = 100;
	else
		fc.flip_every = 18;	/* lands on slot pages only (see below) */
	fd = flash_fault_open(r.ram, &fc);
	fw = rig_boot(&r, fd);
	ck_assert(firmware_pending(fw));
	firmware_run_pending(fw);
	rig_run(&r);
	/*
	 * Ops: boot flags, journal, then per block an erase, 16 pages and a
	 * journal page, so with flip_every 18 every flip hits a slot page.
	 */
	if (_i == 1)
		ck_assert_int_gt((int)flash_fault_flips(fd), 0);
	assert_urcs(&r, 0, FOTA_END_FAILED);
	ck_assert_int_eq(r.reboots, 0);
	firmware_close(fw);
	flash_dev_close(fd);
	fw = rig_boot(&r, r.ram);
	ck_assert_str_eq(firmware_revision(fw), REV_A);
	ck_assert(!firmware_pending(fw));
	assert_booted_image(fw);
	firmware_close(fw);
	free(p);
	rig_free(&r);
}
END_TEST

/* With the default NOR timing an update takes simulated time ~ size / 15 kB/s. */
START_TEST(test_paced_by_flash)
{
	struct rig r;
	struct firmware *fw;
	unsigned char *p;
	size_t len;
	double t0, t, expect;

	rig_init(&r);
	flash_geometry_default(FLASH_NOR, &r.cfg.geom);
	fw = rig_boot(&r, r.ram);
	p = mkpkg(PKG_DELTA, MODEL, REV_A, REV_B, &len);
	ck_assert_int_eq(firmware_stage(fw, p, len), 0);
	t0 = clock_now(r.clock);
	ck_assert_int_eq(firmware_update_start(fw), 0);
	rig_run(&r);
	t = clock_now(r.clock) - t0;
	expect = ISIZE / 15000.0;
	ck_assert_int_eq(firmware_update_result(fw), 0);
	ck_assert_msg(t > expect * 0.8 && t < expect * 1.3,
	    "update took %.1f simulated s, expected ~%.1f", t, expect);
	/* Two blocks of 64 KiB: START, UPDATING 50 and 100, END. */
	ck_assert_int_eq(r.nurc, 4);
	ck_assert_str_eq(r.urc[1], "+QIND: \"FOTA\",\"UPDATING\",50");
	firmware_close(fw);
	free(p);
	rig_free(&r);
}
END_TEST

/* The file backend: a fresh state dir, an update, a restart on the same dir. */
/* A rig on a state dir (flash.img through the firmware), no RAM flash. */
static void
rig_init_dir(struct rig *r, struct firmware_cbs *cbs, char *dir)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	rig_init(r);
	*cbs = (struct firmware_cbs){ rig_urc, rig_reboot, r };
	r->cfg.dev = NULL;
	r->cfg.state_dir = dir;
}

START_TEST(test_state_dir)
{
	char dir[] = "/tmp/check_updater.XXXXXX", path[256];
	struct firmware_options opts = { 0 };
	struct firmware_cbs cbs;
	struct firmware *fw;
	struct rig r;
	unsigned char *p;
	char err[256];
	size_t len;

	rig_init_dir(&r, &cbs, dir);
	ck_assert_int_eq(firmware_boot(&r.cfg, &cbs, &fw, err, sizeof err), 0);
	ck_assert_str_eq(firmware_revision(fw), REV_A);
	assert_booted_image(fw);
	p = mkpkg(PKG_FULL, MODEL, REV_A, REV_B, &len);
	ck_assert_int_eq(update(&r, fw, p, len), 0);
	firmware_close(fw);
	ck_assert_int_eq(firmware_boot(&r.cfg, &cbs, &fw, err, sizeof err), 0);
	ck_assert_str_eq(firmware_revision(fw), REV_B);
	assert_booted_image(fw);
	firmware_close(fw);
	/* A config that asks nothing adopts the state dir's geometry ... */
	r.cfg.image_size = 2 * ISIZE;
	ck_assert_int_eq(firmware_boot(&r.cfg, &cbs, &fw, err, sizeof err), 0);
	ck_assert_str_eq(firmware_revision(fw), REV_B);
	firmware_close(fw);
	/* ... but another geometry given explicitly is refused, not reformatted. */
	opts.given = FWOPT_IMAGE_SIZE;
	opts.image_size = 2 * ISIZE;
	r.cfg.opts = &opts;
	ck_assert_int_eq(firmware_boot(&r.cfg, &cbs, &fw, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "--image-size 262144 differs") != NULL, "%s", err);
	opts.given = FWOPT_TYPE;
	opts.type = FLASH_NAND;
	ck_assert_int_eq(firmware_boot(&r.cfg, &cbs, &fw, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "--flash nand differs") != NULL, "%s", err);
	/* A damaged record stops the boot too. */
	snprintf(path, sizeof path, "%s/flash.geom", dir);
	ck_assert_int_eq(truncate(path, 20), 0);
	r.cfg.opts = NULL;
	ck_assert_int_eq(firmware_boot(&r.cfg, &cbs, &fw, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "flash.geom") != NULL, "%s", err);
	unlink(path);
	/* Without a record (an older state dir), flash.img's size still guards. */
	ck_assert_int_eq(firmware_boot(&r.cfg, &cbs, &fw, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "flash.img") != NULL, "%s", err);
	unlink(path);
	snprintf(path, sizeof path, "%s/flash.img", dir);
	unlink(path);
	rmdir(dir);
	free(p);
	rig_free(&r);
}
END_TEST

/*
 * --fota-area: a FOTA area smaller than a full package refuses one; the
 * state dir keeps the size, and another one is refused.  --flash-fault on
 * a fresh state dir: the factory image goes in before the fault counts.
 */
START_TEST(test_fota_area_and_fresh_fault)
{
	char dir[] = "/tmp/check_updater.XXXXXX", dir2[] =
	    "/tmp/check_updater.XXXXXX", path[256], err[256];
	struct firmware_options opts = { 0 };
	struct firmware_cbs cbs;
	struct firmware *fw;
	unsigned char *p;
	struct rig r;
	size_t len;

	ck_assert_ptr_nonnull(mkdtemp(dir2));
	rig_init_dir(&r, &cbs, dir);
	opts.given = FWOPT_IMAGE_SIZE | FWOPT_FOTA_AREA;
	opts.image_size = ISIZE;
	opts.fota_area = 40000;		/* rounded up to one 64 KiB block */
	r.cfg.opts = &opts;
	ck_assert_int_eq(firmware_options_check(&opts, err, sizeof err), 0);
	ck_assert_int_eq(firmware_boot(&r.cfg, &cbs, &fw, err, sizeof err), 0);
	ck_assert_uint_eq(firmware_fota_size(fw), 65536);
	assert_booted_image(fw);
	p = mkpkg(PKG_FULL, MODEL, REV_A, REV_B, &len);
	ck_assert_int_eq(firmware_stage(fw, p, len), FIRMWARE_ERR_TOO_BIG);
	firmware_close(fw);
	opts.fota_area = 128 * 1024;
	ck_assert_int_eq(firmware_boot(&r.cfg, &cbs, &fw, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "--fota-area 131072 differs") != NULL, "%s",
	    err);
	/* Not with --flash-size: the flash size follows from the area. */
	opts.given |= FWOPT_FLASH_SIZE;
	opts.flash_size = 8 << 20;
	ck_assert_int_eq(firmware_options_check(&opts, err, sizeof err), -1);

	/* A worn chip on a fresh state dir: provisioned, then full. */
	memset(&opts, 0, sizeof opts);
	opts.given = FWOPT_IMAGE_SIZE | FWOPT_FAULT;
	opts.image_size = ISIZE;
	opts.fault.full_after = 100;
	r.cfg.state_dir = dir2;
	ck_assert_int_eq(firmware_boot(&r.cfg, &cbs, &fw, err, sizeof err), 0);
	ck_assert_str_eq(firmware_revision(fw), REV_A);
	assert_booted_image(fw);
	ck_assert_int_ne(firmware_stage(fw, p, len), 0);
	firmware_close(fw);
	/* The next power-on finds the factory image, not a torn one. */
	opts.given = FWOPT_IMAGE_SIZE;
	ck_assert_int_eq(firmware_boot(&r.cfg, &cbs, &fw, err, sizeof err), 0);
	ck_assert_str_eq(firmware_revision(fw), REV_A);
	assert_booted_image(fw);
	firmware_close(fw);
	for (int i = 0; i < 2; i++) {
		const char *d = i ? dir2 : dir;

		snprintf(path, sizeof path, "%s/flash.img", d);
		unlink(path);
		snprintf(path, sizeof path, "%s/flash.geom", d);
		unlink(path);
		rmdir(d);
	}
	free(p);
	rig_free(&r);
}
END_TEST

/*
 * Power-cut sweep: cut after every k-th flash operation of an update
 * (alternately clean and torn), power on again on the same store, and check
 * that the module boots an exact old or new image, then finishes.
 */
START_TEST(test_power_cut_sweep)
{
	enum pkg_kind kind = _i ? PKG_DELTA : PKG_FULL;
	struct flash_fault_cfg fc;
	struct flash_dev *fd;
	struct firmware *fw;
	struct rig r;
	unsigned char *p;
	uint64_t total, c, k;
	size_t len;
	int points = 0, resumed_b = 0, from;

	p = mkpkg(kind, MODEL, REV_A, REV_B, &len);
	/* Count the operations of an uncut update. */
	rig_init(&r);
	fw = rig_boot(&r, r.ram);
	ck_assert_int_eq(firmware_stage(fw, p, len), 0);
	firmware_close(fw);
	memset(&fc, 0, sizeof fc);
	fd = flash_fault_open(r.ram, &fc);
	fw = rig_boot(&r, fd);
	firmware_run_pending(fw);
	rig_run(&r);
	ck_assert_int_eq(firmware_update_result(fw), 0);
	total = flash_fault_ops(fd);
	firmware_close(fw);
	flash_dev_close(fd);
	rig_free(&r);
	k = total / 250 ? total / 250 : 1;

	for (c = 1; c <= total; c += k, points++) {
		rig_init(&r);
		fw = rig_boot(&r, r.ram);
		ck_assert_int_eq(firmware_stage(fw, p, len), 0);
		firmware_close(fw);

		memset(&fc, 0, sizeof fc);
		fc.cut_after = c;
		fc.torn = points % 2;
		fd = flash_fault_open(r.ram, &fc);
		fw = rig_boot(&r, fd);
		firmware_run_pending(fw);
		rig_run(&r);
		firmware_close(fw);
		ck_assert_msg(flash_fault_cut(fd) || c == total,
		    "cut %llu of %llu did not happen", (unsigned long long)c,
		    (unsigned long long)total);
		flash_dev_close(fd);

		/* Next power-on: an exact old or new image, never bricked. */
		fw = rig_boot(&r, r.ram);
		assert_booted_image(fw);
		if (strcmp(firmware_revision(fw), REV_B) == 0)
			resumed_b++;
		else
			ck_assert_str_eq(firmware_revision(fw), REV_A);
		from = r.nurc;
		r.reboots = 0;
		firmware_run_pending(fw);
		rig_run(&r);
		/* Nothing failed, so the update must have completed. */
		if (r.nurc > from)
			assert_urcs(&r, from, 0);
		/* Once B runs, the next download may begin at once. */
		if (r.reboots == 0)
			ck_assert_int_eq(firmware_stage_begin(fw, 0), 0);
		firmware_close(fw);

		fw = rig_boot(&r, r.ram);
		ck_assert_str_eq(firmware_revision(fw), REV_B);
		ck_assert(!firmware_pending(fw));
		assert_booted_image(fw);
		firmware_close(fw);
		rig_free(&r);
	}
	ck_assert_int_ge(points, 200);
	/* Some cuts land after the commit: B boots straight away. */
	ck_assert_int_gt(resumed_b, 0);
	free(p);
}
END_TEST

/* Read a whole (small) file into a NUL-ended malloc'd string. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s = calloc(1, 1 << 16);
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(s, 1, (1 << 16) - 1, f);
	s[n] = '\0';
	fclose(f);
	return s;
}

/* Power on over the RAM store with a transcript; return its text. */
static char *
rig_boot_logged(struct rig *r, struct firmware **fw)
{
	char path[] = "/tmp/check_updater.log.XXXXXX", *text;
	int fd = mkstemp(path);

	ck_assert_int_ne(fd, -1);
	close(fd);
	/* The firmware keeps writing to it: rig_free closes it. */
	translog_close(r->cfg.log);
	r->cfg.log = translog_open(path, r->clock);
	ck_assert_ptr_nonnull(r->cfg.log);
	*fw = rig_boot(r, r->ram);
	text = slurp(path);
	unlink(path);
	return text;
}

/*
 * Power cut while a package is being written into the FOTA area (a
 * download): after every k-th flash operation of staging, clean and torn.
 * The next power-on must never start an update from the partial package:
 * it boots A, discards the package with a transcript line, and stays idle;
 * only a cut after the STAGED record leaves a (complete) package pending.
 */
START_TEST(test_staging_power_cut)
{
	struct flash_fault_cfg fc;
	struct flash_dev *fd;
	struct firmware *fw;
	struct rig r;
	unsigned char *p;
	uint64_t b0, total, c, k;
	size_t len;
	char *log;
	int points = 0, discarded = 0, staged = 0, rc;

	p = mkpkg(PKG_FULL, MODEL, REV_A, REV_B, &len);
	/* Count the operations of booting (b0) and of staging (total). */
	rig_init(&r);
	fw = rig_boot(&r, r.ram);
	firmware_close(fw);
	memset(&fc, 0, sizeof fc);
	fd = flash_fault_open(r.ram, &fc);
	fw = rig_boot(&r, fd);
	b0 = flash_fault_ops(fd);
	ck_assert_int_eq(firmware_stage(fw, p, len), 0);
	total = flash_fault_ops(fd) - b0;
	firmware_close(fw);
	flash_dev_close(fd);
	rig_free(&r);
	k = total / 200 ? total / 200 : 1;

	for (c = 1; c < total; c += k, points++) {
		rig_init(&r);
		fw = rig_boot(&r, r.ram);
		firmware_close(fw);
		memset(&fc, 0, sizeof fc);
		fc.cut_after = b0 + c;
		fc.torn = points % 2;
		fd = flash_fault_open(r.ram, &fc);
		fw = rig_boot(&r, fd);
		rc = firmware_stage(fw, p, len);
		ck_assert_msg(flash_fault_cut(fd), "cut %llu of %llu missed",
		    (unsigned long long)c, (unsigned long long)total);
		firmware_close(fw);
		flash_dev_close(fd);

		log = rig_boot_logged(&r, &fw);
		ck_assert_str_eq(firmware_revision(fw), REV_A);
		assert_booted_image(fw);
		if (firmware_pending(fw)) {
			/*
			 * Only a landed STAGED record, so the whole package:
			 * the last op, or a torn one that got far enough.
			 */
			ck_assert(rc == 0 || (c == total - 1 && fc.torn));
			ck_assert_ptr_null(strstr(log, "discarded"));
			staged++;
			firmware_run_pending(fw);
			rig_run(&r);
			assert_urcs(&r, 0, 0);
		} else {
			ck_assert_int_ne(rc, 0);
			ck_assert_msg(strstr(log, "state firmware incomplete package "
			    "in the FOTA area discarded") != NULL,
			    "cut %llu: no discard line in %s",
			    (unsigned long long)c, log);
			discarded++;
			ck_assert_str_eq(firmware_update_state(fw), "idle");
			ck_assert_int_eq(firmware_update_start(fw),
			    FIRMWARE_ERR_STATE);
			firmware_run_pending(fw);
			rig_run(&r);
			ck_assert_int_eq(r.nurc, 0);
		}
		firmware_close(fw);
		free(log);

		/* The discard is for good: the next boot says nothing more. */
		log = rig_boot_logged(&r, &fw);
		ck_assert_ptr_null(strstr(log, "discarded"));
		ck_assert(!firmware_pending(fw));
		firmware_close(fw);
		free(log);
		rig_free(&r);
	}
	ck_assert_int_ge(points, 150);
	ck_assert_int_ge(discarded, points - 2);
	ck_assert_int_le(staged, 1);
	free(p);
}
END_TEST

/* The UFS file `name` holds exactly n bytes of p. */
static void
assert_ufs_file(struct firmware *fw, const char *name, const unsigned char *p,
    size_t n)
{
	unsigned char *back = malloc(n);
	uint64_t size;

	ck_assert_int_eq(firmware_ufs_stat(fw, name, &size), 0);
	ck_assert_uint_eq(size, n);
	ck_assert_int_eq(firmware_ufs_read(fw, name, 0, back, n), 0);
	ck_assert_int_eq(memcmp(back, p, n), 0);
	free(back);
}

/* Upload `new` and delete `old` on fw; 0, or the first error. */
static int
ufs_change(struct firmware *fw, const unsigned char *p, size_t n)
{
	int rc;

	if ((rc = firmware_ufs_create(fw, "new", n)) != 0 ||
	    (rc = firmware_ufs_write(fw, p, n)) != 0 ||
	    (rc = firmware_ufs_close(fw)) != 0)
		return rc;
	return firmware_ufs_delete(fw, "old");
}

/*
 * A power cut at every operation of an upload and a delete (whole or torn):
 * the next boot finds the UFS as before the upload, after it, or after the
 * delete, each file with exactly its bytes; never a torn directory.
 */
START_TEST(test_ufs_power_cut)
{
	struct flash_fault_cfg fc;
	struct flash_dev *fd;
	struct firmware *fw;
	struct firmware_ufs_file f;
	struct rig r;
	unsigned char oldb[300], newb[10000];
	uint64_t b0, total = 0, c, nfree, all;
	int seen[3] = { 0, 0, 0 }, state;
	size_t i;

	for (i = 0; i < sizeof oldb; i++)
		oldb[i] = (unsigned char)(i * 7 + 1);
	for (i = 0; i < sizeof newb; i++)
		newb[i] = (unsigned char)(i * 13 + 5);
	memset(&fc, 0, sizeof fc);
	for (c = 0; c == 0 || c < total; c++) {
		rig_init(&r);
		fw = rig_boot(&r, r.ram);
		ck_assert_int_eq(firmware_ufs_create(fw, "old", sizeof oldb), 0);
		ck_assert_int_eq(firmware_ufs_write(fw, oldb, sizeof oldb), 0);
		ck_assert_int_eq(firmware_ufs_close(fw), 0);
		firmware_close(fw);
		fc.cut_after = 0;
		fc.torn = c % 2;
		fd = flash_fault_open(r.ram, &fc);
		fw = rig_boot(&r, fd);
		b0 = flash_fault_ops(fd);
		if (c == 0) {
			/* Count the change's operations, uncut. */
			ck_assert_int_eq(ufs_change(fw, newb, sizeof newb), 0);
			total = flash_fault_ops(fd) - b0;
			firmware_close(fw);
			flash_dev_close(fd);
			rig_free(&r);
			continue;
		}
		firmware_close(fw);
		flash_dev_close(fd);
		fc.cut_after = b0 + c;
		fd = flash_fault_open(r.ram, &fc);
		fw = rig_boot(&r, fd);
		ck_assert_int_ne(ufs_change(fw, newb, sizeof newb), 0);
		ck_assert(flash_fault_cut(fd));
		firmware_close(fw);
		flash_dev_close(fd);

		fw = rig_boot(&r, r.ram);
		state = firmware_ufs_stat(fw, "new", &nfree) == 0 ?
		    firmware_ufs_stat(fw, "old", &nfree) == 0 ? 1 : 2 : 0;
		if (state != 2)
			assert_ufs_file(fw, "old", oldb, sizeof oldb);
		if (state != 0)
			assert_ufs_file(fw, "new", newb, sizeof newb);
		ck_assert_int_eq(firmware_ufs_file(fw, state == 1 ? 2 : 1, &f),
		    -1);
		/* What no file holds is free again. */
		firmware_ufs_space(fw, &nfree, &all);
		ck_assert_uint_eq(nfree, all - (state != 2 ? 4096 : 0) -
		    (state != 0 ? 12288 : 0));
		seen[state]++;
		firmware_close(fw);
		rig_free(&r);
	}
	ck_assert_int_gt(seen[0], 0);
	ck_assert_int_gt(seen[1], 0);
	ck_assert_int_ge(seen[0] + seen[1] + seen[2], (int)total - 1);
}
END_TEST

/* A download that stops (not a power cut) is discarded at once. */
START_TEST(test_staging_abort)
{
	struct firmware *fw;
	struct rig r;
	unsigned char *p;
	size_t len;
	char *log;

	p = mkpkg(PKG_FULL, MODEL, REV_A, REV_B, &len);
	rig_init(&r);
	fw = rig_boot(&r, r.ram);
	ck_assert_int_eq(firmware_stage_abort(fw), FIRMWARE_ERR_STATE);
	ck_assert_int_eq(firmware_stage_begin(fw, len), 0);
	ck_assert_int_eq(firmware_stage_write(fw, p, len / 2), 0);
	ck_assert_int_eq(firmware_stage_abort(fw), 0);
	ck_assert_int_eq(firmware_stage_end(fw), FIRMWARE_ERR_STATE);
	ck_assert_int_eq(firmware_update_start(fw), FIRMWARE_ERR_STATE);
	firmware_close(fw);
	log = rig_boot_logged(&r, &fw);
	ck_assert_ptr_null(strstr(log, "discarded"));
	ck_assert(!firmware_pending(fw));
	/* And a complete download after it applies normally. */
	ck_assert_int_eq(update(&r, fw, p, len), 0);
	firmware_close(fw);
	free(log);
	free(p);
	rig_free(&r);
}
END_TEST

/* Every field of the boot flags is as expected. */
static void
assert_boot_rec(const struct boot_rec *have, const struct boot_rec *want)
{
	int s;

	ck_assert_int_eq(have->active, want->active);
	for (s = 0; s < 2; s++) {
		ck_assert_int_eq(have->valid[s], want->valid[s]);
		ck_assert_uint_eq(have->size[s], want->size[s]);
		ck_assert_int_eq(memcmp(have->md5[s], want->md5[s], PKG_MD5_LEN), 0);
	}
}

/* Write the generated image of rev into slot s, behind the updater's back. */
static void
put_image(struct firmware *fw, int s, const char *rev, unsigned char *md5)
{
	unsigned char *img = malloc(ISIZE);
	uint64_t bs = fw->lay.block_size, off = fw->lay.slot_off[s], o;

	ck_assert_int_eq(image_read(MODEL, rev, ISIZE, 0, img, ISIZE), 0);
	for (o = 0; o < ISIZE; o += bs)
		ck_assert_int_eq(flash_erase_block(fw->flash, (off + o) / bs), 0);
	ck_assert_int_eq(flash_program(fw->flash, off, img, ISIZE), 0);
	pkg_md5_mem(img, ISIZE, md5);
	free(img);
}

/*
 * The boot flags' two writers: activate makes the next boot pick a slot,
 * invalidate makes it fall back to the other one (and record that), and a
 * write that fails changes neither memory nor flash.
 */
START_TEST(test_slot_writers)
{
	struct flash_fault_cfg fc = { .fail_op = 1 };
	struct boot_rec want;
	struct flash_dev *fd;
	struct firmware *fw;
	struct rig r;
	unsigned char md5[PKG_MD5_LEN];
	char *log;

	rig_init(&r);
	fw = rig_boot(&r, r.ram);
	/* A fresh flash: A provisioned and active, B empty. */
	want = fw->boot;
	ck_assert_int_eq(want.active, 0);
	ck_assert_int_eq(want.valid[0], 1);
	ck_assert_uint_eq(want.size[0], ISIZE);
	ck_assert_int_eq(want.valid[1], 0);
	ck_assert_uint_eq(want.size[1], 0);

	put_image(fw, 1, REV_B, md5);
	ck_assert_int_eq(firmware_slot_activate(fw, 1, ISIZE, md5), 0);
	want.active = 1;
	want.valid[1] = 1;
	want.size[1] = ISIZE;
	memcpy(want.md5[1], md5, PKG_MD5_LEN);
	assert_boot_rec(&fw->boot, &want);
	/* What runs changes only at the next power-on. */
	ck_assert_int_eq(fw->booted, 0);
	ck_assert_str_eq(firmware_revision(fw), REV_A);
	firmware_close(fw);

	fw = rig_boot(&r, r.ram);
	ck_assert_int_eq(fw->booted, 1);
	ck_assert_str_eq(firmware_revision(fw), REV_B);
	assert_boot_rec(&fw->boot, &want);
	assert_booted_image(fw);
	ck_assert_int_eq(firmware_slot_invalidate(fw, 1), 0);
	want.valid[1] = 0;
	assert_boot_rec(&fw->boot, &want);
	firmware_close(fw);

	/* B is active but invalid: boot falls back to A and records it. */
	log = rig_boot_logged(&r, &fw);
	ck_assert_ptr_nonnull(strstr(log, "state firmware slot B is damaged"));
	free(log);
	ck_assert_int_eq(fw->booted, 0);
	ck_assert_str_eq(firmware_revision(fw), REV_A);
	want.active = 0;
	assert_boot_rec(&fw->boot, &want);
	assert_booted_image(fw);
	firmware_close(fw);
	log = rig_boot_logged(&r, &fw);
	ck_assert_ptr_null(strstr(log, "damaged"));
	free(log);
	assert_boot_rec(&fw->boot, &want);
	firmware_close(fw);

	/* The record's page fails to program: nothing changes. */
	fd = flash_fault_open(r.ram, &fc);
	fw = rig_boot(&r, fd);
	ck_assert_int_eq(firmware_slot_activate(fw, 1, ISIZE, md5),
	    FLASH_ERR_FAILED);
	assert_boot_rec(&fw->boot, &want);
	firmware_close(fw);
	flash_dev_close(fd);
	fd = flash_fault_open(r.ram, &fc);
	fw = rig_boot(&r, fd);
	ck_assert_int_eq(firmware_slot_invalidate(fw, 0), FLASH_ERR_FAILED);
	assert_boot_rec(&fw->boot, &want);
	firmware_close(fw);
	flash_dev_close(fd);
	fw = rig_boot(&r, r.ram);
	ck_assert_int_eq(fw->booted, 0);
	assert_boot_rec(&fw->boot, &want);
	firmware_close(fw);
	rig_free(&r);
}
END_TEST

/* fotasim's flash options: parsing, combined checks, the geometry asked for. */
START_TEST(test_options)
{
	struct firmware_options o = { 0 };
	struct flash_geometry g;
	char err[256];

	ck_assert_int_eq(firmware_parse_option(&o, FIRMWARE_OPT_FLASH, "nand",
	    err, sizeof err), 0);
	ck_assert_int_eq(o.type, FLASH_NAND);
	ck_assert_int_eq(firmware_parse_option(&o, FIRMWARE_OPT_FLASH, "NAND",
	    err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "--flash: expected nor or nand"));
	ck_assert_int_eq(firmware_parse_option(&o, FIRMWARE_OPT_IMAGE_SIZE,
	    "2M", err, sizeof err), 0);
	ck_assert_uint_eq(o.image_size, 2 << 20);
	ck_assert_int_eq(firmware_parse_option(&o, FIRMWARE_OPT_IMAGE_SIZE,
	    "255", err, sizeof err), -1);
	ck_assert_int_eq(firmware_parse_option(&o, FIRMWARE_OPT_FLASH_SIZE,
	    "17G", err, sizeof err), -1);
	ck_assert_int_eq(firmware_parse_option(&o, FIRMWARE_OPT_FLASH_SIZE,
	    "0", err, sizeof err), -1);
	ck_assert_int_eq(o.given, FWOPT_TYPE | FWOPT_IMAGE_SIZE);
	/* The smallest NAND flash for 2 MiB images is 7208960 bytes. */
	ck_assert_int_eq(firmware_parse_option(&o, FIRMWARE_OPT_FLASH_SIZE,
	    "6815744", err, sizeof err), 0);
	ck_assert_int_eq(firmware_options_check(&o, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "need at least 7208960"));
	ck_assert_int_eq(firmware_parse_option(&o, FIRMWARE_OPT_FLASH_SIZE,
	    "7208960", err, sizeof err), 0);
	ck_assert_int_eq(firmware_options_check(&o, err, sizeof err), 0);
	ck_assert_int_eq(firmware_parse_option(&o, FIRMWARE_OPT_FLASH_SIZE,
	    "7000000", err, sizeof err), 0);
	ck_assert_int_eq(firmware_options_check(&o, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a multiple of the erase block (131072"));

	/* Timing: real keeps the type's, zero clears, a list sets fields. */
	firmware_options_geometry(&o, FLASH_NAND, &g);
	ck_assert(g.erase_time > 0 && g.page_time > 0);
	ck_assert_uint_eq(g.size, 7000000);
	ck_assert_int_eq(firmware_parse_option(&o, FIRMWARE_OPT_FLASH_TIMING,
	    "zero", err, sizeof err), 0);
	firmware_options_geometry(&o, FLASH_NOR, &g);
	ck_assert(g.erase_time == 0 && g.page_time == 0 && g.program_rate == 0);
	ck_assert_int_eq(firmware_parse_option(&o, FIRMWARE_OPT_FLASH_TIMING,
	    "erase=0.5,rate=1e6", err, sizeof err), 0);
	firmware_options_geometry(&o, FLASH_NOR, &g);
	ck_assert(g.erase_time == 0.5 && g.program_rate == 1e6);
	ck_assert_uint_eq(g.block_size, 65536);
	ck_assert_int_eq(firmware_parse_option(&o, FIRMWARE_OPT_FLASH_TIMING,
	    "page=1e400", err, sizeof err), -1);
	ck_assert_int_eq(firmware_parse_option(&o, FIRMWARE_OPT_FLASH_TIMING,
	    "rate=", err, sizeof err), -1);
	ck_assert_int_eq(firmware_parse_option(&o, FIRMWARE_OPT_FLASH_TIMING,
	    "", err, sizeof err), -1);
	ck_assert_int_eq(firmware_parse_option(&o, FIRMWARE_OPT_FLASH_TIMING,
	    "erase=nan", err, sizeof err), -1);

	/* Erase block and page: powers of two, the page within the block. */
	ck_assert_int_eq(firmware_parse_option(&o, FIRMWARE_OPT_FLASH_BLOCK,
	    "48k", err, sizeof err), -1);
	ck_assert_int_eq(firmware_parse_option(&o, FIRMWARE_OPT_FLASH_BLOCK,
	    "32M", err, sizeof err), -1);
	ck_assert_int_eq(firmware_parse_option(&o, FIRMWARE_OPT_FLASH_PAGE,
	    "128", err, sizeof err), -1);
	ck_assert_int_eq(firmware_parse_option(&o, FIRMWARE_OPT_FLASH_BLOCK,
	    "1k", err, sizeof err), 0);
	o.given &= ~(unsigned)FWOPT_FLASH_SIZE;
	ck_assert_int_eq(firmware_options_check(&o, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "2048-byte page does not fit"));
	ck_assert_int_eq(firmware_parse_option(&o, FIRMWARE_OPT_FLASH_PAGE,
	    "512", err, sizeof err), 0);
	ck_assert_int_eq(firmware_options_check(&o, err, sizeof err), 0);
	firmware_options_geometry(&o, FLASH_NAND, &g);
	ck_assert_uint_eq(g.block_size, 1024);
	ck_assert_uint_eq(g.page_size, 512);
}
END_TEST

/* flash.geom: what is written reads back; a damaged record is refused. */
START_TEST(test_geom_record)
{
	char dir[] = "/tmp/check_updater.XXXXXX", path[256], err[256];
	struct firmware_geom_rec w, r;
	FILE *f;

	/* Zeroed first: memcmp below also compares the padding. */
	memset(&w, 0, sizeof w);
	w.type = FLASH_NAND;
	w.flash_size = 3801088;
	w.block_size = 131072;
	w.page_size = 2048;
	w.image_size = 1 << 20;
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(firmware_geom_read(dir, &r, err, sizeof err), 0);
	ck_assert_int_eq(firmware_geom_write(dir, &w, err, sizeof err), 0);
	ck_assert_int_eq(firmware_geom_read(dir, &r, err, sizeof err), 1);
	ck_assert_int_eq(r.type, w.type);
	ck_assert_uint_eq(r.flash_size, w.flash_size);
	ck_assert_uint_eq(r.block_size, w.block_size);
	ck_assert_uint_eq(r.page_size, w.page_size);
	ck_assert_uint_eq(r.image_size, w.image_size);
	snprintf(path, sizeof path, "%s/flash.geom", dir);
	f = fopen(path, "a");
	fputs("colour blue\n", f);
	fclose(f);
	ck_assert_int_eq(firmware_geom_read(dir, &r, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "flash.geom:8: not a geometry line") != NULL,
	    "%s", err);
	f = fopen(path, "w");
	fputs("type nor\n", f);
	fclose(f);
	ck_assert_int_eq(firmware_geom_read(dir, &r, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "incomplete"));
	unlink(path);
	rmdir(dir);
}
END_TEST

static Suite *
updater_suite(void)
{
	Suite *s = suite_create("updater");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_update_and_rollback, 0, 2);
	tcase_add_loop_test(tc, test_refusals, 0, 6);
	tcase_add_loop_test(tc, test_flash_faults, 0, 2);
	tcase_add_test(tc, test_paced_by_flash);
	tcase_add_test(tc, test_state_dir);
	tcase_add_test(tc, test_fota_area_and_fresh_fault);
	tcase_add_loop_test(tc, test_power_cut_sweep, 0, 2);
	tcase_add_test(tc, test_staging_power_cut);
	tcase_add_test(tc, test_staging_abort);
	tcase_add_test(tc, test_ufs_power_cut);
	tcase_add_test(tc, test_slot_writers);
	tcase_add_test(tc, test_options);
	tcase_add_test(tc, test_geom_record);
	tcase_set_timeout(tc, 300);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run_suite(updater_suite());
}
