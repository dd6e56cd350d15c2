/*
 * fotasim-run: run self-contained scenarios (with a [host] section) at top
 * speed, for CI.
 *
 *   fotasim-run [--jobs N] [--shard K/N] [--seed N] [--junit FILE]
 *       [--json FILE] [--keep DIR] [--timeout S] [--fotasim PATH] FILE|DIR...
 *   fotasim-run --record OUT.scn [options] FILE
 *   fotasim-run --convert LOG [--format fotasim|timestamped|plain] [-o OUT]
 *
 * Each scenario is one `fotasim --scenario FILE --speed max` process with
 * its own pty, state dir and transcript; up to --jobs of them run at once.
 * One line per scenario, then "N passed, N failed".  A failed scenario's
 * report (the host's failing step, the URC diff, ...) is printed under its
 * line, and its transcript and report are kept in --keep DIR.  Exit 0 only
 * if every scenario passed; 2 on a bad command line or no scenario.
 *
 * --record runs one scenario and writes what happened as a scenario that
 * replays it; --convert turns a captured log into a scenario skeleton
 * (tools/scn-convert.c, docs/replay.md).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "opttab.h"
#include "scenario/scenario.h"
#include "scn-convert.h"
#include "util.h"

#define RUN_JOBS_MAX	64

struct run_opts {
	long		 jobs;
	long		 shard_k, shard_n;	/* 1-based K of N; N 0: all */
	const char	*seed;
	const char	*junit;
	const char	*json;
	const char	*keep;
	double		 timeout;	/* wall seconds per scenario */
	const char	*fotasim;
	const char	*record;	/* --record OUT.scn */
	const char	*convert;	/* --convert LOG */
	const char	*format;
	const char	*output;	/* -o */
};

struct run_item {
	char		*path;
	char		*dir;		/* its private temporary directory */
	pid_t		 pid;
	double		 start, secs;
	int		 done;
	int		 pass;
	int		 timed_out;
	char		*report;	/* fotasim's stderr */
	char		*transcript;	/* --record: the run's transcript */
};

enum { RUN_OPT_JOBS, RUN_OPT_SHARD, RUN_OPT_SEED, RUN_OPT_JUNIT,
	RUN_OPT_JSON, RUN_OPT_KEEP, RUN_OPT_TIMEOUT, RUN_OPT_FOTASIM,
	RUN_OPT_RECORD, RUN_OPT_CONVERT, RUN_OPT_FORMAT, RUN_OPT_OUTPUT };

static double
run_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
run_opt(void *ctx, const struct opt *o, const char *v, char *err,
    size_t errlen)
{
	struct run_opts *r = ctx;
	char *end;
	long k, n;

	switch (o->key) {
	case RUN_OPT_JOBS:
		if (parse_long(v, 1, RUN_JOBS_MAX, &r->jobs) != 0) {
			snprintf(err, errlen, "--jobs: expected 1 to %d, not "
			    "'%s'", RUN_JOBS_MAX, v);
			return -1;
		}
		return 0;
	case RUN_OPT_SHARD:
		k = strtol(v, &end, 10);
		n = *end == '/' ? strtol(end + 1, &end, 10) : 0;
		if (*v < '1' || *v > '9' || *end != '\0' || n < 1 || k < 1 ||
		    k > n) {
			snprintf(err, errlen, "--shard: expected K/N with 1 <= K "
			    "<= N, not '%s'", v);
			return -1;
		}
		r->shard_k = k;
		r->shard_n = n;
		return 0;
	case RUN_OPT_SEED:
		if (*v < '0' || *v > '9' || (strtoull(v, &end, 10), *end) !=
		    '\0') {
			snprintf(err, errlen, "--seed: expected a number, not "
			    "'%s'", v);
			return -1;
		}
		r->seed = v;
		return 0;
	case RUN_OPT_JUNIT: r->junit = v; return 0;
	case RUN_OPT_JSON: r->json = v; return 0;
	case RUN_OPT_KEEP: r->keep = v; return 0;
	case RUN_OPT_FOTASIM: r->fotasim = v; return 0;
	case RUN_OPT_RECORD: r->record = v; return 0;
	case RUN_OPT_CONVERT: r->convert = v; return 0;
	case RUN_OPT_OUTPUT: r->output = v; return 0;
	case RUN_OPT_FORMAT: {
		enum cv_format f;

		if (cv_format_parse(v, &f) != 0) {
			snprintf(err, errlen, "--format: expected fotasim, "
			    "timestamped, minicom or plain, not '%s'", v);
			return -1;
		}
		r->format = v;
		return 0;
	}
	case RUN_OPT_TIMEOUT:
		r->timeout = strtod(v, &end);
		if (end == v || *end != '\0' || !(r->timeout > 0)) {
			snprintf(err, errlen, "--timeout: expected wall seconds, "
			    "not '%s'", v);
			return -1;
		}
		return 0;
	}
	return -1;
}

