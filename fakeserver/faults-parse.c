/*
 * faults-parse.c: the fault directive parser.
 *
 * A line is a list of words (faults-lex.c).  The first two name the service
 * and the place; then "when" qualifiers (the table in faults-when.c) and one
 * action (fault_actions[] below), both looked up in tables that declare
 * their arguments, so the parser itself is a small loop.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "faults-int.h"
#include "util.h"

/* Service bits for the action table. */
#define SVC_FTP		(1 << FAULT_FTP)
#define SVC_HTTP	(1 << FAULT_HTTP)
#define SVC_TLS		(1 << FAULT_TLS)

struct fault_action_def {
	const char		*name;
	const char		*name2;		/* second word, or NULL */
	enum fault_action	 action;
	int			 services;
	/* Parse the arguments starting at word i; the next word or -1. */
	int			(*args)(struct fault_parse *, int i, struct fault *);
};

static int	fault_args_none(struct fault_parse *, int, struct fault *);
static int	fault_args_reply(struct fault_parse *, int, struct fault *);
static int	fault_args_status(struct fault_parse *, int, struct fault *);
static int	fault_args_redirect(struct fault_parse *, int, struct fault *);
static int	fault_args_time(struct fault_parse *, int, struct fault *);
static int	fault_args_stall(struct fault_parse *, int, struct fault *);
static int	fault_args_rate(struct fault_parse *, int, struct fault *);
static int	fault_args_address(struct fault_parse *, int, struct fault *);
static int	fault_args_port(struct fault_parse *, int, struct fault *);
static int	fault_args_count(struct fault_parse *, int, struct fault *);
static int	fault_args_delta(struct fault_parse *, int, struct fault *);

static const struct fault_action_def fault_actions[] = {
	{ "reply", NULL, FAULT_REPLY, SVC_FTP, fault_args_reply },
	{ "status", NULL, FAULT_STATUS, SVC_HTTP, fault_args_status },
	{ "redirect", NULL, FAULT_REDIRECT, SVC_HTTP, fault_args_redirect },
	{ "delay", NULL, FAULT_DELAY, SVC_FTP | SVC_HTTP, fault_args_time },
	{ "hang", NULL, FAULT_HANG, SVC_FTP | SVC_HTTP | SVC_TLS, fault_args_none },
	{ "stall", NULL, FAULT_STALL, SVC_FTP | SVC_HTTP, fault_args_stall },
	{ "throttle", NULL, FAULT_THROTTLE, SVC_FTP | SVC_HTTP, fault_args_rate },
	{ "close", NULL, FAULT_CLOSE, SVC_FTP | SVC_HTTP, fault_args_none },
	{ "reset", NULL, FAULT_RESET, SVC_FTP | SVC_HTTP, fault_args_none },
	{ "refuse", NULL, FAULT_REFUSE, SVC_FTP, fault_args_none },
	{ "address", NULL, FAULT_ADDRESS, SVC_FTP, fault_args_address },
	{ "port", NULL, FAULT_ADDRESS, SVC_FTP, fault_args_port },
	{ "garbage", NULL, FAULT_GARBAGE, SVC_FTP | SVC_HTTP, fault_args_count },
	{ "flip", NULL, FAULT_FLIP, SVC_FTP | SVC_HTTP, fault_args_none },
	{ "content-length", NULL, FAULT_LENGTH, SVC_HTTP, fault_args_delta },
	{ "chunked", "bad", FAULT_BADCHUNK, SVC_HTTP, fault_args_none },
	{ "gzip", "junk", FAULT_GZIPJUNK, SVC_HTTP, fault_args_none },
	{ "handshake", "abort", FAULT_TLS_ABORT, SVC_TLS, fault_args_none },
	{ "certificate", "untrusted", FAULT_TLS_UNTRUSTED, SVC_TLS, fault_args_none },
	{ "certificate", "wrong-name", FAULT_TLS_WRONGNAME, SVC_TLS, fault_args_none },
	{ "certificate", "expired", FAULT_TLS_EXPIRED, SVC_TLS, fault_args_none },
	{ "no-close-notify", NULL, FAULT_TLS_NOCLOSE, SVC_TLS, fault_args_none },
};

