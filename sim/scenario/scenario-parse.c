/*
 * scenario-parse.c: the scenario file parser.
 *
 * A file is lines; a line is a section header "[name]", a key and its
 * value, or (outside sections) "seed N" and "include FILE".  Each section
 * has a table of keys; each key has a parser that takes the rest of the
 * line.  Everything goes into a scratch scenario that is handed over only
 * when the whole file (and what it includes) parsed.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "scenario.h"
#include "util.h"

enum scn_section {
	SEC_TOP,		/* before the first section, after an include */
	SEC_MODEM,
	SEC_NETWORK,
	SEC_SERVERS,
	SEC_TIMELINE,
	SEC_HOST,
	SEC_EXPECT,
	SEC_NSECTIONS
};

static const char *const scn_section_names[SEC_NSECTIONS] = {
	[SEC_TOP] = NULL,
	[SEC_MODEM] = "modem",
	[SEC_NETWORK] = "network",
	[SEC_SERVERS] = "servers",
	[SEC_TIMELINE] = "timeline",
	[SEC_HOST] = "host",
	[SEC_EXPECT] = "expect",
};

/* The parse in progress: one file's line at a time. */
struct scn_parse {
	struct scenario	*s;
	scn_check_fn	 check;
	void		*arg;
	const char	*file;		/* the current file (in s->files) */
	const char	*dir;		/* includes are relative to it */
	int		 line;
	const char	*text;		/* the line, NUL-ended, no comment */
	enum scn_section section;
	int		 depth;
	char		*err;
};

/* A key of a section: its parser gets the value's column (0-based
 * offset into p->text). */
struct scn_key {
	enum scn_section section;
	const char	*name;
	const char	*option;	/* a fotasim option it sets, or NULL */
	int		(*parse)(struct scn_parse *, int col);
};

/* Record the first error at a 0-based column; returns -1. */
static int __attribute__((format(printf, 3, 4)))
scn_error(struct scn_parse *p, int col, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (p->err != NULL)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("out of memory");
	va_end(ap);
	xasprintf(&p->err, "%s:%d:%d: %s", p->file, p->line, col + 1, msg);
	free(msg);
	return -1;
}

static struct scn_where
scn_here(const struct scn_parse *p, int col)
{
	struct scn_where w = { p->file, p->line, col + 1 };

	return w;
}

/* The column of the first non-blank at or after col. */
static int
scn_skip(const struct scn_parse *p, int col)
{
	while (p->text[col] == ' ' || p->text[col] == '\t')
		col++;
	return col;
}

/* The word at col (up to a blank): its length. */
static int
scn_wordlen(const struct scn_parse *p, int col)
{
	return (int)strcspn(p->text + col, " \t");
}

/* Whether the word at col is `w`; on a match *next is past its blanks. */
static int
scn_word_is(const struct scn_parse *p, int col, const char *w, int *next)
{
	int n = scn_wordlen(p, col);

	if (n != (int)strlen(w) || strncmp(p->text + col, w, (size_t)n) != 0)
		return 0;
	*next = scn_skip(p, col + n);
	return 1;
}

/* The word at col, copied. */
static char *
scn_word(const struct scn_parse *p, int col)
{
	return xstrndup(p->text + col, (size_t)scn_wordlen(p, col));
}

/* Nothing may follow at col. */
static int
scn_end(struct scn_parse *p, int col, const char *after)
{
	if (p->text[col] == '\0')
		return 0;
	return scn_error(p, col, "unexpected \"%.*s\" after %s",
	    scn_wordlen(p, col), p->text + col, after);
}

int
scenario_parse_secs(const char *s, double *out)
{
	/* The fault directives' durations, but no sign, blank or "inf". */
	if (!isdigit((unsigned char)*s))
		return -1;
	return faults_parse_time(s, out);
}

/* A duration word at col; *next past it. */
static int
scn_secs(struct scn_parse *p, int col, double *out, int *next)
{
	char *w = scn_word(p, col);
	int rc = scenario_parse_secs(w, out);

	if (rc != 0)
		scn_error(p, col, "expected a duration (250ms, 3s, 2m, 1h), "
		    "not \"%s\"", w);
	free(w);
	*next = scn_skip(p, col + scn_wordlen(p, col));
	return rc;
}

/* A percent word "N%" (0 < N <= 100) at col. */
static int
scn_percent(struct scn_parse *p, int col, double *out, int *next)
{
	char *w = scn_word(p, col), *end;
	double v;
	int rc = -1;

	errno = 0;
	v = isdigit((unsigned char)*w) ? strtod(w, &end) : -1;
	if (v >= 0 && errno == 0 && strcmp(end, "%") == 0 && v > 0 &&
	    v <= 100) {
		*out = v;
		rc = 0;
	} else
		scn_error(p, col, "expected a percentage above 0%% and up to "
		    "100%%, not \"%s\"", w);
	free(w);
	*next = scn_skip(p, col + scn_wordlen(p, col));
	return rc;
}

/* The rest of the line from col, or an error if there is none. */
static char *
scn_rest(struct scn_parse *p, int col, const char *what)
{
	size_t n = strlen(p->text + col);

	if (n == 0) {
		scn_error(p, col, "missing %s", what);
		return NULL;
	}
	return xstrndup(p->text + col, n);
}

/* A value that is a fotasim option's argument. */
static int
scn_key_option(struct scn_parse *p, int col, const char *option)
{
	struct scenario *s = p->s;
	char *v, err[512];

	if ((v = scn_rest(p, col, "value")) == NULL)
		return -1;
	if (p->check != NULL &&
	    p->check(p->arg, option, v, err, sizeof err) != 0) {
		const char *msg = err;
		size_t n = strlen(option);

		/* "--name: why" from the option's setter: keep the why. */
		if (strncmp(msg, "--", 2) == 0 &&
		    strncmp(msg + 2, option, n) == 0 && msg[n + 2] == ':')
			msg += n + 3 + (msg[n + 3] == ' ');
		free(v);
		return scn_error(p, col, "%s", msg);
	}
	s->opts = xreallocarray(s->opts, s->nopts + 1, sizeof *s->opts);
	s->opts[s->nopts].name = option;
	s->opts[s->nopts].value = v;
	s->opts[s->nopts].at = scn_here(p, col);
	s->nopts++;
	return 0;
}

