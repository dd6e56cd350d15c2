/*
 * translog.h: the transcript (--log FILE).  Every byte crossing the AT port
 * and every state change of one modem, stamped with simulated and wall time.  The format
 * is documented in docs/transcript.md; later tools replay it.
 */
#ifndef FOTASIM_TRANSLOG_H
#define FOTASIM_TRANSLOG_H

#include <stddef.h>

enum translog_dir {
	TRANSLOG_HOST,		/* host -> modem, "h>m" */
	TRANSLOG_MODEM,		/* modem -> host, "m>h" */
	TRANSLOG_HOST2,		/* ... on the second AT interface, "h2>m" */
	TRANSLOG_MODEM2,	/* "m>h2" */
	TRANSLOG_NDIR
};

struct clock;
struct translog;

/*
 * Open (append) a transcript file stamped with `clock`'s simulated time;
 * NULL with errno on failure.
 */
struct translog	*translog_open(const char *path, struct clock *);
/* Flush partial lines, close and free the transcript (NULL ok). */
void	translog_close(struct translog *);
/* Record bytes crossing the port; split into one record per line. */
void	translog_io(struct translog *, enum translog_dir, const void *, size_t);
/* Record a state change or event: "<subsystem> <what>". */
void	translog_state(struct translog *, const char *subsys, const char *fmt,
	    ...) __attribute__((format(printf, 3, 4)));

#endif
