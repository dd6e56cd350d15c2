/*
 * check_faults.c: unit tests for the fault directive parser and matcher.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults.h"
#include "fslog.h"
#include "util.h"

/* Parse n bytes; on failure return the error message (caller frees). */
static char *
parse_n(struct faults *fs, const char *text, size_t n)
{
	char *err = NULL;

	faults_init(fs);
	if (faults_parse(fs, "t.faults", text, n, &err) == 0)
		return NULL;
	ck_assert_ptr_nonnull(err);
	return err;
}

/* Parse a C string. */
static char *
parse(struct faults *fs, const char *text)
{
	return parse_n(fs, text, strlen(text));
}

/* Assert that text fails with exactly this message. */
static void
assert_error(const char *text, const char *want)
{
	struct faults fs;
	char *err = parse(&fs, text);

	ck_assert_msg(err != NULL, "\"%s\" parsed but should fail", text);
	ck_assert_str_eq(err, want);
	free(err);
	faults_free(&fs);
}

/* Silence "applying:" lines during the tests. */
static void
quiet(enum fslog_level l, const char *line, void *arg)
{
	(void)l; (void)line; (void)arg;
}

START_TEST(test_parse_examples)
{
	struct faults fs;
	char *err = parse(&fs,
	    "# where          when                 what\n"
	    "ftp   greeting                        reply 421 Service not available\n"
	    "ftp   PASS                            reply 530\n"
	    "ftp   retr       first 2 times        reply 450 File busy  # comment\n"
	    "ftp   data       after 4096 bytes     close\n"
	    "ftp   PASV                            address 10.255.255.1 4000\n"
	    "http  /EC200T.bin                     status 503\n"
	    "http  /EC200T.bin after 37%           stall 120s\n"
	    "http  /EC200T.bin                     throttle 5kB/s\n"
	    "http  /EC200T.bin at byte 1000        flip\n"
	    "http  /EC200T.bin                     content-length +1000\n"
	    "http  *          probability 0.1      close\n"
	    "https /a         request 3            redirect 301 http://x/b\n"
	    "tls   *                               certificate expired\n"
	    "seed 42\n");

	ck_assert_msg(err == NULL, "%s", err);
	ck_assert_uint_eq(fs.n, 13);
	ck_assert_int_eq(fs.v[0].svc, FAULT_FTP);
	ck_assert_str_eq(fs.v[0].where, "greeting");
	ck_assert_int_eq(fs.v[0].action, FAULT_REPLY);
	ck_assert_int_eq(fs.v[0].code, 421);
	ck_assert_str_eq(fs.v[0].text, "Service not available");
	ck_assert_str_eq(fs.v[1].text, "Not logged in.");
	ck_assert_str_eq(fs.v[2].where, "RETR");
	ck_assert_int_eq(fs.v[2].first, 2);
	ck_assert_str_eq(fs.v[2].text, "File busy");
	ck_assert_int_eq(fs.v[3].after, 4096);
	ck_assert_str_eq(fs.v[4].text, "10.255.255.1");
	ck_assert_int_eq(fs.v[4].count, 4000);
	ck_assert(fs.v[6].after_pct == 37);
	ck_assert(fs.v[6].secs == 120);
	ck_assert(fs.v[7].rate == 5120);
	ck_assert_int_eq(fs.v[8].after, 1000);
	ck_assert_int_eq(fs.v[9].count, 1000);
	ck_assert(fs.v[10].prob == 0.1);
	ck_assert_int_eq(fs.v[11].svc, FAULT_HTTP);
	ck_assert_int_eq(fs.v[11].nth, 3);
	ck_assert_int_eq(fs.v[11].code, 301);
	ck_assert_int_eq(fs.v[12].action, FAULT_TLS_EXPIRED);
	ck_assert_int_eq(fs.v[4].line, 6);
	ck_assert_str_eq(fs.v[3].source, "ftp   data       after 4096 bytes     close");
	faults_free(&fs);
}
END_TEST

