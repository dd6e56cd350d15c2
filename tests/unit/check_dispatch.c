/*
 * check_dispatch.c: unit tests for the AT dispatcher and result framing,
 * through the real command tables on a modem that is not powered (no pty).
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include "check-run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "at-cmd.h"
#include "clock.h"
#include "modem.h"

static struct ev_loop *loop;
static struct clock *clk;
static struct modem m;
static struct buf out;
static char statedir[64];

static void
cap_out(void *arg, const void *p, size_t n)
{
	(void)arg;
	buf_add(&out, p, n);
}

static void
setup(void)
{
	struct modem_config cfg = { .model = MODEM_EC200T, .link = "/nonexistent/link" };

	snprintf(statedir, sizeof statedir, "/tmp/check_dispatch.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(statedir));
	cfg.state_dir = statedir;
	loop = ev_loop_new(EVFLAG_AUTO);
	clk = clock_new(loop, 0);
	ck_assert_int_eq(modem_init(&m, clk, &cfg), 0);
	modem_nv_load(&m);
	m.iface[0].at.set = m.nv.at;
	m.iface[0].at.out = cap_out;
	/* A SIM that answered, full functionality, registered at home. */
	net_set_sim_ready(&m.net, 1);
	net_set_cfun(&m.net, 1);
	net_set_reg(&m.net, NET_REG_HOME);
	buf_init(&out);
}

