/*
 * check_flash.c: unit tests for the flash rules, both backends and the fault
 * layer.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check-run.h"
#include "firmware/flash.h"
#include "firmware/flash-fault.h"

#define KB 1024

static char tmpdir[] = "/tmp/check_flash.XXXXXX";

/* A small untimed NOR geometry: 4 KiB blocks of 256 B pages, 64 KiB. */
static void
small_geom(struct flash_geometry *g, enum flash_type type)
{
	flash_geometry_default(type, g);
	g->block_size = type == FLASH_NAND ? 8 * KB : 4 * KB;
	g->page_size = type == FLASH_NAND ? 512 : 256;
	g->size = 64 * KB;
	flash_geometry_untimed(g);
}

/* Open the backend numbered `which`: 0 RAM, 1 file (fresh). */
static struct flash_dev *
open_backend(int which, uint64_t size)
{
	struct flash_dev *dev = NULL;
	char path[256];

	if (which == 0)
		return flash_ram_open(size);
	snprintf(path, sizeof path, "%s/flash-%d.img", tmpdir, getpid());
	unlink(path);
	ck_assert_int_eq(flash_file_open(path, size, &dev), FLASH_OK);
	unlink(path);		/* the open descriptor keeps it */
	return dev;
}

START_TEST(test_geometry)
{
	struct flash_geometry g;
	const char *why;
	double rate;

	flash_geometry_default(FLASH_NOR, &g);
	g.size = 1 << 20;
	ck_assert_int_eq(flash_geometry_check(&g, &why), 0);
	/* The NOR default absorbs about 15 kB/s (manual, FILE mode). */
	rate = g.block_size / (g.erase_time + g.block_size / g.program_rate +
	    (double)(g.block_size / g.page_size) * g.page_time);
	ck_assert(rate > 14500 && rate < 15500);
	g.size = 1000;
	ck_assert_int_eq(flash_geometry_check(&g, &why), -1);
	ck_assert_ptr_nonnull(why);
	g.size = 1 << 20;
	g.page_size = 300;
	ck_assert_int_eq(flash_geometry_check(&g, &why), -1);
	flash_geometry_default(FLASH_NAND, &g);
	g.size = 1 << 20;
	ck_assert_int_eq(flash_geometry_check(&g, NULL), 0);
	enum flash_type t;
	ck_assert_int_eq(flash_parse_type("nand", &t), 0);
	ck_assert_int_eq(t, FLASH_NAND);
	ck_assert_int_eq(flash_parse_type("emmc", &t), -1);
}
END_TEST

/* The NOR rules on either backend: program clears bits, erase sets them. */
START_TEST(test_nor_rules)
{
	struct flash_geometry g;
	struct flash_dev *dev;
	struct flash *f;
	unsigned char b[512], r[512];

	small_geom(&g, FLASH_NOR);
	dev = open_backend(_i, g.size);
	f = flash_open(&g, dev);
	ck_assert_ptr_nonnull(f);

	/* Fresh flash reads erased. */
	ck_assert_int_eq(flash_read(f, 60 * KB, r, sizeof r), FLASH_OK);
	memset(b, 0xff, sizeof b);
	ck_assert_mem_eq(r, b, sizeof r);

	memset(b, 0xf0, sizeof b);
	ck_assert_int_eq(flash_program(f, 4 * KB, b, sizeof b), FLASH_OK);
	/* Clearing more bits is fine; setting one is not. */
	memset(b, 0x30, sizeof b);
	ck_assert_int_eq(flash_program(f, 4 * KB, b, sizeof b), FLASH_OK);
	memset(b, 0x31, sizeof b);
	ck_assert_int_eq(flash_program(f, 4 * KB, b, sizeof b), FLASH_ERR_RULE);
	ck_assert_int_eq(flash_read(f, 4 * KB, r, sizeof r), FLASH_OK);
	memset(b, 0x30, sizeof b);
	ck_assert_mem_eq(r, b, sizeof r);

	/* Misaligned or outside the chip. */
	ck_assert_int_eq(flash_program(f, 4 * KB + 1, b, 1), FLASH_ERR_RANGE);
	ck_assert_int_eq(flash_program(f, 64 * KB - 256, b, 512), FLASH_ERR_RANGE);
	ck_assert_int_eq(flash_read(f, 64 * KB, r, 1), FLASH_ERR_RANGE);
	ck_assert_int_eq(flash_erase_block(f, 16), FLASH_ERR_RANGE);

	/* Erase sets the whole block, and only that block. */
	memset(b, 0x00, sizeof b);
	ck_assert_int_eq(flash_program(f, 8 * KB, b, sizeof b), FLASH_OK);
	ck_assert_int_eq(flash_erase_block(f, 1), FLASH_OK);
	ck_assert_int_eq(flash_read(f, 4 * KB, r, sizeof r), FLASH_OK);
	memset(b, 0xff, sizeof b);
	ck_assert_mem_eq(r, b, sizeof r);
	ck_assert_int_eq(flash_read(f, 8 * KB, r, sizeof r), FLASH_OK);
	memset(b, 0x00, sizeof b);
	ck_assert_mem_eq(r, b, sizeof r);
	memset(b, 0x5a, sizeof b);
	ck_assert_int_eq(flash_program(f, 4 * KB, b, sizeof b), FLASH_OK);

	/* A program across a block boundary lands in both blocks. */
	ck_assert_int_eq(flash_erase_range(f, 12 * KB, 8 * KB), FLASH_OK);
	ck_assert_int_eq(flash_program(f, 16 * KB - 256, b, sizeof b), FLASH_OK);
	ck_assert_int_eq(flash_read(f, 16 * KB - 256, r, sizeof r), FLASH_OK);
	ck_assert_mem_eq(r, b, sizeof r);

	flash_close(f);
	flash_dev_close(dev);
}
END_TEST

