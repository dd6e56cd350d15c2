/*
 * scn-convert.c: a captured log turned into a scenario (docs/replay.md).
 *
 * One pass reads the log into events (a host command, a modem line, a
 * reopen after the port came back, a FILE upload) and facts (the modem,
 * the servers' addresses, the DNS table, the downloads and how each ended,
 * the fault directives the servers applied, the timeline lines that
 * fired, power cuts); a second pass writes the scenario.  Nothing here
 * runs anything: fotasim-run --record runs the scenario and hands its
 * transcript in.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario.h"
#include "scn-convert.h"

#define CV_LINE_MAX	4096	/* a modem line longer is cut (as the host) */

enum cv_kind {
	CV_SEND,	/* the host wrote text and CR */
	CV_LINE,	/* the modem wrote a line */
	CV_REOPEN,	/* the port went away and came back */
	CV_FILE,	/* the host wrote a FILE: upload's bytes */
	CV_NOTE,	/* a comment for the engineer */
	CV_LOST,	/* a modem line written as the power went */
	CV_UNSENT,	/* a command a scenario cannot send */
};

struct cv_ev {
	enum cv_kind	 kind;
	double		 t;
	char		*text;
};

struct cv_server {
	char		 svc[8];	/* ftp, http, https */
	char		 addr[80];	/* ADDR:PORT */
	const char	*port;		/* into addr, past the last ':' */
};

/* A line of [timeline] inferred from the log. */
struct cv_tl {
	double		 t;
	char		*text;		/* the line, or NULL: a power cut */
	double		 on_after;	/* a power cut's off time; < 0: never */
};

struct cv {
	const char	*name;
	int		 line;
	char		*err;
	const struct cv_opts *o;

	struct cv_ev	*ev;
	size_t		 nev;
	char		*model, *rev0, *port, *rev_end, *rev_to;
	struct cv_server srv[8];
	size_t		 nsrv;
	char		**net;		/* [network] lines */
	size_t		 nnet;
	char		**paths;	/* downloaded paths, distinct */
	size_t		 npaths;
	char		**ends;		/* "download end ..." of failed ones */
	size_t		 nends;
	char		**faults;	/* directives the servers applied */
	size_t		 nfaults;
	struct cv_tl	*tl;
	size_t		 ntl;
	char		**urcs;
	size_t		 nurcs;
	char		**todo;		/* comments for the top */
	size_t		 ntodo;

	struct buf	 mline, hline;	/* partial lines */
	double		 mline_t;
	int		 started;	/* a "fotasim start" was read */
	int		 attached;	/* a host had the port */
	int		 down;		/* the port went down */
	int		 receiving;	/* h>m bytes are a FILE: upload */
	int		 cut;		/* a power cut waits for its on */
	double		 last_tl_t;
	double		 t0, tprev;	/* timestamped: first stamp, last */
	int		 have_t0;
	int		 ended;		/* the built-in host's script ended */
	int		 url_servers;	/* a URL was pointed at the servers */
	double		 urc_t;		/* the last URC's time */
	int		 progress;	/* the last URC is a progress run */
};

