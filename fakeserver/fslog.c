/*
 * fslog.c: the fake servers' log.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fslog.h"
#include "util.h"

static enum fslog_level	 fslog_level = FSLOG_INFO;
static fslog_fn		 fslog_sink;
static void		*fslog_sink_arg;

void
fslog_set_level(enum fslog_level level)
{
	fslog_level = level;
}

void
fslog_set_sink(fslog_fn fn, void *arg)
{
	fslog_sink = fn;
	fslog_sink_arg = arg;
}

int
fslog_enabled(enum fslog_level level)
{
	return level <= fslog_level;
}

/*
 * Log lines carry what clients sent (paths, commands, user names), so the
 * whole line is escaped here, once, the way the transcript escapes bytes:
 * a client cannot end a line early and forge the next one ("applying: ...")
 * whatever it puts in a request.
 */
void
fslog(enum fslog_level level, const char *fmt, ...)
{
	va_list ap;
	struct buf esc;
	char *line;

	if (!fslog_enabled(level))
		return;
	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		fatal("out of memory in fslog");
	va_end(ap);
	buf_init(&esc);
	buf_add_escaped(&esc, line, strlen(line));
	buf_add(&esc, "", 1);
	free(line);
	line = (char *)buf_head(&esc);
	if (fslog_sink != NULL)
		fslog_sink(level, line, fslog_sink_arg);
	else {
		fprintf(stderr, "fakeserver: %s\n", line);
		fflush(stderr);
	}
	buf_free(&esc);
}
