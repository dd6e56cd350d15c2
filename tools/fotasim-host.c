/*
 * fotasim-host: a reference host for AT+QFOTADL, the way a well-written
 * host application drives the module.
 *
 *   fotasim-host --port PATH [--retries N] [--timeout SECS] upgrade URL
 *   fotasim-host --port PATH [--retries N] [--timeout SECS] upgrade --file PKG
 *   fotasim-host --port PATH [--retries N] [--timeout SECS] upgrade --ufs PKG
 *
 * It opens the port raw with CRTSCTS, waits until the module answers, reads
 * the revision (ATI), over the air waits until the module has registered
 * (AT+CREG?), starts the transfer (for --file: turns on the
 * module's flow control and streams the package after FILESTART), follows
 * the URCs with a progress line, survives the reboot by reopening the port
 * until the module answers again, and checks the new revision.  A failed
 * download (FTPEND/HTTPEND/FILEEND other than 0) is retried --retries
 * times.  Exit 0 only on success; 1 on failure; 2 on a bad command line.
 *
 * libev runs the port (an ev_io) and every wait (an ev_timer).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <ev.h>

#define HOST_LINE_MAX	1024
#define HOST_UFS_NAME	"dfota_update.bin"	/* the name fwupd uses too */
#define HOST_ACK_EVERY	1024	/* AT+QFUPL ackmode: an 'A' per KiB */

struct host {
	struct ev_loop	*loop;
	const char	*path;
	int		 fd;
	int		 hangup;	/* the port went away */
	int		 timed_out;
	char		 buf[8192];	/* received, not yet taken */
	size_t		 len;
	ev_io		 rio;
	ev_timer	 deadline;
	int		 tty;		/* stdout is a terminal */
	int		 progress_shown;
	const char	*last_what;	/* the progress line last drawn */
	int		 last_pct;
	int		 quarter;	/* plain lines: the last 25% printed */
};

static void
host_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("fotasim-host: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* The port has bytes, or hung up. */
static void
host_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct host *h = w->data;
	ssize_t n;

	(void)loop; (void)revents;
	if (h->len == sizeof h->buf) {
		/* Nobody wants the oldest half: drop it. */
		memmove(h->buf, h->buf + sizeof h->buf / 2, sizeof h->buf / 2);
		h->len = sizeof h->buf / 2;
	}
	n = read(h->fd, h->buf + h->len, sizeof h->buf - h->len);
	if (n > 0) {
		h->len += (size_t)n;
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	h->hangup = 1;			/* EOF or EIO: the module rebooted */
	ev_io_stop(h->loop, &h->rio);
}

static void
host_deadline_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct host *h = w->data;

	(void)loop; (void)revents;
	h->timed_out = 1;
}

