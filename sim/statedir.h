/*
 * statedir.h: the state directory, where everything that survives power
 * loss lives.  One modem owns it at a time (an flock on "lock").
 */
#ifndef FOTASIM_STATEDIR_H
#define FOTASIM_STATEDIR_H

#include <stddef.h>

struct statedir {
	char	*path;
	int	 lockfd;
	int	 temporary;	/* made by us; removed at orderly exit */
};

/* Create (if needed) and lock `path`, or a temporary dir if NULL. */
int	statedir_open(struct statedir *, const char *path, char *err, size_t errlen);
/* Unlock; a temporary dir is removed with its contents. */
void	statedir_close(struct statedir *);

#endif
