/*
 * at-latency: the AT -> OK round trip through fotasim's pty, against a raw
 * pty echo round trip measured in the same run (the physical limit).
 *
 * usage: bench/at-latency [path/to/fotasim] [iterations]
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define REPLY	"\r\nOK\r\n"

/* Monotonic time in microseconds. */
static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Read from fd until `token` has arrived (bounded); 0 or -1. */
static int
read_until(int fd, const char *token, double limit_us)
{
	char buf[4096];
	size_t have = 0, tl = strlen(token);
	double end = now_us() + limit_us;
	ssize_t n;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (now_us() > end || poll(&p, 1, 1000) < 0)
			return -1;
		if (!(p.revents & POLLIN))
			continue;
		n = read(fd, buf + have, sizeof buf - 1 - have);
		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		if (strstr(buf, token) != NULL)
			return 0;
		if (have > sizeof buf / 2) {	/* keep the tail */
			memmove(buf, buf + have - tl, tl);
			have = tl;
		}
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Time `iters` round trips of "AT\r" -> REPLY on fd; fills sorted samples. */
static int
measure(int fd, double *samples, int iters)
{
	int i;

	for (i = 0; i < iters; i++) {
		double t0 = now_us();
		if (write(fd, "AT\r", 3) != 3 || read_until(fd, REPLY, 10e6) != 0)
			return -1;
		samples[i] = now_us() - t0;
	}
	qsort(samples, (size_t)iters, sizeof *samples, cmp_double);
	return 0;
}

/* A child that answers every CR on the pty master with REPLY. */
static void
echo_child(int master)
{
	char buf[256];
	ssize_t n, i;

	while ((n = read(master, buf, sizeof buf)) > 0)
		for (i = 0; i < n; i++)
			if (buf[i] == '\r' && write(master, REPLY, 6) != 6)
				_exit(1);
	_exit(0);
}

/* Put a tty fd in raw mode. */
static void
make_raw(int fd)
{
	struct termios t;

	tcgetattr(fd, &t);
	cfmakeraw(&t);
	tcsetattr(fd, TCSANOW, &t);
}

int
main(int argc, char **argv)
{
	const char *fotasim = argc > 1 ? argv[1] : "./fotasim";
	int iters = argc > 2 ? atoi(argv[2]) : 5000;
	char dir[] = "/tmp/at-latency.XXXXXX", link[64], state[64];
	double *sim, *raw;
	int master, slave, fd = -1, booted;
	pid_t echo, modem;
	double end;

	if (iters < 100)
		iters = 100;
	sim = calloc((size_t)iters, sizeof *sim);
	raw = calloc((size_t)iters, sizeof *raw);
	if (sim == NULL || raw == NULL || mkdtemp(dir) == NULL)
		return 1;

	/* Reference: a raw pty echo, same read/write pattern. */
	if (openpty(&master, &slave, NULL, NULL, NULL) != 0)
		return 1;
	make_raw(slave);
	if ((echo = fork()) == 0) {
		close(slave);
		echo_child(master);
	}
	close(master);
	if (measure(slave, raw, iters / 10) != 0 || measure(slave, raw, iters) != 0) {
		fprintf(stderr, "at-latency: raw echo failed\n");
		return 1;
	}
	close(slave);
	kill(echo, SIGTERM);
	waitpid(echo, NULL, 0);

	/* fotasim: boot at max speed, echo off, then the same loop. */
	snprintf(link, sizeof link, "%s/at.tty", dir);
	snprintf(state, sizeof state, "%s/state", dir);
	if ((modem = fork()) == 0) {
		execl(fotasim, fotasim, "--link", link, "--state-dir", state,
		    "--speed", "max", (char *)NULL);
		_exit(127);
	}
	end = now_us() + 30e6;
	while (fd == -1 && now_us() < end) {
		struct timespec ms = { 0, 1000000 };
		if ((fd = open(link, O_RDWR | O_NOCTTY)) == -1)
			nanosleep(&ms, NULL);	/* waiting for the link */
	}
	if (fd == -1) {
		fprintf(stderr, "at-latency: %s never appeared\n", link);
		return 1;
	}
	make_raw(fd);
	/* At max speed the boot chain may be over before we open: poll. */
	booted = 0;
	while (!booted && now_us() < end)
		booted = write(fd, "ATE0\r", 5) == 5 &&
		    read_until(fd, REPLY, 200e3) == 0;
	if (!booted || measure(fd, sim, iters / 10) != 0 ||
	    measure(fd, sim, iters) != 0) {
		fprintf(stderr, "at-latency: fotasim round trip failed\n");
		kill(modem, SIGKILL);
		return 1;
	}
	close(fd);
	kill(modem, SIGTERM);
	waitpid(modem, NULL, 0);

	printf("at-latency: %d round trips each\n", iters);
	printf("  raw pty echo   p50 %7.1f us  p99 %7.1f us\n",
	    raw[iters / 2], raw[iters * 99 / 100]);
	printf("  fotasim AT->OK p50 %7.1f us  p99 %7.1f us\n",
	    sim[iters / 2], sim[iters * 99 / 100]);
	printf("  ratio p50 %.2fx  p99 %.2fx  (target p99 <= 3.0x)\n",
	    sim[iters / 2] / raw[iters / 2],
	    sim[iters * 99 / 100] / raw[iters * 99 / 100]);
	{
		char lock[96];
		snprintf(lock, sizeof lock, "%s/lock", state);
		unlink(lock);
	}
	rmdir(state);
	rmdir(dir);
	free(sim);
	free(raw);
	return 0;
}
