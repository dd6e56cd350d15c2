/*
 * faults-int.h: the fault directive parser's internals, shared by
 * faults-lex.c (words, errors at file:line:col, value syntax), faults-when.c
 * (the "when" qualifier table) and faults-parse.c (lines, places and the
 * action table).  docs/internals/fault-directives.md describes the parse.
 */
#ifndef FOTASIM_FAULTS_INT_H
#define FOTASIM_FAULTS_INT_H

#include "faults.h"

#define FAULT_WORDS_MAX	32

struct fault_word {
	char	*s;
	int	 col;		/* 1-based column in the line */
};

/* One line being parsed: where it is, its words, the first error. */
struct fault_parse {
	const char		*file;
	int			 line;
	struct fault_word	 w[FAULT_WORDS_MAX];
	int			 n;
	const char		*text;	/* the line, for "rest of line" arguments */
	char			*err;
};

/* Record "file:line:col: message" at word i (past the last word when i is
 * out of range, column 1 on an empty line); returns -1. */
int	fault_error(struct fault_parse *, int i, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* The same at a column, for an error that is not about a word; -1. */
int	fault_error_at(struct fault_parse *, int col, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Check that the n bytes of a line can be in a directive file: printable
 * ASCII, tab, CR and well-formed UTF-8.  0, or -1 with the error at the
 * column of the first byte that cannot. */
int	fault_check_bytes(struct fault_parse *, const char *line, size_t n);
/* Split a line into words in place; '#' starts a comment.  0 or -1. */
int	fault_split(struct fault_parse *, char *line);
/* A duration "250ms", "3s", "2m", "1h" (bare numbers are seconds). */
int	fault_parse_time(const char *, double *);
/* A rate "5kB/s", "5k", "100B/s" in bytes per second. */
int	fault_parse_rate(const char *, double *);
/* A non-negative count with an optional k/M/G suffix. */
int	fault_parse_count(const char *, long long *);

/* Parse the qualifier at word i: the next word, -1 on error (reported),
 * 0 if word i names no qualifier. */
int	fault_when_parse(struct fault_parse *, int i, struct fault *);

#endif