/* FTP places that are not commands. */
static const char *fault_ftp_places[] = {
	"greeting", "control", "data", "final",
};

/*
 * The FTP commands a directive may name: RFC 959, RFC 2389 (FEAT, OPTS),
 * RFC 3659 (MDTM, SIZE, MLST, MLSD), and the two of RFC 2428 (EPSV, EPRT)
 * and RFC 775 (XPWD) that the server implements.  Any other word would
 * pass silently and never match.
 */
static const char *fault_ftp_commands[] = {
	"ABOR", "ACCT", "ALLO", "APPE", "CDUP", "CWD", "DELE", "EPRT", "EPSV",
	"FEAT", "HELP", "LIST", "MDTM", "MKD", "MLSD", "MLST", "MODE", "NLST",
	"NOOP", "OPTS", "PASS", "PASV", "PORT", "PWD", "QUIT", "REIN", "REST",
	"RETR", "RMD", "RNFR", "RNTO", "SITE", "SIZE", "SMNT", "STAT", "STOR",
	"STOU", "STRU", "SYST", "TYPE", "USER", "XPWD",
};

/* The action takes no argument. */
static int
fault_args_none(struct fault_parse *p, int i, struct fault *f)
{
	return i;
}

/* A standard text for FTP replies given without one. */
static const char *
fault_reply_text(long code)
{
	switch (code) {
	case 421: return "Service not available, closing control connection.";
	case 425: return "Can't open data connection.";
	case 426: return "Connection closed; transfer aborted.";
	case 450: return "Requested file action not taken.";
	case 451: return "Requested action aborted: local error in processing.";
	case 452: return "Requested action not taken: insufficient storage.";
	case 500: return "Syntax error, command unrecognized.";
	case 501: return "Syntax error in parameters or arguments.";
	case 502: return "Command not implemented.";
	case 503: return "Bad sequence of commands.";
	case 504: return "Command not implemented for that parameter.";
	case 530: return "Not logged in.";
	case 532: return "Need account for storing files.";
	case 550: return "Requested action not taken: file unavailable.";
	case 551: return "Requested action aborted: page type unknown.";
	case 552: return "Requested file action aborted: exceeded storage allocation.";
	case 553: return "Requested action not taken: file name not allowed.";
	default: return "Fault injected by fotasim-server.";
	}
}

/* reply CODE [TEXT...]: TEXT is the rest of the line. */
static int
fault_args_reply(struct fault_parse *p, int i, struct fault *f)
{
	long code;

	if (i >= p->n)
		return fault_error(p, i, "reply needs a code (100-599)");
	if (parse_long(p->w[i].s, 100, 599, &code) == -1)
		return fault_error(p, i, "bad reply code \"%s\" (100-599)",
		    p->w[i].s);
	f->code = code;
	if (i + 1 < p->n) {
		const char *t = p->text + p->w[i + 1].col - 1;
		size_t len = strcspn(t, "#");
		while (len > 0 && isspace((unsigned char)t[len - 1]))
			len--;
		f->text = xstrndup(t, len);
	} else
		f->text = xstrdup(fault_reply_text(code));
	return p->n;
}

/* status CODE. */
static int
fault_args_status(struct fault_parse *p, int i, struct fault *f)
{
	if (i >= p->n || parse_long(p->w[i].s, 100, 599, &f->code) == -1)
		return fault_error(p, i, "status needs a code (100-599)");
	return i + 1;
}

/* redirect [CODE] URL. */
static int
fault_args_redirect(struct fault_parse *p, int i, struct fault *f)
{
	f->code = 302;
	if (i < p->n && isdigit((unsigned char)p->w[i].s[0])) {
		if (parse_long(p->w[i].s, 300, 399, &f->code) == -1)
			return fault_error(p, i, "redirect code must be 300-399");
		i++;
	}
	if (i >= p->n)
		return fault_error(p, i, "redirect needs a URL");
	f->text = xstrdup(p->w[i].s);
	return i + 1;
}

/* delay TIME. */
static int
fault_args_time(struct fault_parse *p, int i, struct fault *f)
{
	if (i >= p->n || fault_parse_time(p->w[i].s, &f->secs) == -1)
		return fault_error(p, i, "expected a duration such as 500ms, 3s, 2m");
	return i + 1;
}