/* NAND: a page is programmed once between erases. */
START_TEST(test_nand_once)
{
	struct flash_geometry g;
	struct flash_dev *dev;
	struct flash *f;
	unsigned char b[512];

	small_geom(&g, FLASH_NAND);
	dev = open_backend(_i, g.size);
	f = flash_open(&g, dev);
	memset(b, 0xf0, sizeof b);
	ck_assert_int_eq(flash_program(f, 0, b, sizeof b), FLASH_OK);
	memset(b, 0x00, sizeof b);
	ck_assert_int_eq(flash_program(f, 0, b, sizeof b), FLASH_ERR_RULE);
	ck_assert_int_eq(flash_erase_block(f, 0), FLASH_OK);
	ck_assert_int_eq(flash_program(f, 0, b, sizeof b), FLASH_OK);
	flash_close(f);
	flash_dev_close(dev);
}
END_TEST

/* Time is charged per erase, per page and per byte, then taken. */
START_TEST(test_timing)
{
	struct flash_geometry g;
	struct flash_dev *dev = flash_ram_open(64 * KB);
	struct flash *f;
	unsigned char b[1024];
	double t;

	small_geom(&g, FLASH_NOR);
	g.erase_time = 0.5;
	g.page_time = 0.01;
	g.program_rate = 1024;
	f = flash_open(&g, dev);
	ck_assert_int_eq(flash_erase_block(f, 0), FLASH_OK);
	memset(b, 0, sizeof b);
	ck_assert_int_eq(flash_program(f, 0, b, sizeof b), FLASH_OK);
	t = flash_take_busy(f);
	ck_assert(t > 0.5 + 0.04 + 1.0 - 1e-9 && t < 0.5 + 0.04 + 1.0 + 1e-9);
	ck_assert(flash_take_busy(f) == 0);
	ck_assert_int_eq((int)f->ops, 1 + 4);
	flash_close(f);
	flash_dev_close(dev);
}
END_TEST

/* The file backend persists across reopen, starts sparse, and erases. */
START_TEST(test_file_persist)
{
	struct flash_geometry g;
	struct flash_dev *dev;
	struct flash *f;
	unsigned char b[4 * KB], r[4 * KB];
	char path[256];
	struct stat st;

	small_geom(&g, FLASH_NOR);
	g.size = 16 << 20;
	snprintf(path, sizeof path, "%s/persist.img", tmpdir);
	unlink(path);
	ck_assert_int_eq(flash_file_open(path, g.size, &dev), FLASH_OK);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq((long long)st.st_size, 16 << 20);
	ck_assert((long long)st.st_blocks * 512 < 1 << 20);
	f = flash_open(&g, dev);
	memset(b, 0x42, sizeof b);
	ck_assert_int_eq(flash_program(f, 8 * KB, b, sizeof b), FLASH_OK);
	flash_close(f);
	flash_dev_close(dev);

	ck_assert_int_eq(flash_file_open(path, g.size, &dev), FLASH_OK);
	f = flash_open(&g, dev);
	ck_assert_int_eq(flash_read(f, 8 * KB, r, sizeof r), FLASH_OK);
	ck_assert_mem_eq(r, b, sizeof r);
	ck_assert_int_eq(flash_erase_block(f, 2), FLASH_OK);
	ck_assert_int_eq(flash_read(f, 8 * KB, r, sizeof r), FLASH_OK);
	memset(b, 0xff, sizeof b);
	ck_assert_mem_eq(r, b, sizeof r);
	flash_close(f);
	flash_dev_close(dev);
	unlink(path);
}
END_TEST

