/*
 * translog.h: the transcript (--log FILE).  Every byte crossing the AT port
 * and every state change, stamped with simulated and wall time.  The format
 * is documented in docs/transcript.md; later tools replay it.
 */
#ifndef FOTASIM_TRANSLOG_H
#define FOTASIM_TRANSLOG_H

#include <stddef.h>

enum translog_dir {
	TRANSLOG_HOST,		/* host -> modem, "h>m" */
	TRANSLOG_MODEM,		/* modem -> host, "m>h" */
};

/* Open (append) the transcript file; returns 0 or -1 with errno. */
int	translog_open(const char *path);
/* Flush partial lines and close the transcript. */
void	translog_close(void);
/* Whether a transcript is being written. */
int	translog_enabled(void);
/* Record bytes crossing the port; split into one record per line. */
void	translog_io(enum translog_dir, const void *, size_t);
/* Record a state change or event: "<subsystem> <what>". */
void	translog_state(const char *subsys, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
