/*
 * translog.c: the transcript writer.
 *
 * Port bytes are buffered per direction and written one record per line
 * (modem output ends a line at LF, host input at CR or LF), so the file reads
 * as a dialogue.  A state record, or the other direction, flushes what is
 * pending first so that records stay in the order things happened.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "clock.h"
#include "translog.h"
#include "util.h"

static FILE		*tl_file;
static struct buf	 tl_pending[2];
static const char	*tl_tags[2] = { "h>m", "m>h" };

/* Write the time stamps and tag that start every record. */
static void
translog_stamp(const char *tag)
{
	struct timeval tv;
	struct tm tm;
	char wall[32];

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(wall, sizeof wall, "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(tl_file, "%.6f %s.%03ldZ %s ", clock_now(), wall,
	    (long)(tv.tv_usec / 1000), tag);
}

/* Write out the pending bytes of one direction as one record. */
static void
translog_flush_dir(int dir)
{
	struct buf *p = &tl_pending[dir];
	struct buf esc;

	if (buf_used(p) == 0)
		return;
	buf_init(&esc);
	buf_add_escaped(&esc, buf_head(p), buf_used(p));
	translog_stamp(tl_tags[dir]);
	fwrite(buf_head(&esc), 1, buf_used(&esc), tl_file);
	fputc('\n', tl_file);
	buf_free(&esc);
	buf_reset(p);
}

int
translog_open(const char *path)
{
	FILE *f = fopen(path, "ae");

	if (f == NULL)
		return -1;
	translog_close();
	tl_file = f;
	setvbuf(tl_file, NULL, _IOLBF, 0);
	return 0;
}

void
translog_close(void)
{
	if (tl_file == NULL)
		return;
	translog_flush_dir(TRANSLOG_HOST);
	translog_flush_dir(TRANSLOG_MODEM);
	fclose(tl_file);
	tl_file = NULL;
	buf_free(&tl_pending[0]);
	buf_free(&tl_pending[1]);
}

int
translog_enabled(void)
{
	return tl_file != NULL;
}

void
translog_io(enum translog_dir dir, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i, start = 0;

	if (tl_file == NULL || n == 0)
		return;
	translog_flush_dir(!dir);
	for (i = 0; i < n; i++) {
		int end = s[i] == '\n' || (dir == TRANSLOG_HOST && s[i] == '\r');
		if (!end)
			continue;
		buf_add(&tl_pending[dir], s + start, i + 1 - start);
		translog_flush_dir(dir);
		start = i + 1;
	}
	buf_add(&tl_pending[dir], s + start, n - start);
}

void
translog_state(const char *subsys, const char *fmt, ...)
{
	va_list ap;

	if (tl_file == NULL)
		return;
	translog_flush_dir(TRANSLOG_HOST);
	translog_flush_dir(TRANSLOG_MODEM);
	translog_stamp("state");
	fprintf(tl_file, "%s ", subsys);
	va_start(ap, fmt);
	vfprintf(tl_file, fmt, ap);
	va_end(ap);
	fputc('\n', tl_file);
}