static const struct opt run_opttab_rows[] = {
	{ "jobs", 'j', "N", "run N scenarios at once (default 1)", run_opt,
	  RUN_OPT_JOBS, 0 },
	{ "shard", 0, "K/N", "run only the Kth of N shares of the sorted list",
	  run_opt, RUN_OPT_SHARD, 0 },
	{ "seed", 0, "N", "seed every scenario with N instead of its own",
	  run_opt, RUN_OPT_SEED, 0 },
	{ "junit", 0, "FILE", "write a JUnit XML report", run_opt,
	  RUN_OPT_JUNIT, 0 },
	{ "json", 0, "FILE", "write a JSON report", run_opt, RUN_OPT_JSON, 0 },
	{ "keep", 0, "DIR", "keep failed scenarios' transcripts and reports "
	  "in DIR\n(default: a new fotasim-run-* dir in $TMPDIR)", run_opt,
	  RUN_OPT_KEEP, 0 },
	{ "timeout", 0, "S", "wall seconds a scenario may take (default 120)",
	  run_opt, RUN_OPT_TIMEOUT, 0 },
	{ "fotasim", 0, "PATH", "the fotasim to run (default: the one next to\n"
	  "fotasim-run, else fotasim in $PATH)", run_opt, RUN_OPT_FOTASIM, 0 },
	{ "record", 0, "OUT.scn", "run one scenario and write what happened as a\n"
	  "scenario that replays it", run_opt, RUN_OPT_RECORD, 0 },
	{ "convert", 0, "LOG", "turn a captured log into a scenario skeleton\n"
	  "(docs/replay.md); no scenario is run", run_opt, RUN_OPT_CONVERT, 0 },
	{ "format", 0, "F", "--convert's log: fotasim (a --log transcript,\n"
	  "the default), timestamped ([HH:MM:SS.mmm] lines),\nminicom "
	  "(-O timestamp=simple|extended) or plain\n(no times: picocom "
	  "--logfile)", run_opt, RUN_OPT_FORMAT, 0 },
	{ "output", 'o', "FILE", "--convert writes the scenario here (default: "
	  "stdout)", run_opt, RUN_OPT_OUTPUT, 0 },
	{ "help", 'h', NULL, "print this help and exit", NULL, 0, OPT_HELP },
	{ "version", 0, NULL, "print the version and exit", NULL, 0,
	  OPT_VERSION },
};

static const struct opt_table run_opttab = {
	.usage = "usage: fotasim-run [options] FILE|DIR...\n"
	    "       fotasim-run --record OUT.scn [options] FILE\n"
	    "       fotasim-run --convert LOG [--format F] [-o OUT.scn]\n"
	    "Run self-contained scenarios (docs/scenario-format.md); a DIR is\n"
	    "searched for *.scn files.\n",
	.opts = run_opttab_rows,
	.nopts = nitems(run_opttab_rows),
	.version = "fotasim-run " PACKAGE_VERSION,
};

static char	**run_paths;
static int	 run_keep_transcript;	/* --record */
static size_t	 run_npaths;

static void
run_add(const char *path)
{
	run_paths = xreallocarray(run_paths, run_npaths + 1, sizeof *run_paths);
	run_paths[run_npaths++] = xstrdup(path);
}