static void
cv_error(struct cv *c, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (c->err != NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	xasprintf(&c->err, "%s:%d: %s", c->name, c->line, msg);
}

static void
cv_push(char ***v, size_t *n, const char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = xstrdup(s);
}

static int
cv_has(char **v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

static void
cv_event(struct cv *c, enum cv_kind k, double t, const char *text)
{
	c->ev = xreallocarray(c->ev, c->nev + 1, sizeof *c->ev);
	c->ev[c->nev].kind = k;
	c->ev[c->nev].t = t;
	c->ev[c->nev].text = text ? xstrdup(text) : NULL;
	c->nev++;
}

static void
cv_set(char **dst, const char *s, size_t n)
{
	free(*dst);
	*dst = xstrndup(s, n);
}

int
cv_format_parse(const char *s, enum cv_format *f)
{
	if (strcmp(s, "fotasim") == 0)
		*f = CV_FOTASIM;
	else if (strcmp(s, "timestamped") == 0)
		*f = CV_TIMESTAMPED;
	else if (strcmp(s, "plain") == 0)
		*f = CV_PLAIN;
	else if (strcmp(s, "minicom") == 0)
		*f = CV_MINICOM;
	else
		return -1;
	return 0;
}

/* The last command sent, not yet echoed. */
static const char *
cv_unechoed(const struct cv *c)
{
	size_t i = c->nev;

	while (i-- > 0) {
		if (c->ev[i].kind == CV_SEND)
			return c->ev[i].text;
		if (c->ev[i].kind == CV_LINE)
			return NULL;
	}
	return NULL;
}

/*
 * A FOTA URC's short form as [expect] urcs has it: the modem's own
 * spelling, before a dialect (--dialect) reshaped the line: no blank
 * after a comma (the one after "FOTA", too), HTTPSTART/HTTPEND over HTTPS too, DOWNLOADING without
 * its %, and a duplicated line (written at the same instant) once.
 */
static void
cv_urc(struct cv *c, const char *line, double t)
{
	char shrt[64], *w, *r;

	if (c->progress) {
		c->progress = 0;
		return;		/* cv_progress made the run's item */
	}
	if (scenario_urc_short(line, shrt, sizeof shrt) != 0)
		return;
	for (w = r = shrt; *r != '\0'; r++)
		if (!(*r == ' ' && (r == shrt || r[-1] == ',')) &&
		    !(*r == '%' && r[1] == '\0' &&
		    strncmp(shrt, "DOWNLOADING,", 12) == 0))
			*w++ = *r;
	*w = '\0';
	if (strncmp(shrt, "HTTPS", 5) == 0 && (strncmp(shrt + 5, "START", 5)
	    == 0 || strncmp(shrt + 5, "END", 3) == 0))
		memmove(shrt + 4, shrt + 5, strlen(shrt + 5) + 1);
	if (c->nurcs > 0 && c->urc_t == t &&
	    strcmp(c->urcs[c->nurcs - 1], shrt) == 0)
		return;

	/* An item of [expect] urcs is a word, and one without a glob's
	 * characters matches exactly. */
	for (r = shrt; *r != '\0'; r++)
		if (*r <= ' ' || *r >= 0x7f || strchr("#*?[\\", *r) != NULL)
			break;
	if (*r != '\0' || strlen(shrt) + 1 >= sizeof shrt) {
		cv_push(&c->todo, &c->ntodo, line);
		return;
	}
	c->urc_t = t;
	cv_push(&c->urcs, &c->nurcs, shrt);
}

static const char *cv_unsendable(const char *);
static char *cv_url(struct cv *, const char *);

/* A host's command: sent as it is (a capture's URL pointed at the
 * servers), or noted if a scenario cannot say it. */
static void
cv_command(struct cv *c, double t, const char *s)
{
	char *u;

	if (cv_unsendable(s) != NULL) {
		cv_event(c, CV_UNSENT, t, s);
		return;
	}
	u = c->o->format == CV_FOTASIM || c->o->setup ? xstrdup(s) :
	    cv_url(c, s);
	cv_event(c, CV_SEND, t, u);
	free(u);
}

/* A complete modem line (its LF gone). */
static void
cv_modem_line(struct cv *c, char *s, double t)
{
	size_t n = strlen(s);
	const char *echo;

	while (n > 0 && s[n - 1] == '\r')
		s[--n] = '\0';
	if (n == 0)
		return;
	if (c->o->format == CV_FOTASIM &&
	    (echo = cv_unechoed(c)) != NULL && strcmp(echo, s) == 0)
		return;		/* the echo of the command */
	cv_urc(c, s, t);
	cv_event(c, CV_LINE, t, s);
}

/* Modem bytes: lines at LF. */
static void
cv_modem_bytes(struct cv *c, const char *p, size_t n, double t)
{
	const char *nl;
	char *s;

	while (n > 0) {
		if (buf_used(&c->mline) == 0)
			c->mline_t = t;
		if ((nl = memchr(p, '\n', n)) == NULL) {
			if (buf_used(&c->mline) < CV_LINE_MAX)
				buf_add(&c->mline, p, n);
			return;
		}
		buf_add(&c->mline, p, (size_t)(nl - p));
		s = xstrndup((const char *)buf_head(&c->mline),
		    buf_used(&c->mline));
		buf_reset(&c->mline);
		cv_modem_line(c, s, c->mline_t);
		free(s);
		n -= (size_t)(nl - p) + 1;
		p = nl + 1;
	}
}

/* Host bytes: a command at CR or LF, or an upload's data. */
static void
cv_host_bytes(struct cv *c, const char *p, size_t n, double t)
{
	size_t i;
	char *s;

	if (c->receiving) {
		if (c->receiving == 1) {
			cv_event(c, CV_FILE, t, NULL);
			c->receiving = 2;
		}
		return;
	}
	for (i = 0; i < n; i++) {
		if (p[i] != '\r' && p[i] != '\n') {
			if (buf_used(&c->hline) < CV_LINE_MAX)
				buf_add(&c->hline, p + i, 1);
			continue;
		}
		if (buf_used(&c->hline) == 0)
			continue;
		s = xstrndup((const char *)buf_head(&c->hline),
		    buf_used(&c->hline));
		buf_reset(&c->hline);
		cv_command(c, t, s);
		free(s);
	}
}

/* Undo the transcript's escapes (\r \n \t \\ \xNN) in place; length or
 * -1. */
static long
cv_unescape(char *s)
{
	char *w = s, *r = s;
	int hi, lo;

	while (*r != '\0') {
		if (*r != '\\') {
			*w++ = *r++;
			continue;
		}
		switch (r[1]) {
		case 'r': *w++ = '\r'; r += 2; break;
		case 'n': *w++ = '\n'; r += 2; break;
		case 't': *w++ = '\t'; r += 2; break;
		case '\\': *w++ = '\\'; r += 2; break;
		case 'x':
			if (!isxdigit((unsigned char)r[2]) ||
			    !isxdigit((unsigned char)r[3]))
				return -1;
			hi = isdigit((unsigned char)r[2]) ? r[2] - '0' :
			    (tolower((unsigned char)r[2]) - 'a' + 10);
			lo = isdigit((unsigned char)r[3]) ? r[3] - '0' :
			    (tolower((unsigned char)r[3]) - 'a' + 10);
			*w++ = (char)(hi * 16 + lo);
			r += 4;
			break;
		default:
			return -1;
		}
	}
	*w = '\0';
	return (long)(w - s);
}

/* "key=value" out of a state message (value to the next blank). */
static int
cv_field(const char *msg, const char *key, char **out)
{
	size_t k = strlen(key);
	const char *p = msg;

	while ((p = strstr(p, key)) != NULL) {
		if ((p == msg || p[-1] == ' ') && p[k] == '=') {
			p += k + 1;
			cv_set(out, p, strcspn(p, " "));
			return 0;
		}
		p += k;
	}
	return -1;
}

/* A state record of the transcript. */
static void
cv_state(struct cv *c, double t, const char *msg)
{
	const char *p;
	char *s = NULL;
	size_t n;

	if (strncmp(msg, "fotasim start ", 14) == 0 && !c->started) {
		c->started = 1;
		cv_field(msg, "model", &c->model);
		cv_field(msg, "revision", &c->rev0);
		cv_field(msg, "port", &c->port);
	} else if (strncmp(msg, "server ", 7) == 0 &&
	    strncmp(msg + 7, "applying: ", 10) == 0) {
		/* "applying: FILE:LINE: DIRECTIVE": the directive. */
		p = msg + 17;
		if ((p = strchr(p, ':')) != NULL && (p = strchr(p + 1, ':'))
		    != NULL && p[1] == ' ' && !cv_has(c->faults, c->nfaults,
		    p + 2))
			cv_push(&c->faults, &c->nfaults, p + 2);
	} else if (strncmp(msg, "server ", 7) == 0 && c->nsrv < 8 &&
	    (n = strcspn(msg + 7, " ")) < sizeof c->srv[0].svc &&
	    msg[7 + n] == ' ' && strchr(msg + 8 + n, ' ') == NULL &&
	    (p = strrchr(msg + 8 + n, ':')) != NULL &&
	    strlen(msg + 8 + n) < sizeof c->srv[0].addr) {
		struct cv_server *v = &c->srv[c->nsrv++];

		memcpy(v->svc, msg + 7, n);
		v->svc[n] = '\0';
		strcpy(v->addr, msg + 8 + n);
		v->port = v->addr + (p - (msg + 8 + n)) + 1;
	} else if (strncmp(msg, "scenario host ", 14) == 0) {
		/* Its end; a retry's note is the host's own business. */
		if (strcmp(msg + 14, "done") == 0 ||
		    strncmp(msg + 14, "failed: ", 8) == 0)
			c->ended = 1;
	} else if (strncmp(msg, "scenario ", 9) == 0 &&
	    (p = strchr(msg + 9, ':')) != NULL && isdigit((unsigned char)p[1])
	    && (p = strchr(p + 1, ':')) != NULL && p[1] == ' ') {
		/* A timeline line that fired: "scenario FILE:N: LINE". */
		c->tl = xreallocarray(c->tl, c->ntl + 1, sizeof *c->tl);
		c->tl[c->ntl].t = t;
		c->tl[c->ntl].text = xstrdup(p + 2);
		c->tl[c->ntl++].on_after = -1;
		c->last_tl_t = t;
	} else if (strncmp(msg, "network event: ", 15) == 0 &&
	    !(c->ntl > 0 && c->last_tl_t == t)) {
		c->tl = xreallocarray(c->tl, c->ntl + 1, sizeof *c->tl);
		c->tl[c->ntl].t = t;
		xasprintf(&c->tl[c->ntl].text, "%s", msg + 15);
		c->tl[c->ntl].t = -t - 1;	/* an "at T" of its own */
		c->tl[c->ntl++].on_after = -1;
	} else if (strcmp(msg, "power on -> off") == 0) {
		size_t i = c->nev;

		/* What the modem wrote at the same instant may never reach
		 * the host: the port vanished with the power. */
		while (i-- > 0 && c->ev[i].kind == CV_LINE && c->ev[i].t == t)
			c->ev[i].kind = CV_LOST;
		if (!(c->ntl > 0 && c->last_tl_t == t)) {
			c->tl = xreallocarray(c->tl, c->ntl + 1, sizeof *c->tl);
			c->tl[c->ntl].t = t;
			c->tl[c->ntl].text = NULL;
			c->tl[c->ntl++].on_after = -1;
			c->cut = 1;
		}
	} else if (strcmp(msg, "power off -> booting") == 0 && c->cut) {
		c->tl[c->ntl - 1].on_after = t - c->tl[c->ntl - 1].t;
		c->cut = 0;
	} else if (strncmp(msg, "port up ", 8) == 0) {
		if (c->down && c->attached)
			cv_event(c, CV_REOPEN, t, NULL);
		c->down = 0;
	} else if (strncmp(msg, "port down ", 10) == 0) {
		c->down = 1;
	} else if (strcmp(msg, "port host attached") == 0) {
		c->attached = 1;
	} else if (strncmp(msg, "firmware boot slot ", 19) == 0) {
		/* "boot slot A EC200T REV[ (update pending)]" */
		p = msg + 19;
		p += strcspn(p, " ");
		p += *p == ' ';
		p += strcspn(p, " ");
		p += *p == ' ';
		cv_set(&c->rev_end, p, strcspn(p, " "));
	} else if (strncmp(msg, "updater committed slot ", 23) == 0 &&
	    (p = strchr(msg, '(')) != NULL) {
		cv_set(&c->rev_to, p + 1, strcspn(p + 1, ")"));
	} else if (strncmp(msg, "download ", 9) == 0 &&
	    ((p = strstr(msg, " > GET ")) != NULL ||
	    (p = strstr(msg, " > RETR ")) != NULL)) {
		p = strchr(p + 3, ' ') + 1;
		s = xstrndup(p, strcspn(p, " "));
		if (!cv_has(c->paths, c->npaths, s))
			cv_push(&c->paths, &c->npaths, s);
		free(s);
	} else if (strncmp(msg, "download end ", 13) == 0 &&
	    strncmp(msg + 13, "curl=0 ", 7) != 0) {
		cv_push(&c->ends, &c->nends, msg + 13);
	} else if (strncmp(msg, "dns ", 4) == 0 && !c->attached &&
	    strncmp(msg + 4, "lookup ", 7) != 0 &&
	    (p = strchr(msg + 4, ' ')) != NULL) {
		/* "dns NAME ENTRY[ first=N then=F]" is --dns NAME=ENTRY,... */
		struct buf b;
		const char *q;

		buf_init(&b);
		buf_addf(&b, "dns %.*s=", (int)(p - msg - 4), msg + 4);
		for (q = p + 1; *q != '\0'; q++)
			buf_addf(&b, "%c", *q == ' ' ? ',' : *q);
		buf_add(&b, "", 1);
		cv_push(&c->net, &c->nnet, (const char *)buf_head(&b));
		buf_free(&b);
	} else if (strncmp(msg, "network rejects APN \"", 21) == 0 &&
	    (p = strchr(msg + 21, '"')) != NULL) {
		xasprintf(&s, "reject-apn %.*s", (int)(p - msg - 21), msg + 21);
		if (!cv_has(c->net, c->nnet, s))
			cv_push(&c->net, &c->nnet, s);
		free(s);
	} else if (strncmp(msg, "link sockets in use by other services: ", 39)
	    == 0) {
		xasprintf(&s, "sockets-in-use %.*s", (int)strcspn(msg + 39, " "),
		    msg + 39);
		if (!cv_has(c->net, c->nnet, s))
			cv_push(&c->net, &c->nnet, s);
		free(s);
	} else if (strncmp(msg, "link fault ", 11) == 0 && !c->attached) {
		xasprintf(&s, "link-fault %s", msg + 11);
		cv_push(&c->net, &c->nnet, s);
		free(s);
	} else if (strncmp(msg, "radio technology ", 17) == 0 &&
	    (p = strstr(msg, " -> ")) != NULL &&
	    strstr(msg, ": --rat") != NULL) {
		size_t i;
		char *name;

		name = xstrndup(p + 4, strcspn(p + 4, ":"));
		for (i = 0; name[i] != '\0'; i++)
			name[i] = (char)tolower((unsigned char)name[i]);
		if (strcmp(name, "hspa+") == 0)
			name[4] = '\0';
		xasprintf(&s, "rat %s", name);
		free(name);
		cv_push(&c->net, &c->nnet, s);
		free(s);
	} else if (strncmp(msg, "fota ", 5) == 0 && strstr(msg, " -> ") &&
	    strchr(msg + 5, ' ') != NULL) {
		/* Job states: h>m bytes while receiving are the upload. */
		if (strcmp(strstr(msg, " -> ") + 4, "receiving") == 0)
			c->receiving = 1;
		else if (strncmp(msg + 5, "receiving ->", 12) == 0)
			c->receiving = 0;
	}
}

/* A number of seconds: digits, '.', digits (the transcript's sim). */
static int
cv_secs_field(const char *s, size_t n, double *out)
{
	size_t i, dots = 0;
	char tmp[32];

	if (n == 0 || n >= sizeof tmp || !isdigit((unsigned char)s[0]))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] == '.')
			dots++;
		else if (!isdigit((unsigned char)s[i]))
			return -1;
	}
	if (dots > 1 || s[n - 1] == '.')
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	*out = strtod(tmp, NULL);
	return isfinite(*out) ? 0 : -1;
}

