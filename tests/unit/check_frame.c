/*
 * check_frame.c: unit tests for the AT byte framer.
 */
#include "config.h"

#include <check.h>
#include "check-run.h"
#include <stdlib.h>
#include <string.h>

#include "at-frame.h"
#include "util.h"

struct capture {
	struct buf	 echo;
	char		 lines[16][AT_LINE_MAX + 1];
	int		 nlines;
	int		 overflows;
};

static struct capture cap;
static struct at_frame fr;

static void
cap_echo(void *arg, const unsigned char *p, size_t n)
{
	(void)arg;
	buf_add(&cap.echo, p, n);
}

static void
cap_line(void *arg, const char *line, size_t len)
{
	(void)arg;
	ck_assert_int_eq((int)strlen(line), (int)len);
	if (cap.nlines < 16)
		memcpy(cap.lines[cap.nlines], line, len + 1);
	cap.nlines++;
}

static void
cap_overflow(void *arg)
{
	(void)arg;
	cap.overflows++;
}

static void
setup(void)
{
	static const struct at_frame_cb cb = { cap_echo, cap_line, cap_overflow };

	memset(&cap, 0, sizeof cap);
	buf_init(&cap.echo);
	at_frame_init(&fr, &cb, NULL);
}

static void
teardown(void)
{
	buf_free(&cap.echo);
}

static void
feed(const char *s, size_t n)
{
	at_frame_input(&fr, (const unsigned char *)s, n);
}

#define FEED(s) feed((s), sizeof (s) - 1)

/* Echoed bytes as a NUL-terminated string. */
static const char *
echoed(void)
{
	static char out[4096];
	size_t n = buf_used(&cap.echo);

	memcpy(out, buf_head(&cap.echo), n);
	out[n] = '\0';
	return out;
}

START_TEST(test_simple_line)
{
	FEED("AT+CSQ\r");
	ck_assert_int_eq(cap.nlines, 1);
	ck_assert_str_eq(cap.lines[0], "+CSQ");
	ck_assert_str_eq(echoed(), "AT+CSQ\r");
	ck_assert(at_frame_idle(&fr));
}
END_TEST

START_TEST(test_lowercase_and_lf)
{
	FEED("at+cgmr\r\nATI\r\n");
	ck_assert_int_eq(cap.nlines, 2);
	ck_assert_str_eq(cap.lines[0], "+cgmr");
	ck_assert_str_eq(cap.lines[1], "I");
	/* The LF after S3 is not echoed and does not start a line. */
	ck_assert_str_eq(echoed(), "at+cgmr\rATI\r");
}
END_TEST

START_TEST(test_bare_at)
{
	FEED("AT\r");
	ck_assert_int_eq(cap.nlines, 1);
	ck_assert_str_eq(cap.lines[0], "");
}
END_TEST

START_TEST(test_byte_at_a_time)
{
	const char *s = "AT+CEREG?\r";
	size_t i;

	for (i = 0; i < strlen(s); i++)
		feed(s + i, 1);
	ck_assert_int_eq(cap.nlines, 1);
	ck_assert_str_eq(cap.lines[0], "+CEREG?");
}
END_TEST

START_TEST(test_repeat)
{
	FEED("A/");
	ck_assert_int_eq(cap.nlines, 0);	/* nothing to repeat yet */
	FEED("ATI\rA/a/");
	ck_assert_int_eq(cap.nlines, 3);
	ck_assert_str_eq(cap.lines[1], "I");
	ck_assert_str_eq(cap.lines[2], "I");
	ck_assert_str_eq(echoed(), "A/ATI\rA/a/");
}
END_TEST

START_TEST(test_backspace)
{
	FEED("AT+CSX\bQ\r");
	ck_assert_int_eq(cap.nlines, 1);
	ck_assert_str_eq(cap.lines[0], "+CSQ");
	/* Backspace over nothing is harmless. */
	FEED("AT\b\b\b+CSQ\r");
	ck_assert_str_eq(cap.lines[1], "+CSQ");
}
END_TEST