static int
run_walk_cb(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	size_t n = strlen(path);

	(void)st; (void)ftw;
	if (flag == FTW_F && n > 4 && strcmp(path + n - 4, ".scn") == 0)
		run_add(path);
	return 0;
}

static int
run_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read a small file into a string ("" if missing). */
static char *
run_slurp(const char *path)
{
	struct buf b;
	char tmp[4096];
	size_t n;
	FILE *f;
	char *s;

	buf_init(&b);
	if ((f = fopen(path, "r")) != NULL) {
		while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
			buf_add(&b, tmp, n);
		fclose(f);
	}
	/* An empty buf has no head. */
	s = buf_used(&b) ? xstrndup((const char *)buf_head(&b), buf_used(&b)) :
	    xstrdup("");
	buf_free(&b);
	return s;
}

static int
run_rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

/* Whether a scenario has its own host; one that does not load is left
 * to fotasim, which says why. */
static int
run_self_contained(const char *path)
{
	struct scenario s;
	char *err = NULL;
	int host;

	if (scenario_load(&s, path, NULL, NULL, &err) != 0) {
		free(err);
		return 1;
	}
	host = s.host;
	scenario_free(&s);
	return host;
}

/* Start one scenario's fotasim. */
static int
run_start(struct run_item *it, const struct run_opts *o)
{
	const char *tmp = getenv("TMPDIR");
	char *link, *logp, *rep, *sd;
	char *argv[16];
	int fd, n = 0;

	xasprintf(&it->dir, "%s/fotasim-run-item-XXXXXX", tmp && *tmp ? tmp :
	    "/tmp");
	if (mkdtemp(it->dir) == NULL) {
		warnx_("%s: %s", it->dir, strerror(errno));
		return -1;
	}
	xasprintf(&link, "%s/tty", it->dir);
	xasprintf(&logp, "%s/transcript", it->dir);
	xasprintf(&rep, "%s/report", it->dir);
	xasprintf(&sd, "%s/state", it->dir);
	/* The child's copies (execvp takes char *const []). */
	argv[n++] = xstrdup(o->fotasim);
	argv[n++] = xstrdup("--scenario");
	argv[n++] = xstrdup(it->path);
	argv[n++] = xstrdup("--link");
	argv[n++] = link;
	argv[n++] = xstrdup("--speed");
	argv[n++] = xstrdup("max");
	argv[n++] = xstrdup("--log");
	argv[n++] = logp;
	argv[n++] = xstrdup("--state-dir");
	argv[n++] = sd;
	if (o->seed != NULL) {
		argv[n++] = xstrdup("--seed");
		argv[n++] = xstrdup(o->seed);
	}
	argv[n] = NULL;
	it->start = run_now();
	if ((it->pid = fork()) == -1) {
		warnx_("fork: %s", strerror(errno));
		return -1;
	}
	if (it->pid == 0) {
		sigset_t none;

		sigemptyset(&none);		/* the runner blocks SIGCHLD */
		sigprocmask(SIG_SETMASK, &none, NULL);
		if ((fd = open("/dev/null", O_RDWR)) != -1) {
			dup2(fd, 0);
			dup2(fd, 1);
		}
		if ((fd = open(rep, O_WRONLY | O_CREAT | O_TRUNC, 0644)) != -1)
			dup2(fd, 2);
		mkdir(sd, 0700);
		execvp(argv[0], argv);
		fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	free(rep);
	while (n > 0)
		free(argv[--n]);
	return 0;
}

/* Copy a file (best effort). */
static void
run_copy(const char *from, const char *to)
{
	char *s = run_slurp(from);
	FILE *f = fopen(to, "w");

	if (f != NULL) {
		fputs(s, f);
		fclose(f);
	}
	free(s);
}

/* A finished scenario: its line, and on failure its report, kept. */
static void
run_finish(struct run_item *it, int status, const char **keep)
{
	static char keepbuf[512];
	char *p, *base, *to, *line;

	it->done = 1;
	it->secs = run_now() - it->start;
	it->pass = !it->timed_out && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0;
	xasprintf(&p, "%s/report", it->dir);
	it->report = run_slurp(p);
	free(p);
	printf("%s  %s  (%.2f s)\n", it->pass ? "PASS" : "FAIL", it->path,
	    it->secs);
	if (!it->pass) {
		if (it->timed_out)
			printf("    timed out after %.0f s\n", it->secs);
		for (line = it->report; *line != '\0'; ) {
			size_t n = strcspn(line, "\n");
			printf("    %.*s\n", (int)n, line);
			line += n + (line[n] == '\n');
		}
		if (*keep == NULL) {
			const char *tmp = getenv("TMPDIR");

			snprintf(keepbuf, sizeof keepbuf,
			    "%s/fotasim-run-XXXXXX", tmp && *tmp ? tmp : "/tmp");
			if (mkdtemp(keepbuf) != NULL)
				*keep = keepbuf;
		} else
			mkdir(*keep, 0755);
		if (*keep != NULL) {
			base = xstrdup(it->path);
			for (p = base; *p != '\0'; p++)
				if (*p == '/')
					*p = '_';
			xasprintf(&to, "%s/%s.transcript", *keep, base);
			xasprintf(&p, "%s/transcript", it->dir);
			run_copy(p, to);
			printf("    transcript: %s\n", to);
			free(p);
			free(to);
			xasprintf(&to, "%s/%s.report", *keep, base);
			xasprintf(&p, "%s/report", it->dir);
			run_copy(p, to);
			free(p);
			free(to);
			free(base);
		}
	}
	fflush(stdout);
	if (run_keep_transcript) {
		xasprintf(&p, "%s/transcript", it->dir);
		it->transcript = run_slurp(p);
		free(p);
	}
	nftw(it->dir, run_rm_cb, 8, FTW_DEPTH | FTW_PHYS);
}

/* Text for XML (escaped) or JSON (escaped) output. */
static void
run_put_escaped(FILE *f, const char *s, int json)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (json && (c == '"' || c == '\\'))
			fprintf(f, "\\%c", c);
		else if (json && c == '\n')
			fputs("\\n", f);
		else if (json && c < 0x20)
			fprintf(f, "\\u%04x", c);
		else if (!json && c == '<')
			fputs("&lt;", f);
		else if (!json && c == '>')
			fputs("&gt;", f);
		else if (!json && c == '&')
			fputs("&amp;", f);
		else if (!json && c == '"')
			fputs("&quot;", f);
		else if (!json && c < 0x20 && c != '\n' && c != '\t')
			fprintf(f, "&#%u;", c);
		else
			fputc(c, f);
	}
}