/* A key's value yes or no into *dst (1 or 0). */
static int
scn_yes_no(struct scn_parse *p, int col, int *dst)
{
	int next;

	if (scn_word_is(p, col, "yes", &next))
		*dst = 1;
	else if (scn_word_is(p, col, "no", &next))
		*dst = 0;
	else
		return scn_error(p, col, "expected yes or no, not \"%.*s\"",
		    scn_wordlen(p, col), p->text + col);
	return scn_end(p, next, "yes or no");
}

/* [modem] verify-https yes|no. */
static int
scn_key_verify(struct scn_parse *p, int col)
{
	return scn_yes_no(p, col, &p->s->verify_https);
}

/* [modem] second-port yes|no: the module's second AT interface. */
static int
scn_key_second_port(struct scn_parse *p, int col)
{
	return scn_yes_no(p, col, &p->s->second_port);
}

/* Whether a server path is plain: /a/b.bin, no "..", no blanks. */
static int
scn_path_ok(const char *s)
{
	const char *c;

	if (*s == '\0' || strstr(s, "..") != NULL || s[strlen(s) - 1] == '/')
		return 0;
	for (c = s; *c != '\0'; c++)
		if (!isalnum((unsigned char)*c) && strchr("/._-+", *c) == NULL)
			return 0;
	return 1;
}

/* A server path word at col, with its leading '/' dropped. */
static char *
scn_server_path(struct scn_parse *p, int col, int *next)
{
	char *w = scn_word(p, col), *name;

	if (*w == '\0') {
		free(w);
		scn_error(p, col, "missing the file's path on the servers");
		return NULL;
	}
	name = xstrdup(w + (*w == '/'));
	if (!scn_path_ok(name)) {
		scn_error(p, col, "\"%s\" is not a plain path (letters, digits, "
		    "/._-+, no \"..\")", w);
		free(w);
		free(name);
		return NULL;
	}
	free(w);
	*next = scn_skip(p, col + scn_wordlen(p, col));
	return name;
}

/* A revision word: printable, at most 63 characters. */
static char *
scn_revision(struct scn_parse *p, int col, int *next)
{
	char *w = scn_word(p, col);
	const char *c;

	if (*w == '\0' || strlen(w) > 63) {
		scn_error(p, col, "expected a revision (1 to 63 letters, digits, "
		    "._-), not \"%s\"", w);
		free(w);
		return NULL;
	}
	for (c = w; *c != '\0'; c++)
		if (!isalnum((unsigned char)*c) && strchr("._-", *c) == NULL) {
			scn_error(p, col + (int)(c - w), "'%c' cannot be in a "
			    "revision", *c);
			free(w);
			return NULL;
		}
	*next = scn_skip(p, col + scn_wordlen(p, col));
	return w;
}

/* [servers] package NAME FROM -> TO [delta]. */
static int
scn_key_package(struct scn_parse *p, int col)
{
	struct scn_package k = { 0 };
	int next;

	k.at = scn_here(p, col);
	if ((k.name = scn_server_path(p, col, &next)) == NULL)
		goto fail;
	col = next;
	if ((k.from = scn_revision(p, col, &next)) == NULL)
		goto fail;
	col = next;
	if (!scn_word_is(p, col, "->", &next)) {
		scn_error(p, col, "expected \"->\" between the two revisions");
		goto fail;
	}
	col = next;
	if ((k.to = scn_revision(p, col, &next)) == NULL)
		goto fail;
	col = next;
	if (scn_word_is(p, col, "delta", &next))
		k.delta = 1;
	else if (scn_word_is(p, col, "full", &next))
		k.delta = 0;
	if (scn_end(p, next, "the package") != 0)
		goto fail;
	p->s->pkgs = xreallocarray(p->s->pkgs, p->s->npkgs + 1,
	    sizeof *p->s->pkgs);
	p->s->pkgs[p->s->npkgs++] = k;
	return 0;
fail:
	free(k.name);
	free(k.from);
	free(k.to);
	return -1;
}

/* [servers] file NAME PATH: PATH relative to the scenario's directory. */
static int
scn_key_file(struct scn_parse *p, int col)
{
	struct scn_file f = { 0 };
	char *w;
	int next;

	f.at = scn_here(p, col);
	if ((f.name = scn_server_path(p, col, &next)) == NULL)
		return -1;
	col = next;
	w = scn_word(p, col);
	if (*w == '\0') {
		free(f.name);
		free(w);
		return scn_error(p, col, "missing the local file to serve");
	}
	if (*w == '/')
		f.path = w;
	else {
		xasprintf(&f.path, "%s/%s", p->dir, w);
		free(w);
	}
	if (scn_end(p, scn_skip(p, col + scn_wordlen(p, col)),
	    "the file") != 0) {
		free(f.name);
		free(f.path);
		return -1;
	}
	p->s->sfiles = xreallocarray(p->s->sfiles, p->s->nsfiles + 1,
	    sizeof *p->s->sfiles);
	p->s->sfiles[p->s->nsfiles++] = f;
	return 0;
}

/* [servers] fault DIRECTIVE: fotasim-server's language, its columns. */
static int
scn_key_fault(struct scn_parse *p, int col)
{
	char *err = NULL;

	if (p->text[col] == '\0')
		return scn_error(p, col, "missing the fault directive");
	if (faults_parse_line(&p->s->faults, p->file, p->line, col + 1,
	    p->text + col, strlen(p->text + col), &err) != 0) {
		if (p->err == NULL)
			p->err = err;
		else
			free(err);
		return -1;
	}
	return 0;
}

/* A quoted glob 'TEXT' at col (no way to write a quote in it). */
static char *
scn_quoted(struct scn_parse *p, int col, int *next)
{
	const char *q;

	if (p->text[col] != '\'') {
		scn_error(p, col, "expected a pattern in single quotes");
		return NULL;
	}
	if ((q = strchr(p->text + col + 1, '\'')) == NULL) {
		scn_error(p, col, "the pattern's closing quote is missing");
		return NULL;
	}
	if (q == p->text + col + 1) {
		scn_error(p, col, "an empty pattern");
		return NULL;
	}
	*next = scn_skip(p, (int)(q - p->text) + 1);
	return xstrndup(p->text + col + 1, (size_t)(q - p->text - col - 1));
}

