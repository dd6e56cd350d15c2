/*
 * translog.c: the transcript writer.
 *
 * Port bytes are buffered per direction and written one record per line
 * (modem output ends a line at LF, host input at CR or LF), so the file reads
 * as a dialogue.  A state record, or the other direction, flushes what is
 * pending first so that records stay in the order things happened.
 *
 * One transcript per modem: a fleet's modems write separate files, each
 * stamped with the simulated time of the clock the modem runs on.  Every
 * function takes NULL for "no transcript" and then does nothing.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "clock.h"
#include "translog.h"
#include "util.h"

struct translog {
	FILE		*file;
	struct clock	*clock;
	struct buf	 pending[TRANSLOG_NDIR]; /* a partial line per
					   direction */
};

static const char *const tl_tags[TRANSLOG_NDIR] = { "h>m", "m>h", "h2>m",
    "m>h2" };

/* Write the time stamps and tag that start every record. */
static void
translog_stamp(struct translog *tl, const char *tag)
{
	struct timeval tv;
	struct tm tm;
	char wall[32];

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(wall, sizeof wall, "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(tl->file, "%.6f %s.%03ldZ %s ", clock_now(tl->clock), wall,
	    (long)(tv.tv_usec / 1000), tag);
}

/* Write out the pending bytes of one direction as one record. */
static void
translog_flush_dir(struct translog *tl, int dir)
{
	struct buf *p = &tl->pending[dir];
	struct buf esc;

	if (buf_used(p) == 0)
		return;
	buf_init(&esc);
	buf_add_escaped(&esc, buf_head(p), buf_used(p));
	translog_stamp(tl, tl_tags[dir]);
	fwrite(buf_head(&esc), 1, buf_used(&esc), tl->file);
	fputc('\n', tl->file);
	buf_free(&esc);
	buf_reset(p);
}

struct translog *
translog_open(const char *path, struct clock *clock)
{
	struct translog *tl;
	FILE *f = fopen(path, "ae");

	if (f == NULL)
		return NULL;
	tl = xcalloc(1, sizeof *tl);
	tl->file = f;
	tl->clock = clock;
	setvbuf(tl->file, NULL, _IOLBF, 0);
	return tl;
}

void
translog_close(struct translog *tl)
{
	int i;

	if (tl == NULL)
		return;
	for (i = 0; i < TRANSLOG_NDIR; i++)
		translog_flush_dir(tl, i);
	fclose(tl->file);
	for (i = 0; i < TRANSLOG_NDIR; i++)
		buf_free(&tl->pending[i]);
	free(tl);
}

void
translog_io(struct translog *tl, enum translog_dir dir, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i, start = 0;

	if (tl == NULL || n == 0)
		return;
	/* The other direction of the same interface. */
	translog_flush_dir(tl, (int)dir ^ 1);
	for (i = 0; i < n; i++) {
		int end = s[i] == '\n' || ((dir == TRANSLOG_HOST ||
		    dir == TRANSLOG_HOST2) && s[i] == '\r');
		if (!end)
			continue;
		buf_add(&tl->pending[dir], s + start, i + 1 - start);
		translog_flush_dir(tl, dir);
		start = i + 1;
	}
	buf_add(&tl->pending[dir], s + start, n - start);
}

/*
 * A state message is one line whatever its arguments hold: a control byte
 * in it (a server's reply, a name the host sent) is written as \r, \n, \t
 * or \xNN.  Backslashes stay as they are, so a message that its caller
 * escaped already (wire lines, the fake servers' log) is written unchanged.
 */
void
translog_state(struct translog *tl, const char *subsys, const char *fmt, ...)
{
	va_list ap;
	struct buf line;
	const unsigned char *p;
	char *msg;
	int i;

	if (tl == NULL)
		return;
	for (i = 0; i < TRANSLOG_NDIR; i++)
		translog_flush_dir(tl, i);
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		fatal("out of memory in translog_state");
	va_end(ap);
	buf_init(&line);
	for (p = (const unsigned char *)msg; *p != '\0'; p++) {
		if (*p >= 0x20 && *p != 0x7f)
			buf_add(&line, p, 1);
		else
			buf_add_escaped(&line, p, 1);
	}
	free(msg);
	translog_stamp(tl, "state");
	fprintf(tl->file, "%s ", subsys);
	fwrite(buf_head(&line), 1, buf_used(&line), tl->file);
	fputc('\n', tl->file);
	buf_free(&line);
}