/* One transcript record. */
static void
cv_fotasim_line(struct cv *c, char *s)
{
	char *wall, *kind, *payload;
	double t;
	long n;

	if ((wall = strchr(s, ' ')) == NULL ||
	    cv_secs_field(s, (size_t)(wall - s), &t) != 0) {
		cv_error(c, "expected a record \"SIM WALL KIND PAYLOAD\" "
		    "starting with simulated seconds (docs/transcript.md)");
		return;
	}
	wall++;
	if ((kind = strchr(wall, ' ')) == NULL || kind == wall ||
	    strchr("0123456789", *wall) == NULL) {
		cv_error(c, "expected a wall-clock stamp after the simulated "
		    "seconds");
		return;
	}
	kind++;
	payload = kind + strcspn(kind, " ");
	if (*payload == ' ')
		*payload++ = '\0';
	else if (strcmp(kind, "state") == 0 || *payload == '\0') {
		cv_error(c, "a record without a payload");
		return;
	}
	if (strcmp(kind, "h>m") == 0 || strcmp(kind, "m>h") == 0) {
		if ((n = cv_unescape(payload)) < 0) {
			cv_error(c, "a bad escape in the bytes (\\r, \\n, \\t, "
			    "\\\\ or \\xNN)");
			return;
		}
		if (c->ended)
			;	/* the power-down after the script: not the host's */
		else if (kind[0] == 'h')
			cv_host_bytes(c, payload, (size_t)n, t);
		else
			cv_modem_bytes(c, payload, (size_t)n, t);
	} else if (strcmp(kind, "state") == 0)
		cv_state(c, t, payload);
	else
		cv_error(c, "unknown record kind \"%.20s\" (h>m, m>h, state)",
		    kind);
}

