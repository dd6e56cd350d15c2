/*
 * check_scenario.c: unit tests for the scenario parser: a full scenario,
 * includes, and one test per error class, each asserting the whole
 * "file:line:col: message".
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check-run.h"
#include "scenario/scenario.h"
#include "util.h"

/* The option check fotasim would do, for two options: enough to see a
 * setter's message reach its column without its "--name: " prefix. */
static int
stub_check(void *arg, const char *name, const char *value, char *err,
    size_t errlen)
{
	(void)arg;
	if (strcmp(name, "model") == 0 && strcmp(value, "EC200T") != 0 &&
	    strcmp(value, "UC200T") != 0) {
		snprintf(err, errlen, "--model: expected EC200T or UC200T, not "
		    "'%s'", value);
		return -1;
	}
	if (strcmp(name, "dns") == 0 && strchr(value, '=') == NULL) {
		snprintf(err, errlen, "--dns: expected NAME=ENTRY, not '%s'",
		    value);
		return -1;
	}
	return 0;
}

static char *
parse(struct scenario *s, const char *text)
{
	char *err = NULL;

	if (scenario_parse(s, "t.scn", text, strlen(text), stub_check, NULL,
	    &err) == 0)
		return NULL;
	ck_assert_ptr_nonnull(err);
	return err;
}

static void
assert_error(const char *text, const char *want)
{
	struct scenario s;
	char *err = parse(&s, text);

	ck_assert_msg(err != NULL, "\"%s\" parsed but should fail", text);
	ck_assert_str_eq(err, want);
	free(err);
}

static const char *full =
    "# A whole scenario\n"
    "seed 42\n"
    "[modem]\n"
    "model      EC200T\n"
    "revision   EC200TCNHAR02A14M16   # the source\n"
    "verify-https yes\n"
    "[network]\n"
    "dns        fota.example.com=127.0.0.1\n"
    "[servers]\n"
    "package    /a-b.pkg EC200TCNHAR02A14M16 -> EC200TCNHAR02A15M16 delta\n"
    "fault      http /a-b.pkg first 1 times after 37% stall 120s\n"
    "[timeline]\n"
    "at 30s              coverage lost\n"
    "at download 50%     pdp 1 deactivated\n"
    "at download byte 1k call ring +8613800000000\n"
    "at update 60%       power cut, on after 2s\n"
    "on send 'AT+QFOTADL=*' reboot\n"
    "on urc '+QIND: \"FOTA\",\"START\"' power cut\n"
    "[host]\n"
    "send       AT+QFOTADL=\"http://fota.example.com:${http-port}/a-b.pkg\"\n"
    "expect     OK\n"
    "expect     +QIND: \"FOTA\",\"HTTPEND\",0   within 15min\n"
    "reopen     after reboot\n"
    "sleep      2s\n"
    "send-file  /a-b.pkg\n"
    "[expect]\n"
    "revision   EC200TCNHAR02A15M16\n"
    "urcs       HTTPSTART HTTPEND,0 START UPDATING* END,0\n"
    "downloads  /a-b.pkg 1\n";