static void
teardown(void)
{
	char path[512];
	struct dirent *de;
	DIR *d;

	modem_free(&m);
	clock_free(clk);
	ev_loop_destroy(loop);
	buf_free(&out);
	/* The state dir holds the profile and the flash image: remove all. */
	if ((d = opendir(statedir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "%s/%s", statedir, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	ck_assert_int_eq(rmdir(statedir), 0);
}

/* Run a line (text after "AT") and return everything written. */
static const char *
run(const char *line)
{
	static char text[8192];
	size_t n;

	buf_reset(&out);
	at_dispatch(&m.iface[0].at, line, strlen(line));
	n = buf_used(&out);
	ck_assert(n < sizeof text);
	if (n > 0)			/* an empty buffer has no head */
		memcpy(text, buf_head(&out), n);
	text[n] = '\0';
	return text;
}

START_TEST(test_bare_ok)
{
	ck_assert_str_eq(run(""), "\r\nOK\r\n");
}
END_TEST

START_TEST(test_unknown_is_error)
{
	ck_assert_str_eq(run("+NOSUCH"), "\r\nERROR\r\n");
	ck_assert_str_eq(run("X"), "\r\nERROR\r\n");
	ck_assert_str_eq(run("+"), "\r\nERROR\r\n");
	ck_assert_str_eq(run("#$%"), "\r\nERROR\r\n");
}
END_TEST

START_TEST(test_forms_checked)
{
	/* +CSQ allows exec and test only. */
	ck_assert_str_eq(run("+CSQ"), "\r\n+CSQ: 24,99\r\n\r\nOK\r\n");
	ck_assert_str_eq(run("+CSQ=?"), "\r\n+CSQ: (0-31,99),(0-7,99)\r\n\r\nOK\r\n");
	ck_assert_str_eq(run("+CSQ?"), "\r\nERROR\r\n");
	ck_assert_str_eq(run("+CSQ=1"), "\r\nERROR\r\n");
	/* +QFOTADL: only the test form so far. */
	ck_assert_str_eq(run("+QFOTADL=?"), "\r\nOK\r\n");
}
END_TEST

START_TEST(test_params_checked)
{
	ck_assert_str_eq(run("+CEREG=3"), "\r\n+CME ERROR: 50\r\n");
	ck_assert_str_eq(run("+CEREG=\"1\""), "\r\n+CME ERROR: 50\r\n");
	ck_assert_str_eq(run("+CEREG=1,1"), "\r\n+CME ERROR: 50\r\n");
	ck_assert_str_eq(run("+CEREG=abc"), "\r\n+CME ERROR: 50\r\n");
	ck_assert_str_eq(run("+CFUN="), "\r\n+CME ERROR: 50\r\n");
	ck_assert_str_eq(run("+CFUN=2"), "\r\n+CME ERROR: 50\r\n");	/* check() */
	ck_assert_str_eq(run("+CGDCONT=1,\"IP"), "\r\n+CME ERROR: 50\r\n");
	ck_assert_str_eq(run("+CGDCONT=1,\"X25\""), "\r\n+CME ERROR: 50\r\n");
	ck_assert_str_eq(run("+CEREG=2"), "\r\nOK\r\n");
	ck_assert_str_eq(run("+CEREG?"),
	    "\r\n+CEREG: 2,1,\"1A2B\",\"0C3D4E5\",7\r\n\r\nOK\r\n");
}
END_TEST

START_TEST(test_cmee_modes)
{
	ck_assert_str_eq(run("+CMEE=0"), "\r\nOK\r\n");
	ck_assert_str_eq(run("+CEREG=9"), "\r\nERROR\r\n");
	ck_assert_str_eq(run("+CMEE=2"), "\r\nOK\r\n");
	ck_assert_str_eq(run("+CEREG=9"), "\r\n+CME ERROR: Incorrect parameters\r\n");
	ck_assert_str_eq(run("+CMEE?"), "\r\n+CMEE: 2\r\n\r\nOK\r\n");
	ck_assert_str_eq(run("+CMEE=3"), "\r\n+CME ERROR: Incorrect parameters\r\n");
}
END_TEST

START_TEST(test_concatenation)
{
	ck_assert_str_eq(run("+CSQ;+CEREG?"),
	    "\r\n+CSQ: 24,99\r\n\r\n+CEREG: 0,1\r\n\r\nOK\r\n");
	ck_assert_str_eq(run("+CSQ;+CEREG?;+CGREG?;+COPS?"),
	    "\r\n+CSQ: 24,99\r\n\r\n+CEREG: 0,1\r\n\r\n+CGREG: 0,1\r\n"
	    "\r\n+COPS: 0,0,\"CHINA MOBILE\",7\r\n\r\nOK\r\n");
	/* The first failure ends the line; later commands do not run. */
	ck_assert_str_eq(run("+CSQ;+NOPE;+CEREG=1"),
	    "\r\n+CSQ: 24,99\r\n\r\nERROR\r\n");
	ck_assert_int_eq(m.net.reg_n[NET_REG_E], 0);
	/* Basic commands chain without separators. */
	ck_assert_str_eq(run("E0V1Q0"), "\r\nOK\r\n");
	ck_assert_int_eq(m.iface[0].at.set.echo, 0);
	ck_assert_str_eq(run("E1 ;+CMEE=1"), "\r\nOK\r\n");
	ck_assert_int_eq(m.iface[0].at.set.echo, 1);
}
END_TEST

START_TEST(test_quoted_commas)
{
	ck_assert_str_eq(run("+CGDCONT=2,\"IP\",\"apn,with;odd chars\""), "\r\nOK\r\n");
	ck_assert_str_eq(run("+CGDCONT?"),
	    "\r\n+CGDCONT: 1,\"IP\",\"\",\"0.0.0.0\",0,0,0\r\n"
	    "+CGDCONT: 2,\"IP\",\"apn,with;odd chars\",\"0.0.0.0\",0,0,0\r\n\r\nOK\r\n");
	ck_assert_str_eq(run("+QICSGP=2"),
	    "\r\n+QICSGP: 1,\"apn,with;odd chars\",\"\",\"\",0\r\n\r\nOK\r\n");
}
END_TEST

START_TEST(test_verbose_numeric_quiet)
{
	ck_assert_str_eq(run("V0"), "0\r");
	ck_assert_str_eq(run("+CSQ"), "+CSQ: 24,99\r\n0\r");
	ck_assert_str_eq(run("+NOPE"), "4\r");
	ck_assert_str_eq(run("V1"), "\r\nOK\r\n");
	ck_assert_str_eq(run("Q1"), "");
	ck_assert_str_eq(run("+CSQ"), "\r\n+CSQ: 24,99\r\n");
	ck_assert_str_eq(run("Q0"), "\r\nOK\r\n");
}
END_TEST

START_TEST(test_sregs)
{
	ck_assert_str_eq(run("S3?"), "\r\n013\r\n\r\nOK\r\n");
	ck_assert_str_eq(run("S4?"), "\r\n010\r\n\r\nOK\r\n");
	ck_assert_str_eq(run("S5=200"), "\r\n+CME ERROR: 50\r\n");
	ck_assert_str_eq(run("S99?"), "\r\nERROR\r\n");
	ck_assert_str_eq(run("S"), "\r\nERROR\r\n");
}
END_TEST

START_TEST(test_profile_save_restore)
{
	ck_assert_str_eq(run("E0;+CMEE=2;&W"), "\r\nOK\r\n");
	ck_assert_str_eq(run("&F"), "\r\nOK\r\n");
	ck_assert_int_eq(m.iface[0].at.set.echo, 1);
	ck_assert_int_eq(m.iface[0].at.set.cmee, 1);
	ck_assert_str_eq(run("Z"), "\r\nOK\r\n");
	ck_assert_int_eq(m.iface[0].at.set.echo, 0);
	ck_assert_int_eq(m.iface[0].at.set.cmee, 2);
	/* The saved profile is what the next power-on loads. */
	modem_nv_load(&m);
	ck_assert_int_eq(m.nv.at.echo, 0);
}
END_TEST

START_TEST(test_identity)
{
	ck_assert_str_eq(run("I"),
	    "\r\nQuectel\r\nEC200T\r\nRevision: EC200TCNHAR02A14M16\r\n\r\nOK\r\n");
	ck_assert_str_eq(run("+CGMI"), "\r\nQuectel\r\n\r\nOK\r\n");
	ck_assert_str_eq(run("+GMM"), "\r\nEC200T\r\n\r\nOK\r\n");
	ck_assert_str_eq(run("+CGMR"), "\r\nEC200TCNHAR02A14M16\r\n\r\nOK\r\n");
	ck_assert_str_eq(run("+CGSN"), "\r\n869710030002905\r\n\r\nOK\r\n");
	ck_assert_str_eq(run("I1"), "\r\n+CME ERROR: 50\r\n");
}
END_TEST

START_TEST(test_state_errors)
{
	net_set_sim_ready(&m.net, 0);
	ck_assert_str_eq(run("+CPIN?"), "\r\n+CME ERROR: 14\r\n");
	ck_assert_str_eq(run("+CPIN=\"1234\""), "\r\n+CME ERROR: 14\r\n");
	ck_assert_str_eq(run("+CIMI"), "\r\n+CME ERROR: 14\r\n");
	/* The test form needs no SIM. */
	ck_assert_str_eq(run("+CPIN=?"), "\r\nOK\r\n");
	ck_assert_str_eq(run("+CIMI=?"), "\r\nOK\r\n");
	net_set_sim_ready(&m.net, 1);
	ck_assert_str_eq(run("+CPIN=\"1234\""), "\r\n+CME ERROR: 3\r\n");
	ck_assert_str_eq(run("+CPIN?"), "\r\n+CPIN: READY\r\n\r\nOK\r\n");
	ck_assert_str_eq(run("+CFUN=0"), "\r\nOK\r\n");
	ck_assert_str_eq(run("+CPIN?"), "\r\n+CME ERROR: 13\r\n");
	ck_assert_str_eq(run("+CSQ"), "\r\n+CSQ: 99,99\r\n\r\nOK\r\n");
	ck_assert_str_eq(run("+CIMI"), "\r\n+CME ERROR: 13\r\n");
	ck_assert_str_eq(run("+CGACT=1,1"), "\r\n+CME ERROR: 30\r\n");
	ck_assert_str_eq(run("+COPS=?"), "\r\n+CME ERROR: 30\r\n");
	/* Declared syntax comes before preconditions: a bad argument is 50. */
	ck_assert_str_eq(run("+CPIN=1"), "\r\n+CME ERROR: 50\r\n");
	ck_assert_str_eq(run("+COPS?"), "\r\n+COPS: 0\r\n\r\nOK\r\n");
	ck_assert_str_eq(run("+CFUN?"), "\r\n+CFUN: 0\r\n\r\nOK\r\n");
}
END_TEST

/* Run a line that answers later (AT_RES_PENDING): nothing at once, then
 * everything written until no clock timer is pending. */
static const char *
run_pending(const char *line)
{
	ck_assert_str_eq(run(line), "");
	buf_reset(&out);
	while (clock_pending(clk) > 0)
		ev_run(loop, EVRUN_ONCE);
	buf_add(&out, "", 1);
	return (const char *)buf_head(&out);
}

START_TEST(test_pdp)
{
	/* AT+CGACT=1 answers once the network has, as AT+QIACT. */
	ck_assert_str_eq(run_pending("+CGACT=1,1"), "\r\nOK\r\n");
	ck_assert_str_eq(run("+CGACT=1,1"), "\r\nOK\r\n");	/* active */
	ck_assert_str_eq(run("+CGACT?"), "\r\n+CGACT: 1,1\r\n\r\nOK\r\n");
	ck_assert_str_eq(run("+CGPADDR=1"), "\r\n+CGPADDR: 1,\"10.46.103.17\"\r\n\r\nOK\r\n");
	ck_assert_str_eq(run("+CGACT=1,5"), "\r\n+CME ERROR: 50\r\n");
	ck_assert_str_eq(run("+CGDCONT=1"), "\r\n+CME ERROR: 3\r\n");
	ck_assert_str_eq(run("+CGACT=0,1"), "\r\nOK\r\n");
	ck_assert_str_eq(run("+CGPADDR"), "\r\n+CGPADDR: 1,\"0.0.0.0\"\r\n\r\nOK\r\n");
}
END_TEST

START_TEST(test_flow_control)
{
	ck_assert_str_eq(run("+IFC?"), "\r\n+IFC: 0,0\r\n\r\nOK\r\n");
	ck_assert_str_eq(run("+IFC=2,2"), "\r\nOK\r\n");
	ck_assert_str_eq(run("+IFC=1,1"), "\r\n+CME ERROR: 50\r\n");
	ck_assert_str_eq(run("+IFC?"), "\r\n+IFC: 2,2\r\n\r\nOK\r\n");
	ck_assert_str_eq(run("+QCFG=\"USBIFC\",2,2"), "\r\nOK\r\n");
	ck_assert_str_eq(run("+QCFG=\"usbifc\""), "\r\n+QCFG: \"usbifc\",2,2\r\n\r\nOK\r\n");
	/* The manual's query form (chapter 3.3), any case. */
	ck_assert_str_eq(run("+QCFG=\"USBIFC\"?"), "\r\n+QCFG: \"usbifc\",2,2\r\n\r\nOK\r\n");
	ck_assert_str_eq(run("+QCFG=\"usbifc\",2,2?"), "\r\n+CME ERROR: 50\r\n");
	ck_assert_str_eq(run("+CGDCONT=1?"), "\r\n+CME ERROR: 50\r\n");
	ck_assert_str_eq(run("+QCFG=\"usbifc\",2"), "\r\n+CME ERROR: 50\r\n");
	ck_assert_str_eq(run("+QCFG=\"nosuch\""), "\r\n+CME ERROR: 50\r\n");
	ck_assert_str_eq(run("+QCFG=\"usbifc\",\"2\",2"), "\r\n+CME ERROR: 50\r\n");
	/* QCFG settings are saved at once. */
	modem_nv_load(&m);
	ck_assert_int_eq(m.nv.usbifc_dce, 2);
}
END_TEST

START_TEST(test_long_string_param)
{
	char line[AT_STR_MAX + 64];

	snprintf(line, sizeof line, "+CGDCONT=3,\"IP\",\"%0*d\"", 100, 0);
	ck_assert_str_eq(run(line), "\r\n+CME ERROR: 50\r\n");
	memset(line, 0, sizeof line);
	snprintf(line, sizeof line, "+QCFG=\"%0*d\"", AT_STR_MAX + 10, 0);
	ck_assert_str_eq(run(line), "\r\n+CME ERROR: 50\r\n");
}
END_TEST

/* Review findings: optional QICSGP type, IFC saved only by AT&W, strict
 * QCFG values, S3/S5 that would make "AT" unreachable. */
START_TEST(test_review_regressions)
{
	ck_assert_str_eq(run("+QICSGP=1,,\"apn\""), "\r\nOK\r\n");
	ck_assert_str_eq(run("+QICSGP=1"), "\r\n+QICSGP: 1,\"apn\",\"\",\"\",0\r\n\r\nOK\r\n");
	ck_assert_str_eq(run("+IFC=2,2"), "\r\nOK\r\n");
	ck_assert_str_eq(run("+QCFG=\"usbifc\",0,0"), "\r\nOK\r\n");
	modem_nv_load(&m);
	ck_assert_int_eq(m.nv.ifc_dce, 0);	/* not saved by QCFG */
	ck_assert_str_eq(run("+IFC?"), "\r\n+IFC: 2,2\r\n\r\nOK\r\n");
	ck_assert_str_eq(run("&W"), "\r\nOK\r\n");
	modem_nv_load(&m);
	ck_assert_int_eq(m.nv.ifc_dce, 2);	/* saved by AT&W */
	ck_assert_str_eq(run("+QCFG=\"usbifc\",,"), "\r\n+CME ERROR: 50\r\n");
	ck_assert_str_eq(run("+QCFG=\"usbifc\",2,"), "\r\n+CME ERROR: 50\r\n");
	ck_assert_str_eq(run("S3=65"), "\r\n+CME ERROR: 50\r\n");
	ck_assert_str_eq(run("S5=116"), "\r\n+CME ERROR: 50\r\n");
	ck_assert_str_eq(run("S4=10"), "\r\nOK\r\n");
}
END_TEST

/* URCs wait while a line is typed, go out after it, and are bounded. */
START_TEST(test_urc_queue)
{
	int i;

	buf_reset(&out);
	at_frame_input(&m.iface[0].frame, (const unsigned char *)"AT+CS", 5);
	modem_urc(&m, "+CREG: 1");
	ck_assert_int_eq((int)buf_used(&out), 0);	/* held: mid-line */
	for (i = 0; i < 5000; i++)
		modem_urc(&m, "+QIND: \"FOTA\",\"UPDATING\",%d", i % 100);
	ck_assert_int_eq((int)buf_used(&out), 0);
	m.power = MODEM_ON;
	buf_reset(&out);
	at_frame_input(&m.iface[0].frame, (const unsigned char *)"Q\r", 2);
	/* The response comes first, then the held URCs; no more than the cap. */
	{
		static const char head[] =
		    "\r\n+CSQ: 24,99\r\n\r\nOK\r\n\r\n+CREG: 1\r\n";
		const char *p = (const char *)buf_head(&out), *q;
		const char *end = p + buf_used(&out);
		size_t held = sizeof "+CREG: 1";
		int lines = 0;

		ck_assert(buf_used(&out) > sizeof head - 1);
		ck_assert(memcmp(p, head, sizeof head - 1) == 0);
		for (p += sizeof head - 1; p < end; p = q + 2) {
			ck_assert(memcmp(p, "\r\n", 2) == 0);
			p += 2;
			q = memchr(p, '\r', (size_t)(end - p));
			ck_assert_ptr_nonnull(q);
			held += (size_t)(q - p) + 1;
			lines++;
		}
		/* Some were dropped; what was kept fitted the 16 KiB queue. */
		ck_assert_int_lt(lines, 5000);
		ck_assert_int_gt(lines, 100);
		ck_assert(held <= 16384);
	}
}
END_TEST

static Suite *
dispatch_suite(void)
{
	Suite *s = suite_create("at-dispatch");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bare_ok);
	tcase_add_test(tc, test_unknown_is_error);
	tcase_add_test(tc, test_forms_checked);
	tcase_add_test(tc, test_params_checked);
	tcase_add_test(tc, test_cmee_modes);
	tcase_add_test(tc, test_concatenation);
	tcase_add_test(tc, test_quoted_commas);
	tcase_add_test(tc, test_verbose_numeric_quiet);
	tcase_add_test(tc, test_sregs);
	tcase_add_test(tc, test_profile_save_restore);
	tcase_add_test(tc, test_identity);
	tcase_add_test(tc, test_state_errors);
	tcase_add_test(tc, test_pdp);
	tcase_add_test(tc, test_flow_control);
	tcase_add_test(tc, test_long_string_param);
	tcase_add_test(tc, test_urc_queue);
	tcase_add_test(tc, test_review_regressions);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run_suite(dispatch_suite());
}