/* A progress URC's kind ("UPDATING", "DOWNLOADING"), or NULL. */
static const char *
cv_progress_kind(const char *line)
{
	static const char up[] = "+QIND: \"FOTA\",\"UPDATING\",";
	static const char down[] = "+QIND: \"FOTA\",\"DOWNLOADING\",";

	if (strncmp(line, up, sizeof up - 1) == 0)
		return "UPDATING";
	if (strncmp(line, down, sizeof down - 1) == 0)
		return "DOWNLOADING";
	return NULL;
}

/*
 * A capture's progress URCs are the real module's steps, not the
 * simulated one's: a run of them is one expect of the run's last line
 * (100 % is 100 % everywhere) and one UPDATING* item in urcs.  The
 * previous line of the same run is dropped here.
 */
static void
cv_progress(struct cv *c, const char *line)
{
	const char *k = cv_progress_kind(line);
	char pat[32];

	if (k == NULL || c->nev == 0 || c->ev[c->nev - 1].kind != CV_LINE)
		return;
	if (cv_progress_kind(c->ev[c->nev - 1].text) != k)
		return;
	free(c->ev[--c->nev].text);
	snprintf(pat, sizeof pat, "%s*", k);
	if (c->nurcs > 0 && strncmp(c->urcs[c->nurcs - 1], k, strlen(k)) == 0)
		cv_set(&c->urcs[c->nurcs - 1], pat, strlen(pat));
	c->progress = 1;
}