static int
run_write_reports(const struct run_opts *o, struct run_item *items, size_t n,
    size_t failed)
{
	double total = 0;
	size_t i;
	FILE *f;
	int rc = 0;

	for (i = 0; i < n; i++)
		total += items[i].secs;
	if (o->junit != NULL) {
		if ((f = fopen(o->junit, "w")) == NULL) {
			warnx_("%s: %s", o->junit, strerror(errno));
			rc = -1;
		} else {
			fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			    "<testsuite name=\"fotasim-run\" tests=\"%zu\" "
			    "failures=\"%zu\" time=\"%.3f\">\n", n, failed, total);
			for (i = 0; i < n; i++) {
				fputs("  <testcase name=\"", f);
				run_put_escaped(f, items[i].path, 0);
				fprintf(f, "\" time=\"%.3f\"", items[i].secs);
				if (items[i].pass) {
					fputs("/>\n", f);
					continue;
				}
				fputs("><failure message=\"", f);
				run_put_escaped(f, items[i].timed_out ?
				    "timed out" : "expectations failed", 0);
				fputs("\">", f);
				run_put_escaped(f, items[i].report, 0);
				fputs("</failure></testcase>\n", f);
			}
			fputs("</testsuite>\n", f);
			fclose(f);
		}
	}
	if (o->json != NULL) {
		if ((f = fopen(o->json, "w")) == NULL) {
			warnx_("%s: %s", o->json, strerror(errno));
			rc = -1;
		} else {
			fprintf(f, "{\"passed\": %zu, \"failed\": %zu, "
			    "\"scenarios\": [", n - failed, failed);
			for (i = 0; i < n; i++) {
				fprintf(f, "%s\n  {\"path\": \"", i ? "," : "");
				run_put_escaped(f, items[i].path, 1);
				fprintf(f, "\", \"result\": \"%s\", \"seconds\": "
				    "%.3f, \"report\": \"", items[i].pass ?
				    "pass" : "fail", items[i].secs);
				run_put_escaped(f, items[i].report, 1);
				fputs("\"}", f);
			}
			fputs("\n]}\n", f);
			fclose(f);
		}
	}
	return rc;
}