START_TEST(test_full)
{
	struct scenario s;
	char *err = parse(&s, full);

	ck_assert_msg(err == NULL, "%s", err);
	ck_assert_uint_eq(s.seed, 42);
	ck_assert_uint_eq(s.faults.rng, 42);
	ck_assert_uint_eq(s.nopts, 3);
	ck_assert_str_eq(s.opts[0].name, "model");
	ck_assert_str_eq(s.opts[1].value, "EC200TCNHAR02A14M16");
	ck_assert_int_eq(s.opts[1].at.line, 5);
	ck_assert_int_eq(s.opts[1].at.col, 12);
	ck_assert_str_eq(s.opts[2].name, "dns");
	ck_assert_int_eq(s.verify_https, 1);
	ck_assert_uint_eq(s.npkgs, 1);
	ck_assert_str_eq(s.pkgs[0].name, "a-b.pkg");
	ck_assert_str_eq(s.pkgs[0].to, "EC200TCNHAR02A15M16");
	ck_assert_int_eq(s.pkgs[0].delta, 1);
	ck_assert_uint_eq(s.faults.n, 1);
	ck_assert_int_eq(s.faults.v[0].line, 11);
	ck_assert_str_eq(s.faults.v[0].file, "t.scn");
	ck_assert_uint_eq(s.nevents, 6);
	ck_assert_int_eq(s.events[0].trigger, SCN_AT_TIME);
	ck_assert(s.events[0].value == 30);
	ck_assert_str_eq(s.events[0].net, "coverage lost");
	ck_assert_int_eq(s.events[1].trigger, SCN_AT_DOWNLOAD_PCT);
	ck_assert_int_eq(s.events[2].trigger, SCN_AT_DOWNLOAD_BYTE);
	ck_assert(s.events[2].value == 1024);
	ck_assert_int_eq(s.events[3].action, SCN_DO_POWER_CUT);
	ck_assert(s.events[3].secs == 2);
	ck_assert_int_eq(s.events[4].trigger, SCN_ON_SEND);
	ck_assert_str_eq(s.events[4].pattern, "AT+QFOTADL=*");
	ck_assert_int_eq(s.events[4].action, SCN_DO_REBOOT);
	ck_assert_int_eq(s.events[5].trigger, SCN_ON_URC);
	ck_assert(s.events[5].secs < 0);
	ck_assert_uint_eq(s.nsteps, 6);
	ck_assert_int_eq(s.steps[5].kind, SCN_SEND_FILE);
	ck_assert_str_eq(s.steps[5].text, "a-b.pkg");
	ck_assert_int_eq(s.steps[0].kind, SCN_SEND);
	ck_assert_str_eq(s.steps[2].text, "+QIND: \"FOTA\",\"HTTPEND\",0");
	ck_assert(s.steps[2].secs == 900);
	ck_assert(s.steps[1].secs == SCN_HOST_TIMEOUT);
	ck_assert_int_eq(s.steps[3].kind, SCN_REOPEN);
	ck_assert_int_eq(s.steps[4].kind, SCN_SLEEP);
	ck_assert_str_eq(s.revision, "EC200TCNHAR02A15M16");
	ck_assert_uint_eq(s.nurcs, 5);
	ck_assert_str_eq(s.urcs[3], "UPDATING*");
	ck_assert_uint_eq(s.ndownloads, 1);
	ck_assert_int_eq(s.downloads[0].n, 1);
	scenario_free(&s);
}
END_TEST

START_TEST(test_sections)
{
	assert_error("[modem\n", "t.scn:1:7: expected \"]\" to end the section "
	    "name");
	assert_error("\n[bogus]\n", "t.scn:2:2: unknown section \"[bogus]\" "
	    "(modem, network, servers, timeline, host, expect)");
	assert_error("[host] x\n", "t.scn:1:8: unexpected \"x\" after the "
	    "section name");
	assert_error("  [host]\n", "t.scn:1:3: a section header starts its "
	    "line");
	assert_error("model EC200T\n", "t.scn:1:1: \"model\" outside a section "
	    "(only seed and include are; a section starts with [modem], "
	    "[network], [servers], [timeline], [host] or [expect])");
}
END_TEST

START_TEST(test_unknown_key)
{
	assert_error("[modem]\nmodel EC200T\nrat gprs\n", "t.scn:3:1: unknown "
	    "key \"rat\" in [modem] (model, revision, port, flash, flash-size, "
	    "flash-block, flash-page, flash-timing, flash-fault, image-size, "
	    "fota-area, fota-timeouts, fota-resume, dialect, verify-https, "
	    "staged, second-port)");
	assert_error("[network]\n  link-shape down=1k\n", "t.scn:2:3: unknown "
	    "key \"link-shape\" in [network] (dns, dns-timeout, reject-apn, "
	    "pdp-activation-time, rat, link-profile, link-fault, sockets-in-use)");
	assert_error("[expect]\nimage X\n", "t.scn:2:1: unknown key \"image\" "
	    "in [expect] (urcs, revision, downloads, flash)");
}
END_TEST