/* A capture's line: "[HH:MM:SS.mmm] TEXT" or, plain, TEXT. */
static void
cv_capture_line(struct cv *c, char *s)
{
	double t = 0;
	int h, m, sec, ms;
	char *p;

	if (c->o->format == CV_TIMESTAMPED) {
		if (strlen(s) < 15 || s[0] != '[' || s[3] != ':' ||
		    s[6] != ':' || s[9] != '.' || s[13] != ']' ||
		    (s[14] != ' ' && s[14] != '\0') ||
		    sscanf(s, "[%2d:%2d:%2d.%3d]", &h, &m, &sec, &ms) != 4 ||
		    !isdigit((unsigned char)s[1]) ||
		    !isdigit((unsigned char)s[2]) ||
		    !isdigit((unsigned char)s[4]) ||
		    !isdigit((unsigned char)s[5]) ||
		    !isdigit((unsigned char)s[7]) ||
		    !isdigit((unsigned char)s[8]) ||
		    !isdigit((unsigned char)s[10]) ||
		    !isdigit((unsigned char)s[11]) ||
		    !isdigit((unsigned char)s[12]) || h > 23 || m > 59 ||
		    sec > 59) {
			cv_error(c, "expected \"[HH:MM:SS.mmm] \" at the start "
			    "of the line");
			return;
		}
		t = h * 3600.0 + m * 60.0 + sec + ms / 1000.0;
		if (!c->have_t0) {
			c->t0 = t;
			c->have_t0 = 1;
			c->tprev = 0;
		}
		t -= c->t0;
		while (t < c->tprev)	/* past midnight */
			t += 86400;
		c->tprev = t;
		s += 14 + (s[14] == ' ');
	} else if (c->o->format == CV_MINICOM) {
		/* minicom -O timestamp=simple or extended: a stamp at each
		 * line but the first (written before the mode starts). */
		int y, mo, d, n = 0;

		t = c->tprev;
		if (s[0] == '[' && strlen(s) >= 21 &&
		    sscanf(s, "[%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &h, &m,
		    &sec, &n) == 6 && n == 20 && s[5] == '-' && s[8] == '-' &&
		    s[11] == ' ' && s[14] == ':' && s[17] == ':') {
			ms = 0;
			if (s[20] == '.' && isdigit((unsigned char)s[21]) &&
			    isdigit((unsigned char)s[22]) &&
			    isdigit((unsigned char)s[23]) && s[24] == ']') {
				ms = (s[21] - '0') * 100 + (s[22] - '0') * 10 +
				    (s[23] - '0');
				n = 25;
			} else if (s[20] == ']')
				n = 21;
			else {
				cv_error(c, "expected \"[YYYY-MM-DD HH:MM:SS]\" or "
				    "\"[YYYY-MM-DD HH:MM:SS.mmm]\"");
				return;
			}
			if (h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 ||
			    sec > 59 || y < 0 || mo < 0 || d < 0) {
				cv_error(c, "not a time of day");
				return;
			}
			/* Relative to the first stamp (months of 31 days:
			 * only the order and the gaps matter). */
			t = ((y * 372.0 + mo * 31 + d) * 86400) + h * 3600.0 +
			    m * 60.0 + sec + ms / 1000.0;
			if (!c->have_t0) {
				c->t0 = t;
				c->have_t0 = 1;
			}
			t -= c->t0;
			if (t < c->tprev) {
				cv_error(c, "a stamp before the previous one");
				return;
			}
			c->tprev = t;
			s += n + (s[n] == ' ');
		} else if (c->have_t0) {
			cv_error(c, "expected \"[YYYY-MM-DD HH:MM:SS]\" at the "
			    "start of the line (only the first lines have none)");
			return;
		}
	}
	for (p = s + strlen(s); p > s && (p[-1] == '\r' || p[-1] == ' ');)
		*--p = '\0';
	if (*s == '\0')
		return;
	/* The echo of a command is the command. */
	if ((s[0] == 'A' || s[0] == 'a') && (s[1] == 'T' || s[1] == 't'))
		cv_command(c, t, s);
	else {
		cv_progress(c, s);
		cv_urc(c, s, t);
		if ((strcmp(s, "RDY") == 0) && c->nev > 0) {
			cv_event(c, CV_NOTE, t, "the module rebooted here (RDY): "
			    "if that was not the updater's reboot (after "
			    "END), it was a power cut or a reset: add it to "
			    "[timeline]");
			cv_event(c, CV_REOPEN, t, NULL);
		}
		cv_event(c, CV_LINE, t, s);
	}
	/* Revisions: AT+QGMR's answer and ATI's "Revision:". */
	if (strncmp(s, "Revision: ", 10) == 0)
		s += 10;
	if ((strncmp(s, "EC200T", 6) == 0 || strncmp(s, "UC200T", 6) == 0) &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") == strlen(s) &&
	    strcspn(s, "_") > 6) {	/* not ATI's model line */
		cv_set(&c->model, s, 6);
		if (c->rev0 == NULL)
			cv_set(&c->rev0, s, strcspn(s, "_"));
		cv_set(&c->rev_end, s, strcspn(s, "_"));
	}
}