/*
 * --record: the scenario's [modem], [network], [servers] and [timeline]
 * lines (its includes read in place), to carry over.  A served `file`'s
 * LOCAL is made absolute, since the recorded scenario lives elsewhere.
 */
static int
run_setup(const char *path, struct buf *b, int depth)
{
	char *text = run_slurp(path), *line, *next, *dir, *sl, *w;
	int keep = 0, rc = 0;
	size_t n;

	dir = xstrdup(path);
	if ((sl = strrchr(dir, '/')) != NULL)
		sl[1] = '\0';
	else
		strcpy(dir, "");
	for (line = text; *line != '\0' && rc == 0; line = next) {
		n = strcspn(line, "\n");
		next = line + n + (line[n] == '\n');
		line[n] = '\0';
		while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' ||
		    line[n - 1] == '\t'))
			line[--n] = '\0';
		if (*line == '\0' || *line == '#')
			continue;
		if (*line == '[') {
			keep = strcmp(line, "[host]") != 0 &&
			    strcmp(line, "[expect]") != 0;
			if (keep)
				buf_addf(b, "\n%s\n", line);
			continue;
		}
		if (keep && strncmp(line, "file", 4) == 0 &&
		    (line[4] == ' ' || line[4] == '\t')) {
			/* file PATH LOCAL */
			w = line + 4 + strspn(line + 4, " \t");
			w += strcspn(w, " \t");
			w += strspn(w, " \t");
			if (*w != '/' && *w != '\0') {
				char *abs, *full;

				xasprintf(&full, "%s%s", dir, w);
				abs = realpath(full, NULL);
				buf_addf(b, "%.*s%s\n", (int)(w - line), line,
				    abs ? abs : full);
				free(abs);
				free(full);
				continue;
			}
		}
		if (strncmp(line, "include", 7) == 0 && (line[7] == ' ' ||
		    line[7] == '\t') && depth < SCN_INCLUDE_DEPTH) {
			char *inc;

			w = line + 7 + strspn(line + 7, " \t");
			if ((sl = strpbrk(w, " \t")) != NULL)
				*sl = '\0';
			if (*w == '/')
				inc = xstrdup(w);
			else
				xasprintf(&inc, "%s%s", dir, w);
			rc = run_setup(inc, b, depth + 1);
			free(inc);
			keep = 0;
		} else if (keep)
			buf_addf(b, "%s\n", line);
		/* seed: the header carries the seed the run used. */
	}
	free(dir);
	free(text);
	return rc;
}