START_TEST(test_bad_value)
{
	assert_error("[modem]\nmodel   EC999\n", "t.scn:2:9: expected EC200T "
	    "or UC200T, not 'EC999'");
	assert_error("[modem]\nmodel\n", "t.scn:2:6: missing value");
	assert_error("[network]\ndns nowhere\n", "t.scn:2:5: expected "
	    "NAME=ENTRY, not 'nowhere'");
	assert_error("[modem]\nverify-https maybe\n", "t.scn:2:14: expected yes "
	    "or no, not \"maybe\"");
	assert_error("[modem]\nsecond-port  2\n", "t.scn:2:14: expected yes "
	    "or no, not \"2\"");
	assert_error("[modem]\nsecond-port yes please\n", "t.scn:2:17: "
	    "unexpected \"please\" after yes or no");
	assert_error("seed x\n", "t.scn:1:6: expected the seed, a number, not "
	    "\"x\"");
	assert_error("seed 1 2\n", "t.scn:1:8: unexpected \"2\" after the seed");
	assert_error("[expect]\nrevision EC200T/A\n", "t.scn:2:16: '/' cannot "
	    "be in a revision");
	assert_error("[expect]\ndownloads /a.pkg lots\n", "t.scn:2:18: expected "
	    "how many requests (0 or more), not \"lots\"");
	assert_error("[expect]\nurcs \"HTTPSTART\"\n", "t.scn:2:6: a URC here "
	    "is its short form: HTTPEND,0 for +QIND: \"FOTA\",\"HTTPEND\",0");
	assert_error("[servers]\npackage /../x A -> B\n", "t.scn:2:9: "
	    "\"/../x\" is not a plain path (letters, digits, /._-+, no \"..\")");
	assert_error("[servers]\npackage /x A B\n", "t.scn:2:14: expected "
	    "\"->\" between the two revisions");
	assert_error("[servers]\npackage /x A -> B C\n", "t.scn:2:19: "
	    "unexpected \"C\" after the package");
}
END_TEST

/* A fault directive's error keeps the scenario's line and the column in
 * it, as fotasim-server would say it for the same text. */
START_TEST(test_bad_fault)
{
	assert_error("[servers]\nfault   http /a.pkg after 37% explode\n",
	    "t.scn:2:31: unknown word \"explode\"");
	assert_error("[servers]\nfault ftp RERT reply 450\n",
	    "t.scn:2:11: unknown FTP command or stage \"RERT\" (a command of "
	    "RFC 959, 2389 or 3659, greeting, control, data, final or *)");
	assert_error("[servers]\nfault\n", "t.scn:2:6: missing the fault "
	    "directive");
}
END_TEST

START_TEST(test_bad_trigger)
{
	assert_error("[timeline]\nat soon coverage lost\n", "t.scn:2:4: "
	    "expected a time (5s, 2m), \"download\" or \"update\" after \"at\", "
	    "not \"soon\"");
	assert_error("[timeline]\nat 5x coverage lost\n", "t.scn:2:4: expected a "
	    "duration (250ms, 3s, 2m, 1h), not \"5x\"");
	assert_error("[timeline]\nat download 150% reboot\n", "t.scn:2:13: "
	    "expected a percentage above 0% and up to 100%, not \"150%\"");
	assert_error("[timeline]\nat update 0% reboot\n", "t.scn:2:11: expected "
	    "a percentage above 0% and up to 100%, not \"0%\"");
	assert_error("[timeline]\nat download byte x reboot\n", "t.scn:2:18: "
	    "expected a byte offset, not \"x\"");
	assert_error("[timeline]\non print 'x' reboot\n", "t.scn:2:4: expected "
	    "\"send\" or \"urc\" after \"on\", not \"print\"");
	assert_error("[timeline]\non urc RDY reboot\n", "t.scn:2:8: expected a "
	    "pattern in single quotes");
	assert_error("[timeline]\non urc 'RDY reboot\n", "t.scn:2:8: the "
	    "pattern's closing quote is missing");
}
END_TEST

