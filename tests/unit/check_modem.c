/*
 * check_modem.c: whole modems in one process.  Two modems on two loops with
 * two clocks at different speeds, each with its own state dir and
 * transcript, do not disturb each other; a modem whose pty cannot be opened
 * goes OFF and reports it, while another modem on the same loop boots.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include "check-run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "modem.h"
#include "translog.h"

/* One modem with everything it owns, captured output included. */
struct rig {
	struct ev_loop		*loop;
	struct clock		*clock;
	struct modem		 m;
	struct buf		 out;
	char			 dir[64];
	char			 link[96];
	char			 logpath[96];
	int			 offs;		/* on_off calls */
};

static void
rig_out(void *arg, const void *p, size_t n)
{
	struct rig *r = arg;

	buf_add(&r->out, p, n);
}

static void
rig_off(struct modem *m)
{
	struct rig *r = (struct rig *)((char *)m - offsetof(struct rig, m));

	r->offs++;
}

/*
 * Set up a modem in a fresh state dir; `link_dir` NULL puts the link in it.
 * The clock is shared when `clock` is given (a fleet on one loop).
 */
static void
rig_init(struct rig *r, enum modem_model model, struct clock *clock,
    double speed, const char *link_dir)
{
	struct modem_config cfg = { .model = model };

	memset(r, 0, sizeof *r);
	snprintf(r->dir, sizeof r->dir, "/tmp/check_modem.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(r->dir));
	snprintf(r->link, sizeof r->link, "%s/at", link_dir ? link_dir : r->dir);
	snprintf(r->logpath, sizeof r->logpath, "%s/log", r->dir);
	if (clock == NULL) {
		r->loop = ev_loop_new(EVFLAG_AUTO);
		r->clock = clock_new(r->loop, speed);
	} else {
		r->loop = clock_loop(clock);
	}
	cfg.link = r->link;
	cfg.state_dir = r->dir;
	cfg.log = translog_open(r->logpath, clock ? clock : r->clock);
	ck_assert_ptr_nonnull(cfg.log);
	buf_init(&r->out);
	ck_assert_int_eq(modem_init(&r->m, clock ? clock : r->clock, &cfg), 0);
	r->m.on_off = rig_off;
	r->m.iface[0].at.out = rig_out;
	r->m.iface[0].at.out_arg = r;
}

/* Free a rig and remove its state dir. */
static void
rig_free(struct rig *r)
{
	char path[512];
	struct dirent *de;
	DIR *d;

	modem_free(&r->m);
	translog_close(r->m.cfg.log);
	if (r->clock != NULL) {
		clock_free(r->clock);
		ev_loop_destroy(r->loop);
	}
	buf_free(&r->out);
	if ((d = opendir(r->dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "%s/%s", r->dir, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	ck_assert_int_eq(rmdir(r->dir), 0);
}

/* Run a loop until its clock has no timer left. */
static void
run_idle(struct ev_loop *loop, struct clock *clock)
{
	while (clock_pending(clock) > 0)
		ev_run(loop, EVRUN_ONCE);
}

/* The captured output as a string (and forget it). */
static char *
take_out(struct rig *r)
{
	char *s = xmalloc(buf_used(&r->out) + 1);

	memcpy(s, buf_head(&r->out), buf_used(&r->out));
	s[buf_used(&r->out)] = '\0';
	buf_reset(&r->out);
	return s;
}

/* A transcript without its two time stamps: "<kind> <payload>" lines. */
static char *
transcript(const struct rig *r)
{
	FILE *f = fopen(r->logpath, "r");
	struct buf b;
	char line[1024], *p, *s;
	int i;

	ck_assert_ptr_nonnull(f);
	buf_init(&b);
	while (fgets(line, sizeof line, f) != NULL) {
		for (p = line, i = 0; i < 2 && p != NULL; i++)
			if ((p = strchr(p, ' ')) != NULL)
				p++;
		ck_assert_ptr_nonnull(p);
		buf_add(&b, p, strlen(p));
	}
	fclose(f);
	s = xmalloc(buf_used(&b) + 1);
	memcpy(s, buf_head(&b), buf_used(&b));
	s[buf_used(&b)] = '\0';
	buf_free(&b);
	return s;
}

/* The simulated time stamp of the first record whose payload is `what`. */
static double
stamp_of(const struct rig *r, const char *what)
{
	FILE *f = fopen(r->logpath, "r");
	char line[1024], *p;
	double t = -1;

	ck_assert_ptr_nonnull(f);
	while (t < 0 && fgets(line, sizeof line, f) != NULL) {
		p = strchr(line, ' ');
		if (p != NULL && (p = strchr(p + 1, ' ')) != NULL &&
		    strcmp(p + 1, what) == 0)
			t = strtod(line, NULL);
	}
	fclose(f);
	return t;
}

static const char boot_urcs[] =
    "\r\nRDY\r\n\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n\r\n+CFUN: 1\r\n"
    "\r\n+QIND: SMS DONE\r\n\r\n+QIND: PB DONE\r\n";

/* The whole transcript of a fresh modem's first boot (no host attached). */
static void
expect_transcript(char *out, size_t size, const struct rig *r,
    const char *model, const char *rev)
{
	snprintf(out, size,
	    "state firmware flash nor 4980736 bytes, block 65536, page 256, "
	    "1048576-byte slots\n"
	    "state firmware provision %s %s (1048576 bytes)\n"
	    "state firmware ufs: 0 files, 1245184 of 1245184 bytes free\n"
	    "state firmware boot slot A %s %s\n"
	    "state power off -> booting\n"
	    "state port up %s\n"
	    "state power booting -> on\n"
	    "state sim ready\n"
	    "state radio cfun 0 -> 1\n"
	    "state network registration 0 -> 2\n"
	    "state network registration 2 -> 1\n"
	    "state power boot chain done\n",
	    model, rev, model, rev, r->m.iface[0].port.slave);
}

START_TEST(test_two_modems_two_clocks)
{
	struct rig a, b;
	char *s, *ta, *tb, expect[1024];

	rig_init(&a, MODEM_EC200T, NULL, 0, NULL);	/* max: skips idle */
	rig_init(&b, MODEM_UC200T, NULL, 50, NULL);	/* 50 x wall time */
	modem_power_on(&a.m);
	modem_power_on(&b.m);

	/* A boots completely; B, on its own loop and clock, does not move. */
	run_idle(a.loop, a.clock);
	ck_assert_int_eq(a.m.power, MODEM_ON);
	ck_assert_int_eq(a.m.net.reg, NET_REG_HOME);
	ck_assert_int_eq(b.m.power, MODEM_BOOTING);
	ck_assert(!port_is_open(&b.m.iface[0].port));
	ck_assert_int_eq(b.m.net.reg, NET_REG_NONE);
	ck_assert_int_eq((int)buf_used(&b.out), 0);
	ck_assert_int_eq((int)clock_pending(b.clock), 1);
	ck_assert(clock_now(a.clock) >= 5.0);
	s = take_out(&a);
	ck_assert_str_eq(s, boot_urcs);
	free(s);

	/* Max mode stamps the boot chain at its exact simulated times. */
	ck_assert(stamp_of(&a, "state power booting -> on\n") == 2.0);
	ck_assert(stamp_of(&a, "state network registration 2 -> 1\n") == 4.1);

	/* Now B boots on its own clock, to the same URCs. */
	run_idle(b.loop, b.clock);
	ck_assert_int_eq(b.m.power, MODEM_ON);
	ck_assert_int_eq(b.m.net.reg, NET_REG_HOME);
	s = take_out(&b);
	ck_assert_str_eq(s, boot_urcs);
	free(s);
	ck_assert_int_eq((int)buf_used(&a.out), 0);

	/* Each answers as its own model (the echo goes to the pty itself). */
	ck_assert_int_eq((int)at_frame_input(&a.m.iface[0].frame,
	    (const unsigned char *)"AT+CGMM\r", 8), 8);
	ck_assert_int_eq((int)at_frame_input(&b.m.iface[0].frame,
	    (const unsigned char *)"AT+CGMM\r", 8), 8);
	s = take_out(&a);
	ck_assert_str_eq(s, "\r\nEC200T\r\n\r\nOK\r\n");
	free(s);
	s = take_out(&b);
	ck_assert_str_eq(s, "\r\nUC200T\r\n\r\nOK\r\n");
	free(s);

	/* Each transcript holds its own modem's records, and only those. */
	ta = transcript(&a);
	tb = transcript(&b);
	expect_transcript(expect, sizeof expect, &a, "EC200T",
	    "EC200TCNHAR02A14M16");
	ck_assert_str_eq(ta, expect);
	expect_transcript(expect, sizeof expect, &b, "UC200T",
	    "UC200TEMAAR02A02M16");
	ck_assert_str_eq(tb, expect);
	free(ta);
	free(tb);
	rig_free(&a);
	rig_free(&b);
}
END_TEST

/* A modem that cannot open its pty fails alone; the fleet goes on. */
START_TEST(test_pty_failure_is_not_fatal)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct clock *clock = clock_new(loop, 0);
	struct rig good, bad;
	char *s;

	rig_init(&good, MODEM_EC200T, clock, 0, NULL);
	rig_init(&bad, MODEM_EC200T, clock, 0, "/nonexistent/fotasim");
	modem_power_on(&good.m);
	modem_power_on(&bad.m);
	run_idle(loop, clock);

	ck_assert_int_eq(bad.m.power, MODEM_OFF);
	ck_assert_int_eq(bad.offs, 1);
	ck_assert_str_eq(bad.m.failed, "cannot open a pty: No such file or directory");
	ck_assert_int_eq((int)buf_used(&bad.out), 0);
	s = transcript(&bad);
	ck_assert_str_eq(s,
	    "state firmware flash nor 4980736 bytes, block 65536, page 256, "
	    "1048576-byte slots\n"
	    "state firmware provision EC200T EC200TCNHAR02A14M16 (1048576 bytes)\n"
	    "state firmware ufs: 0 files, 1245184 of 1245184 bytes free\n"
	    "state firmware boot slot A EC200T EC200TCNHAR02A14M16\n"
	    "state power off -> booting\n"
	    "state power failed: cannot open a pty: No such file or directory\n"
	    "state power booting -> off\n");
	free(s);
	/* Powering a failed modem on again does nothing. */
	modem_power_on(&bad.m);
	ck_assert_int_eq(bad.m.power, MODEM_OFF);
	ck_assert_int_eq((int)clock_pending(clock), 0);

	ck_assert_int_eq(good.m.power, MODEM_ON);
	ck_assert_int_eq(good.offs, 0);
	s = take_out(&good);
	ck_assert_str_eq(s, boot_urcs);
	free(s);
	rig_free(&good);
	rig_free(&bad);
	clock_free(clock);
	ev_loop_destroy(loop);
}
END_TEST

/* A state record is one line whatever its message holds (issue 9): control
 * bytes are escaped, backslashes of an already escaped message are kept. */
START_TEST(test_transcript_state_is_one_line)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct clock *clock = clock_new(loop, 0);
	char dir[] = "/tmp/check-translog.XXXXXX", path[64], line[256];
	struct translog *tl;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/t.log", dir);
	ck_assert_ptr_nonnull(tl = translog_open(path, clock));
	translog_state(tl, "server", "GET /x%s", "\n0.0 state server applying: "
	    "FAKE\r\t\x7f \\n kept");
	translog_close(tl);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
	ck_assert_str_eq(strchr(strchr(line, ' ') + 1, ' ') + 1,
	    "state server GET /x\\n0.0 state server applying: FAKE\\r\\t"
	    "\\x7f \\n kept\n");
	ck_assert_ptr_null(fgets(line, sizeof line, f));
	fclose(f);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
	clock_free(clock);
	ev_loop_destroy(loop);
}
END_TEST

static Suite *
modem_suite(void)
{
	Suite *s = suite_create("modem");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_two_modems_two_clocks);
	tcase_add_test(tc, test_pty_failure_is_not_fatal);
	tcase_add_test(tc, test_transcript_state_is_one_line);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run_suite(modem_suite());
}