/* --record: write the run's transcript as a scenario. */
static int
run_record_write(const struct run_opts *o, const struct run_item *it)
{
	struct cv_opts co = { CV_FOTASIM, NULL, NULL, NULL, 0 };
	struct scenario s;
	struct buf setup, out;
	const char **files = NULL;
	char *err = NULL, *hdr;
	size_t i, nf = 0;
	FILE *f;
	int rc = 0;

	if (scenario_load(&s, it->path, NULL, NULL, &err) != 0) {
		warnx_("%s", err);
		free(err);
		return 2;
	}
	for (i = 0; i < s.nsteps; i++)
		if (s.steps[i].kind == SCN_SEND_FILE) {
			files = xreallocarray(files, nf + 1, sizeof *files);
			files[nf++] = s.steps[i].text;
		}
	xasprintf(&hdr, "# Recorded by fotasim-run --record from %s: its setup "
	    "carried over,\n# the host's commands with their waits and every "
	    "line the modem wrote,\n# the URCs and the revision of that run.  "
	    "Run it with fotasim-run.\n\nseed %llu\n", it->path,
	    o->seed ? strtoull(o->seed, NULL, 10) :
	    (unsigned long long)s.seed);
	buf_init(&setup);
	buf_init(&out);
	run_setup(it->path, &setup, 0);
	buf_add(&setup, "", 1);
	co.setup = (const char *)buf_head(&setup);
	co.header = hdr;
	co.send_files = files;
	co.nsend_files = nf;
	if (cv_convert("transcript", it->transcript ? it->transcript : "",
	    it->transcript ? strlen(it->transcript) : 0, &co, &out, &err)
	    != 0) {
		warnx_("%s: cannot record: %s", it->path, err);
		free(err);
		rc = 2;
	} else if ((f = fopen(o->record, "w")) == NULL ||
	    fwrite(buf_head(&out), 1, buf_used(&out), f) != buf_used(&out) ||
	    fclose(f) != 0) {
		warnx_("%s: %s", o->record, strerror(errno));
		rc = 2;
	} else
		printf("recorded %s\n", o->record);
	buf_free(&setup);
	buf_free(&out);
	free(hdr);
	free(files);
	scenario_free(&s);
	return rc;
}

/* --convert LOG: the skeleton on -o or stdout; 2 on a bad log. */
static int
run_convert(const struct run_opts *o)
{
	struct cv_opts co = { CV_FOTASIM, NULL, NULL, NULL, 0 };
	struct buf out;
	struct stat st;
	char *text, *err = NULL, *hdr;
	FILE *f;
	int rc = 0;

	if (o->format != NULL)
		(void)cv_format_parse(o->format, &co.format);
	errno = 0;
	if (stat(o->convert, &st) != 0 || !S_ISREG(st.st_mode)) {
		warnx_("%s: %s", o->convert, errno ? strerror(errno) :
		    "not a file");
		return 2;
	}
	text = run_slurp(o->convert);
	xasprintf(&hdr, "# A skeleton made by fotasim-run --convert from %s "
	    "(%s log).\n# What the log shows is written as it is; what it does "
	    "not say is\n# marked TODO.  docs/replay.md says what each part "
	    "comes from.\n", o->convert, o->format ? o->format : "fotasim");
	co.header = hdr;
	buf_init(&out);
	if (strlen(text) != (size_t)st.st_size) {
		/* run_slurp's copy ends at the NUL: that is its line. */
		int line = 1;
		const char *q;

		for (q = text; *q != '\0'; q++)
			line += *q == '\n';
		fprintf(stderr, "%s:%d: a NUL byte: not a text log\n",
		    o->convert, line);
		rc = 2;
	} else if (cv_convert(o->convert, text, strlen(text), &co, &out, &err)
	    != 0) {
		fprintf(stderr, "%s\n", err);
		free(err);
		rc = 2;
	} else if (o->output == NULL)
		fwrite(buf_head(&out), 1, buf_used(&out), stdout);
	else if ((f = fopen(o->output, "w")) == NULL ||
	    fwrite(buf_head(&out), 1, buf_used(&out), f) != buf_used(&out) ||
	    fclose(f) != 0) {
		warnx_("%s: %s", o->output, strerror(errno));
		rc = 2;
	}
	buf_free(&out);
	free(hdr);
	free(text);
	return rc;
}

/* The fotasim next to this program, if there is one. */
static const char *
run_default_fotasim(const char *argv0)
{
	static char path[4096];
	const char *sl = strrchr(argv0, '/');

	if (sl == NULL)
		return "fotasim";
	snprintf(path, sizeof path, "%.*s/fotasim", (int)(sl - argv0), argv0);
	return access(path, X_OK) == 0 ? path : "fotasim";
}