START_TEST(test_bad_action)
{
	assert_error("[timeline]\nat 5s\n", "t.scn:2:6: missing the action "
	    "(coverage lost, pdp 1 deactivated, call ring NUMBER, power cut, "
	    "reboot, fault DIRECTIVE, faults off, ...)");
	assert_error("[timeline]\nat 5s explode\n", "t.scn:2:7: unknown action "
	    "\"explode\": unknown event 'explode' (coverage lost, coverage back, "
	    "pdp CID deactivated, pdp CID activate, registration home, "
	    "registration roaming, registration denied, call ring NUMBER, call "
	    "hangup, rat TECHNOLOGY)");
	assert_error("[timeline]\nat 5s power cut, on after never\n",
	    "t.scn:2:27: expected a duration (250ms, 3s, 2m, 1h), not "
	    "\"never\"");
	assert_error("[timeline]\nat 5s power off\n", "t.scn:2:13: expected "
	    "\"cut\" or \"cut, on after T\" after \"power\"");
	assert_error("[timeline]\nat 5s reboot now\n", "t.scn:2:14: unexpected "
	    "\"now\" after reboot");
	assert_error("[timeline]\nat 5s faults on\n", "t.scn:2:14: expected "
	    "\"faults off\"");
	assert_error("[timeline]\nat 5s fault http /a stall 5x\n",
	    "t.scn:2:27: expected a duration such as 500ms, 3s, 2m");
}
END_TEST

START_TEST(test_bad_host)
{
	assert_error("[host]\nsend\n", "t.scn:2:5: missing the command to "
	    "send");
	assert_error("[host]\nexpect OK within ever\n", "t.scn:2:18: expected "
	    "a duration above 0 after \"within\", not \"ever\"");
	assert_error("[host]\nexpect   within 5s\n", "t.scn:2:10: missing the "
	    "line to expect");
	assert_error("[servers]\n[host]\nsend AT+QFOTADL=\"${web}/x\"\n",
	    "t.scn:3:18: unknown variable \"${web}\" (${ftp}, ${http}, "
	    "${https}: a server's address:port; ${ftp-port}, ...: its port)");
	assert_error("[host]\nsend AT+QFOTADL=\"${http}/x\"\n", "t.scn:2:18: "
	    "\"${http}\" needs a [servers] section before [host]");
	assert_error("[host]\nreopen now\n", "t.scn:2:8: expected \"after "
	    "reboot\"");
	assert_error("[host]\nretry often\n", "t.scn:2:7: expected how many "
	    "tries in all (1 to 100), not \"often\"");
	assert_error("[host]\nretry 3\n", "t.scn:2:8: expected \"times\" "
	    "after the count");
	assert_error("[host]\nretry 3 times\nsend AT\n", "t.scn:2:7: "
	    "\"retry\" without its \"end\"");
	assert_error("[host]\nretry 2 times\nretry 2 times\n", "t.scn:3:1: "
	    "retry blocks do not nest (the one at line 2 is still open)");
	assert_error("[host]\nsend AT\nend\n", "t.scn:3:1: \"end\" without a "
	    "\"retry N times\"");
	assert_error("[servers]\npackage /a.pkg A -> B\n[host]\n"
	    "send-file /b.pkg\n", "t.scn:4:11: no package or file of "
	    "[servers] is served at /b.pkg");
	assert_error("[servers]\npackage /a.pkg A -> B\n[host]\n"
	    "send AT+QFOTADL=\"FILE:${size:/b.pkg}\"\n", "t.scn:4:23: "
	    "\"${size:/b.pkg}\": no package or file of [servers] is served "
	    "there");
	assert_error("[expect]\ndownloads /a 1\n", "t.scn:2:11: \"downloads\" "
	    "counts what the servers saw: it needs a [servers] section");
	/* The second interface's steps need it declared first. */
	assert_error("[host]\nsend AT\n  send2 AT\n", "t.scn:3:3: \"send2\" "
	    "needs \"second-port yes\" in [modem] before [host]");
	assert_error("[host]\nexpect2 OK\n[modem]\nsecond-port yes\n",
	    "t.scn:2:1: \"expect2\" needs \"second-port yes\" in [modem] "
	    "before [host]");
	assert_error("[modem]\nsecond-port no\n[host]\nsend2 AT\n",
	    "t.scn:4:1: \"send2\" needs \"second-port yes\" in [modem] "
	    "before [host]");
	assert_error("[modem]\nsecond-port yes\n[host]\nsend2\n",
	    "t.scn:4:6: missing the command to send");
	assert_error("[modem]\nsecond-port yes\n[host]\nexpect2 OK within "
	    "never\n", "t.scn:4:19: expected a duration above 0 after "
	    "\"within\", not \"never\"");
}
END_TEST