START_TEST(test_garbage_between_lines)
{
	static const char junk[] = "\x00\x01\xff\xfe" "xyz/T\n\r\x1b[B" "\x00";

	feed(junk, sizeof junk - 1);
	ck_assert_int_eq(cap.nlines, 0);
	ck_assert_int_eq(cap.overflows, 0);
	ck_assert(at_frame_idle(&fr));
	FEED("AT+CSQ\r");
	ck_assert_int_eq(cap.nlines, 1);
	ck_assert_str_eq(cap.lines[0], "+CSQ");
}
END_TEST

START_TEST(test_nul_inside_line_ignored)
{
	static const char s[] = "AT+C\0SQ\r";

	feed(s, sizeof s - 1);
	ck_assert_int_eq(cap.nlines, 1);
	ck_assert_str_eq(cap.lines[0], "+CSQ");
}
END_TEST

START_TEST(test_a_then_noise)
{
	FEED("AAAT+CSQ\r");		/* a run of A's: the last one counts */
	ck_assert_int_eq(cap.nlines, 1);
	ck_assert_str_eq(cap.lines[0], "+CSQ");
	FEED("Ax");			/* 'A' then junk: back to idle */
	ck_assert(at_frame_idle(&fr));
	FEED("T\r");			/* a stray T is not a line */
	ck_assert_int_eq(cap.nlines, 1);
}
END_TEST

START_TEST(test_overflow_and_recovery)
{
	char big[AT_LINE_MAX + 64];

	memset(big, 'X', sizeof big);
	FEED("AT");
	feed(big, sizeof big);
	ck_assert_int_eq(cap.overflows, 0);
	ck_assert(!at_frame_idle(&fr));
	FEED("more text\r");
	ck_assert_int_eq(cap.overflows, 1);
	ck_assert_int_eq(cap.nlines, 0);
	ck_assert(at_frame_idle(&fr));
	FEED("AT+CSQ\r");
	ck_assert_int_eq(cap.nlines, 1);
	ck_assert_str_eq(cap.lines[0], "+CSQ");
}
END_TEST

START_TEST(test_exact_limit_fits)
{
	char line[AT_LINE_MAX + 1];

	memset(line, 'Z', AT_LINE_MAX);
	FEED("AT");
	feed(line, AT_LINE_MAX);
	FEED("\r");
	ck_assert_int_eq(cap.overflows, 0);
	ck_assert_int_eq(cap.nlines, 1);
	ck_assert_int_eq((int)strlen(cap.lines[0]), AT_LINE_MAX);
}
END_TEST

START_TEST(test_custom_s3_s5)
{
	fr.s3 = '!';
	fr.s5 = '#';
	FEED("AT+CSX#Q!");
	ck_assert_int_eq(cap.nlines, 1);
	ck_assert_str_eq(cap.lines[0], "+CSQ");
	FEED("AT+CSQ\r");		/* CR is now plain noise in a line */
	ck_assert_int_eq(cap.nlines, 1);
}
END_TEST

START_TEST(test_reset_drops_partial)
{
	FEED("AT+CS");
	at_frame_reset(&fr);
	FEED("Q\r");
	ck_assert_int_eq(cap.nlines, 0);
	ck_assert_str_eq(at_frame_state_name(fr.state), "idle");
}
END_TEST

static Suite *
frame_suite(void)
{
	Suite *s = suite_create("at-frame");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_simple_line);
	tcase_add_test(tc, test_lowercase_and_lf);
	tcase_add_test(tc, test_bare_at);
	tcase_add_test(tc, test_byte_at_a_time);
	tcase_add_test(tc, test_repeat);
	tcase_add_test(tc, test_backspace);
	tcase_add_test(tc, test_garbage_between_lines);
	tcase_add_test(tc, test_nul_inside_line_ignored);
	tcase_add_test(tc, test_a_then_noise);
	tcase_add_test(tc, test_overflow_and_recovery);
	tcase_add_test(tc, test_exact_limit_fits);
	tcase_add_test(tc, test_custom_s3_s5);
	tcase_add_test(tc, test_reset_drops_partial);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run_suite(frame_suite());
}
