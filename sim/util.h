/*
 * util.h: allocation that cannot fail, fatal(), a growable byte buffer and
 * small helpers shared by every program.
 */
#ifndef FOTASIM_UTIL_H
#define FOTASIM_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#define nitems(a) (sizeof (a) / sizeof (a)[0])

/* Report a broken invariant and abort; never returns. */
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Print "prog: message" to stderr. */
void	warnx_(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Set the program name used by warnx_ and fatal. */
void	util_set_progname(const char *);

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...) __attribute__((format(printf, 2, 3)));

/* A growable byte buffer with a read offset. */
struct buf {
	unsigned char	*data;
	size_t		 off;		/* first unread byte */
	size_t		 len;		/* end of data */
	size_t		 cap;
};

void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addf(struct buf *, const char *, ...) __attribute__((format(printf, 2, 3)));
void	 buf_addstr(struct buf *, const char *);
/* Bytes waiting to be consumed. */
size_t	 buf_used(const struct buf *);
/* Pointer to the first unconsumed byte. */
unsigned char *buf_head(const struct buf *);
/* Consume n bytes from the head. */
void	 buf_drain(struct buf *, size_t);
void	 buf_reset(struct buf *);

/* Copy a string, truncating to fit `size` (which includes the NUL). */
size_t	 str_copy(char *, const char *, size_t);
/* Parse a whole decimal integer in [min, max]; returns 0 or -1. */
int	 parse_long(const char *, long, long, long *);
/* Parse a whole number (strtod) in [min, max]; returns 0 or -1. */
int	 parse_double(const char *, double, double, double *);
/*
 * "KEY=VALUE[,KEY=VALUE...]": call fn for each pair; 0, or -1 at the first
 * pair without '=' or that fn refuses (fn returns nonzero).
 */
int	 parse_pairs(const char *, int (*fn)(void *, const char *key,
	    const char *value), void *arg);
/* Parse a size with optional k/M/G suffix (powers of 1024); 0 or -1. */
int	 parse_size(const char *, unsigned long long *);
/* Make the fd non-blocking and close-on-exec; returns 0 or -1. */
int	 fd_set_nonblock(int);
/* Escape bytes as C-like text (\r, \n, \xNN) into buf. */
void	 buf_add_escaped(struct buf *, const void *, size_t);

#endif