/* A timeline action at col into e. */
static int
scn_action(struct scn_parse *p, int col, struct scn_event *e)
{
	double at;
	enum net_action what;
	int cid, next;
	char *spec, why[256], number[NET_NUMBER_MAX];

	if (p->text[col] == '\0')
		return scn_error(p, col, "missing the action (coverage lost, "
		    "pdp 1 deactivated, call ring NUMBER, power cut, reboot, "
		    "fault DIRECTIVE, faults off, ...)");
	if (scn_word_is(p, col, "reboot", &next)) {
		e->action = SCN_DO_REBOOT;
		return scn_end(p, next, "reboot");
	}
	if (scn_word_is(p, col, "faults", &next)) {
		if (!scn_word_is(p, next, "off", &next))
			return scn_error(p, next, "expected \"faults off\"");
		e->action = SCN_DO_FAULTS_OFF;
		return scn_end(p, next, "faults off");
	}
	if (scn_word_is(p, col, "fault", &next)) {
		char *err = NULL;

		/* A directive of fotasim-server's language, off until now. */
		if (p->text[next] == '\0')
			return scn_error(p, next, "missing the fault directive");
		if (faults_parse_line(&p->s->faults, p->file, p->line, next + 1,
		    p->text + next, strlen(p->text + next), &err) != 0) {
			if (p->err == NULL)
				p->err = err;
			else
				free(err);
			return -1;
		}
		e->action = SCN_DO_FAULT_ON;
		e->fault = p->s->faults.n - 1;
		p->s->faults.v[e->fault].off = 1;
		return 0;
	}
	if (strncmp(p->text + col, "power", 5) == 0 &&
	    (p->text[col + 5] == ' ' || p->text[col + 5] == '\t' ||
	    p->text[col + 5] == '\0')) {
		col = scn_skip(p, col + 5);
		e->action = SCN_DO_POWER_CUT;
		e->secs = -1;
		if (strcmp(p->text + col, "cut") == 0)
			return 0;
		if (strncmp(p->text + col, "cut,", 4) != 0)
			return scn_error(p, col, "expected \"cut\" or \"cut, on "
			    "after T\" after \"power\"");
		col = scn_skip(p, col + 4);
		if (!scn_word_is(p, col, "on", &next))
			return scn_error(p, col, "expected \"on after T\"");
		col = next;
		if (!scn_word_is(p, col, "after", &next))
			return scn_error(p, col, "expected \"after T\"");
		col = next;
		if (scn_secs(p, col, &e->secs, &next) != 0)
			return -1;
		return scn_end(p, next, "the power-on time");
	}
	/* Every other action is a network event, in --net-event's words. */
	xasprintf(&spec, "T=0 %s", p->text + col);
	if (net_event_parse(spec, &at, &what, &cid, number, why,
	    sizeof why) != 0) {
		const char *msg = why;

		/* "'T=0 ...': why": the words are the line's. */
		if (strncmp(msg, "'T=0 ", 5) == 0 &&
		    (msg = strstr(msg, "': ")) != NULL)
			msg += 3;
		else
			msg = why;
		free(spec);
		return scn_error(p, col, "unknown action \"%s\": %s",
		    p->text + col, msg);
	}
	free(spec);
	e->action = SCN_DO_NET;
	e->net = xstrdup(p->text + col);
	return 0;
}

/*
 * [timeline] at TIME ACTION | at download N% ACTION | at download byte N
 * ACTION | at update N% ACTION | on send 'GLOB' ACTION | on urc 'GLOB'
 * ACTION.  `col` is past the key ("at" or "on"); the key's column is kcol.
 */
static int
scn_timeline(struct scn_parse *p, int col, int on)
{
	struct scn_event e = { 0 };
	int next;
	char *w;
	unsigned long long b;

	e.at = scn_here(p, col);
	e.text = xstrdup(p->text);
	if (on) {
		if (scn_word_is(p, col, "send", &next))
			e.trigger = SCN_ON_SEND;
		else if (scn_word_is(p, col, "urc", &next))
			e.trigger = SCN_ON_URC;
		else {
			scn_error(p, col, "expected \"send\" or \"urc\" after "
			    "\"on\", not \"%.*s\"", scn_wordlen(p, col),
			    p->text + col);
			goto fail;
		}
		col = next;
		if ((e.pattern = scn_quoted(p, col, &next)) == NULL)
			goto fail;
		col = next;
	} else if (scn_word_is(p, col, "download", &next)) {
		col = next;
		if (scn_word_is(p, col, "byte", &next)) {
			col = next;
			w = scn_word(p, col);
			if (!isdigit((unsigned char)*w) ||
			    parse_size(w, &b) != 0 || b > (1ULL << 40)) {
				scn_error(p, col, "expected a byte offset, not "
				    "\"%s\"", w);
				free(w);
				goto fail;
			}
			free(w);
			e.trigger = SCN_AT_DOWNLOAD_BYTE;
			e.value = (double)b;
			col = scn_skip(p, col + scn_wordlen(p, col));
		} else {
			e.trigger = SCN_AT_DOWNLOAD_PCT;
			if (scn_percent(p, col, &e.value, &next) != 0)
				goto fail;
			col = next;
		}
	} else if (scn_word_is(p, col, "update", &next)) {
		col = next;
		e.trigger = SCN_AT_UPDATE_PCT;
		if (scn_percent(p, col, &e.value, &next) != 0)
			goto fail;
		col = next;
	} else if (isdigit((unsigned char)p->text[col])) {
		e.trigger = SCN_AT_TIME;
		if (scn_secs(p, col, &e.value, &next) != 0)
			goto fail;
		col = next;
	} else {
		scn_error(p, col, "expected a time (5s, 2m), \"download\" or "
		    "\"update\" after \"at\", not \"%.*s\"", scn_wordlen(p, col),
		    p->text + col);
		goto fail;
	}
	if (scn_action(p, col, &e) != 0)
		goto fail;
	p->s->events = xreallocarray(p->s->events, p->s->nevents + 1,
	    sizeof *p->s->events);
	p->s->events[p->s->nevents++] = e;
	return 0;
fail:
	free(e.text);
	free(e.pattern);
	free(e.net);
	return -1;
}

static int
scn_key_at(struct scn_parse *p, int col)
{
	return scn_timeline(p, col, 0);
}

static int
scn_key_on(struct scn_parse *p, int col)
{
	return scn_timeline(p, col, 1);
}

/* Whether a [servers] package or file is served at name (no '/'). */
static int
scn_served(const struct scenario *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->npkgs; i++)
		if (strcmp(s->pkgs[i].name, name) == 0)
			return 1;
	for (i = 0; i < s->nsfiles; i++)
		if (strcmp(s->sfiles[i].name, name) == 0)
			return 1;
	return 0;
}

const char *
scenario_var_end(const char *v)
{
	int depth = 0;

	for (; *v != '\0'; v++) {
		if (v[0] == '$' && v[1] == '{')
			depth++, v++;
		else if (*v == '}' && --depth == 0)
			return v;
	}
	return NULL;
}

