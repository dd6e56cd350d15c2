/*
 * scn-convert.h: a captured log (fotasim's transcript, a timestamped or a
 * plain serial capture) turned into a scenario (docs/replay.md).
 *
 * cv_convert() reads the log into the host's commands, the modem's lines
 * and the state records it knows, and writes a scenario: the [host] steps
 * with the waits of the log, every modem line as an expect, the FOTA URCs
 * and the final revision as [expect].  With `setup` (fotasim-run
 * --record) the [modem], [network], [servers] and [timeline] text is the
 * caller's, carried over from the recorded scenario; without it they are
 * inferred from the log, with a "# TODO" comment where the log does not
 * say (a failed download's cause in a field capture).
 */
#ifndef FOTASIM_SCN_CONVERT_H
#define FOTASIM_SCN_CONVERT_H

#include <stddef.h>

#include "util.h"

enum cv_format {
	CV_FOTASIM,		/* docs/transcript.md */
	CV_TIMESTAMPED,		/* "[HH:MM:SS.mmm] line" (tio -t) */
	CV_PLAIN,		/* the bytes, no times (picocom --logfile) */
	CV_MINICOM,		/* "[YYYY-MM-DD HH:MM:SS[.mmm]] line" (minicom
				   -O timestamp=simple|extended -C FILE) */
};

struct cv_opts {
	enum cv_format	 format;
	const char	*setup;		/* carried sections, or NULL: infer */
	const char	*header;	/* a comment's text for the top, or NULL */
	const char *const *send_files;	/* --record: the [host]'s send-file
					   paths, in order */
	size_t		 nsend_files;
};

/* A format's name ("fotasim", "timestamped", "plain", "minicom"); 0 or
 * -1. */
int	cv_format_parse(const char *, enum cv_format *);

/*
 * Convert the log `text` (len bytes; `name` stands for it in messages) and
 * append the scenario to out: 0, or -1 with *err ("name:line: what",
 * caller frees) and out unchanged in meaning.
 */
int	cv_convert(const char *name, const char *text, size_t len,
	    const struct cv_opts *, struct buf *out, char **err);

#endif
