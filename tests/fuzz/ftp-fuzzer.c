/*
 * ftp-fuzzer.c: fuzz target for the FTP server's command-line handling
 * (line framing, the 512-byte limit, NUL bytes, command lookup, argument
 * rules, paths).  Each input is what a client sends on a fresh control
 * connection to an in-process ftpd on 127.0.0.1, followed by EOF; the
 * loop runs until the server has closed the session.  Built for libFuzzer
 * with --enable-fuzzing, and always as a standalone runner (fuzz-main.c)
 * that make check drives with ftp.dict.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "fslog.h"
#include "fsroot.h"
#include "ftpd.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_ROUNDS	100000	/* loop iterations before giving up */

static struct ev_loop	*fuzz_loop;
static struct clock	*fuzz_clock;
static struct ftpd	*fuzz_srv;
static struct fsroot	 fuzz_root;
static char		 fuzz_dir[] = "/tmp/fotasim-ftpfuzz-XXXXXX";
static char		*fuzz_files[2];
static int		 fuzz_echo;	/* FTP_FUZZ_ECHO set: replies and log */

/* Drop the server's log lines. */
static void
fuzz_quiet(enum fslog_level l, const char *line, void *arg)
{
	(void)l; (void)line; (void)arg;
}

/* Remove the root made by fuzz_setup. */
static void
fuzz_cleanup(void)
{
	size_t i;

	ftpd_stop(fuzz_srv);
	fsroot_free(&fuzz_root);
	for (i = 0; i < 2; i++) {
		(void)unlink(fuzz_files[i]);
		free(fuzz_files[i]);
	}
	(void)rmdir(fuzz_dir);
	clock_free(fuzz_clock);
	ev_loop_destroy(fuzz_loop);
}

/* Make a root with one file, and start the server on an ephemeral port. */
static void
fuzz_setup(void)
{
	struct ftpd_config cfg;
	char *err = NULL;
	FILE *fp;
	size_t i;

	signal(SIGPIPE, SIG_IGN);
	fuzz_echo = getenv("FTP_FUZZ_ECHO") != NULL;
	if (fuzz_echo)
		fslog_set_level(FSLOG_DEBUG);
	else
		fslog_set_sink(fuzz_quiet, NULL);
	fuzz_loop = ev_loop_new(EVFLAG_AUTO);
	fuzz_clock = clock_new(fuzz_loop, 0);
	if (mkdtemp(fuzz_dir) == NULL)
		fatal("mkdtemp: %s", strerror(errno));
	xasprintf(&fuzz_files[0], "%s/fw.bin", fuzz_dir);
	xasprintf(&fuzz_files[1], "%s/a b.txt", fuzz_dir);
	for (i = 0; i < 2; i++) {
		if ((fp = fopen(fuzz_files[i], "w")) == NULL)
			fatal("%s: %s", fuzz_files[i], strerror(errno));
		fputs("0123456789abcdef\n", fp);
		fclose(fp);
	}
	if (fsroot_init(&fuzz_root, fuzz_dir) == -1)
		fatal("fsroot_init %s", fuzz_dir);
	memset(&cfg, 0, sizeof cfg);
	cfg.bind = "127.0.0.1";
	cfg.root = &fuzz_root;
	cfg.anonymous = 1;
	cfg.idle_timeout = 60;
	cfg.clock = fuzz_clock;
	if ((fuzz_srv = ftpd_start(fuzz_loop, &cfg, &err)) == NULL)
		fatal("ftpd_start: %s", err);
	atexit(fuzz_cleanup);
}

/* Connect a client to the server; the accept happens in the loop. */
static int
fuzz_connect(void)
{
	struct sockaddr_in sin;
	int fd;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)ftpd_port(fuzz_srv));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1)
		fatal("connect: %s", strerror(errno));
	return fd;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linger l = { 1, 0 };
	char tmp[4096];
	ssize_t n;
	long round;
	int fd, eof = 0;

	if (fuzz_loop == NULL)
		fuzz_setup();
	fd = fuzz_connect();
	/* Loopback buffers hold a whole input: send it all, then EOF. */
	if (size > 0 && send(fd, data, size, MSG_NOSIGNAL) != (ssize_t)size)
		fatal("send: %s", strerror(errno));
	(void)shutdown(fd, SHUT_WR);
	if (fd_set_nonblock(fd) == -1)
		fatal("nonblock: %s", strerror(errno));
	for (round = 0; round < FUZZ_ROUNDS && !eof; round++) {
		ev_run(fuzz_loop, EVRUN_NOWAIT);
		while ((n = recv(fd, tmp, sizeof tmp, 0)) > 0)
			if (fuzz_echo)	/* to see what an input does */
				fwrite(tmp, 1, (size_t)n, stdout);
		eof = n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR);
	}
	if (!eof)
		fatal("ftp-fuzzer: the server never closed the session");
	/* RST instead of TIME_WAIT, so long runs do not use up ports. */
	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	close(fd);
	for (round = 0; round < FUZZ_ROUNDS && ftpd_sessions(fuzz_srv) > 0;
	    round++)
		ev_run(fuzz_loop, EVRUN_NOWAIT);
	if (ftpd_sessions(fuzz_srv) > 0)
		fatal("ftp-fuzzer: a session outlived its connection");
	return 0;
}