/* Check ${name} references in host text: the servers' addresses and
 * ports, and ${size:PATH}. */
static int
scn_check_vars(struct scn_parse *p, int col, const char *t)
{
	static const char *const names[] = { "ftp", "http", "https",
	    "ftp-port", "http-port", "https-port" };
	const char *v, *e;
	size_t i, n;

	for (v = strstr(t, "${"); v != NULL; v = strstr(e, "${")) {
		if ((e = scenario_var_end(v)) == NULL)
			return scn_error(p, col + (int)(v - t), "\"${\" without "
			    "its \"}\"");
		n = (size_t)(e - v - 2);
		/* ${length:TEXT}: the bytes of TEXT, whose ${...} are
		 * checked in turn. */
		if (strncmp(v + 2, "length:", 7) == 0) {
			char *inner = xstrndup(v + 9, n - 7);
			int rc = scn_check_vars(p, col + (int)(v - t) + 9, inner);

			free(inner);
			if (rc != 0)
				return -1;
			continue;
		}
		/* ${size:PATH}: the bytes of a file the servers serve. */
		if (strncmp(v + 2, "size:", 5) == 0) {
			char *path = xstrndup(v + 7 + (v[7] == '/'),
			    n > 5 ? n - 5 - (v[7] == '/') : 0);
			int ok = scn_served(p->s, path);

			free(path);
			if (!ok)
				return scn_error(p, col + (int)(v - t), "\"%.*s\": "
				    "no package or file of [servers] is served "
				    "there", (int)(e - v + 1), v);
			continue;
		}
		for (i = 0; i < nitems(names); i++)
			if (strlen(names[i]) == n &&
			    strncmp(v + 2, names[i], n) == 0)
				break;
		if (i == nitems(names))
			return scn_error(p, col + (int)(v - t), "unknown "
			    "variable \"%.*s\" (${ftp}, ${http}, ${https}: a "
			    "server's address:port; ${ftp-port}, ...: its port)", (int)(e - v + 1), v);
		if (!p->s->servers)
			return scn_error(p, col + (int)(v - t), "\"%.*s\" needs a "
			    "[servers] section before [host]", (int)(e - v + 1),
			    v);
		if (strncmp(v + 2, "https", 5) == 0)
			p->s->uses_https = 1;
	}
	return 0;
}

static void
scn_add_step(struct scn_parse *p, const struct scn_step *st)
{
	p->s->steps = xreallocarray(p->s->steps, p->s->nsteps + 1,
	    sizeof *p->s->steps);
	p->s->steps[p->s->nsteps++] = *st;
}

/* A step of TEXT to the line's end whose ${...} are checked; 0 or -1. */
static int
scn_text_step(struct scn_parse *p, int col, enum scn_step_kind kind,
    const char *what)
{
	struct scn_step st = { kind, NULL, 0, 0, scn_here(p, col), 0 };

	if ((st.text = scn_rest(p, col, what)) == NULL)
		return -1;
	if (scn_check_vars(p, col, st.text) != 0) {
		free(st.text);
		return -1;
	}
	scn_add_step(p, &st);
	return 0;
}

/* [host] send TEXT. */
static int
scn_key_send(struct scn_parse *p, int col)
{
	return scn_text_step(p, col, SCN_SEND, "the command to send");
}

/* [host] send-data TEXT: TEXT's bytes alone (the input after CONNECT). */
static int
scn_key_send_data(struct scn_parse *p, int col)
{
	return scn_text_step(p, col, SCN_SEND_DATA, "the data to send");
}

/* [host] expect TEXT [within T]: TEXT is a glob of a whole line. */
static int
scn_key_expect(struct scn_parse *p, int col)
{
	struct scn_step st = { SCN_EXPECT, NULL, SCN_HOST_TIMEOUT, 0,
	    scn_here(p, col), 0 };
	const char *w, *t = p->text;
	size_t n = strlen(t);
	char *dur;
	int wcol, rc;

	/* " within T" at the end of the line gives the timeout. */
	while (n > (size_t)col && (t[n - 1] == ' ' || t[n - 1] == '\t'))
		n--;
	w = t + n;
	while (w > t + col && w[-1] != ' ' && w[-1] != '\t')
		w--;
	wcol = (int)(w - t);
	if (w - 7 >= t + col && strncmp(w - 7, "within", 6) == 0 &&
	    (w[-1] == ' ' || w[-1] == '\t') &&
	    (w[-8] == ' ' || w[-8] == '\t')) {
		dur = xstrndup(w, n - (size_t)wcol);
		rc = scenario_parse_secs(dur, &st.secs);
		free(dur);
		if (rc != 0 || st.secs <= 0)
			return scn_error(p, wcol, "expected a duration above 0 "
			    "after \"within\", not \"%.*s\"", (int)(n - (size_t)wcol),
			    w);
		n = (size_t)(w - 8 - t);
		while (n > (size_t)col && (t[n - 1] == ' ' || t[n - 1] == '\t'))
			n--;
	}
	if (n <= (size_t)col)
		return scn_error(p, col, "missing the line to expect");
	st.text = xstrndup(t + col, n - (size_t)col);
	if (scn_check_vars(p, col, st.text) != 0) {
		free(st.text);
		return -1;
	}
	scn_add_step(p, &st);
	return 0;
}

/* The step just added is the second interface's (send2, expect2); the
 * key's column is where a missing second-port is reported. */
static int
scn_port2(struct scn_parse *p, int col, int (*key)(struct scn_parse *, int))
{
	int kcol = 0;

	while (p->text[kcol] == ' ' || p->text[kcol] == '\t')
		kcol++;
	if (!p->s->second_port)
		return scn_error(p, kcol, "\"%.*s\" needs \"second-port "
		    "yes\" in [modem] before [host]", scn_wordlen(p, kcol),
		    p->text + kcol);
	if (key(p, col) != 0)
		return -1;
	p->s->steps[p->s->nsteps - 1].port2 = 1;
	return 0;
}

/* [host] send2 TEXT: send on the second interface. */
static int
scn_key_send2(struct scn_parse *p, int col)
{
	return scn_port2(p, col, scn_key_send);
}

/* [host] expect2 TEXT [within T]: a line on the second interface. */
static int
scn_key_expect2(struct scn_parse *p, int col)
{
	return scn_port2(p, col, scn_key_expect);
}

