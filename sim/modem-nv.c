/*
 * modem-nv.c: the saved profile (AT&W) and persistent QCFG settings.
 *
 * They live in "nvram" in the state dir as "key value" lines.  A save writes
 * a temporary file, syncs it and renames it over the old one, so a power cut
 * leaves either the old profile or the new one, never a mix.  A missing or
 * damaged file means factory defaults.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modem.h"
#include "translog.h"

struct modem_nv_key {
	const char	*key;
	size_t		 off;
	long		 min, max;
	int		 byte;		/* stored in an unsigned char */
};

#define NVI(k, f, lo, hi) { k, offsetof(struct modem_nv, f), lo, hi, 0 }
#define NVB(k, f, lo, hi) { k, offsetof(struct modem_nv, f), lo, hi, 1 }
static const struct modem_nv_key modem_nv_keys[] = {
	NVI("echo", at.echo, 0, 1),
	NVI("verbose", at.verbose, 0, 1),
	NVI("quiet", at.quiet, 0, 1),
	NVI("cmee", at.cmee, 0, 2),
	NVI("s0", at.s0, 0, 255),
	NVB("s3", at.s3, 0, 127),
	NVB("s4", at.s4, 0, 127),
	NVB("s5", at.s5, 0, 127),
	NVI("ifc_dce", ifc_dce, 0, 2),
	NVI("ifc_dte", ifc_dte, 0, 2),
	NVI("usbifc_dce", usbifc_dce, 0, 2),
	NVI("usbifc_dte", usbifc_dte, 0, 2),
};
#undef NVI
#undef NVB

/* Factory defaults (AT&F and a fresh state dir). */
static void
modem_nv_default(struct modem_nv *nv)
{
	memset(nv, 0, sizeof *nv);
	at_settings_default(&nv->at);
}

/* Path of the nvram file, or NULL without a state dir. */
static char *
modem_nv_path(const struct modem *m, const char *suffix)
{
	char *path;

	if (m->cfg.state_dir == NULL)
		return NULL;
	xasprintf(&path, "%s/nvram%s", m->cfg.state_dir, suffix);
	return path;
}

/* Store one value through its key description. */
static void
modem_nv_set(struct modem_nv *nv, const struct modem_nv_key *k, long v)
{
	char *p = (char *)nv + k->off;

	if (k->byte)
		*(unsigned char *)p = (unsigned char)v;
	else
		*(int *)p = (int)v;
}

/* Fetch one value through its key description. */
static long
modem_nv_get(const struct modem_nv *nv, const struct modem_nv_key *k)
{
	const char *p = (const char *)nv + k->off;

	return k->byte ? *(const unsigned char *)p : *(const int *)p;
}

void
modem_nv_load(struct modem *m)
{
	char *path = modem_nv_path(m, "");
	char line[128], key[32];
	struct modem_nv nv;
	FILE *f;
	size_t i;
	long v;
	int lineno = 0;

	modem_nv_default(&m->nv);
	if (path == NULL || (f = fopen(path, "re")) == NULL) {
		free(path);
		return;
	}
	nv = m->nv;
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		if (sscanf(line, "%31s %ld", key, &v) != 2)
			goto bad;
		for (i = 0; i < nitems(modem_nv_keys); i++)
			if (strcmp(modem_nv_keys[i].key, key) == 0)
				break;
		if (i == nitems(modem_nv_keys) || v < modem_nv_keys[i].min ||
		    v > modem_nv_keys[i].max)
			goto bad;
		modem_nv_set(&nv, &modem_nv_keys[i], v);
	}
	m->nv = nv;
	fclose(f);
	free(path);
	return;
bad:
	warnx_("%s:%d: damaged profile, using factory defaults", path, lineno);
	translog_state("nv", "damaged profile at line %d: factory defaults",
	    lineno);
	fclose(f);
	free(path);
}

int
modem_nv_save(struct modem *m)
{
	char *path = modem_nv_path(m, ""), *tmp = modem_nv_path(m, ".tmp");
	FILE *f;
	size_t i;
	int rc = -1;

	if (path == NULL)
		return 0;	/* no state dir: the profile lives in RAM */
	if ((f = fopen(tmp, "we")) == NULL)
		goto out;
	for (i = 0; i < nitems(modem_nv_keys); i++)
		fprintf(f, "%s %ld\n", modem_nv_keys[i].key,
		    modem_nv_get(&m->nv, &modem_nv_keys[i]));
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		fclose(f);
		goto out;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		goto out;
	translog_state("nv", "profile saved");
	rc = 0;
out:
	if (rc != 0)
		unlink(tmp);
	free(path);
	free(tmp);
	return rc;
}