START_TEST(test_parse_errors)
{
	assert_error("ftp PASS\n", "t.faults:1:9: incomplete directive: "
	    "expected SERVICE WHERE [WHEN...] ACTION");
	assert_error("\n\nsmtp HELO reply 500\n", "t.faults:3:1: unknown directive "
	    "\"smtp\" (expected ftp, http, https, tls or seed)");
	assert_error("ftp PASS explode\n", "t.faults:1:10: unknown word \"explode\"");
	assert_error("ftp PASS reply 999\n",
	    "t.faults:1:16: bad reply code \"999\" (100-599)");
	assert_error("http /x   reply 500\n",
	    "t.faults:1:11: \"reply\" does not apply to http");
	assert_error("ftp RETR status 500\n",
	    "t.faults:1:10: \"status\" does not apply to ftp");
	assert_error("http /x delay soon\n", "t.faults:1:15: expected a duration "
	    "such as 500ms, 3s, 2m");
	assert_error("http /x throttle fast\n",
	    "t.faults:1:18: expected a rate such as 5kB/s");
	assert_error("http /x flip\n",
	    "t.faults:1:9: flip needs \"at byte K\" or \"after N%\"");
	assert_error("http /x close now\n",
	    "t.faults:1:15: unexpected \"now\" after the action");
	assert_error("http x.bin close\n", "t.faults:1:6: HTTP place must be a "
	    "path pattern starting with / or *");
	assert_error("ftp HELLO reply 500\n",
	    "t.faults:1:5: unknown FTP command or stage \"HELLO\" (a command "
	    "of RFC 959, 2389 or 3659, greeting, control, data, final or *)");
	assert_error("ftp RETR first x times close\n",
	    "t.faults:1:16: \"first\" needs a count");
	assert_error("http /x probability 2 close\n",
	    "t.faults:1:21: probability needs 0..1");
	assert_error("http /x after 120% close\n",
	    "t.faults:1:15: bad percentage");
	assert_error("ftp PASV address 300.1.1.1\n",
	    "t.faults:1:18: address needs an IPv4 address");
	assert_error("http /x content-length 5\n",
	    "t.faults:1:24: expected +N or -N");
	assert_error("ftp RETR\tfirst 1 times\n", "t.faults:1:23: missing action");
	assert_error("tls /x.bin certificate expired\n",
	    "t.faults:1:5: TLS place must be *");
	assert_error("tls * path *.bin handshake abort\n",
	    "t.faults:1:7: path does not apply to tls (no request yet)");
}
END_TEST

/* A byte that cannot be in the language is an error at its column, NUL
 * included: it does not end the text (issue 9). */
START_TEST(test_parse_bytes)
{
	static const char nul[] = "ftp RETR reply 550\nftp PASS reply 530 x\0junk\n"
	    "http /y frobnicate\n";
	static const struct {
		const char	*text;
		const char	*want;
	} bad[] = {
		{ "ftp RETR reply 550 \x01\n", "t.faults:1:20: control byte 0x01 "
		  "cannot be in a directive file (text: printable ASCII or UTF-8)" },
		{ "# \x7f\n", "t.faults:1:3: control byte 0x7f cannot be in a "
		  "directive file (text: printable ASCII or UTF-8)" },
		{ "ftp RETR reply 550 caf\xe9\n", "t.faults:1:23: byte 0xe9 cannot "
		  "be in a directive file (text: printable ASCII or UTF-8)" },
		{ "# overlong \xc0\xae\n", "t.faults:1:12: byte 0xc0 cannot be "
		  "in a directive file (text: printable ASCII or UTF-8)" },
		{ "\n\nhttp /x status 503\xff\n", "t.faults:3:19: byte 0xff cannot "
		  "be in a directive file (text: printable ASCII or UTF-8)" },
	};
	struct faults fs;
	char *err;
	size_t i;

	err = parse_n(&fs, nul, sizeof nul - 1);
	ck_assert_ptr_nonnull(err);
	ck_assert_str_eq(err, "t.faults:2:21: NUL byte 0x00 cannot be in a "
	    "directive file (text: printable ASCII or UTF-8)");
	free(err);
	faults_free(&fs);
	for (i = 0; i < nitems(bad); i++)
		assert_error(bad[i].text, bad[i].want);
	/* UTF-8, tabs and CR LF are text; the last line needs no newline. */
	ck_assert_ptr_null(parse(&fs, "# caf\xc3\xa9 \xe5\x9b\xba\xe4\xbb\xb6\r\n"
	    "ftp\tRETR reply 550 \xf0\x9f\x93\xa1 busy\r\nhttp /x status 503"));
	ck_assert_uint_eq(fs.n, 2);
	ck_assert_str_eq(fs.v[0].text, "\xf0\x9f\x93\xa1 busy");
	faults_free(&fs);
}
END_TEST