/* [host] reopen after reboot. */
static int
scn_key_reopen(struct scn_parse *p, int col)
{
	struct scn_step st = { SCN_REOPEN, NULL, SCN_HOST_TIMEOUT, 0,
	    scn_here(p, col), 0 };
	int next;

	if (!scn_word_is(p, col, "after", &next) ||
	    !scn_word_is(p, next, "reboot", &next))
		return scn_error(p, col, "expected \"after reboot\"");
	if (scn_word_is(p, next, "within", &next)) {
		if (scn_secs(p, next, &st.secs, &next) != 0)
			return -1;
	}
	if (scn_end(p, next, "\"reopen after reboot\"") != 0)
		return -1;
	scn_add_step(p, &st);
	return 0;
}

/* PATH, alone on the rest of the line, of a [servers] package or file
 * given above; the path (without its "/"), or NULL after an error. */
static char *
scn_served_word(struct scn_parse *p, int col)
{
	char *path;
	int next;

	if ((path = scn_server_path(p, col, &next)) == NULL)
		return NULL;
	if (!scn_served(p->s, path)) {
		free(path);
		scn_error(p, col, "no package or file of [servers] is served at "
		    "/%.*s", scn_wordlen(p, col) - (p->text[col] == '/'),
		    p->text + col + (p->text[col] == '/'));
		return NULL;
	}
	if (scn_end(p, next, "the file") != 0) {
		free(path);
		return NULL;
	}
	return path;
}

/* [host] send-file PATH: a [servers] package or file, over the port. */
static int
scn_key_send_file(struct scn_parse *p, int col)
{
	struct scn_step st = { SCN_SEND_FILE, NULL, 0, 0, scn_here(p, col), 0 };

	if ((st.text = scn_served_word(p, col)) == NULL)
		return -1;
	scn_add_step(p, &st);
	return 0;
}

/* [modem] staged PATH: the fresh flash already holds that package, staged
 * in its FOTA area (a download that ended before the update began). */
static int
scn_key_staged(struct scn_parse *p, int col)
{
	char *path;

	if (p->s->staged != NULL)
		return scn_error(p, col, "\"staged\" again (the one at line %d "
		    "holds the FOTA area)", p->s->staged_at.line);
	if ((path = scn_served_word(p, col)) == NULL)
		return -1;
	p->s->staged = path;
	p->s->staged_at = scn_here(p, col);
	return 0;
}

/* The open retry block's step (the last SCN_RETRY with no end after it),
 * or -1. */
static long
scn_open_retry(const struct scenario *s)
{
	size_t i;

	for (i = s->nsteps; i > 0; i--) {
		if (s->steps[i - 1].kind == SCN_RETRY_END)
			return -1;
		if (s->steps[i - 1].kind == SCN_RETRY)
			return (long)(i - 1);
	}
	return -1;
}

/* [host] retry N times: the steps up to "end" are tried up to N times. */
static int
scn_key_retry(struct scn_parse *p, int col)
{
	struct scn_step st = { SCN_RETRY, NULL, 0, 0, scn_here(p, col), 0 };
	char *w = scn_word(p, col);
	long n;
	int next;

	if (!isdigit((unsigned char)*w) || parse_long(w, 1, 100, &n) != 0) {
		scn_error(p, col, "expected how many tries in all (1 to 100), "
		    "not \"%s\"", w);
		free(w);
		return -1;
	}
	free(w);
	next = scn_skip(p, col + scn_wordlen(p, col));
	if (!scn_word_is(p, next, "times", &next))
		return scn_error(p, next, "expected \"times\" after the count");
	if (scn_end(p, next, "\"retry N times\"") != 0)
		return -1;
	if (scn_open_retry(p->s) >= 0)
		return scn_error(p, 0, "retry blocks do not nest (the one at "
		    "line %d is still open)",
		    p->s->steps[scn_open_retry(p->s)].at.line);
	st.count = (int)n;
	scn_add_step(p, &st);
	return 0;
}

/* [host] end: closes a retry block. */
static int
scn_key_end(struct scn_parse *p, int col)
{
	struct scn_step st = { SCN_RETRY_END, NULL, 0, 0, scn_here(p, col), 0 };

	if (scn_end(p, col, "end") != 0)
		return -1;
	if (scn_open_retry(p->s) < 0)
		return scn_error(p, 0, "\"end\" without a \"retry N times\"");
	scn_add_step(p, &st);
	return 0;
}

/* [host] sleep T. */
static int
scn_key_sleep(struct scn_parse *p, int col)
{
	struct scn_step st = { SCN_SLEEP, NULL, 0, 0, scn_here(p, col), 0 };
	int next;

	if (scn_secs(p, col, &st.secs, &next) != 0)
		return -1;
	if (scn_end(p, next, "the duration") != 0)
		return -1;
	scn_add_step(p, &st);
	return 0;
}

/* [expect] urcs ITEM...: FOTA URC short forms or globs of them. */
static int
scn_key_urcs(struct scn_parse *p, int col)
{
	struct scenario *s = p->s;
	size_t i;
	char *w;
	int n;

	for (i = 0; i < s->nurcs; i++)
		free(s->urcs[i]);
	free(s->urcs);
	s->urcs = NULL;
	s->nurcs = 0;
	s->has_urcs = 1;
	/* "urcs none": the run prints no FOTA URC at all. */
	if (scn_word_is(p, col, "none", &n))
		return scn_end(p, n, "none");
	if (p->text[col] == '\0')
		return scn_error(p, col, "missing the URCs (HTTPSTART HTTPEND,0 "
		    "..., or none)");
	while (p->text[col] != '\0') {
		n = scn_wordlen(p, col);
		w = xstrndup(p->text + col, (size_t)n);
		if (strchr(w, '"') != NULL || strchr(w, '[') != NULL) {
			free(w);
			return scn_error(p, col, "a URC here is its short form: "
			    "HTTPEND,0 for +QIND: \"FOTA\",\"HTTPEND\",0");
		}
		s->urcs = xreallocarray(s->urcs, s->nurcs + 1, sizeof *s->urcs);
		s->urcs[s->nurcs++] = w;
		col = scn_skip(p, col + n);
	}
	return 0;
}

/* A revision value for *dst (and where it was written). */
static int
scn_set_revision(struct scn_parse *p, int col, char **dst,
    struct scn_where *at)
{
	char *r;
	int next;

	if ((r = scn_revision(p, col, &next)) == NULL)
		return -1;
	if (scn_end(p, next, "the revision") != 0) {
		free(r);
		return -1;
	}
	free(*dst);
	*dst = r;
	*at = scn_here(p, col);
	return 0;
}