int
main(int argc, char **argv)
{
	struct run_opts o = { 1, 0, 0, NULL, NULL, NULL, NULL, 120, NULL, NULL,
	    NULL, NULL, NULL };
	struct run_item *items;
	struct stat st;
	const char *keep;
	char err[512];
	size_t i, n, next = 0, running = 0, failed = 0;
	int c, status;
	pid_t pid;
	sigset_t chld;
	struct timespec ts;
	double left, over;

	util_set_progname(argv[0]);
	if ((c = opt_parse(&run_opttab, &o, argc, argv, err, sizeof err)) <= 0)
		return opt_parse_status(&run_opttab, c, err);
	if (o.convert != NULL) {
		if (c != argc || o.record != NULL) {
			warnx_("--convert takes no scenario and no --record");
			return 2;
		}
		return run_convert(&o);
	}
	if (o.format != NULL || o.output != NULL) {
		warnx_("--format and -o are --convert's");
		return 2;
	}
	if (o.record != NULL && (c + 1 != argc || o.shard_n > 0)) {
		warnx_("--record runs exactly one scenario FILE");
		return 2;
	}
	run_keep_transcript = o.record != NULL;
	if (c == argc) {
		opt_usage(&run_opttab, stderr);
		return 2;
	}
	if (o.fotasim == NULL)
		o.fotasim = run_default_fotasim(argv[0]);
	for (; c < argc; c++) {
		if (stat(argv[c], &st) != 0) {
			warnx_("%s: %s", argv[c], strerror(errno));
			return 2;
		}
		if (S_ISDIR(st.st_mode))
			nftw(argv[c], run_walk_cb, 16, FTW_PHYS);
		else
			run_add(argv[c]);
	}
	qsort(run_paths, run_npaths, sizeof *run_paths, run_cmp);
	items = xcalloc(run_npaths ? run_npaths : 1, sizeof *items);
	for (i = n = 0; i < run_npaths; i++) {
		if (o.shard_n > 0 && (long)(i % (size_t)o.shard_n) !=
		    o.shard_k - 1) {
			free(run_paths[i]);
			continue;
		}
		items[n++].path = run_paths[i];
	}
	free(run_paths);
	if (n == 0 && o.shard_n == 0) {
		warnx_("no scenario (*.scn) found");
		return 2;
	}
	keep = o.keep;
	signal(SIGPIPE, SIG_IGN);
	/* A child's end is an event to wait for (sigtimedwait), not a poll. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	while (next < n || running > 0) {
		while (next < n && running < (size_t)o.jobs) {
			if (!run_self_contained(items[next].path)) {
				items[next].done = 1;
				items[next].report = xstrdup("not self-contained: "
				    "no [host] section (play it with fotasim "
				    "--scenario and your host)\n");
				printf("FAIL  %s\n    %s", items[next].path,
				    items[next].report);
			} else if (run_start(&items[next], &o) != 0) {
				items[next].done = 1;
				items[next].report = xstrdup("could not start\n");
				printf("FAIL  %s\n", items[next].path);
			} else
				running++;
			next++;
		}
		pid = waitpid(-1, &status, WNOHANG);
		if (pid > 0) {
			for (i = 0; i < n; i++)
				if (items[i].pid == pid && !items[i].done)
					break;
			if (i < n) {
				run_finish(&items[i], status, &keep);
				running--;
			}
			continue;
		}
		/* Kill what ran out of time; sleep until a child ends or the
		 * next one would. */
		left = o.timeout;
		for (i = 0; i < n; i++) {
			if (items[i].pid <= 0 || items[i].done ||
			    items[i].timed_out)
				continue;
			over = run_now() - items[i].start - o.timeout;
			if (over >= 0) {
				items[i].timed_out = 1;
				kill(items[i].pid, SIGKILL);
			} else if (-over < left)
				left = -over;
		}
		if (running > 0) {
			ts.tv_sec = (time_t)left;
			ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
			(void)sigtimedwait(&chld, NULL, &ts);
		}
	}
	for (i = 0; i < n; i++)
		failed += !items[i].pass;
	printf("%zu passed, %zu failed\n", n - failed, failed);
	if (run_write_reports(&o, items, n, failed) != 0)
		failed++;
	if (o.record != NULL && n == 1 && items[0].pid > 0 &&
	    (c = run_record_write(&o, &items[0])) != 0)
		return c;
	for (i = 0; i < n; i++) {
		free(items[i].path);
		free(items[i].dir);
		free(items[i].report);
		free(items[i].transcript);
	}
	free(items);
	return failed ? 1 : 0;
}
