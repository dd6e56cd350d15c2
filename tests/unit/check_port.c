/*
 * check_port.c: the AT port of a real modem on a real pty, driven from the
 * host side of the pty.  Every write() the program makes is counted (the
 * test links with -Wl,--wrap=write), so "a plain AT costs one write()" is a
 * fact checked here.  Attach and detach must arrive as events: the loop is
 * run one iteration at a time, and an idle modem, with or without a silent
 * host, must not wake it before a guard timer does.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "check-run.h"
#include "clock.h"
#include "modem.h"
#include "statedir.h"

ssize_t	__real_write(int, const void *, size_t);
ssize_t	__wrap_write(int, const void *, size_t);

static int counted_fd = -1;
static int writes;		/* write() calls on counted_fd */

/* Every write() in the program comes here first. */
ssize_t
__wrap_write(int fd, const void *p, size_t n)
{
	if (fd == counted_fd)
		writes++;
	return __real_write(fd, p, n);
}

static struct ev_loop *loop;
static struct clock *clk;
static struct statedir sd;
static struct modem m;
static char link_path[512];

/* A fresh modem, booted at max speed with nobody attached. */
static void
boot(int polling)
{
	struct modem_config cfg = { .model = MODEM_EC200T };
	char err[256];

	ck_assert_int_eq(statedir_open(&sd, NULL, err, sizeof err), 0);
	snprintf(link_path, sizeof link_path, "%s/at", sd.path);
	loop = ev_loop_new(EVFLAG_AUTO);
	clk = clock_new(loop, 0);
	cfg.link = link_path;
	cfg.state_dir = sd.path;
	ck_assert_int_eq(modem_init(&m, clk, &cfg), 0);
	m.iface[0].port.polling = polling;
	modem_power_on(&m);
	while (clock_pending(clk) > 0)
		ev_run(loop, EVRUN_ONCE);
	ck_assert(port_is_open(&m.iface[0].port));
	counted_fd = m.iface[0].port.fd;
}

static void
teardown(void)
{
	counted_fd = -1;
	modem_free(&m);
	clock_free(clk);
	ev_loop_destroy(loop);
	statedir_close(&sd);
}

/* Open the link as a host would, raw, without flushing anything. */
static int
host_open(void)
{
	struct termios t;
	int fd;

	fd = open(link_path, O_RDWR | O_NOCTTY | O_NONBLOCK);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(tcgetattr(fd, &t), 0);
	cfmakeraw(&t);
	ck_assert_int_eq(tcsetattr(fd, TCSANOW, &t), 0);
	return fd;
}

/* Run the loop until the port's attached state is `want` (events only). */
static void
run_until_attached(int want)
{
	while (m.iface[0].port.attached != want)
		ev_run(loop, EVRUN_ONCE);
}

/* Send a line and read until its final "OK\r\n"; returns what came back. */
static const char *
roundtrip(int fd, const char *line)
{
	static char got[4096];
	size_t have = 0;
	ssize_t n;

	ck_assert_int_eq(write(fd, line, strlen(line)), (ssize_t)strlen(line));
	got[0] = '\0';
	while (strstr(got, "OK\r\n") == NULL) {
		ev_run(loop, EVRUN_ONCE);
		n = read(fd, got + have, sizeof got - 1 - have);
		if (n > 0)
			have += (size_t)n;
		else
			ck_assert_int_eq(errno, EAGAIN);
		got[have] = '\0';
	}
	return got;
}

/* Guard timer: ends an iteration that nothing else would end. */
static void
guard_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	(void)l; (void)revents;
	*(int *)w->data = 1;
}

/*
 * Iterations the loop makes in 0.2 s of wall time, the guard's included,
 * once what is already pending has run (the port's own brief opens of the
 * slave at attach and detach are seen by its inotify watch).
 */
static unsigned
iterations_while_idle(void)
{
	ev_timer guard;
	unsigned before;
	int fired = 0;

	ev_run(loop, EVRUN_NOWAIT);
	ev_timer_init(&guard, guard_cb, 0.2, 0);
	guard.data = &fired;
	ev_timer_start(loop, &guard);
	before = ev_iteration(loop);
	while (!fired)
		ev_run(loop, EVRUN_ONCE);
	return ev_iteration(loop) - before;
}

START_TEST(test_one_write_per_response)
{
	int fd;

	boot(0);
	fd = host_open();
	run_until_attached(1);
	writes = 0;
	ck_assert_str_eq(roundtrip(fd, "AT\r"), "AT\r\r\nOK\r\n");
	ck_assert_int_eq(writes, 1);
	writes = 0;
	ck_assert_str_eq(roundtrip(fd, "AT+CSQ;+CEREG?\r"),
	    "AT+CSQ;+CEREG?\r\r\n+CSQ: 24,99\r\n\r\n+CEREG: 0,1\r\n\r\nOK\r\n");
	ck_assert_int_eq(writes, 1);
	/* A URC outside any command: header, text, trailer in one write. */
	writes = 0;
	modem_urc(&m, "+QIND: \"FOTA\",\"END\",0");
	ck_assert_int_eq(writes, 1);
	close(fd);
	teardown();
}
END_TEST

START_TEST(test_idle_without_wakeups)
{
	int fd;

	boot(0);
	ck_assert_uint_eq(iterations_while_idle(), 1);
	fd = host_open();
	run_until_attached(1);
	ck_assert_str_eq(roundtrip(fd, "AT\r"), "AT\r\r\nOK\r\n");
	ck_assert_uint_eq(iterations_while_idle(), 1);
	close(fd);
	run_until_attached(0);
	ck_assert_uint_eq(iterations_while_idle(), 1);
	teardown();
}
END_TEST

START_TEST(test_second_opener)
{
	int fd, fd2;

	boot(0);
	fd = host_open();
	run_until_attached(1);
	fd2 = host_open();
	close(fd2);
	ck_assert_str_eq(roundtrip(fd, "AT\r"), "AT\r\r\nOK\r\n");
	ck_assert_int_eq(m.iface[0].port.attached, 1);
	close(fd);
	run_until_attached(0);
	teardown();
}
END_TEST

/* What the host left unread is gone when the next host opens the port. */
static void
check_stale_output_discarded(int polling)
{
	char c;
	int fd;

	boot(polling);
	fd = host_open();
	run_until_attached(1);
	/* Answered, but never read: */
	writes = 0;
	ck_assert_int_eq(write(fd, "ATI\r", 4), 4);
	while (writes == 0)
		ev_run(loop, EVRUN_ONCE);
	close(fd);
	run_until_attached(0);
	fd = host_open();
	run_until_attached(1);
	ck_assert_int_eq(read(fd, &c, 1), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_str_eq(roundtrip(fd, "AT\r"), "AT\r\r\nOK\r\n");
	close(fd);
	teardown();
}

START_TEST(test_stale_output_discarded)
{
	check_stale_output_discarded(0);
}
END_TEST

START_TEST(test_polling_fallback)
{
	check_stale_output_discarded(1);
}
END_TEST

static Suite *
port_suite(void)
{
	Suite *s = suite_create("port");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_one_write_per_response);
	tcase_add_test(tc, test_idle_without_wakeups);
	tcase_add_test(tc, test_second_opener);
	tcase_add_test(tc, test_stale_output_discarded);
	tcase_add_test(tc, test_polling_fallback);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run_suite(port_suite());
}