/* [expect] revision REV. */
static int
scn_key_revision(struct scn_parse *p, int col)
{
	return scn_set_revision(p, col, &p->s->revision, &p->s->revision_at);
}

/* [expect] flash REV: the booted slot is REV's image, byte for byte. */
static int
scn_key_flash(struct scn_parse *p, int col)
{
	return scn_set_revision(p, col, &p->s->flash, &p->s->flash_at);
}

/* [expect] downloads PATH N. */
static int
scn_key_downloads(struct scn_parse *p, int col)
{
	struct scn_downloads d = { 0 };
	char *w;
	int next;

	d.at = scn_here(p, col);
	if ((d.path = scn_server_path(p, col, &next)) == NULL)
		return -1;
	col = next;
	w = scn_word(p, col);
	if (!isdigit((unsigned char)*w) || parse_long(w, 0, 1000000, &d.n)
	    != 0) {
		scn_error(p, col, "expected how many requests (0 or more), not "
		    "\"%s\"", w);
		free(w);
		free(d.path);
		return -1;
	}
	free(w);
	if (scn_end(p, scn_skip(p, col + scn_wordlen(p, col)),
	    "the count") != 0) {
		free(d.path);
		return -1;
	}
	p->s->downloads = xreallocarray(p->s->downloads, p->s->ndownloads + 1,
	    sizeof *p->s->downloads);
	p->s->downloads[p->s->ndownloads++] = d;
	return 0;
}

static const struct scn_key scn_keys[] = {
	{ SEC_MODEM, "model", "model", NULL },
	{ SEC_MODEM, "revision", "revision", NULL },
	{ SEC_MODEM, "port", "port", NULL },
	{ SEC_MODEM, "flash", "flash", NULL },
	{ SEC_MODEM, "flash-size", "flash-size", NULL },
	{ SEC_MODEM, "flash-block", "flash-block", NULL },
	{ SEC_MODEM, "flash-page", "flash-page", NULL },
	{ SEC_MODEM, "flash-timing", "flash-timing", NULL },
	{ SEC_MODEM, "flash-fault", "flash-fault", NULL },
	{ SEC_MODEM, "image-size", "image-size", NULL },
	{ SEC_MODEM, "fota-area", "fota-area", NULL },
	{ SEC_MODEM, "fota-timeouts", "fota-timeouts", NULL },
	{ SEC_MODEM, "fota-resume", "fota-resume", NULL },
	{ SEC_MODEM, "dialect", "dialect", NULL },
	{ SEC_MODEM, "verify-https", NULL, scn_key_verify },
	{ SEC_MODEM, "staged", NULL, scn_key_staged },
	{ SEC_MODEM, "second-port", NULL, scn_key_second_port },
	{ SEC_NETWORK, "dns", "dns", NULL },
	{ SEC_NETWORK, "dns-timeout", "dns-timeout", NULL },
	{ SEC_NETWORK, "reject-apn", "reject-apn", NULL },
	{ SEC_NETWORK, "pdp-activation-time", "pdp-activation-time", NULL },
	{ SEC_NETWORK, "rat", "rat", NULL },
	{ SEC_NETWORK, "link-profile", "link-profile", NULL },
	{ SEC_NETWORK, "link-fault", "link-fault", NULL },
	{ SEC_NETWORK, "sockets-in-use", "sockets-in-use", NULL },
	{ SEC_SERVERS, "package", NULL, scn_key_package },
	{ SEC_SERVERS, "file", NULL, scn_key_file },
	{ SEC_SERVERS, "fault", NULL, scn_key_fault },
	{ SEC_TIMELINE, "at", NULL, scn_key_at },
	{ SEC_TIMELINE, "on", NULL, scn_key_on },
	{ SEC_HOST, "send", NULL, scn_key_send },
	{ SEC_HOST, "expect", NULL, scn_key_expect },
	{ SEC_HOST, "send2", NULL, scn_key_send2 },
	{ SEC_HOST, "expect2", NULL, scn_key_expect2 },
	{ SEC_HOST, "reopen", NULL, scn_key_reopen },
	{ SEC_HOST, "sleep", NULL, scn_key_sleep },
	{ SEC_HOST, "send-file", NULL, scn_key_send_file },
	{ SEC_HOST, "send-data", NULL, scn_key_send_data },
	{ SEC_HOST, "retry", NULL, scn_key_retry },
	{ SEC_HOST, "end", NULL, scn_key_end },
	{ SEC_EXPECT, "urcs", NULL, scn_key_urcs },
	{ SEC_EXPECT, "revision", NULL, scn_key_revision },
	{ SEC_EXPECT, "downloads", NULL, scn_key_downloads },
	{ SEC_EXPECT, "flash", NULL, scn_key_flash },
};

/* "key1, key2, ..." of a section, for an unknown key's message. */
static void
scn_key_list(enum scn_section sec, char *out, size_t size)
{
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < nitems(scn_keys) && n < size; i++)
		if (scn_keys[i].section == sec)
			n += (size_t)snprintf(out + n, size - n, "%s%s",
			    n ? ", " : "", scn_keys[i].name);
}

/* Whether the n bytes of a line are text: printable ASCII, tab, CR (at
 * the end), well-formed UTF-8.  0, or -1 at the bad byte's column. */
static int
scn_check_bytes(struct scn_parse *p, const unsigned char *s, size_t n)
{
	size_t i, k, j;

	for (i = 0; i < n; i += k) {
		k = 1;
		if ((s[i] >= 0x20 && s[i] < 0x7f) || s[i] == '\t' ||
		    (s[i] == '\r' && i == n - 1))
			continue;
		if (s[i] >= 0xc2 && s[i] <= 0xf4) {
			k = s[i] >= 0xf0 ? 4 : s[i] >= 0xe0 ? 3 : 2;
			for (j = 1; j < k && i + j < n &&
			    (s[i + j] & 0xc0) == 0x80; j++)
				;
			if (j == k)
				continue;
		}
		p->text = "";
		return scn_error(p, (int)i, "byte 0x%02x cannot be in a scenario "
		    "file (text: printable ASCII or UTF-8)", s[i]);
	}
	return 0;
}

static int	scn_parse_text(struct scn_parse *, const char *, size_t);

/* Remember a file name for wheres; returns the kept copy. */
static const char *
scn_keep_file(struct scenario *s, const char *name)
{
	s->files = xreallocarray(s->files, s->nfiles + 1, sizeof *s->files);
	s->files[s->nfiles] = xstrdup(name);
	return s->files[s->nfiles++];
}

