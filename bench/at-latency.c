/*
 * at-latency: command round trips through fotasim's pty, against a raw pty
 * echo that answers the same bytes (the physical limit), measured in the
 * same run.  Both stay up; short blocks of round trips alternate between
 * them (raw, fotasim, fotasim, raw, ...) so that drift of the machine (pty
 * round trips here swing between ~10 us and ~110 us over seconds) hits both
 * alike, and everything runs pinned to one CPU.  The figure is the median
 * over blocks of the ratio of block medians; p50/p90/p99 pool all blocks.
 *
 * usage: bench/at-latency [path/to/fotasim] [round trips per block] [blocks]
 */
#include "config.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define GOAL_P50	1.3
#define GOAL_P99	2.0

/* The commands timed and fotasim's answer to each (echo off). */
static const struct {
	const char	*cmd;
	const char	*reply;
} cmds[] = {
	{ "AT", "\r\nOK\r\n" },
	{ "AT+CSQ;+CEREG?", "\r\n+CSQ: 24,99\r\n\r\n+CEREG: 0,1\r\n\r\nOK\r\n" },
};

/* Monotonic time in microseconds. */
static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Read from fd until the reply ends with "OK\r\n" (bounded); 0 or -1. */
static int
read_reply(int fd, double limit_us)
{
	char buf[4096];
	size_t have = 0;
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
		if (have >= 4 && strcmp(buf + have - 4, "OK\r\n") == 0)
			return 0;
		if (have > sizeof buf / 2)
			have = 0;
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Time n round trips of `cmd` on fd into samples; 0 or -1. */
static int
measure(int fd, const char *cmd, double *samples, int n)
{
	char line[64];
	int i, len;

	len = snprintf(line, sizeof line, "%s\r", cmd);
	for (i = 0; i < n; i++) {
		double t0 = now_us();
		if (write(fd, line, (size_t)len) != len ||
		    read_reply(fd, 10e6) != 0)
			return -1;
		samples[i] = now_us() - t0;
	}
	return 0;
}

/* The median of n samples (sorts them). */
static double
median(double *s, int n)
{
	qsort(s, (size_t)n, sizeof *s, cmp_double);
	return s[n / 2];
}

/* A child that answers each line on the pty master as fotasim would. */
static void
echo_child(int master)
{
	char buf[256], line[64];
	size_t len = 0, i, c;
	ssize_t n;

	while ((n = read(master, buf, sizeof buf)) > 0)
		for (i = 0; i < (size_t)n; i++) {
			if (buf[i] != '\r') {
				if (len < sizeof line - 1)
					line[len++] = buf[i];
				continue;
			}
			line[len] = '\0';
			len = 0;
			for (c = 0; c < sizeof cmds / sizeof cmds[0]; c++)
				if (strcmp(line, cmds[c].cmd) == 0 &&
				    write(master, cmds[c].reply,
				    strlen(cmds[c].reply)) < 0)
					_exit(1);
		}
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

/* Pin this process (and the children it starts) to its last allowed CPU. */
static int
pin_one_cpu(void)
{
	cpu_set_t set;
	int cpu, last = -1;

	if (sched_getaffinity(0, sizeof set, &set) != 0)
		return -1;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set))
			last = cpu;
	if (last < 0)
		return -1;
	CPU_ZERO(&set);
	CPU_SET(last, &set);
	return sched_setaffinity(0, sizeof set, &set) == 0 ? last : -1;
}

/* Start fotasim at max speed and open its port once it answers; fd or -1. */
static int
start_fotasim(const char *fotasim, const char *link, pid_t *pid)
{
	double end = now_us() + 30e6;
	int fd = -1, booted = 0;

	if ((*pid = fork()) == 0) {
		execl(fotasim, fotasim, "--link", link, "--speed", "max",
		    (char *)NULL);
		_exit(127);
	}
	while (fd == -1 && now_us() < end) {
		struct timespec ms = { 0, 1000000 };
		if ((fd = open(link, O_RDWR | O_NOCTTY)) == -1)
			nanosleep(&ms, NULL);	/* waiting for the link */
	}
	if (fd == -1)
		return -1;
	make_raw(fd);
	/* At max speed the boot chain may be over before we open: ask. */
	while (!booted && now_us() < end)
		booted = write(fd, "ATE0\r", 5) == 5 &&
		    read_reply(fd, 200e3) == 0;
	return booted ? fd : -1;
}

/* p-th percentile (0-99) of n sorted samples. */
static double
pct(const double *s, int n, int p)
{
	return s[(long)n * p / 100];
}