/* The servers' ADDR:PORT and :PORT in text become ${svc} and
 * ${svc-port}; glob: escape fnmatch's and the scenario's special text. */
static void
cv_text(const struct cv *c, struct buf *b, const char *s, int glob)
{
	size_t i, k, n = strlen(s);
	int bl;

	for (i = 0; i < n; ) {
		for (k = 0; k < c->nsrv; k++) {
			const struct cv_server *v = &c->srv[k];
			size_t an = strlen(v->addr), pn = strlen(v->port);

			if (strncmp(s + i, v->addr, an) == 0 &&
			    !isdigit((unsigned char)s[i + an])) {
				buf_addf(b, "${%s}", v->svc);
				i += an;
				break;
			}
			if (s[i] == ':' && strncmp(s + i + 1, v->port, pn) == 0
			    && !isdigit((unsigned char)s[i + 1 + pn])) {
				buf_addf(b, ":${%s-port}", v->svc);
				i += 1 + pn;
				break;
			}
		}
		if (k < c->nsrv)
			continue;
		bl = i == 0 || i == n - 1;
		if (!glob)
			buf_add(b, s + i, 1);
		else if (strchr("*?[\\", s[i]) != NULL)
			buf_addf(b, "\\%c", s[i]);
		else if (s[i] == '#' || (s[i] == '{' && i > 0 &&
		    s[i - 1] == '$') || (s[i] == ' ' && bl))
			buf_addf(b, "[%c]", s[i]);
		else if ((unsigned char)s[i] < 0x20 ||
		    (unsigned char)s[i] >= 0x7f)
			buf_add(b, "?", 1);
		else
			buf_add(b, s + i, 1);
		i++;
	}
}

/* Whether a scenario's send can write this command as it is. */
static const char *
cv_unsendable(const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return "a control or non-ASCII byte";
		if (s[i] == '#' && i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
			return "\" #\" (a comment in a scenario)";
		if (s[i] == '$' && s[i + 1] == '{')
			return "\"${\" (a scenario's substitution)";
	}
	if (n > 0 && (s[0] == ' ' || s[n - 1] == ' '))
		return "a leading or trailing blank";
	return NULL;
}

/* Simulated seconds as the scenario's duration word, in milliseconds. */
static void
cv_dur(struct buf *b, double secs)
{
	long long ms = (long long)ceil(secs * 1000 - 1e-6);

	if (ms % 1000 == 0)
		buf_addf(b, "%llds", ms / 1000);
	else
		buf_addf(b, "%lldms", ms);
}

/* A field capture's URL: a name becomes a DNS entry for the loopback
 * servers, the host part the server's ${...}.  Returns the new text. */
static char *
cv_url(struct cv *c, const char *s)
{
	const char *u, *hp, *he, *pe;
	const char *svc;
	struct buf b;
	char *host, *out, *dns;
	int ip;

	if ((u = strstr(s, "://")) == NULL)
		return xstrdup(s);
	if (u - s >= 5 && strncasecmp(u - 5, "https", 5) == 0)
		svc = "https";
	else if (u - s >= 4 && strncasecmp(u - 4, "http", 4) == 0)
		svc = "http";
	else if (u - s >= 3 && strncasecmp(u - 3, "ftp", 3) == 0)
		svc = "ftp";
	else
		return xstrdup(s);
	hp = u + 3;
	pe = hp + strcspn(hp, "/\"");
	for (he = pe; he > hp && he[-1] != '@'; he--)
		;
	hp = he;			/* past user:pass@ */
	he = hp + strcspn(hp, ":/\"");
	if (he > pe)
		he = pe;
	host = xstrndup(hp, (size_t)(he - hp));
	if (strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-") != strlen(host)) {
		free(host);		/* not a name a DNS table takes */
		return xstrdup(s);
	}
	c->url_servers = 1;
	ip = host[0] != '\0' && strspn(host, "0123456789.") == strlen(host);
	buf_init(&b);
	buf_add(&b, s, (size_t)(hp - s));
	if (ip || host[0] == '\0')
		buf_addf(&b, "${%s}", svc);
	else {
		buf_addf(&b, "%s:${%s-port}", host, svc);
		xasprintf(&dns, "dns %s=127.0.0.1", host);
		if (!cv_has(c->net, c->nnet, dns))
			cv_push(&c->net, &c->nnet, dns);
		free(dns);
	}
	buf_addstr(&b, pe);
	buf_add(&b, "", 1);
	out = xstrdup((const char *)buf_head(&b));
	buf_free(&b);
	/* The path, for [servers]. */
	if (*pe == '/') {
		char *path = xstrndup(pe, strcspn(pe, "\""));

		if (!cv_has(c->paths, c->npaths, path))
			cv_push(&c->paths, &c->npaths, path);
		free(path);
	}
	free(host);
	return out;
}

