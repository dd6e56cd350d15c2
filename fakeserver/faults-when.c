/*
 * faults-when.c: the "when" qualifiers of a fault directive (first N times,
 * connection N, after N bytes, ...).  Each is one row of fault_whens[]: its
 * name, the parser of its arguments, the field a count goes to and the
 * optional unit words that may follow ("times", "bytes").  A new qualifier
 * is a row, a field in struct fault and a test in faults_match().
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "faults-int.h"
#include "util.h"

struct fault_when_def {
	const char	*name;
	/* Parse the qualifier named at word i; the next word or -1. */
	int		(*parse)(struct fault_parse *, int i,
			    const struct fault_when_def *, struct fault *);
	size_t		 field;		/* counts: offsetof the long set */
	const char	*unit[2];	/* words that may follow, or NULL */
};

static int	fault_when_count(struct fault_parse *, int,
		    const struct fault_when_def *, struct fault *);
static int	fault_when_prob(struct fault_parse *, int,
		    const struct fault_when_def *, struct fault *);
static int	fault_when_path(struct fault_parse *, int,
		    const struct fault_when_def *, struct fault *);
static int	fault_when_after(struct fault_parse *, int,
		    const struct fault_when_def *, struct fault *);
static int	fault_when_at(struct fault_parse *, int,
		    const struct fault_when_def *, struct fault *);

static const struct fault_when_def fault_whens[] = {
	{ "first", fault_when_count, offsetof(struct fault, first),
	  { "times", "time" } },
	{ "nth", fault_when_count, offsetof(struct fault, nth), { NULL } },
	{ "request", fault_when_count, offsetof(struct fault, nth), { NULL } },
	{ "connection", fault_when_count, offsetof(struct fault, conn), { NULL } },
	{ "probability", fault_when_prob, 0, { NULL } },
	{ "path", fault_when_path, 0, { NULL } },
	{ "after", fault_when_after, 0, { "bytes", "byte" } },
	{ "at", fault_when_at, 0, { NULL } },
};

/* Skip word i if it is one of the qualifier's unit words. */
static int
fault_when_unit(const struct fault_parse *p, int i,
    const struct fault_when_def *d)
{
	size_t k;

	for (k = 0; k < nitems(d->unit) && d->unit[k] != NULL; k++)
		if (i < p->n && strcmp(p->w[i].s, d->unit[k]) == 0)
			return i + 1;
	return i;
}

/* first N [times], nth N, request N, connection N: a count from 1. */
static int
fault_when_count(struct fault_parse *p, int i, const struct fault_when_def *d,
    struct fault *f)
{
	long v;

	if (i + 1 >= p->n || parse_long(p->w[i + 1].s, 1, 1000000000, &v) == -1)
		return fault_error(p, i + 1, "\"%s\" needs a count", d->name);
	*(long *)(void *)((char *)f + d->field) = v;
	return fault_when_unit(p, i + 2, d);
}

/* probability P, 0..1. */
static int
fault_when_prob(struct fault_parse *p, int i, const struct fault_when_def *d,
    struct fault *f)
{
	const char *arg = i + 1 < p->n ? p->w[i + 1].s : NULL;
	char *end;

	if (arg == NULL)
		return fault_error(p, i + 1, "probability needs 0..1");
	f->prob = strtod(arg, &end);
	if (end == arg || *end != '\0' || !(f->prob >= 0) || f->prob > 1)
		return fault_error(p, i + 1, "probability needs 0..1");
	return i + 2;
}

/* path GLOB: not for tls, where no request exists yet. */
static int
fault_when_path(struct fault_parse *p, int i, const struct fault_when_def *d,
    struct fault *f)
{
	if (f->svc == FAULT_TLS)
		return fault_error(p, i, "path does not apply to tls "
		    "(no request yet)");
	if (i + 1 >= p->n)
		return fault_error(p, i + 1, "path needs a pattern");
	free(f->path);		/* as with every qualifier, the last wins */
	f->path = xstrdup(p->w[i + 1].s);
	return i + 2;
}

/* after N%, or after N [bytes]. */
static int
fault_when_after(struct fault_parse *p, int i, const struct fault_when_def *d,
    struct fault *f)
{
	const char *arg = i + 1 < p->n ? p->w[i + 1].s : NULL;
	size_t n = arg ? strlen(arg) : 0;

	if (n > 1 && arg[n - 1] == '%') {
		char *t = xstrndup(arg, n - 1), *end;
		f->after_pct = strtod(t, &end);
		if (end == t || *end != '\0' || !(f->after_pct >= 0) ||
		    f->after_pct > 100) {
			free(t);
			return fault_error(p, i + 1, "bad percentage");
		}
		free(t);
		return i + 2;
	}
	if (arg == NULL || fault_parse_count(arg, &f->after) == -1)
		return fault_error(p, i + 1, "after needs N bytes or N%%");
	return fault_when_unit(p, i + 2, d);
}

/* at byte K. */
static int
fault_when_at(struct fault_parse *p, int i, const struct fault_when_def *d,
    struct fault *f)
{
	if (i + 1 >= p->n || strcmp(p->w[i + 1].s, "byte") != 0 ||
	    i + 2 >= p->n || fault_parse_count(p->w[i + 2].s, &f->after) == -1)
		return fault_error(p, i + 1, "expected \"at byte K\"");
	return i + 3;
}

int
fault_when_parse(struct fault_parse *p, int i, struct fault *f)
{
	size_t k;

	for (k = 0; k < nitems(fault_whens); k++)
		if (strcmp(fault_whens[k].name, p->w[i].s) == 0)
			return fault_whens[k].parse(p, i, &fault_whens[k], f);
	return 0;
}