/* Power cut after N ops: ops 1..N land, nothing after, the store survives. */
START_TEST(test_fault_cut)
{
	struct flash_geometry g;
	struct flash_dev *ram = flash_ram_open(64 * KB), *fd;
	struct flash_fault_cfg cfg = { .cut_after = 5 };
	struct flash *f;
	unsigned char b[4 * KB], r[4 * KB], ff[256];
	size_t i;

	small_geom(&g, FLASH_NOR);
	fd = flash_fault_open(ram, &cfg);
	f = flash_open(&g, fd);
	memset(b, 0x11, sizeof b);
	/* Op 1 is the erase, ops 2..5 are the first four pages. */
	ck_assert_int_eq(flash_erase_block(f, 0), FLASH_OK);
	ck_assert_int_eq(flash_program(f, 0, b, sizeof b), FLASH_ERR_POWER);
	ck_assert(flash_fault_cut(fd));
	ck_assert_int_eq((int)flash_fault_ops(fd), 5);
	ck_assert_int_eq(flash_read(f, 0, r, 1), FLASH_ERR_POWER);
	ck_assert_int_eq(flash_erase_block(f, 1), FLASH_ERR_POWER);
	flash_close(f);
	flash_dev_close(fd);

	/* Next power-on on the same store. */
	f = flash_open(&g, ram);
	ck_assert_int_eq(flash_read(f, 0, r, sizeof r), FLASH_OK);
	ck_assert_mem_eq(r, b, 4 * 256);
	memset(ff, 0xff, sizeof ff);
	for (i = 4 * 256; i < sizeof r; i += 256)
		ck_assert_mem_eq(r + i, ff, 256);
	flash_close(f);
	flash_dev_close(ram);
}
END_TEST

/* A torn cut leaves the interrupted page or erase half done. */
START_TEST(test_fault_torn)
{
	struct flash_geometry g;
	struct flash_dev *ram = flash_ram_open(64 * KB), *fd;
	struct flash_fault_cfg cfg = { .cut_after = 1, .torn = 1 };
	struct flash *f;
	unsigned char b[256], r[4 * KB];

	small_geom(&g, FLASH_NOR);
	fd = flash_fault_open(ram, &cfg);
	f = flash_open(&g, fd);
	memset(b, 0x00, sizeof b);
	ck_assert_int_eq(flash_program(f, 0, b, sizeof b), FLASH_OK);
	ck_assert_int_eq(flash_program(f, 256, b, sizeof b), FLASH_ERR_POWER);
	flash_close(f);
	flash_dev_close(fd);
	f = flash_open(&g, ram);
	ck_assert_int_eq(flash_read(f, 256, r, 256), FLASH_OK);
	ck_assert_int_eq(r[0], 0x00);
	ck_assert_int_eq(r[127], 0x00);
	ck_assert_int_eq(r[128], 0xff);
	ck_assert_int_eq(r[255], 0xff);
	flash_close(f);

	/* Now an erase torn in half. */
	cfg.cut_after = 1;
	fd = flash_fault_open(ram, &cfg);
	f = flash_open(&g, fd);
	memset(r, 0, sizeof r);
	ck_assert_int_eq(flash_program(f, 3 * KB, r, 256), FLASH_OK);
	ck_assert_int_eq(flash_erase_block(f, 0), FLASH_ERR_POWER);
	flash_close(f);
	flash_dev_close(fd);
	f = flash_open(&g, ram);
	ck_assert_int_eq(flash_read(f, 0, r, sizeof r), FLASH_OK);
	ck_assert_int_eq(r[0], 0xff);
	ck_assert_int_eq(r[2 * KB - 1], 0xff);
	ck_assert_int_eq(r[3 * KB], 0x00);	/* second half never erased */
	flash_close(f);
	flash_dev_close(ram);
}
END_TEST