/* Alternate blocks of one command on both ports; print the figures. */
static int
bench_cmd(const char *cmd, int raw_fd, int sim_fd, int per, int blocks)
{
	int total = per * blocks, b, i, first;
	double *raw = calloc((size_t)total, sizeof *raw);
	double *sim = calloc((size_t)total, sizeof *sim);
	double *ratios = calloc((size_t)blocks, sizeof *ratios);
	double tmp[2], r50, r99;

	if (raw == NULL || sim == NULL || ratios == NULL)
		return -1;
	/* Warm both up. */
	if (measure(raw_fd, cmd, raw, per) != 0 ||
	    measure(sim_fd, cmd, sim, per) != 0)
		return -1;
	for (b = 0; b < blocks; b++) {
		double *rb = raw + b * per, *sb = sim + b * per;
		for (i = 0; i < 2; i++) {
			/* ABBA: raw first in even blocks, fotasim in odd. */
			first = (b % 2 == 0) == (i == 0);
			if (measure(first ? raw_fd : sim_fd, cmd,
			    first ? rb : sb, per) != 0)
				return -1;
		}
		tmp[0] = median(rb, per);
		tmp[1] = median(sb, per);
		ratios[b] = tmp[1] / tmp[0];
	}
	qsort(raw, (size_t)total, sizeof *raw, cmp_double);
	qsort(sim, (size_t)total, sizeof *sim, cmp_double);
	r50 = median(ratios, blocks);
	r99 = pct(sim, total, 99) / pct(raw, total, 99);
	printf("%s\n", cmd);
	printf("  raw echo  p50 %6.1f us  p90 %6.1f us  p99 %6.1f us\n",
	    pct(raw, total, 50), pct(raw, total, 90), pct(raw, total, 99));
	printf("  fotasim   p50 %6.1f us  p90 %6.1f us  p99 %6.1f us\n",
	    pct(sim, total, 50), pct(sim, total, 90), pct(sim, total, 99));
	printf("  ratio of medians %.2fx (blocks %.2f-%.2f; goal <= %.1fx: %s)\n",
	    r50, ratios[0], ratios[blocks - 1], GOAL_P50,
	    r50 <= GOAL_P50 ? "met" : "MISSED");
	printf("  ratio of p99     %.2fx (goal <= %.1fx: %s)\n", r99, GOAL_P99,
	    r99 <= GOAL_P99 ? "met" : "MISSED");
	free(raw);
	free(sim);
	free(ratios);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *fotasim = argc > 1 ? argv[1] : "./fotasim";
	int per = argc > 2 ? atoi(argv[2]) : 200;
	int blocks = argc > 3 ? atoi(argv[3]) : 30;
	char dir[] = "/tmp/at-latency.XXXXXX", link[64];
	int master, raw_fd, sim_fd, cpu, rc = 0;
	size_t c;
	pid_t echo, modem;

	if (per < 50)
		per = 50;
	if (blocks < 2)
		blocks = 2;
	if (mkdtemp(dir) == NULL)
		return 1;
	cpu = pin_one_cpu();

	/* Reference: a raw pty echo answering the same bytes in one write. */
	if (openpty(&master, &raw_fd, NULL, NULL, NULL) != 0)
		return 1;
	make_raw(raw_fd);
	if ((echo = fork()) == 0) {
		close(raw_fd);
		echo_child(master);
	}
	close(master);

	/* fotasim, with a temporary state dir it removes when it stops. */
	snprintf(link, sizeof link, "%s/at.tty", dir);
	if ((sim_fd = start_fotasim(fotasim, link, &modem)) == -1) {
		fprintf(stderr, "at-latency: fotasim did not answer on %s\n", link);
		rc = 1;
	}
	if (rc == 0) {
		if (cpu >= 0)
			printf("at-latency: all pinned to CPU %d, ", cpu);
		else
			printf("at-latency: not pinned, ");
		printf("%d blocks x %d round trips, raw and fotasim alternating\n",
		    blocks, per);
	}
	for (c = 0; rc == 0 && c < sizeof cmds / sizeof cmds[0]; c++)
		if (bench_cmd(cmds[c].cmd, raw_fd, sim_fd, per, blocks) != 0) {
			fprintf(stderr, "at-latency: %s round trip failed\n",
			    cmds[c].cmd);
			rc = 1;
		}
	close(raw_fd);
	kill(echo, SIGTERM);
	waitpid(echo, NULL, 0);
	if (sim_fd != -1)
		close(sim_fd);
	kill(modem, SIGTERM);
	waitpid(modem, NULL, 0);
	rmdir(dir);
	return rc;
}