/* [modem] second-port yes: send2/expect2 are the second interface's. */
START_TEST(test_second_port)
{
	struct scenario s;

	ck_assert_ptr_null(parse(&s, "[modem]\nsecond-port yes\n[host]\n"
	    "send AT\nsend2 ATE0\nexpect2 OK within 5s\nexpect OK\n"));
	ck_assert_int_eq(s.second_port, 1);
	ck_assert_uint_eq(s.nsteps, 4);
	ck_assert_int_eq(s.steps[0].kind, SCN_SEND);
	ck_assert_int_eq(s.steps[0].port2, 0);
	ck_assert_int_eq(s.steps[1].kind, SCN_SEND);
	ck_assert_int_eq(s.steps[1].port2, 1);
	ck_assert_str_eq(s.steps[1].text, "ATE0");
	ck_assert_int_eq(s.steps[2].kind, SCN_EXPECT);
	ck_assert_int_eq(s.steps[2].port2, 1);
	ck_assert_str_eq(s.steps[2].text, "OK");
	ck_assert(s.steps[2].secs == 5);
	ck_assert_int_eq(s.steps[3].port2, 0);
	scenario_free(&s);
}
END_TEST

/* send-data and ${length:TEXT}: the data mode's input and its length. */
START_TEST(test_send_data)
{
	struct scenario s;
	char *err;

	assert_error("[host]\nsend-data\n", "t.scn:2:10: missing the data to "
	    "send");
	assert_error("[servers]\n[host]\nsend AT+QHTTPURL=${length:${web}/x}\n",
	    "t.scn:3:27: unknown variable \"${web}\" (${ftp}, ${http}, "
	    "${https}: a server's address:port; ${ftp-port}, ...: its port)");
	assert_error("[servers]\n[host]\nsend AT+QHTTPURL=${length:${http}/x\n",
	    "t.scn:3:18: \"${\" without its \"}\"");
	assert_error("[host]\nsend-data http://${http}/x\n", "t.scn:2:18: "
	    "\"${http}\" needs a [servers] section before [host]");
	err = parse(&s, "[servers]\n[host]\n"
	    "send AT+QHTTPURL=${length:http://${http}/x},10\n"
	    "send-data http://${http}/x\n");
	ck_assert_msg(err == NULL, "%s", err);
	ck_assert_uint_eq(s.nsteps, 2);
	ck_assert_int_eq(s.steps[0].kind, SCN_SEND);
	ck_assert_str_eq(s.steps[0].text,
	    "AT+QHTTPURL=${length:http://${http}/x},10");
	ck_assert_int_eq(s.steps[1].kind, SCN_SEND_DATA);
	ck_assert_str_eq(s.steps[1].text, "http://${http}/x");
	scenario_free(&s);
	/* [modem] staged: a package of [servers], once. */
	assert_error("[modem]\nstaged /a.pkg\n", "t.scn:2:8: no package or "
	    "file of [servers] is served at /a.pkg");
	assert_error("[servers]\npackage /a.pkg A -> B\n[modem]\n"
	    "staged /a.pkg extra\n", "t.scn:4:15: unexpected \"extra\" after "
	    "the file");
	assert_error("[servers]\npackage /a.pkg A -> B\n[modem]\n"
	    "staged /a.pkg\nstaged /a.pkg\n", "t.scn:5:8: \"staged\" again "
	    "(the one at line 4 holds the FOTA area)");
	err = parse(&s, "[servers]\npackage /a.pkg A -> B\n[modem]\n"
	    "staged /a.pkg\n");
	ck_assert_msg(err == NULL, "%s", err);
	ck_assert_str_eq(s.staged, "a.pkg");
	ck_assert_int_eq(s.staged_at.line, 4);
	scenario_free(&s);
	/* The closing brace counts the nested ones. */
	ck_assert_str_eq(scenario_var_end("${length:a${http}b}c"), "}c");
	ck_assert_ptr_null(scenario_var_end("${length:a${http}b"));
}
END_TEST

