/*
 * fslog.h: the fake servers' log.  One line per event on stderr (or a
 * callback chosen by the embedding program), prefixed "fakeserver: ".
 */
#ifndef FOTASIM_FSLOG_H
#define FOTASIM_FSLOG_H

#include <stdarg.h>

enum fslog_level {
	FSLOG_ERROR,		/* the server cannot do what it was asked */
	FSLOG_INFO,		/* refusals, applied faults, bound ports */
	FSLOG_DEBUG,		/* state transitions, commands */
};

typedef void (*fslog_fn)(enum fslog_level, const char *line, void *arg);

/* Choose the most verbose level that is printed (default FSLOG_INFO). */
void	fslog_set_level(enum fslog_level);
/* Send log lines to fn instead of stderr (NULL restores stderr). */
void	fslog_set_sink(fslog_fn fn, void *arg);
/* Whether a line at this level would be printed. */
int	fslog_enabled(enum fslog_level);
/* Log one line; every byte below 0x20 or from 0x7f, and the backslash,
 * is escaped (\r \n \t \\ \xNN), so the line stays one line. */
void	fslog(enum fslog_level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