/* A failed op reports FAILED and changes nothing; later ops work. */
START_TEST(test_fault_fail)
{
	struct flash_geometry g;
	struct flash_dev *ram = flash_ram_open(64 * KB), *fd;
	struct flash_fault_cfg cfg = { .fail_op = 2 };
	struct flash *f;
	unsigned char b[256], r[256];

	small_geom(&g, FLASH_NOR);
	fd = flash_fault_open(ram, &cfg);
	f = flash_open(&g, fd);
	memset(b, 0x00, sizeof b);
	ck_assert_int_eq(flash_program(f, 0, b, sizeof b), FLASH_OK);
	ck_assert_int_eq(flash_program(f, 256, b, sizeof b), FLASH_ERR_FAILED);
	ck_assert_int_eq(flash_read(f, 256, r, sizeof r), FLASH_OK);
	ck_assert_int_eq(r[0], 0xff);
	ck_assert_int_eq(flash_program(f, 512, b, sizeof b), FLASH_OK);
	flash_close(f);
	flash_dev_close(fd);
	flash_dev_close(ram);
}
END_TEST

/* Bit flips: every Nth page lands with exactly one bit wrong. */
START_TEST(test_fault_flip)
{
	struct flash_geometry g;
	struct flash_dev *ram = flash_ram_open(64 * KB), *fd;
	struct flash_fault_cfg cfg = { .flip_every = 4, .seed = 7 };
	struct flash *f;
	unsigned char b[4 * KB], r[4 * KB];
	int page, diff, i;

	small_geom(&g, FLASH_NOR);
	fd = flash_fault_open(ram, &cfg);
	f = flash_open(&g, fd);
	memset(b, 0x00, sizeof b);
	ck_assert_int_eq(flash_program(f, 0, b, sizeof b), FLASH_OK);
	ck_assert_int_eq((int)flash_fault_flips(fd), 4);
	ck_assert_int_eq(flash_read(f, 0, r, sizeof r), FLASH_OK);
	for (page = 0; page < 16; page++) {
		diff = 0;
		for (i = 0; i < 256; i++)
			diff += __builtin_popcount(r[page * 256 + i]);
		ck_assert_int_eq(diff, page % 4 == 3 ? 1 : 0);
	}
	flash_close(f);
	flash_dev_close(fd);
	flash_dev_close(ram);
}
END_TEST

/* Full: programs beyond the byte budget report FULL. */
START_TEST(test_fault_full)
{
	struct flash_geometry g;
	struct flash_dev *ram = flash_ram_open(64 * KB), *fd;
	struct flash_fault_cfg cfg = { .full_after = 1024 };
	struct flash *f;
	unsigned char b[2048];

	small_geom(&g, FLASH_NOR);
	fd = flash_fault_open(ram, &cfg);
	f = flash_open(&g, fd);
	memset(b, 0x00, sizeof b);
	ck_assert_int_eq(flash_program(f, 0, b, 1024), FLASH_OK);
	ck_assert_int_eq(flash_program(f, 1024, b, 256), FLASH_ERR_FULL);
	ck_assert_int_eq(flash_erase_block(f, 1), FLASH_OK);
	flash_close(f);
	flash_dev_close(fd);
	flash_dev_close(ram);
}
END_TEST

static Suite *
flash_suite(void)
{
	Suite *s = suite_create("flash");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_geometry);
	tcase_add_loop_test(tc, test_nor_rules, 0, 2);
	tcase_add_loop_test(tc, test_nand_once, 0, 2);
	tcase_add_test(tc, test_timing);
	tcase_add_test(tc, test_file_persist);
	tcase_add_test(tc, test_fault_cut);
	tcase_add_test(tc, test_fault_torn);
	tcase_add_test(tc, test_fault_fail);
	tcase_add_test(tc, test_fault_flip);
	tcase_add_test(tc, test_fault_full);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	int rc;

	if (mkdtemp(tmpdir) == NULL)
		return EXIT_FAILURE;
	rc = check_run_suite(flash_suite());
	rmdir(tmpdir);
	return rc;
}