/* Issue 9: no word passes that can never match, no value is changed
 * without a word, and an error points at the word that is wrong. */
START_TEST(test_parse_strict)
{
	static const char *ftp_ok[] = { "USER", "pass", "Retr", "EPSV", "EPRT",
	    "XPWD", "FEAT", "OPTS", "MDTM", "SIZE", "MLSD", "MLST", "STOR",
	    "ABOR", "greeting", "DATA", "final", "control", "*" };
	struct faults fs;
	char line[64];
	size_t i;

	assert_error("ftp RERT reply 450\n",
	    "t.faults:1:5: unknown FTP command or stage \"RERT\" (a command "
	    "of RFC 959, 2389 or 3659, greeting, control, data, final or *)");
	assert_error("ftp ABC reply 450\n",
	    "t.faults:1:5: unknown FTP command or stage \"ABC\" (a command "
	    "of RFC 959, 2389 or 3659, greeting, control, data, final or *)");
	assert_error("ftp * garbage 5000\n",
	    "t.faults:1:15: garbage needs 1 to 4096 bytes");
	assert_error("http /x garbage 0\n",
	    "t.faults:1:17: garbage needs 1 to 4096 bytes");
	assert_error("http /x garbage 4097\n",
	    "t.faults:1:17: garbage needs 1 to 4096 bytes");
	assert_error("tls * certificate bogus\n",
	    "t.faults:1:19: unknown word \"bogus\" after \"certificate\" "
	    "(expected \"untrusted\" or \"wrong-name\" or \"expired\")");
	assert_error("http /x chunked good\n",
	    "t.faults:1:17: unknown word \"good\" after \"chunked\" "
	    "(expected \"bad\")");
	assert_error("http /x first 2 times chunked\n",
	    "t.faults:1:30: \"chunked\" needs \"bad\"");
	assert_error("tls * handshake\tfail\n",
	    "t.faults:1:17: unknown word \"fail\" after \"handshake\" "
	    "(expected \"abort\")");
	for (i = 0; i < nitems(ftp_ok); i++) {
		snprintf(line, sizeof line, "ftp %s reply 500\n", ftp_ok[i]);
		ck_assert_msg(parse(&fs, line) == NULL, "%s refused", line);
		faults_free(&fs);
	}
	ck_assert_ptr_null(parse(&fs, "ftp * garbage 1\nhttp /x garbage 4096\n"
	    "http /y garbage\nftp retr reply 550\n"));
	ck_assert_int_eq(fs.v[0].count, 1);
	ck_assert_int_eq(fs.v[1].count, 4096);
	ck_assert_int_eq(fs.v[2].count, 64);
	ck_assert_str_eq(fs.v[3].where, "RETR");
	faults_free(&fs);
}
END_TEST

/* Send `total` bytes in pieces of at most `want` through fault_pace(),
 * advancing a pretend clock by every wait; returns the simulated time. */
static double
pace_run(double rate, double t0, long long total, size_t want, int *pauses)
{
	struct fault_pace p;
	unsigned long long sent = 0;
	double now = t0, wait;
	size_t n, w;

	fault_pace_init(&p);
	*pauses = 0;
	while (sent < (unsigned long long)total) {
		w = (size_t)(total - (long long)sent);
		if (w > want)
			w = want;
		if ((n = fault_pace(&p, rate, now, sent, w, &wait)) == 0) {
			ck_assert(wait > 0);
			now += wait;
			(*pauses)++;
			/* A pause always ends in progress, whatever the
			 * clock's rounding says. */
			n = fault_pace(&p, rate, now, sent, w, &wait);
			ck_assert_uint_gt(n, 0);
		}
		ck_assert_uint_le(n, w);
		sent += n;
	}
	return now - t0;
}