/* A guess at the revision after `rev`: the two digits after its last
 * "A" (EC200TCNHAR02A14M16: 14) one up, else rev with "-NEXT". */
static char *
cv_next_revision(const char *rev)
{
	char *r = xstrdup(rev), *p;
	int v;

	for (p = r + strlen(r); p-- > r; )
		if (*p == 'A' && isdigit((unsigned char)p[1]) &&
		    isdigit((unsigned char)p[2])) {
			v = ((p[1] - '0') * 10 + (p[2] - '0') + 1) % 100;
			p[1] = (char)('0' + v / 10);
			p[2] = (char)('0' + v % 10);
			return r;
		}
	free(r);
	xasprintf(&r, "%s-NEXT", rev);
	return r;
}

/* The servers a scenario without a setup must declare. */
static void
cv_write_servers(struct cv *c, struct buf *b)
{
	const char *from = c->rev0 ? c->rev0 : "EC200TCNHAR02A14M16";
	const char *to = c->rev_to;
	char *guess = NULL;
	size_t i;

	if (c->npaths == 0 && c->nfaults == 0 && c->nsrv == 0 &&
	    !c->url_servers)
		return;
	buf_addstr(b, "\n[servers]\n");
	if (c->npaths == 0)
		buf_addstr(b, "# (no download in the log: the servers serve "
		    "nothing)\n");
	if (to == NULL && c->rev_end != NULL && strcmp(c->rev_end, from) != 0)
		to = c->rev_end;
	if (to == NULL) {
		buf_addstr(b, "# TODO: the log shows no update, so the package's "
		    "target revision is a guess:\n# put the real one.\n");
		to = guess = cv_next_revision(from);
	}
	for (i = 0; i < c->npaths; i++)
		buf_addf(b, "package    %s  %s -> %s\n", c->paths[i], from, to);
	for (i = 0; i < c->nfaults; i++) {
		size_t k;

		/* A directive the timeline switched on is the timeline's. */
		for (k = 0; k < c->ntl; k++)
			if (c->tl[k].text != NULL && strstr(c->tl[k].text,
			    c->faults[i]) != NULL)
				break;
		if (k == c->ntl)
			buf_addf(b, "fault      %s    # the servers applied "
			    "it\n", c->faults[i]);
	}
	for (i = 0; i < c->nurcs; i++)
		if (strncmp(c->urcs[i], "END,", 4) == 0 &&
		    strcmp(c->urcs[i], "END,0") != 0)
			buf_addf(b, "# TODO: the update ended %s: a package "
			    "for another source revision,\n# a damaged one "
			    "or a power cut (docs/error-codes.md): fix the "
			    "package line\n", c->urcs[i]);
	for (i = 0; i < c->nurcs && c->o->format != CV_FOTASIM; i++)
		if ((strncmp(c->urcs[i], "HTTPEND,", 8) == 0 ||
		    strncmp(c->urcs[i], "FTPEND,", 7) == 0) &&
		    strcmp(strchr(c->urcs[i], ',') + 1, "0") != 0)
			buf_addf(b, "# TODO: the download ended %s: a serial "
			    "capture does not say why.\n# Write the cause as a "
			    "fault here (docs/fault-directives.md;\n# "
			    "docs/error-codes.md names each code's scenario)\n",
			    c->urcs[i]);
	if (c->nfaults == 0)
		for (i = 0; i < c->nends; i++)
			buf_addf(b, "# TODO: a download ended %s: write its "
			    "cause as a fault here\n# (docs/fault-directives.md; "
			    "docs/error-codes.md names each code's scenario)\n",
			    c->ends[i]);
	free(guess);
}

/* An expect's or a reopen's end: its timeout, twice the log's wait and a
 * minute (none without times: the default), and the line end. */
static void
cv_within(const struct cv *c, struct buf *b, double gap)
{
	if (c->o->format != CV_PLAIN) {
		buf_addstr(b, "    within ");
		cv_dur(b, ceil(gap * 2) + 60);
	}
	buf_addstr(b, "\n");
}

/* The [host] steps. */
static void
cv_write_host(struct cv *c, struct buf *b)
{
	double prev = 0, gap;
	size_t i, files = 0;

	buf_addstr(b, "\n[host]\n");
	for (i = 0; i < c->nev; i++) {
		const struct cv_ev *e = &c->ev[i];

		gap = e->t - prev;
		if (gap < 0)
			gap = 0;
		switch (e->kind) {
		case CV_NOTE:
			buf_addf(b, "# TODO: %s\n", e->text);
			continue;
		case CV_LOST:
			buf_addstr(b, "# not expected (written as the power "
			    "went; the host may not read it): ");
			cv_text(c, b, e->text, 1);
			buf_addstr(b, "\n");
			continue;
		case CV_UNSENT:
			buf_addstr(b, "# TODO: a command with ");
			buf_addstr(b, cv_unsendable(e->text));
			buf_addstr(b, " is not sent: ");
			cv_text(c, b, e->text, 1);
			buf_addstr(b, "\n");
			break;
		case CV_SEND:
			if (gap >= 0.001 && c->o->format != CV_PLAIN) {
				buf_addstr(b, "sleep      ");
				cv_dur(b, gap);
				buf_addstr(b, "\n");
			}
			buf_addstr(b, "send       ");
			cv_text(c, b, e->text, 0);
			buf_addstr(b, "\n");
			break;
		case CV_LINE:
			buf_addstr(b, "expect     ");
			cv_text(c, b, e->text, 1);
			cv_within(c, b, gap);
			break;
		case CV_REOPEN:
			buf_addstr(b, "reopen     after reboot");
			cv_within(c, b, gap);
			break;
		case CV_FILE:
			if (files < c->o->nsend_files)
				buf_addf(b, "send-file  %s\n",
				    c->o->send_files[files++]);
			else if (c->o->nsend_files > 0)
				buf_addf(b, "send-file  %s\n",
				    c->o->send_files[c->o->nsend_files - 1]);
			else
				buf_addstr(b, "# TODO: the host uploaded a "
				    "package here (FILE:): serve it in "
				    "[servers] and write send-file PATH\n");
			break;
		}
		prev = e->t;
	}
}