/* stall [TIME|forever]: without a time, for ever. */
static int
fault_args_stall(struct fault_parse *p, int i, struct fault *f)
{
	f->secs = -1;
	if (i >= p->n || strcmp(p->w[i].s, "forever") == 0)
		return i < p->n ? i + 1 : i;
	return fault_args_time(p, i, f);
}

/* throttle RATE. */
static int
fault_args_rate(struct fault_parse *p, int i, struct fault *f)
{
	if (i >= p->n || fault_parse_rate(p->w[i].s, &f->rate) == -1)
		return fault_error(p, i, "expected a rate such as 5kB/s");
	return i + 1;
}

/* address A.B.C.D [PORT]. */
static int
fault_args_address(struct fault_parse *p, int i, struct fault *f)
{
	unsigned a, b, c, d;
	char extra;

	if (i >= p->n || sscanf(p->w[i].s, "%u.%u.%u.%u%c", &a, &b, &c, &d,
	    &extra) != 4 || a > 255 || b > 255 || c > 255 || d > 255)
		return fault_error(p, i, "address needs an IPv4 address");
	f->text = xstrdup(p->w[i].s);
	if (i + 1 < p->n && isdigit((unsigned char)p->w[i + 1].s[0]))
		return fault_args_port(p, i + 1, f);
	return i + 1;
}

/* port N (1-65535). */
static int
fault_args_port(struct fault_parse *p, int i, struct fault *f)
{
	long v;

	if (i >= p->n || parse_long(p->w[i].s, 1, 65535, &v) == -1)
		return fault_error(p, i, "expected a port (1-65535)");
	f->count = v;
	return i + 1;
}

/* garbage [N]: N bytes, 1 to FAULT_GARBAGE_MAX (default 64). */
static int
fault_args_count(struct fault_parse *p, int i, struct fault *f)
{
	f->count = 64;
	if (i < p->n && (fault_parse_count(p->w[i].s, &f->count) == -1 ||
	    f->count < 1 || f->count > FAULT_GARBAGE_MAX))
		return fault_error(p, i, "garbage needs 1 to %d bytes",
		    FAULT_GARBAGE_MAX);
	return i < p->n ? i + 1 : i;
}

/* content-length +N | -N. */
static int
fault_args_delta(struct fault_parse *p, int i, struct fault *f)
{
	const char *s;
	long long v;

	if (i >= p->n || ((s = p->w[i].s)[0] != '+' && s[0] != '-') ||
	    fault_parse_count(s + 1, &v) == -1)
		return fault_error(p, i, "expected +N or -N");
	f->count = s[0] == '-' ? -v : v;
	return i + 1;
}

/* Check and normalise the place word for the service. */
static int
fault_parse_where(struct fault_parse *p, struct fault *f)
{
	size_t i;
	char *w = p->w[1].s;

	switch (f->svc) {
	case FAULT_FTP:
		for (i = 0; i < nitems(fault_ftp_places); i++)
			if (strcasecmp(w, fault_ftp_places[i]) == 0) {
				f->where = xstrdup(fault_ftp_places[i]);
				return 0;
			}
		if (strcmp(w, "*") == 0) {
			f->where = xstrdup(w);
			return 0;
		}
		for (i = 0; i < nitems(fault_ftp_commands); i++)
			if (strcasecmp(w, fault_ftp_commands[i]) == 0) {
				f->where = xstrdup(fault_ftp_commands[i]);
				return 0;
			}
		return fault_error(p, 1, "unknown FTP command or stage \"%s\" "
		    "(a command of RFC 959, 2389 or 3659, greeting, control, "
		    "data, final or *)", w);
	case FAULT_HTTP:
		if (w[0] != '/' && strcmp(w, "*") != 0)
			return fault_error(p, 1, "HTTP place must be a path "
			    "pattern starting with / or *");
		f->where = xstrdup(w);
		return 0;
	case FAULT_TLS:
		/* The certificate is chosen at accept, before any request. */
		if (strcmp(w, "*") != 0)
			return fault_error(p, 1, "TLS place must be *");
		f->where = xstrdup(w);
		return 0;
	}
	return -1;
}