/* The throttle's pacing: the rate holds in simulated time, slices are
 * rate/20 bytes, and no pause is ever too short to end in progress (at
 * --speed max the HTTP server used to spin on 0-byte reads). */
START_TEST(test_pace)
{
	int pauses;
	double t;

	t = pace_run(10000, 0, 100000, 65536, &pauses);
	ck_assert(t >= 9.9 && t <= 10.1);
	ck_assert_int_ge(pauses, 190);
	t = pace_run(10, 0, 1000, 65536, &pauses);
	ck_assert(t >= 99 && t <= 101);
	/* Rates and times where the clock's rounding is worst. */
	t = pace_run(3, 1e5, 100, 65536, &pauses);
	ck_assert(t >= 32 && t <= 34);
	t = pace_run(1e9, 1e7, 100000000, 65536, &pauses);
	ck_assert(t >= 0.09 && t <= 0.11);
	t = pace_run(7777777, 123456.789, 10000000, 4096, &pauses);
	ck_assert(t >= 1.2 && t <= 1.4);
}
END_TEST

START_TEST(test_match_first_nth)
{
	struct faults fs;
	int i, hits = 0;

	fslog_set_sink(quiet, NULL);
	ck_assert_ptr_null(parse(&fs, "ftp RETR first 2 times reply 450\n"
	    "ftp RETR request 4 reply 451\n"));
	for (i = 1; i <= 6; i++) {
		const struct fault *f = faults_match(&fs, FAULT_FTP, "RETR", "x", 1);
		if (i <= 2)
			ck_assert(f != NULL && f->code == 450);
		else if (i == 4)
			ck_assert(f != NULL && f->code == 451);
		else
			ck_assert_ptr_null(f);
		hits += f != NULL;
	}
	ck_assert_int_eq(hits, 3);
	ck_assert_ptr_null(faults_match(&fs, FAULT_FTP, "SIZE", "x", 1));
	faults_free(&fs);
	fslog_set_sink(NULL, NULL);
}
END_TEST

START_TEST(test_match_where)
{
	struct faults fs;

	fslog_set_sink(quiet, NULL);
	ck_assert_ptr_null(parse(&fs, "http /fw/*.bin status 503\n"
	    "ftp * path *.bin reply 550\n"
	    "ftp data connection 2 close\n"
	    "tls * connection 3 certificate expired\n"
	    "http * path /x/* path /p/* status 404\n"));
	ck_assert_ptr_nonnull(faults_match(&fs, FAULT_HTTP, "/fw/a.bin", NULL, 1));
	ck_assert_ptr_null(faults_match(&fs, FAULT_HTTP, "/fw/a.txt", NULL, 1));
	ck_assert_ptr_nonnull(faults_match(&fs, FAULT_FTP, "SIZE", "dir/a.bin", 1));
	ck_assert_ptr_null(faults_match(&fs, FAULT_FTP, "SIZE", "a.txt", 1));
	/* "*" means any command, not the greeting or data stages. */
	ck_assert_ptr_null(faults_match(&fs, FAULT_FTP, "greeting", "a.bin", 1));
	ck_assert_ptr_null(faults_match(&fs, FAULT_FTP, "data", "/a", 1));
	ck_assert_ptr_nonnull(faults_match(&fs, FAULT_FTP, "data", "/a", 2));
	/* tls directives are matched per connection, like the others. */
	ck_assert_ptr_null(faults_match(&fs, FAULT_TLS, "*", NULL, 2));
	ck_assert_ptr_nonnull(faults_match(&fs, FAULT_TLS, "*", NULL, 3));
	/* For HTTP, "path" matches the request path (passed as arg). */
	ck_assert_ptr_nonnull(faults_match(&fs, FAULT_HTTP, "/p/x", "/p/x", 1));
	ck_assert_ptr_null(faults_match(&fs, FAULT_HTTP, "/q/x", "/q/x", 1));
	faults_free(&fs);
	fslog_set_sink(NULL, NULL);
}
END_TEST

