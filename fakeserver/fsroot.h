/*
 * fsroot.h: the served directory.  Every path a client names is turned into
 * a normalised virtual path ("/dir/file") and then into a real path that is
 * proven to lie inside the root.  Anything else is refused and logged.
 */
#ifndef FOTASIM_FSROOT_H
#define FOTASIM_FSROOT_H

#include <sys/stat.h>

struct fsroot_hits;

struct fsroot {
	char	*real;		/* realpath of the root, no trailing slash */
	size_t	 len;
	struct fsroot_hits *hits;	/* download requests per path */
};

enum fsroot_rc {
	FSROOT_OK = 0,
	FSROOT_REFUSED,		/* traversal or other unsafe path; logged */
	FSROOT_NOTFOUND,	/* no such file, or not the expected kind */
};

/* Resolve the root directory; returns 0 or -1 with errno. */
int	fsroot_init(struct fsroot *, const char *dir);
/* Release the root. */
void	fsroot_free(struct fsroot *);
/*
 * Combine a virtual working directory and a client path into a normalised
 * virtual path; refuses "..", encoded bytes, control bytes, backslashes and
 * "//" (an absolute host path).  `who` prefixes the refusal log line.
 */
enum fsroot_rc fsroot_vpath(const char *cwd, const char *arg, char **vpath,
	    const char *who);
/* Map a virtual path to a real path inside the root (symlinks resolved). */
enum fsroot_rc fsroot_real(const struct fsroot *, const char *vpath,
	    char **real, const char *who);
/* Open a regular file named by a virtual path; fills st. */
enum fsroot_rc fsroot_open(const struct fsroot *, const char *vpath, int *fd,
	    struct stat *st, const char *who);
/*
 * Count a download request (HTTP GET, FTP RETR) for a virtual path,
 * whatever it is answered; fsroot_hits says how many a path had.
 */
void	fsroot_hit(const struct fsroot *, const char *vpath);
unsigned long fsroot_hits(const struct fsroot *, const char *vpath);
/* Check that a virtual path names a directory inside the root. */
enum fsroot_rc fsroot_isdir(const struct fsroot *, const char *vpath,
	    const char *who);

#endif