/*
 * The action named at word i, or NULL after an error.  A two-word action
 * whose first word is right but whose second is wrong or missing ("chunked
 * good", "certificate bogus") is an error at the second word, which lists
 * what may follow.
 */
static const struct fault_action_def *
fault_action_find(struct fault_parse *p, int i)
{
	const struct fault_action_def *d;
	struct buf alt;
	size_t k;
	int named = 0;

	for (k = 0; k < nitems(fault_actions); k++) {
		d = &fault_actions[k];
		if (strcmp(d->name, p->w[i].s) != 0)
			continue;
		named = 1;
		if (d->name2 == NULL || (i + 1 < p->n &&
		    strcmp(d->name2, p->w[i + 1].s) == 0))
			return d;
	}
	if (!named) {
		fault_error(p, i, "unknown word \"%s\"", p->w[i].s);
		return NULL;
	}
	buf_init(&alt);
	for (k = 0; k < nitems(fault_actions); k++)
		if (strcmp(fault_actions[k].name, p->w[i].s) == 0)
			buf_addf(&alt, "%s\"%s\"", buf_used(&alt) ? " or " : "",
			    fault_actions[k].name2);
	buf_add(&alt, "", 1);
	if (i + 1 < p->n)
		fault_error(p, i + 1, "unknown word \"%s\" after \"%s\" "
		    "(expected %s)", p->w[i + 1].s, p->w[i].s,
		    (char *)buf_head(&alt));
	else
		fault_error(p, i + 1, "\"%s\" needs %s", p->w[i].s,
		    (char *)buf_head(&alt));
	buf_free(&alt);
	return NULL;
}

/* Parse one split line into a directive. */
static int
fault_parse_line(struct fault_parse *p, struct faults *fs)
{
	const struct fault_action_def *def = NULL;
	struct fault f;
	size_t k;
	int i, j;

	memset(&f, 0, sizeof f);
	f.after = -1;
	f.after_pct = -1;
	f.prob = 1;
	if (strcmp(p->w[0].s, "seed") == 0) {
		unsigned long long v;
		if (p->n != 2 || parse_size(p->w[1].s, &v) == -1)
			return fault_error(p, 1, "seed needs one number");
		fs->rng = v;
		return 0;
	}
	if (strcmp(p->w[0].s, "ftp") == 0)
		f.svc = FAULT_FTP;
	else if (strcmp(p->w[0].s, "http") == 0 || strcmp(p->w[0].s, "https") == 0)
		f.svc = FAULT_HTTP;
	else if (strcmp(p->w[0].s, "tls") == 0)
		f.svc = FAULT_TLS;
	else
		return fault_error(p, 0, "unknown directive \"%s\" (expected ftp, "
		    "http, https, tls or seed)", p->w[0].s);
	if (p->n < 3)
		return fault_error(p, p->n, "incomplete directive: expected "
		    "SERVICE WHERE [WHEN...] ACTION");
	if (fault_parse_where(p, &f) == -1)
		goto fail;

	for (i = 2; i < p->n; i = j) {
		if ((j = fault_when_parse(p, i, &f)) == -1)
			goto fail;
		if (j > 0)
			continue;
		if ((def = fault_action_find(p, i)) == NULL)
			goto fail;
		if (!(def->services & (1 << f.svc))) {
			fault_error(p, i, "\"%s\" does not apply to %s", def->name,
			    p->w[0].s);
			goto fail;
		}
		f.action = def->action;
		if ((j = def->args(p, i + (def->name2 ? 2 : 1), &f)) == -1)
			goto fail;
		if (j < p->n) {
			fault_error(p, j, "unexpected \"%s\" after the action",
			    p->w[j].s);
			goto fail;
		}
		break;
	}
	if (def == NULL) {
		fault_error(p, p->n, "missing action");
		goto fail;
	}
	if (f.action == FAULT_FLIP && f.after < 0 && f.after_pct < 0) {
		fault_error(p, i, "flip needs \"at byte K\" or \"after N%%\"");
		goto fail;
	}
	f.file = xstrdup(p->file);
	f.line = p->line;
	k = strcspn(p->text, "#");
	while (k > 0 && isspace((unsigned char)p->text[k - 1]))
		k--;
	f.source = xstrndup(p->text + strspn(p->text, " \t"),
	    k - strspn(p->text, " \t"));
	fs->v = xreallocarray(fs->v, fs->n + 1, sizeof *fs->v);
	fs->v[fs->n++] = f;
	return 0;
fail:
	free(f.where);
	free(f.path);
	free(f.text);
	return -1;
}