START_TEST(test_bytes)
{
	struct scenario s;
	char *err = NULL;
	static const char nul[] = "[modem]\nmodel EC\0T\n";

	ck_assert_int_eq(scenario_parse(&s, "t.scn", nul, sizeof nul - 1,
	    NULL, NULL, &err), -1);
	ck_assert_str_eq(err, "t.scn:2:9: byte 0x00 cannot be in a scenario "
	    "file (text: printable ASCII or UTF-8)");
	free(err);
	assert_error("# caf\xc3\n", "t.scn:1:6: byte 0xc3 cannot be in a "
	    "scenario file (text: printable ASCII or UTF-8)");
	/* CR LF line ends and UTF-8 in comments are text. */
	err = parse(&s, "# caf\xc3\xa9\r\n[modem]\r\nmodel EC200T\r\n");
	ck_assert_msg(err == NULL, "%s", err);
	ck_assert_str_eq(s.opts[0].value, "EC200T");
	scenario_free(&s);
}
END_TEST

/* Write a file under the test's directory. */
static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_include)
{
	char dir[] = "/tmp/check-scenario-XXXXXX", path[256], inc[256];
	struct scenario s;
	char *err = NULL, *want;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(inc, sizeof inc, "%s/common.scn", dir);
	write_file(inc, "[modem]\nrevision EC200TCNHAR02A14M16\n"
	    "[servers]\npackage /a-b.pkg EC200TCNHAR02A14M16 -> "
	    "EC200TCNHAR02A15M16\n");
	snprintf(path, sizeof path, "%s/s.scn", dir);
	write_file(path, "include common.scn\n[servers]\n"
	    "fault ftp RETR reply 450\n[expect]\nrevision EC200TCNHAR02A14M16\n");
	ck_assert_int_eq(scenario_load(&s, path, stub_check, NULL, &err), 0);
	ck_assert_uint_eq(s.npkgs, 1);
	ck_assert_str_eq(s.pkgs[0].at.file, inc);
	ck_assert_int_eq(s.pkgs[0].at.line, 4);
	ck_assert_uint_eq(s.faults.n, 1);
	ck_assert_str_eq(s.faults.v[0].file, path);
	scenario_free(&s);

	/* An error inside the included file names that file. */
	write_file(inc, "[modem]\nbogus 1\n");
	ck_assert_int_eq(scenario_load(&s, path, stub_check, NULL, &err), -1);
	xasprintf(&want, "%s:2:1: unknown key \"bogus\" in [modem] (model, "
	    "revision, port, flash, flash-size, flash-block, flash-page, "
	    "flash-timing, flash-fault, image-size, fota-area, fota-timeouts, "
	    "fota-resume, "
	    "dialect, verify-https, staged, second-port)", inc);
	ck_assert_str_eq(err, want);
	free(want);
	free(err);

	/* After an include, keys need their section again. */
	write_file(inc, "[modem]\nmodel EC200T\n");
	write_file(path, "include common.scn\nrevision X\n");
	ck_assert_int_eq(scenario_load(&s, path, stub_check, NULL, &err), -1);
	xasprintf(&want, "%s:2:1: \"revision\" outside a section (only seed "
	    "and include are; a section starts with [modem], [network], "
	    "[servers], [timeline], [host] or [expect])", path);
	ck_assert_str_eq(err, want);
	free(want);
	free(err);

	/* A missing file, and a loop. */
	write_file(path, "include nothere.scn\n");
	ck_assert_int_eq(scenario_load(&s, path, stub_check, NULL, &err), -1);
	xasprintf(&want, "%s:1:9: cannot include %s/nothere.scn: No such file "
	    "or directory", path, dir);
	ck_assert_str_eq(err, want);
	free(want);
	free(err);
	write_file(path, "include s.scn\n");
	ck_assert_int_eq(scenario_load(&s, path, stub_check, NULL, &err), -1);
	ck_assert_msg(strstr(err, ":1:9: includes nest deeper than 8 (a loop?)")
	    != NULL, "%s", err);
	free(err);
	unlink(path);
	unlink(inc);
	rmdir(dir);
}
END_TEST