/* Read a whole file (at most SCN_SIZE_MAX bytes); NULL with errno. */
static char *
scn_read_file(const char *path, size_t *len)
{
	struct buf b;
	char tmp[4096], *out;
	size_t n;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	buf_init(&b);
	while ((n = fread(tmp, 1, sizeof tmp, fp)) > 0 &&
	    buf_used(&b) <= SCN_SIZE_MAX)
		buf_add(&b, tmp, n);
	if (ferror(fp) || buf_used(&b) > SCN_SIZE_MAX) {
		errno = ferror(fp) ? EIO : EFBIG;
		fclose(fp);
		buf_free(&b);
		return NULL;
	}
	fclose(fp);
	*len = buf_used(&b);
	out = xmalloc(*len + 1);
	if (*len > 0)
		memcpy(out, buf_head(&b), *len);
	out[*len] = '\0';
	buf_free(&b);
	return out;
}

/* The directory part of a path ("." for none). */
static char *
scn_dirname(const char *path)
{
	const char *sl = strrchr(path, '/');

	if (sl == NULL)
		return xstrdup(".");
	if (sl == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(sl - path));
}

/* include FILE at col: parse it in place, then back outside sections. */
static int
scn_include(struct scn_parse *p, int col)
{
	struct scn_parse sub;
	char *w, *path, *text, *dir;
	size_t len;
	int rc;

	w = scn_word(p, col);
	if (*w == '\0') {
		free(w);
		return scn_error(p, col, "missing the file to include");
	}
	if (scn_end(p, scn_skip(p, col + scn_wordlen(p, col)), "the file")
	    != 0) {
		free(w);
		return -1;
	}
	if (p->depth + 1 >= SCN_INCLUDE_DEPTH) {
		free(w);
		return scn_error(p, col, "includes nest deeper than %d (a loop?)",
		    SCN_INCLUDE_DEPTH);
	}
	if (*w == '/')
		path = w;
	else {
		xasprintf(&path, "%s/%s", p->dir, w);
		free(w);
	}
	if ((text = scn_read_file(path, &len)) == NULL) {
		rc = scn_error(p, col, "cannot include %s: %s", path,
		    strerror(errno));
		free(path);
		return rc;
	}
	sub = *p;
	sub.file = scn_keep_file(p->s, path);
	sub.dir = dir = scn_dirname(path);
	sub.depth = p->depth + 1;
	sub.err = NULL;
	rc = scn_parse_text(&sub, text, len);
	free(dir);
	free(text);
	free(path);
	if (rc != 0)
		p->err = sub.err;
	p->section = SEC_TOP;
	return rc;
}

/* A section header "[name]" (the whole line). */
static int
scn_header(struct scn_parse *p)
{
	const char *t = p->text, *e = strchr(t, ']');
	size_t n;
	int i;

	if (e == NULL)
		return scn_error(p, (int)strlen(t), "expected \"]\" to end the "
		    "section name");
	if (scn_end(p, scn_skip(p, (int)(e - t) + 1), "the section name") != 0)
		return -1;
	n = (size_t)(e - t - 1);
	for (i = 1; i < SEC_NSECTIONS; i++)
		if (strlen(scn_section_names[i]) == n &&
		    strncmp(t + 1, scn_section_names[i], n) == 0)
			break;
	if (i == SEC_NSECTIONS)
		return scn_error(p, 1, "unknown section \"[%.*s]\" (modem, "
		    "network, servers, timeline, host, expect)", (int)n, t + 1);
	p->section = (enum scn_section)i;
	if (i == SEC_SERVERS)
		p->s->servers = 1;
	if (i == SEC_HOST)
		p->s->host = 1;
	return 0;
}

/* A line outside sections: seed N, include FILE. */
static int
scn_top(struct scn_parse *p, int col)
{
	int next;
	char *w;
	unsigned long long v;
	char *end;

	if (scn_word_is(p, col, "include", &next))
		return scn_include(p, next);
	if (scn_word_is(p, col, "seed", &next)) {
		w = scn_word(p, next);
		errno = 0;
		v = isdigit((unsigned char)*w) ? strtoull(w, &end, 10) : 0;
		if (!isdigit((unsigned char)*w) || errno != 0 || *end != '\0') {
			scn_error(p, next, "expected the seed, a number, not "
			    "\"%s\"", w);
			free(w);
			return -1;
		}
		free(w);
		p->s->seed = v;
		p->s->seeded = 1;
		return scn_end(p, scn_skip(p, next + scn_wordlen(p, next)),
		    "the seed");
	}
	return scn_error(p, col, "\"%.*s\" outside a section (only seed and "
	    "include are; a section starts with [modem], [network], "
	    "[servers], [timeline], [host] or [expect])", scn_wordlen(p, col),
	    p->text + col);
}

/* One line, comment and trailing blanks removed. */
static int
scn_line(struct scn_parse *p)
{
	char keys[256];
	const struct scn_key *k;
	size_t i;
	int col = scn_skip(p, 0), next, n;

	if (p->text[col] == '\0')
		return 0;
	if (col == 0 && p->text[0] == '[')
		return scn_header(p);
	if (p->text[col] == '[')
		return scn_error(p, col, "a section header starts its line");
	if (scn_word_is(p, col, "include", &next))
		return scn_include(p, next);
	if (p->section == SEC_TOP)
		return scn_top(p, col);
	n = scn_wordlen(p, col);
	for (i = 0; i < nitems(scn_keys); i++) {
		k = &scn_keys[i];
		if (k->section == p->section && (int)strlen(k->name) == n &&
		    strncmp(p->text + col, k->name, (size_t)n) == 0)
			break;
	}
	if (i == nitems(scn_keys)) {
		scn_key_list(p->section, keys, sizeof keys);
		return scn_error(p, col, "unknown key \"%.*s\" in [%s] (%s)", n,
		    p->text + col, scn_section_names[p->section], keys);
	}
	next = scn_skip(p, col + n);
	if (k->option != NULL)
		return scn_key_option(p, next, k->option);
	return k->parse(p, next);
}

