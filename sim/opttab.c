/*
 * opttab.c: option tables: getopt_long's arrays, --help and opt_set() made
 * from one row per option.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opttab.h"
#include "util.h"

/* getopt_long's value for a row without a short letter. */
#define OPT_VAL_BASE	0x100

const struct opt *
opt_find(const struct opt_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nopts; i++)
		if (strcmp(t->opts[i].name, name) == 0)
			return &t->opts[i];
	return NULL;
}

/* Run one row: its setter, or print the help or version text. */
static int
opt_apply(const struct opt_table *t, const struct opt *o, void *ctx,
    const char *value, char *err, size_t errlen)
{
	if (o->flags & OPT_HELP) {
		opt_usage(t, stdout);
		return OPT_DONE;
	}
	if (o->flags & OPT_VERSION) {
		printf("%s\n", t->version);
		return OPT_DONE;
	}
	return o->set(ctx, o, value, err, errlen);
}

int
opt_set(const struct opt_table *t, void *ctx, const char *name,
    const char *value, char *err, size_t errlen)
{
	const struct opt *o = opt_find(t, name);

	if (o == NULL) {
		snprintf(err, errlen, "unknown option \"%s\"", name);
		return -1;
	}
	if (o->flags & (OPT_CLI | OPT_HELP | OPT_VERSION)) {
		snprintf(err, errlen, "--%s: only on the command line", name);
		return -1;
	}
	if (o->arg != NULL && value == NULL) {
		snprintf(err, errlen, "--%s needs a value (%s)", name, o->arg);
		return -1;
	}
	if (o->arg == NULL && value != NULL) {
		snprintf(err, errlen, "--%s takes no value", name);
		return -1;
	}
	return opt_apply(t, o, ctx, value, err, errlen) == -1 ? -1 : 0;
}

/* The row getopt_long answered with c, or NULL for an error. */
static const struct opt *
opt_by_val(const struct opt_table *t, int c)
{
	size_t i;

	if (c >= OPT_VAL_BASE && (size_t)(c - OPT_VAL_BASE) < t->nopts)
		return &t->opts[c - OPT_VAL_BASE];
	for (i = 0; i < t->nopts && c != '?' && c != ':'; i++)
		if (t->opts[i].letter == c)
			return &t->opts[i];
	return NULL;
}

int
opt_parse(const struct opt_table *t, void *ctx, int argc, char **argv,
    char *err, size_t errlen)
{
	struct option *lo = xcalloc(t->nopts + 1, sizeof *lo);
	char *shorts = xcalloc(2 * t->nopts + 1, 1), *p = shorts;
	const struct opt *o;
	size_t i;
	int c, rc = 0;

	err[0] = '\0';
	for (i = 0; i < t->nopts; i++) {
		o = &t->opts[i];
		lo[i].name = o->name;
		lo[i].has_arg = o->arg != NULL ? required_argument : no_argument;
		lo[i].val = o->letter != 0 ? o->letter : OPT_VAL_BASE + (int)i;
		if (o->letter != 0) {
			*p++ = (char)o->letter;
			if (o->arg != NULL)
				*p++ = ':';
		}
	}
	optind = 0;		/* glibc: also resets getopt's inner state */
	while (rc == 0 && (c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		if ((o = opt_by_val(t, c)) == NULL)
			rc = -1;
		else
			rc = opt_apply(t, o, ctx, optarg, err, errlen);
	}
	free(lo);
	free(shorts);
	if (rc == OPT_DONE)
		return 0;
	return rc == -1 ? -1 : optind;
}

int
opt_parse_status(const struct opt_table *t, int rc, const char *err)
{
	if (rc == 0)
		return 0;
	if (err[0] != '\0')
		warnx_("%s", err);
	else
		opt_usage(t, stderr);
	return 2;
}

/* Write a row's "-x, --name ARG" into out; returns its length. */
static int
opt_label(const struct opt *o, int lettered, char *out, size_t len)
{
	char letter[8] = "";

	if (o->letter != 0)
		snprintf(letter, sizeof letter, "-%c, ", o->letter);
	else if (lettered)
		snprintf(letter, sizeof letter, "    ");
	return snprintf(out, len, "%s--%s%s%s", letter, o->name,
	    o->arg != NULL ? " " : "", o->arg != NULL ? o->arg : "");
}

void
opt_usage(const struct opt_table *t, FILE *f)
{
	char label[128];
	const char *h, *nl;
	int width = 0, lettered = 0, n;
	size_t i;

	for (i = 0; i < t->nopts; i++)
		lettered |= t->opts[i].letter != 0;
	for (i = 0; i < t->nopts; i++)
		if ((n = opt_label(&t->opts[i], lettered, label, sizeof label)) >
		    width)
			width = n;
	fputs(t->usage, f);
	for (i = 0; i < t->nopts; i++) {
		opt_label(&t->opts[i], lettered, label, sizeof label);
		fprintf(f, "  %-*s  ", width, label);
		for (h = t->opts[i].help; (nl = strchr(h, '\n')) != NULL; h = nl + 1)
			fprintf(f, "%.*s\n%*s", (int)(nl - h), h, width + 4, "");
		fprintf(f, "%s\n", h);
	}
	if (t->footer != NULL)
		fputs(t->footer, f);
}