/* Open the port raw, 115200 8N1, with hardware flow control. */
static int
host_open(struct host *h)
{
	struct termios t;

	if ((h->fd = open(h->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) == -1)
		return -1;
	if (tcgetattr(h->fd, &t) == 0) {
		cfmakeraw(&t);
		cfsetispeed(&t, B115200);
		cfsetospeed(&t, B115200);
		t.c_cflag |= CRTSCTS | CLOCAL | CREAD;
		(void)tcsetattr(h->fd, TCSANOW, &t);
	}
	h->hangup = 0;
	h->len = 0;
	ev_io_init(&h->rio, host_read_cb, h->fd, EV_READ);
	h->rio.data = h;
	ev_io_start(h->loop, &h->rio);
	return 0;
}

static void
host_close(struct host *h)
{
	if (h->fd == -1)
		return;
	ev_io_stop(h->loop, &h->rio);
	close(h->fd);
	h->fd = -1;
}

/* Run the loop once for at most `secs`. */
static void
host_wait(struct host *h, double secs)
{
	h->timed_out = 0;
	ev_timer_set(&h->deadline, secs, 0);
	ev_timer_start(h->loop, &h->deadline);
	ev_run(h->loop, EVRUN_ONCE);
	ev_timer_stop(h->loop, &h->deadline);
}

/* Write all of p (the write blocks while the module's flow control holds
 * it back: the pty is full). */
static int
host_write(struct host *h, const void *p, size_t n)
{
	const char *s = p;
	fd_set wf;
	ssize_t w;

	while (n > 0) {
		w = write(h->fd, s, n);
		if (w > 0) {
			s += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		/* Full: the module is not reading (CTS).  Wait, reading. */
		FD_ZERO(&wf);
		FD_SET(h->fd, &wf);
		ev_run(h->loop, EVRUN_NOWAIT);
		if (h->hangup)
			return -1;
		(void)select(h->fd + 1, NULL, &wf, NULL, NULL);
	}
	return 0;
}

/* Take one complete line (without CR LF) into out; 0 if none yet. */
static int
host_take_line(struct host *h, char *out, size_t size)
{
	size_t i, start = 0, n;

	while (start < h->len && (h->buf[start] == '\r' || h->buf[start] == '\n'))
		start++;
	for (i = start; i + 1 < h->len; i++)
		if (h->buf[i] == '\r' && h->buf[i + 1] == '\n')
			break;
	if (i + 1 >= h->len) {
		memmove(h->buf, h->buf + start, h->len - start);
		h->len -= start;
		return 0;
	}
	n = i - start < size - 1 ? i - start : size - 1;
	memcpy(out, h->buf + start, n);
	out[n] = '\0';
	memmove(h->buf, h->buf + i + 2, h->len - i - 2);
	h->len -= i + 2;
	return 1;
}

/* Wait up to secs for the next line; 0 on a line, -1 on timeout/hang-up. */
static int
host_line(struct host *h, char *out, size_t size, double secs)
{
	ev_tstamp until = ev_now(h->loop) + secs;

	for (;;) {
		if (host_take_line(h, out, size))
			return 0;
		if (h->hangup || ev_now(h->loop) >= until)
			return -1;
		host_wait(h, until - ev_now(h->loop));
	}
}

/* Send a command; collect its answer lines until OK or an error. */
static int
host_cmd(struct host *h, const char *cmd, char *info, size_t size, double secs)
{
	char line[HOST_LINE_MAX];

	if (info != NULL)
		info[0] = '\0';
	if (host_write(h, cmd, strlen(cmd)) != 0 || host_write(h, "\r", 1) != 0)
		return -1;
	while (host_line(h, line, sizeof line, secs) == 0) {
		if (strcmp(line, "OK") == 0)
			return 0;
		if (strcmp(line, "ERROR") == 0 || strncmp(line, "+CME ERROR", 10) == 0)
			return -1;
		if (info != NULL && strncmp(line, "+QIND:", 6) != 0 &&
		    strcmp(line, cmd) != 0) {
			strncat(info, line, size - strlen(info) - 2);
			strcat(info, "\n");
		}
	}
	return -1;
}

/* Open the port (again) and wait until the module answers AT. */
static int
host_reach(struct host *h, double secs)
{
	ev_tstamp until = ev_time() + secs;

	while (ev_time() < until) {
		if (h->fd == -1 && host_open(h) != 0) {
			host_wait(h, 0.1);	/* the port is not back yet */
			continue;
		}
		if (host_cmd(h, "AT", NULL, 0, 1.0) == 0 &&
		    host_cmd(h, "ATE0", NULL, 0, 2.0) == 0)
			return 0;
		if (h->hangup)
			host_close(h);
	}
	return -1;
}

/*
 * Over the air: wait until the module has registered (AT+CREG? says home
 * or roaming), as a host should before it asks for a download; right
 * after the boot the radio is still searching.
 */
static int
host_registered(struct host *h, double secs)
{
	ev_tstamp until = ev_time() + secs;
	char info[HOST_LINE_MAX], *p;

	while (ev_time() < until) {
		if (host_cmd(h, "AT+CREG?", info, sizeof info, 5.0) == 0 &&
		    (p = strstr(info, "+CREG: ")) != NULL &&
		    (p = strchr(p, ',')) != NULL && (p[1] == '1' || p[1] == '5'))
			return 0;
		host_wait(h, 0.1);
	}
	return -1;
}

/* The revision from ATI's "Revision: ..." line. */
static int
host_revision(struct host *h, char *rev, size_t size)
{
	char info[HOST_LINE_MAX], *p, *e;

	if (host_cmd(h, "ATI", info, sizeof info, 5.0) != 0 ||
	    (p = strstr(info, "Revision: ")) == NULL)
		return -1;
	p += 10;
	if ((e = strchr(p, '\n')) != NULL)
		*e = '\0';
	snprintf(rev, size, "%s", p);
	return 0;
}

/* Draw progress: one live line on a terminal, a line per 25% otherwise. */
static void
host_progress(struct host *h, const char *what, int pct)
{
	if (what != h->last_what)
		h->quarter = 0;
	if (what == h->last_what && pct == h->last_pct)
		return;
	h->last_what = what;
	h->last_pct = pct;
	if (h->tty) {
		printf("\r%-11s %3d%%", what, pct);
		fflush(stdout);
		h->progress_shown = 1;
	} else if (pct / 25 > h->quarter) {
		/* Each quarter once, even when the steps jump over it. */
		h->quarter = pct / 25;
		printf("%s %d%%\n", what, h->quarter * 25);
	}
}

static void
host_progress_end(struct host *h)
{
	if (h->progress_shown)
		putchar('\n');
	h->progress_shown = 0;
	h->last_what = NULL;
}

/* Parse '+QIND: "FOTA","WORD"[,N]'; returns 1 and fills word and n. */
static int
host_qind(const char *line, char *word, size_t size, int *n)
{
	const char *p = line, *q;

	if (strncmp(p, "+QIND:", 6) != 0)
		return 0;
	p += 6;
	while (*p == ' ')
		p++;
	if (strncmp(p, "\"FOTA\",\"", 8) != 0)
		return 0;
	p += 8;
	if ((q = strchr(p, '"')) == NULL || (size_t)(q - p) >= size)
		return 0;
	memcpy(word, p, (size_t)(q - p));
	word[q - p] = '\0';
	*n = q[1] == ',' ? atoi(q + 2) : -1;
	return 1;
}

/* Read a file whole. */
static char *
host_slurp(const char *path, size_t *len)
{
	struct stat st;
	char *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1 || fstat(fd, &st) == -1)
		host_die("%s: %s", path, strerror(errno));
	if ((p = malloc((size_t)st.st_size + 1)) == NULL)
		host_die("out of memory");
	if (read(fd, p, (size_t)st.st_size) != st.st_size)
		host_die("%s: short read", path);
	close(fd);
	*len = (size_t)st.st_size;
	return p;
}

/* AT+QFUPL's checksum: XOR of big-endian 16-bit words. */
static unsigned
host_xor16(const unsigned char *p, size_t n)
{
	unsigned sum = 0;
	size_t i;

	for (i = 0; i < n; i += 2)
		sum ^= (unsigned)p[i] << 8 | (i + 1 < n ? p[i + 1] : 0);
	return sum;
}

/* Wait up to secs for one 'A' (AT+QFUPL's ACK); 0, or -1. */
static int
host_ack(struct host *h, double secs)
{
	ev_tstamp until = ev_now(h->loop) + secs;

	for (;;) {
		if (h->len > 0) {
			if (h->buf[0] != 'A')
				return -1;
			memmove(h->buf, h->buf + 1, --h->len);
			return 0;
		}
		if (h->hangup || ev_now(h->loop) >= until)
			return -1;
		host_wait(h, until - ev_now(h->loop));
	}
}

/*
 * Put the package into the module's UFS: delete an old copy, AT+QFUPL in
 * ACK mode (a KiB, then wait for its 'A'), and check the size and checksum
 * the module reports.  0, or 1 (worth another attempt).
 */
static int
host_ufs_upload(struct host *h, const char *pkg, size_t len)
{
	char cmd[128], line[HOST_LINE_MAX];
	unsigned long long size;
	unsigned sum;
	size_t off, n;

	if (host_cmd(h, "AT+QFLST=\"UFS:" HOST_UFS_NAME "\"", NULL, 0, 5) == 0 &&
	    host_cmd(h, "AT+QFDEL=\"UFS:" HOST_UFS_NAME "\"", NULL, 0, 10) != 0) {
		fprintf(stderr, "fotasim-host: cannot delete the old "
		    HOST_UFS_NAME "\n");
		return 1;
	}
	snprintf(cmd, sizeof cmd, "AT+QFUPL=\"UFS:" HOST_UFS_NAME "\",%zu,5,1\r",
	    len);
	if (host_write(h, cmd, strlen(cmd)) != 0)
		return 1;
	while (host_line(h, line, sizeof line, 10) == 0 &&
	    strcmp(line, "CONNECT") != 0)
		if (strcmp(line, "ERROR") == 0 ||
		    strncmp(line, "+CME ERROR", 10) == 0) {
			fprintf(stderr, "fotasim-host: AT+QFUPL: %s\n", line);
			return 1;
		}
	printf("uploading %zu bytes\n", len);
	for (off = 0; off < len; off += n) {
		n = len - off < HOST_ACK_EVERY ? len - off : HOST_ACK_EVERY;
		if (host_write(h, pkg + off, n) != 0 ||
		    (n == HOST_ACK_EVERY && host_ack(h, 5) != 0)) {
			host_progress_end(h);
			fprintf(stderr, "fotasim-host: no ACK after %zu bytes\n",
			    off + n);
			return 1;
		}
		host_progress(h, "uploading", (int)((off + n) * 100 / len));
	}
	host_progress_end(h);
	while (host_line(h, line, sizeof line, 10) == 0) {
		if (sscanf(line, "+QFUPL: %llu,%x", &size, &sum) != 2)
			continue;
		if (size != len || sum != host_xor16((const unsigned char *)pkg,
		    len)) {
			fprintf(stderr, "fotasim-host: the module got %llu bytes, "
			    "checksum %x; sent %zu, checksum %x\n", size, sum, len,
			    host_xor16((const unsigned char *)pkg, len));
			return 1;
		}
		if (host_line(h, line, sizeof line, 5) != 0 ||
		    strcmp(line, "OK") != 0)
			return 1;
		printf("uploaded, checksum %x\n", sum);
		return 0;
	}
	fprintf(stderr, "fotasim-host: no AT+QFUPL result\n");
	return 1;
}

/*
 * One attempt: start the transfer and follow it.  Returns 0 once END,0 came,
 * 1 for a download failure worth retrying, -1 for anything else.
 */
static int
host_attempt(struct host *h, const char *url, const char *pkg, size_t len,
    int ufs, double secs)
{
	char cmd[600], line[HOST_LINE_MAX], word[32];
	int n;

	if (ufs && host_ufs_upload(h, pkg, len) != 0)
		return 1;
	if (ufs)
		snprintf(cmd, sizeof cmd, "AT+QFOTADL=\"/data/ufs/" HOST_UFS_NAME
		    "\"");
	else if (pkg != NULL)
		snprintf(cmd, sizeof cmd, "AT+QFOTADL=\"FILE:%zu\",1,100", len);
	else
		snprintf(cmd, sizeof cmd, "AT+QFOTADL=\"%s\",1,100", url);
	if (host_cmd(h, cmd, NULL, 0, 10.0) != 0) {
		fprintf(stderr, "fotasim-host: %s: ERROR\n", cmd);
		return -1;
	}
	while (host_line(h, line, sizeof line, secs) == 0) {
		if (!host_qind(line, word, sizeof word, &n))
			continue;
		if (strcmp(word, "DOWNLOADING") == 0) {
			host_progress(h, "downloading", n);
		} else if (strcmp(word, "UPDATING") == 0) {
			host_progress(h, "updating", n);
		} else if (strcmp(word, "FILESTART") == 0 && pkg != NULL &&
		    !ufs) {
			printf("sending %zu bytes\n", len);
			if (host_write(h, pkg, len) != 0)
				return -1;
		} else if (strlen(word) > 3 &&
		    strcmp(word + strlen(word) - 3, "END") == 0 &&
		    strcmp(word, "END") != 0) {
			host_progress_end(h);
			printf("%s,%d\n", word, n);
			if (n != 0)
				return 1;
		} else if (strcmp(word, "START") == 0) {
			printf("update started\n");
		} else if (strcmp(word, "END") == 0) {
			host_progress_end(h);
			printf("END,%d\n", n);
			return n == 0 ? 0 : -1;
		}
	}
	host_progress_end(h);
	fprintf(stderr, "fotasim-host: %s\n", h->hangup ? "the port went away "
	    "before END" : "no answer in time");
	return -1;
}

static void
usage(FILE *f)
{
	fputs("usage: fotasim-host --port PATH [--retries N] [--timeout SECS] "
	    "upgrade URL\n"
	    "       fotasim-host --port PATH [--retries N] [--timeout SECS] "
	    "upgrade --file PKG\n"
	    "       fotasim-host --port PATH [--retries N] [--timeout SECS] "
	    "upgrade --ufs PKG\n"
	    "       fotasim-host --help | --version\n", f);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "retries", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ "file", required_argument, NULL, 'f' },
		{ "ufs", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct host h;
	const char *file = NULL, *url = NULL;
	char before[128], after[128];
	char *pkg = NULL;
	size_t len = 0;
	double secs = 600;
	int c, retries = 0, rc = -1, attempt, ufs = 0;

	memset(&h, 0, sizeof h);
	h.fd = -1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': h.path = optarg; break;
		case 'r': retries = atoi(optarg); break;
		case 't': secs = atof(optarg); break;
		case 'f': file = optarg; ufs = 0; break;
		case 'u': file = optarg; ufs = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("fotasim-host %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (h.path == NULL || optind >= argc || strcmp(argv[optind], "upgrade") != 0 ||
	    (file == NULL) != (optind + 1 < argc) || optind + 2 < argc ||
	    retries < 0 || !(secs > 0)) {
		usage(stderr);
		return 2;
	}
	if (file == NULL)
		url = argv[optind + 1];
	else
		pkg = host_slurp(file, &len);
	h.loop = ev_default_loop(EVFLAG_AUTO);
	h.tty = isatty(STDOUT_FILENO);
	ev_timer_init(&h.deadline, host_deadline_cb, 0, 0);
	h.deadline.data = &h;
	if (host_reach(&h, 60) != 0 || host_revision(&h, before, sizeof before) != 0)
		host_die("%s: the module does not answer", h.path);
	printf("revision %s\n", before);
	if (url != NULL && host_registered(&h, 60) != 0)
		host_die("%s: the module does not register", h.path);
	if (pkg != NULL && (host_cmd(&h, "AT+QCFG=\"usbifc\",2,2", NULL, 0, 5) != 0 ||
	    host_cmd(&h, "AT+IFC=2,2", NULL, 0, 5) != 0))
		host_die("cannot turn on the module's flow control");
	for (attempt = 0; attempt <= retries; attempt++) {
		if (attempt > 0)
			printf("retry %d of %d\n", attempt, retries);
		if ((rc = host_attempt(&h, url, pkg, len, ufs, secs)) != 1)
			break;
	}
	if (rc != 0)
		host_die("upgrade failed");
	/* The module reboots: the port goes away and comes back. */
	host_close(&h);
	if (host_reach(&h, 120) != 0 || host_revision(&h, after, sizeof after) != 0)
		host_die("the module did not come back after the update");
	printf("revision %s\n", after);
	host_close(&h);
	free(pkg);
	if (strcmp(before, after) == 0)
		host_die("the revision did not change");
	return 0;
}
