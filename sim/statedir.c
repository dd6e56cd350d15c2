/*
 * statedir.c: create, lock and (for temporary ones) remove state dirs.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "statedir.h"
#include "util.h"

/* mkdir -p for one path; returns 0 or -1. */
static int
statedir_mkdirs(const char *path)
{
	char *p = xstrdup(path), *s;
	int rc = 0;

	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (mkdir(p, 0755) != 0 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

int
statedir_open(struct statedir *sd, const char *path, char *err, size_t errlen)
{
	struct stat st;
	char *lock;

	memset(sd, 0, sizeof *sd);
	sd->lockfd = -1;
	if (path == NULL) {
		const char *tmp = getenv("TMPDIR");
		xasprintf(&sd->path, "%s/fotasim.XXXXXX", tmp ? tmp : "/tmp");
		if (mkdtemp(sd->path) == NULL) {
			snprintf(err, errlen, "%s: %s", sd->path, strerror(errno));
			goto fail;
		}
		sd->temporary = 1;
	} else {
		sd->path = xstrdup(path);
		if (statedir_mkdirs(path) != 0 || stat(path, &st) != 0 ||
		    !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s: cannot create state dir: %s",
			    path, strerror(errno ? errno : ENOTDIR));
			goto fail;
		}
	}
	xasprintf(&lock, "%s/lock", sd->path);
	sd->lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	free(lock);
	if (sd->lockfd == -1) {
		snprintf(err, errlen, "%s: %s", sd->path, strerror(errno));
		goto fail;
	}
	if (flock(sd->lockfd, LOCK_EX | LOCK_NB) != 0) {
		snprintf(err, errlen, "%s: state dir in use by another fotasim",
		    sd->path);
		goto fail;
	}
	return 0;
fail:
	statedir_close(sd);
	return -1;
}

/* Remove a directory the modem made, and what it holds, `depth` levels
 * down at most (the state dir holds files and tls/). */
static void
statedir_remove(const char *path, int depth)
{
	DIR *d;
	struct dirent *de;
	char *f;

	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		xasprintf(&f, "%s/%s", path, de->d_name);
		if (unlink(f) != 0 && errno == EISDIR && depth > 0)
			statedir_remove(f, depth - 1);
		free(f);
	}
	closedir(d);
	rmdir(path);
}

void
statedir_close(struct statedir *sd)
{
	if (sd->lockfd != -1)
		close(sd->lockfd);
	sd->lockfd = -1;
	if (sd->temporary && sd->path != NULL)
		statedir_remove(sd->path, 1);
	free(sd->path);
	sd->path = NULL;
}