START_TEST(test_urcs)
{
	const char *got[] = { "HTTPSTART", "HTTPEND,0", "START", "UPDATING,1",
	    "UPDATING,2", "UPDATING,100", "END,0" };
	const char *w1[] = { "HTTPSTART", "HTTPEND,0", "START", "UPDATING*", "END,0" };
	const char *w2[] = { "HTTPSTART", "HTTPEND,0", "START", "UPDATING*",
	    "UPDATING,100", "END,0" };
	const char *w3[] = { "HTTPSTART", "HTTPEND,722" };
	const char *w4[] = { "*" };
	const char *w5[] = { "HTTPSTART", "HTTPEND,0", "START", "END,0" };
	char out[64];

	ck_assert(scenario_urcs_match(w1, 5, got, 7));
	ck_assert(scenario_urcs_match(w2, 6, got, 7));
	ck_assert(!scenario_urcs_match(w3, 2, got, 7));
	ck_assert(scenario_urcs_match(w4, 1, got, 7));
	ck_assert(!scenario_urcs_match(w4, 1, got, 0));
	ck_assert(!scenario_urcs_match(w5, 4, got, 7));
	ck_assert(scenario_urcs_match(NULL, 0, got, 0));
	ck_assert_int_eq(scenario_urc_short("+QIND: \"FOTA\",\"HTTPEND\",0",
	    out, sizeof out), 0);
	ck_assert_str_eq(out, "HTTPEND,0");
	ck_assert_int_eq(scenario_urc_short("RDY", out, sizeof out), -1);
}
END_TEST

static Suite *
scenario_suite(void)
{
	Suite *s = suite_create("scenario");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_second_port);
	tcase_add_test(tc, test_sections);
	tcase_add_test(tc, test_unknown_key);
	tcase_add_test(tc, test_bad_value);
	tcase_add_test(tc, test_bad_fault);
	tcase_add_test(tc, test_bad_trigger);
	tcase_add_test(tc, test_bad_action);
	tcase_add_test(tc, test_bad_host);
	tcase_add_test(tc, test_send_data);
	tcase_add_test(tc, test_bytes);
	tcase_add_test(tc, test_include);
	tcase_add_test(tc, test_urcs);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run_suite(scenario_suite());
}