void
faults_init(struct faults *fs)
{
	memset(fs, 0, sizeof *fs);
	fs->rng = 1;
}

void
faults_free(struct faults *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++) {
		free(fs->v[i].file);
		free(fs->v[i].source);
		free(fs->v[i].where);
		free(fs->v[i].path);
		free(fs->v[i].text);
	}
	free(fs->v);
	faults_init(fs);
}

/* Parse one line of n bytes (no LF) into fs; p->line is set.  The line's
 * first byte is at column `col` (1 in a directive file). */
static int
faults_parse_one(struct fault_parse *p, struct faults *fs, const char *s,
    size_t n, int col)
{
	char *line, *copy;
	int rc;

	p->n = 0;
	/* Blanks stand for what comes before the directive on its line, so
	 * that columns are the line's.  A NUL would end the line's C string:
	 * check bytes first. */
	line = xmalloc((size_t)col + n);
	memset(line, ' ', (size_t)col - 1);
	memcpy(line + col - 1, s, n);
	line[col - 1 + n] = '\0';
	if ((rc = fault_check_bytes(p, line, (size_t)col - 1 + n)) != 0) {
		free(line);
		return rc;
	}
	copy = xstrdup(line);
	p->text = line;
	if ((rc = fault_split(p, copy)) == 0 && p->n > 0)
		rc = fault_parse_line(p, fs);
	free(copy);
	free(line);
	return rc;
}

int
faults_parse(struct faults *fs, const char *file, const char *text,
    size_t len, char **err)
{
	struct fault_parse p;
	const char *s = text, *end, *nl;
	size_t n;
	int rc = 0;

	if (len == 0)
		return 0;
	memset(&p, 0, sizeof p);
	p.file = file;
	end = text + len;
	while (s < end && rc == 0) {
		p.line++;
		nl = memchr(s, '\n', (size_t)(end - s));
		n = nl != NULL ? (size_t)(nl - s) : (size_t)(end - s);
		rc = faults_parse_one(&p, fs, s, n, 1);
		s += n + 1;
	}
	if (rc != 0) {
		*err = p.err;
		return -1;
	}
	free(p.err);
	return 0;
}

int
faults_parse_line(struct faults *fs, const char *file, int line, int col,
    const char *text, size_t len, char **err)
{
	struct fault_parse p;

	memset(&p, 0, sizeof p);
	p.file = file;
	p.line = line;
	if (memchr(text, '\n', len) != NULL) {
		xasprintf(err, "%s:%d:%d: a directive is one line", file, line,
		    col);
		return -1;
	}
	if (faults_parse_one(&p, fs, text, len, col < 1 ? 1 : col) != 0) {
		*err = p.err;
		return -1;
	}
	free(p.err);
	return 0;
}

int
faults_load(struct faults *fs, const char *path, char **err)
{
	struct buf b;
	char tmp[4096];
	size_t n;
	FILE *fp;
	int rc;

	if ((fp = fopen(path, "r")) == NULL) {
		xasprintf(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf_init(&b);
	while ((n = fread(tmp, 1, sizeof tmp, fp)) > 0)
		buf_add(&b, tmp, n);
	fclose(fp);
	rc = faults_parse(fs, path, (char *)buf_head(&b), buf_used(&b), err);
	buf_free(&b);
	return rc;
}

const char *
fault_action_name(enum fault_action a)
{
	size_t i;

	for (i = 0; i < nitems(fault_actions); i++)
		if (fault_actions[i].action == a)
			return fault_actions[i].name;
	return "?";
}

int
faults_is_ftp_place(const char *where)
{
	size_t i;

	for (i = 0; i < nitems(fault_ftp_places); i++)
		if (strcmp(where, fault_ftp_places[i]) == 0)
			return 1;
	return 0;
}