/* Parse text line by line into p->s. */
static int
scn_parse_text(struct scn_parse *p, const char *text, size_t len)
{
	const char *s = text, *end = text + len, *nl, *c;
	char *line;
	size_t n;
	int rc = 0;

	p->line = 0;
	p->section = SEC_TOP;
	while (s < end && rc == 0) {
		p->line++;
		nl = memchr(s, '\n', (size_t)(end - s));
		n = nl != NULL ? (size_t)(nl - s) : (size_t)(end - s);
		if ((rc = scn_check_bytes(p, (const unsigned char *)s, n)) != 0)
			break;
		line = xstrndup(s, n);
		/* A comment starts with '#' at the start or after a blank. */
		for (c = line; *c != '\0'; c++)
			if (*c == '#' && (c == line || c[-1] == ' ' ||
			    c[-1] == '\t'))
				break;
		n = (size_t)(c - line);
		while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t' ||
		    line[n - 1] == '\r'))
			n--;
		line[n] = '\0';
		p->text = line;
		rc = scn_line(p);
		p->text = "";
		free(line);
		s = nl != NULL ? nl + 1 : end;
	}
	return rc;
}

/* After the last line: what the sections say together. */
static int
scn_finish(struct scn_parse *p)
{
	struct scenario *s = p->s;
	size_t i, j;

	p->text = "";
	if (scn_open_retry(s) >= 0) {
		const struct scn_step *st = &s->steps[scn_open_retry(s)];

		p->file = st->at.file;
		p->line = st->at.line;
		return scn_error(p, st->at.col - 1, "\"retry\" without its "
		    "\"end\"");
	}
	for (i = 0; i < s->ndownloads; i++) {
		if (!s->servers) {
			p->file = s->downloads[i].at.file;
			p->line = s->downloads[i].at.line;
			return scn_error(p, s->downloads[i].at.col - 1,
			    "\"downloads\" counts what the servers saw: it needs "
			    "a [servers] section");
		}
	}
	for (i = 0; i < s->npkgs; i++)
		for (j = 0; j < s->nsfiles; j++)
			if (strcmp(s->pkgs[i].name, s->sfiles[j].name) == 0) {
				p->file = s->sfiles[j].at.file;
				p->line = s->sfiles[j].at.line;
				return scn_error(p, s->sfiles[j].at.col - 1,
				    "/%s is already a package",
				    s->sfiles[j].name);
			}
	for (i = 0; i < s->npkgs; i++)
		for (j = 0; j < i; j++)
			if (strcmp(s->pkgs[i].name, s->pkgs[j].name) == 0) {
				p->file = s->pkgs[i].at.file;
				p->line = s->pkgs[i].at.line;
				return scn_error(p, s->pkgs[i].at.col - 1,
				    "/%s is served twice", s->pkgs[i].name);
			}
	return 0;
}

static void
scn_init(struct scenario *s)
{
	memset(s, 0, sizeof *s);
	s->seed = 1;
	faults_init(&s->faults);
}

static int
scn_run(struct scenario *out, const char *name, const char *text, size_t len,
    const char *dir, scn_check_fn check, void *arg, char **err)
{
	struct scenario s;
	struct scn_parse p;
	size_t i;
	int rc;

	scn_init(&s);
	s.path = xstrdup(name);
	memset(&p, 0, sizeof p);
	p.s = &s;
	p.check = check;
	p.arg = arg;
	p.file = scn_keep_file(&s, name);
	p.dir = dir;
	p.text = "";
	rc = scn_parse_text(&p, text, len);
	if (rc == 0)
		rc = scn_finish(&p);
	if (rc != 0) {
		*err = p.err;
		scenario_free(&s);
		return -1;
	}
	s.faults.rng = s.seed;
	for (i = 0; i < s.faults.n; i++)
		if (s.faults.v[i].svc == FAULT_TLS)
			s.uses_https = 1;
	if (s.verify_https || !s.host)
		s.uses_https = 1;
	*out = s;
	return 0;
}

int
scenario_parse(struct scenario *out, const char *name, const char *text,
    size_t len, scn_check_fn check, void *arg, char **err)
{
	return scn_run(out, name, text, len, ".", check, arg, err);
}

int
scenario_load(struct scenario *out, const char *path, scn_check_fn check,
    void *arg, char **err)
{
	char *text, *dir;
	size_t len;
	int rc;

	if ((text = scn_read_file(path, &len)) == NULL) {
		xasprintf(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	dir = scn_dirname(path);
	rc = scn_run(out, path, text, len, dir, check, arg, err);
	free(dir);
	free(text);
	return rc;
}

void
scenario_free(struct scenario *s)
{
	size_t i;

	for (i = 0; i < s->nfiles; i++)
		free(s->files[i]);
	free(s->files);
	free(s->staged);
	for (i = 0; i < s->nopts; i++)
		free(s->opts[i].value);
	free(s->opts);
	for (i = 0; i < s->npkgs; i++) {
		free(s->pkgs[i].name);
		free(s->pkgs[i].from);
		free(s->pkgs[i].to);
	}
	free(s->pkgs);
	for (i = 0; i < s->nsfiles; i++) {
		free(s->sfiles[i].name);
		free(s->sfiles[i].path);
	}
	free(s->sfiles);
	faults_free(&s->faults);
	for (i = 0; i < s->nevents; i++) {
		free(s->events[i].pattern);
		free(s->events[i].net);
		free(s->events[i].text);
	}
	free(s->events);
	for (i = 0; i < s->nsteps; i++)
		free(s->steps[i].text);
	free(s->steps);
	for (i = 0; i < s->nurcs; i++)
		free(s->urcs[i]);
	free(s->urcs);
	free(s->revision);
	free(s->flash);
	for (i = 0; i < s->ndownloads; i++)
		free(s->downloads[i].path);
	free(s->downloads);
	free(s->path);
	memset(s, 0, sizeof *s);
}

int
scenario_urc_short(const char *line, char *out, size_t size)
{
	static const char prefix[] = "+QIND: \"FOTA\",";
	const char *c;
	size_t n = 0;

	if (strncmp(line, prefix, sizeof prefix - 1) != 0)
		return -1;
	for (c = line + sizeof prefix - 1; *c != '\0' && n + 1 < size; c++)
		if (*c != '"')
			out[n++] = *c;
	out[n] = '\0';
	return 0;
}

int
scenario_urcs_match(const char *const *want, size_t nwant,
    const char *const *got, size_t ngot)
{
	size_t k;

	if (nwant == 0)
		return ngot == 0;
	if (strchr(want[0], '*') == NULL)
		return ngot > 0 && strcmp(want[0], got[0]) == 0 &&
		    scenario_urcs_match(want + 1, nwant - 1, got + 1, ngot - 1);
	/* A run of one or more; the longest first, then shorter. */
	for (k = 0; k < ngot && fnmatch(want[0], got[k], 0) == 0; k++)
		;
	for (; k >= 1; k--)
		if (scenario_urcs_match(want + 1, nwant - 1, got + k, ngot - k))
			return 1;
	return 0;
}