static void
cv_write(struct cv *c, struct buf *b)
{
	size_t i;

	if (c->o->header != NULL)
		buf_addf(b, "%s", c->o->header);
	if (c->o->setup != NULL)
		buf_addstr(b, c->o->setup);
	else {
		buf_addstr(b, "\n[modem]\n");
		buf_addf(b, "model      %s\n", c->model ? c->model : "EC200T");
		if (c->rev0 != NULL)
			buf_addf(b, "revision   %s\n", c->rev0);
		else
			buf_addstr(b, "# TODO: the log does not say the "
			    "revision it started from\n");
		if (c->port != NULL)
			buf_addf(b, "port       %s\n", c->port);
		if (c->nnet > 0) {
			buf_addstr(b, "\n[network]\n");
			for (i = 0; i < c->nnet; i++) {
				size_t k = strcspn(c->net[i], " ");

				buf_addf(b, "%-10.*s %s\n", (int)k, c->net[i],
				    c->net[i] + k + (c->net[i][k] == ' '));
			}
		}
		cv_write_servers(c, b);
		if (c->ntl > 0)
			buf_addstr(b, "\n[timeline]\n");
		for (i = 0; i < c->ntl; i++) {
			const struct cv_tl *l = &c->tl[i];

			if (l->text != NULL && l->t >= 0) {
				buf_addf(b, "%s\n", l->text);
				continue;
			}
			buf_addstr(b, "at ");
			cv_dur(b, l->t >= 0 ? l->t : -l->t - 1);
			if (l->text != NULL) {
				buf_addf(b, "  %s\n", l->text);
				continue;
			}
			buf_addstr(b, "  power cut");
			if (l->on_after >= 0) {
				buf_addstr(b, ", on after ");
				cv_dur(b, l->on_after);
			}
			buf_addstr(b, "\n");
		}
	}
	cv_write_host(c, b);
	buf_addstr(b, "\n[expect]\n");
	for (i = 0; i < c->ntodo; i++) {
		buf_addstr(b, "# TODO: a FOTA URC that urcs cannot list: ");
		cv_text(c, b, c->todo[i], 1);
		buf_addstr(b, "\n");
	}
	if (c->rev_end != NULL)
		buf_addf(b, "revision   %s\n", c->rev_end);
	buf_addstr(b, "urcs      ");
	if (c->nurcs == 0)
		buf_addstr(b, " none");
	for (i = 0; i < c->nurcs; i++)
		buf_addf(b, " %s", c->urcs[i]);
	buf_addstr(b, "\n");
}

static void
cv_free_v(char **v, size_t n)
{
	while (n-- > 0)
		free(v[n]);
	free(v);
}

static void
cv_free(struct cv *c)
{
	size_t i;

	for (i = 0; i < c->nev; i++)
		free(c->ev[i].text);
	free(c->ev);
	for (i = 0; i < c->ntl; i++)
		free(c->tl[i].text);
	free(c->tl);
	free(c->model);
	free(c->rev0);
	free(c->port);
	free(c->rev_end);
	free(c->rev_to);
	cv_free_v(c->net, c->nnet);
	cv_free_v(c->paths, c->npaths);
	cv_free_v(c->ends, c->nends);
	cv_free_v(c->faults, c->nfaults);
	cv_free_v(c->urcs, c->nurcs);
	cv_free_v(c->todo, c->ntodo);
	buf_free(&c->mline);
	buf_free(&c->hline);
}

int
cv_convert(const char *name, const char *text, size_t len,
    const struct cv_opts *o, struct buf *out, char **err)
{
	struct cv c;
	const char *p = text, *end = text + len, *nl;
	char *s;
	size_t n;

	memset(&c, 0, sizeof c);
	c.name = name;
	c.o = o;
	buf_init(&c.mline);
	buf_init(&c.hline);
	while (p < end && c.err == NULL) {
		c.line++;
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (memchr(p, '\0', n) != NULL) {
			cv_error(&c, "a NUL byte: not a text log");
			break;
		}
		s = xstrndup(p, n);
		if (o->format == CV_FOTASIM) {
			if (n > 0 && s[n - 1] == '\r')
				s[n - 1] = '\0';
			if (*s != '\0')
				cv_fotasim_line(&c, s);
		} else
			cv_capture_line(&c, s);
		free(s);
		p += n + (nl != NULL);
	}
	if (c.err == NULL && c.nev == 0) {
		c.line = c.line ? c.line : 1;
		cv_error(&c, "no host command and no modem line in the log");
	}
	if (c.err != NULL) {
		*err = c.err;
		cv_free(&c);
		return -1;
	}
	cv_write(&c, out);
	cv_free(&c);
	return 0;
}
