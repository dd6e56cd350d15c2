/*
 * fsroot.c: root-confined path resolution for the fake servers.
 *
 * Two independent fences: the lexical one (fsroot_vpath) refuses any path
 * that even looks like traversal, and the physical one (fsroot_real) resolves
 * symlinks with realpath() and refuses a result outside the root.  Files are
 * then opened by their resolved name with O_NOFOLLOW.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fslog.h"
#include "fsroot.h"

#define FSROOT_HITS_MAX	256	/* paths counted */

struct fsroot_hits {
	struct {
		char		*vpath;
		unsigned long	 n;
	}		*v;
	size_t		 n;
};
#include "util.h"

int
fsroot_init(struct fsroot *r, const char *dir)
{
	struct stat st;
	char *real;

	real = realpath(dir, NULL);
	if (real == NULL)
		return -1;
	if (stat(real, &st) == -1 || !S_ISDIR(st.st_mode)) {
		free(real);
		errno = ENOTDIR;
		return -1;
	}
	r->real = real;
	r->len = strlen(real);
	r->hits = xcalloc(1, sizeof *r->hits);
	/* "/" as a root: keep prefix checks simple by using an empty prefix. */
	if (r->len == 1)
		r->len = 0;
	return 0;
}

void
fsroot_free(struct fsroot *r)
{
	size_t i;

	if (r->hits != NULL) {
		for (i = 0; i < r->hits->n; i++)
			free(r->hits->v[i].vpath);
		free(r->hits->v);
		free(r->hits);
		r->hits = NULL;
	}
	free(r->real);
	r->real = NULL;
	r->len = 0;
}

/* Log a refusal (fslog escapes the path) and return FSROOT_REFUSED. */
static enum fsroot_rc
fsroot_refuse(const char *who, const char *path, const char *why)
{
	fslog(FSLOG_INFO, "refused: %s \"%s\": %s", who, path, why);
	return FSROOT_REFUSED;
}

/* Why a client path is unsafe on its face, or NULL. */
static const char *
fsroot_lexical_check(const char *arg)
{
	const unsigned char *p;

	for (p = (const unsigned char *)arg; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return "control byte in path";
		if (*p == '\\')
			return "backslash in path";
		if (*p == '%' && isxdigit(p[1]) && isxdigit(p[2]))
			return "percent-encoded byte in path";
	}
	if (arg[0] == '/' && arg[1] == '/')
		return "absolute host path";
	if (arg[0] == '~')
		return "home-directory path";
	return NULL;
}

enum fsroot_rc
fsroot_vpath(const char *cwd, const char *arg, char **vpath, const char *who)
{
	struct buf out;
	const char *why, *src, *seg, *end;
	char *joined;
	size_t n;

	if ((why = fsroot_lexical_check(arg)) != NULL)
		return fsroot_refuse(who, arg, why);
	if (arg[0] == '/')
		joined = xstrdup(arg);
	else
		xasprintf(&joined, "%s/%s", cwd, arg);

	buf_init(&out);
	for (src = joined; *src != '\0'; src = end) {
		while (*src == '/')
			src++;
		seg = src;
		end = strchr(seg, '/');
		if (end == NULL)
			end = seg + strlen(seg);
		n = (size_t)(end - seg);
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			free(joined);
			buf_free(&out);
			return fsroot_refuse(who, arg, "\"..\" in path");
		}
		buf_add(&out, "/", 1);
		buf_add(&out, seg, n);
	}
	free(joined);
	if (buf_used(&out) == 0)
		buf_add(&out, "/", 1);
	if (buf_used(&out) >= PATH_MAX) {
		buf_free(&out);
		return fsroot_refuse(who, arg, "path too long");
	}
	buf_add(&out, "", 1);
	*vpath = (char *)out.data;
	return FSROOT_OK;
}

enum fsroot_rc
fsroot_real(const struct fsroot *r, const char *vpath, char **real,
    const char *who)
{
	char *joined, *res;

	if (vpath[0] != '/' || strstr(vpath, "/../") != NULL)
		fatal("fsroot_real: unnormalised path %s", vpath);
	xasprintf(&joined, "%.*s%s", (int)r->len, r->real, vpath);
	res = realpath(joined, NULL);
	free(joined);
	if (res == NULL)
		return FSROOT_NOTFOUND;
	if (strncmp(res, r->real, r->len) != 0 ||
	    (res[r->len] != '/' && res[r->len] != '\0')) {
		free(res);
		return fsroot_refuse(who, vpath, "symlink leaves the root");
	}
	*real = res;
	return FSROOT_OK;
}

enum fsroot_rc
fsroot_open(const struct fsroot *r, const char *vpath, int *fdp,
    struct stat *st, const char *who)
{
	enum fsroot_rc rc;
	char *real;
	int fd;

	if ((rc = fsroot_real(r, vpath, &real, who)) != FSROOT_OK)
		return rc;
	fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	free(real);
	if (fd == -1)
		return FSROOT_NOTFOUND;
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode)) {
		close(fd);
		return FSROOT_NOTFOUND;
	}
	*fdp = fd;
	return FSROOT_OK;
}

enum fsroot_rc
fsroot_isdir(const struct fsroot *r, const char *vpath, const char *who)
{
	enum fsroot_rc rc;
	struct stat st;
	char *real;
	int ok;

	if ((rc = fsroot_real(r, vpath, &real, who)) != FSROOT_OK)
		return rc;
	ok = stat(real, &st) == 0 && S_ISDIR(st.st_mode);
	free(real);
	return ok ? FSROOT_OK : FSROOT_NOTFOUND;
}

void
fsroot_hit(const struct fsroot *r, const char *vpath)
{
	struct fsroot_hits *h = r->hits;
	size_t i;

	for (i = 0; i < h->n; i++)
		if (strcmp(h->v[i].vpath, vpath) == 0) {
			h->v[i].n++;
			return;
		}
	/* Bounded: a client naming many paths cannot grow it for ever. */
	if (h->n == FSROOT_HITS_MAX)
		return;
	h->v = xreallocarray(h->v, h->n + 1, sizeof *h->v);
	h->v[h->n].vpath = xstrdup(vpath);
	h->v[h->n].n = 1;
	h->n++;
}

unsigned long
fsroot_hits(const struct fsroot *r, const char *vpath)
{
	size_t i;

	for (i = 0; i < r->hits->n; i++)
		if (strcmp(r->hits->v[i].vpath, vpath) == 0)
			return r->hits->v[i].n;
	return 0;
}