START_TEST(test_match_probability_seeded)
{
	struct faults a, b;
	int i, na = 0, same = 1;

	fslog_set_sink(quiet, NULL);
	ck_assert_ptr_null(parse(&a, "seed 7\nhttp * probability 0.25 close\n"));
	ck_assert_ptr_null(parse(&b, "seed 7\nhttp * probability 0.25 close\n"));
	for (i = 0; i < 4000; i++) {
		int x = faults_match(&a, FAULT_HTTP, "/f", NULL, 1) != NULL;
		int y = faults_match(&b, FAULT_HTTP, "/f", NULL, 1) != NULL;
		na += x;
		same &= x == y;
	}
	ck_assert(same);
	ck_assert_msg(na > 800 && na < 1200, "%d of 4000", na);
	faults_free(&a);
	faults_free(&b);
	fslog_set_sink(NULL, NULL);
}
END_TEST

START_TEST(test_position)
{
	struct faults fs;

	ck_assert_ptr_null(parse(&fs, "http /a after 50% reset\nhttp /b close\n"));
	ck_assert_int_eq(fault_position(&fs.v[0], 1000), 500);
	ck_assert_int_eq(fault_position(&fs.v[1], 1000), -1);
	faults_free(&fs);
}
END_TEST

/* A tiny seeded generator for the random-input test (xorshift64). */
static unsigned long long
rnd(unsigned long long *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

START_TEST(test_parse_random_input)
{
	static const char *dict[] = {
		"ftp", "http", "https", "tls", "seed", "greeting", "data", "final",
		"control", "RETR", "PASV", "*", "/fw.bin", "first", "times",
		"request", "connection", "probability", "path", "after", "at",
		"byte", "bytes", "reply", "status", "redirect", "delay", "hang",
		"stall", "throttle", "close", "reset", "refuse", "address", "port",
		"garbage", "flip", "content-length", "chunked", "bad", "gzip",
		"junk", "handshake", "abort", "certificate", "expired",
		"no-close-notify", "550", "999", "-1", "+5", "50%", "3s", "5kB/s",
		"0.5", "10.0.0.1", "#", "\t", "", "\xff", "%",
	};
	unsigned long long x = 88172645463325252ULL;
	struct buf text;
	struct faults fs;
	int i, j, n, ok = 0, bad = 0;

	fslog_set_sink(quiet, NULL);
	for (i = 0; i < 3000; i++) {
		char *err = NULL;

		buf_init(&text);
		n = (int)(rnd(&x) % 4) + 1;
		while (n-- > 0) {
			int words = (int)(rnd(&x) % 8);
			for (j = 0; j < words; j++) {
				if (rnd(&x) % 16 == 0) {
					unsigned char b = (unsigned char)(rnd(&x) % 256);
					buf_add(&text, &b, 1);
				} else
					buf_addstr(&text, dict[rnd(&x) % nitems(dict)]);
				buf_addstr(&text, rnd(&x) % 5 ? " " : "\t");
			}
			buf_addstr(&text, "\n");
		}
		faults_init(&fs);
		if (faults_parse(&fs, "t.faults", (char *)buf_head(&text),
		    buf_used(&text), &err) == 0)
			ok++;
		else {
			int line, col;
			ck_assert_ptr_nonnull(err);
			ck_assert_msg(sscanf(err, "t.faults:%d:%d: ", &line, &col) == 2 &&
			    line >= 1 && col >= 1, "bad error \"%s\"", err);
			bad++;
			free(err);
		}
		faults_free(&fs);
		buf_free(&text);
	}
	ck_assert_int_gt(ok, 0);
	ck_assert_int_gt(bad, 0);
	fslog_set_sink(NULL, NULL);
}
END_TEST

/* Collect the faults suite. */
static Suite *
faults_suite(void)
{
	Suite *s = suite_create("faults");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse_examples);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_parse_bytes);
	tcase_add_test(tc, test_parse_strict);
	tcase_add_test(tc, test_pace);
	tcase_add_test(tc, test_match_first_nth);
	tcase_add_test(tc, test_match_where);
	tcase_add_test(tc, test_match_probability_seeded);
	tcase_add_test(tc, test_position);
	tcase_add_test(tc, test_parse_random_input);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(faults_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
