/*
 * faults.c: matching fault directives to events, and the seeded generator.
 */
#include "config.h"

#include <fnmatch.h>
#include <string.h>
#include <strings.h>

#include "faults.h"
#include "fslog.h"
#include "util.h"

/* The next number from the seeded generator (splitmix64). */
static uint64_t
faults_next(struct faults *fs)
{
	uint64_t z = (fs->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
faults_random(struct faults *fs, void *out, size_t n)
{
	unsigned char *p = out;
	uint64_t r = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i % 8 == 0)
			r = faults_next(fs);
		p[i] = (unsigned char)(r >> (8 * (i % 8)));
	}
}

size_t
faults_garbage(struct faults *fs, const struct fault *f, void *buf)
{
	if (f->count < 1 || f->count > FAULT_GARBAGE_MAX)
		fatal("faults_garbage: %lld bytes", f->count);
	faults_random(fs, buf, (size_t)f->count);
	return (size_t)f->count;
}

void
fault_pace_init(struct fault_pace *p)
{
	p->t0 = -1;
	p->owed = 0;
}

size_t
fault_pace(struct fault_pace *p, double rate, double now,
    unsigned long long sent, size_t want, double *wait)
{
	double slice = rate / 20, ahead;
	size_t need, n;

	if (p->t0 < 0)
		p->t0 = now;
	if (p->owed > 0) {
		/*
		 * The pause was for these bytes.  Recomputing them from the
		 * clock could come out a hair short and ask for a pause too
		 * short for the clock to advance: a loop without progress.
		 */
		n = p->owed < want ? p->owed : want;
		p->owed = 0;
		return n;
	}
	if (slice < 1)
		slice = 1;
	else if (slice > 65536)
		slice = 65536;
	need = (size_t)slice < want ? (size_t)slice : want;
	ahead = rate * (now - p->t0) - (double)sent;
	if (ahead >= (double)need)
		return ahead < (double)want ? (size_t)ahead : want;
	*wait = ((double)need - (ahead > 0 ? ahead : 0)) / rate;
	p->owed = need;
	return 0;
}

/* Whether a directive's place matches this event. */
static int
fault_where_matches(const struct fault *f, enum fault_service svc,
    const char *where)
{
	switch (svc) {
	case FAULT_FTP:
		if (strcmp(f->where, "*") != 0)
			return strcasecmp(f->where, where) == 0;
		return !faults_is_ftp_place(where);
	case FAULT_HTTP:
	case FAULT_TLS:
		return fnmatch(f->where, where, 0) == 0;
	}
	return 0;
}

/* Whether a directive's "path" qualifier matches an argument. */
static int
fault_path_matches(const struct fault *f, const char *arg)
{
	const char *base;

	if (f->path == NULL)
		return 1;
	if (arg == NULL)
		return 0;
	base = strrchr(arg, '/');
	return fnmatch(f->path, arg, 0) == 0 ||
	    (base != NULL && fnmatch(f->path, base + 1, 0) == 0);
}

const struct fault *
faults_match(struct faults *fs, enum fault_service svc, const char *where,
    const char *arg, unsigned long conn)
{
	struct fault *f, *chosen = NULL;
	size_t i;

	for (i = 0; i < fs->n; i++) {
		f = &fs->v[i];
		if (f->off || f->svc != svc || !fault_where_matches(f, svc, where) ||
		    !fault_path_matches(f, arg) ||
		    (f->conn != 0 && (unsigned long)f->conn != conn))
			continue;
		/* Every directive counts the event, even after one applied. */
		f->seen++;
		if (chosen != NULL)
			continue;
		if (f->nth != 0 && f->seen != (unsigned long)f->nth)
			continue;
		if (f->first != 0 && f->seen > (unsigned long)f->first)
			continue;
		if (f->prob < 1 &&
		    (double)(faults_next(fs) >> 11) / 9007199254740992.0 >= f->prob)
			continue;
		chosen = f;
	}
	if (chosen != NULL)
		fslog(FSLOG_INFO, "applying: %s:%d: %s", chosen->file,
		    chosen->line, chosen->source);
	return chosen;
}

long long
fault_position(const struct fault *f, long long size)
{
	if (f->after >= 0)
		return f->after;
	if (f->after_pct >= 0)
		return (long long)((double)size * f->after_pct / 100.0);
	return -1;
}
