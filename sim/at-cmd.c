/*
 * at-cmd.c: parse a command line, check each command against its declared
 * syntax, run it, and frame the responses as the real module does.
 *
 * A line may hold several commands: basic ones back to back (ATE0V1) and
 * extended ones separated by ';' (AT+CSQ;+CEREG?).  They run in order; the
 * first failure ends the line with its error and nothing after it runs.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "at-cmd.h"
#include "util.h"

static const struct at_cmd *const at_families[] = {
	at_basic_cmds, at_info_cmds, at_network_cmds, at_call_cmds,
	at_port_cmds, at_fota_cmds, at_file_cmds, at_http_cmds, at_ftp_cmds,
};

struct at_cme {
	int		 code;
	const char	*text;
};

/* 3GPP TS 27.007 section 9.2 texts, as Quectel prints them. */
static const struct at_cme at_cme_texts[] = {
	{ CME_NOT_ALLOWED, "operation not allowed" },
	{ CME_NOT_SUPPORTED, "operation not supported" },
	{ 10, "SIM not inserted" },
	{ CME_SIM_FAILURE, "SIM failure" },
	{ CME_SIM_BUSY, "SIM busy" },
	{ CME_NO_NETWORK, "no network service" },
	{ CME_BAD_PARAM, "Incorrect parameters" },
	{ CME_UNKNOWN, "unknown" },
	{ CME_FILE_INPUT, "invalid input value" },
	{ CME_FILE_FULL, "drive full" },
	{ CME_FILE_NOT_FOUND, "file not found" },
	{ CME_FILE_NAME, "invalid file name" },
	{ CME_FILE_EXISTS, "file already existed" },
	{ CME_FILE_WRITE, "fail to write the file" },
	{ CME_FILE_NO_SPACE, "no space" },
	{ CME_FILE_TIMEOUT, "time out" },
	{ CME_FILE_TOO_LARGE, "file too large" },
	{ CME_FILE_PARAM, "invalid parameter" },
	{ CME_FILE_OPENED, "file already opened" },
};

const char *
at_cme_text(int code)
{
	size_t i;

	for (i = 0; i < nitems(at_cme_texts); i++)
		if (at_cme_texts[i].code == code)
			return at_cme_texts[i].text;
	return "unknown";
}

void
at_settings_default(struct at_settings *s)
{
	s->echo = 1;
	s->verbose = 1;
	s->quiet = 0;
	s->cmee = 1;
	s->s0 = 0;
	s->s3 = '\r';
	s->s4 = '\n';
	s->s5 = '\b';
}

/*
 * Every command of every family, sorted by name (case aside), then by
 * family order so that the first family to define a name wins, as a walk
 * through the tables would: a command line's names are looked up in log n
 * compares instead of one per command (bench/at-latency).
 */
struct at_index_entry {
	const struct at_cmd	*cmd;
	unsigned		 order;
};
static struct at_index_entry	at_index[512];
static size_t			at_nindex;

static int
at_index_cmp(const void *a, const void *b)
{
	const struct at_index_entry *x = a, *y = b;
	int d = strcasecmp(x->cmd->name, y->cmd->name);

	if (d != 0)
		return d;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void
at_index_build(void)
{
	const struct at_cmd *c;
	size_t i;

	for (i = 0; i < nitems(at_families); i++)
		for (c = at_families[i]; c->name != NULL; c++) {
			if (at_nindex == nitems(at_index))
				fatal("at_index: more than %zu commands",
				    nitems(at_index));
			at_index[at_nindex].cmd = c;
			at_index[at_nindex].order = (unsigned)at_nindex;
			at_nindex++;
		}
	qsort(at_index, at_nindex, sizeof at_index[0], at_index_cmp);
}

const struct at_cmd *
at_cmd_find(const char *name)
{
	size_t lo = 0, hi, mid;

	if (at_nindex == 0)
		at_index_build();
	/* The first entry whose name is not below `name`. */
	hi = at_nindex;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcasecmp(at_index[mid].cmd->name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < at_nindex && strcasecmp(at_index[lo].cmd->name, name) == 0)
		return at_index[lo].cmd;
	return NULL;
}

void
at_write(struct at_engine *e, const void *p, size_t n)
{
	if (e->out != NULL && n > 0)
		e->out(e->out_arg, p, n);
}

/* Write text followed by S3 S4. */
static void
at_write_line(struct at_engine *e, const char *text)
{
	char eol[2] = { (char)e->set.s3, (char)e->set.s4 };

	at_write(e, text, strlen(text));
	at_write(e, eol, 2);
}

/* Write S3 S4 (the header of a verbose response). */
static void
at_write_eol(struct at_engine *e)
{
	char eol[2] = { (char)e->set.s3, (char)e->set.s4 };

	at_write(e, eol, 2);
}

int
at_arg_int(const struct at_req *r, unsigned i, long lo, long hi, long def,
    long *v)
{
	if (r->nargs <= i || !r->args[i].present) {
		*v = def;
		return 0;
	}
	if (r->args[i].type != AT_P_INT || r->args[i].i < lo || r->args[i].i > hi)
		return -1;
	*v = r->args[i].i;
	return 0;
}

void
at_info(struct at_req *r, const char *fmt, ...)
{
	struct at_engine *e = r->engine;
	va_list ap;
	char *text;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		fatal("out of memory in at_info");
	va_end(ap);
	if (e->set.verbose && r->info_lines == 0)
		at_write_eol(e);
	at_write_line(e, text);
	r->info_lines++;
	free(text);
}

void
at_urc(struct at_engine *e, const char *text)
{
	if (e->set.verbose)
		at_write_eol(e);
	at_write_line(e, text);
}

void
at_result(struct at_engine *e, int res)
{
	char text[64];
	int numeric;

	if (e->set.quiet)
		return;
	if (res > 0 && e->set.cmee == 0)
		res = AT_RES_ERROR;
	if (res > 0) {
		if (e->set.cmee == 2)
			snprintf(text, sizeof text, "+CME ERROR: %s",
			    at_cme_text(res));
		else
			snprintf(text, sizeof text, "+CME ERROR: %d", res);
		if (e->set.verbose)
			at_write_eol(e);
		at_write_line(e, text);
		return;
	}
	numeric = res == AT_RES_OK ? 0 : res == AT_RES_NO_CARRIER ? 3 :
	    res == AT_RES_CONNECT ? 1 : 4;
	if (!e->set.verbose) {
		char code[3] = { (char)('0' + numeric), (char)e->set.s3, 0 };
		at_write(e, code, 2);
		return;
	}
	at_write_eol(e);
	at_write_line(e, res == AT_RES_OK ? "OK" :
	    res == AT_RES_NO_CARRIER ? "NO CARRIER" :
	    res == AT_RES_CONNECT ? "CONNECT" : "ERROR");
}

/* Cursor over the line being parsed. */
struct at_lex {
	const char	*p;
	const char	*end;
};

/* Skip spaces (V.250 ignores them outside strings). */
static void
at_lex_space(struct at_lex *x)
{
	while (x->p < x->end && *x->p == ' ')
		x->p++;
}

/* Read decimal digits into *v; returns the count read (0: none). */
static int
at_lex_digits(struct at_lex *x, long *v)
{
	int n = 0;

	*v = 0;
	while (x->p < x->end && isdigit((unsigned char)*x->p)) {
		if (*v < 100000000L)
			*v = *v * 10 + (*x->p - '0');
		else
			*v = 1000000000L;	/* saturate: range check fails */
		x->p++;
		n++;
	}
	return n;
}

/* Parse one argument of a set command; returns 0 or a result code. */
static int
at_parse_arg(struct at_lex *x, struct at_arg *a)
{
	const char *start;
	size_t n;

	memset(a, 0, sizeof *a);
	at_lex_space(x);
	if (x->p == x->end || *x->p == ',' || *x->p == ';')
		return 0;			/* omitted */
	a->present = 1;
	if (*x->p == '"') {
		start = ++x->p;
		while (x->p < x->end && *x->p != '"')
			x->p++;
		if (x->p == x->end)
			return CME_BAD_PARAM;	/* unterminated string */
		n = (size_t)(x->p - start);
		if (n > AT_STR_MAX)
			return CME_BAD_PARAM;
		memcpy(a->s, start, n);
		a->s[n] = '\0';
		a->type = AT_P_STR;
		x->p++;
	} else {
		int neg = 0;
		if (*x->p == '-' || *x->p == '+')
			neg = *x->p++ == '-';
		if (at_lex_digits(x, &a->i) == 0)
			return CME_BAD_PARAM;	/* bare words are not strings */
		if (neg)
			a->i = -a->i;
		a->type = AT_P_INT;
	}
	at_lex_space(x);
	if (x->p < x->end && *x->p != ',' && *x->p != ';' && *x->p != '?')
		return CME_BAD_PARAM;
	return 0;
}

/* Parse the arguments of a set command up to ';' or the end. */
static int
at_parse_args(struct at_lex *x, struct at_req *r)
{
	int rc;

	r->nargs = 0;
	at_lex_space(x);
	if (x->p == x->end || *x->p == ';')
		return 0;
	for (;;) {
		if (r->nargs == AT_MAX_ARGS)
			return CME_BAD_PARAM;
		if ((rc = at_parse_arg(x, &r->args[r->nargs])) != 0)
			return rc;
		r->nargs++;
		if (x->p < x->end && *x->p == '?') {
			/* AT+QCFG="usbifc"?: a query written after the args. */
			x->p++;
			r->set_query = 1;
			return 0;
		}
		if (x->p == x->end || *x->p != ',')
			return 0;
		x->p++;
	}
}

/* Parse an extended command (+NAME...); fills name and the request. */
static int
at_parse_extended(struct at_lex *x, char *name, size_t size, struct at_req *r)
{
	size_t n = 0;

	name[n++] = *x->p++;
	while (x->p < x->end && (isalnum((unsigned char)*x->p) ||
	    *x->p == '_')) {
		if (n + 1 >= size)
			return AT_RES_ERROR;
		name[n++] = (char)toupper((unsigned char)*x->p++);
	}
	name[n] = '\0';
	if (x->p < x->end && *x->p == '=') {
		x->p++;
		if (x->p < x->end && *x->p == '?') {
			x->p++;
			r->form = AT_TEST;
			return 0;
		}
		r->form = AT_SET;
		return at_parse_args(x, r);
	}
	if (x->p < x->end && *x->p == '?') {
		x->p++;
		r->form = AT_READ;
		return 0;
	}
	r->form = AT_EXEC;
	return 0;
}

/* Parse a basic command (E1, &F, S3=13, I); fills name and the request. */
static int
at_parse_basic(struct at_lex *x, char *name, struct at_req *r)
{
	long v;

	name[0] = (char)toupper((unsigned char)*x->p++);
	name[1] = '\0';
	if (name[0] == '&') {
		if (x->p == x->end || !isalpha((unsigned char)*x->p))
			return AT_RES_ERROR;
		name[1] = (char)toupper((unsigned char)*x->p++);
		name[2] = '\0';
	}
	r->form = AT_EXEC;
	if (name[0] == 'S' && name[1] == '\0') {
		if (at_lex_digits(x, &r->sreg) == 0)
			return AT_RES_ERROR;
		if (x->p < x->end && *x->p == '?') {
			x->p++;
			r->form = AT_READ;
			return 0;
		}
		if (x->p < x->end && *x->p == '=') {
			x->p++;
			r->form = AT_SET;
			r->nargs = 1;
			r->args[0].present = 1;
			r->args[0].type = AT_P_INT;
			if (at_lex_digits(x, &r->args[0].i) == 0)
				return CME_BAD_PARAM;
			return 0;
		}
		return AT_RES_ERROR;
	}
	if (at_lex_digits(x, &v) > 0) {
		r->nargs = 1;
		r->args[0].present = 1;
		r->args[0].type = AT_P_INT;
		r->args[0].i = v;
	}
	return 0;
}

/* The code for each precondition that does not hold, in checking order. */
static const struct {
	unsigned	 need;
	int		 code;
} at_need_codes[] = {
	{ AT_NEED_SIM, CME_SIM_BUSY },
	{ AT_NEED_SIM_ON, CME_SIM_FAILURE },
	{ AT_NEED_REG, CME_NO_NETWORK },
	{ AT_NEED_FOTA_IDLE, AT_RES_ERROR },
};

/* Check the preconditions the command declares for this form. */
static int
at_check_needs(const struct at_engine *e, const struct at_req *r)
{
	const struct at_cmd *c = r->cmd;
	unsigned forms = c->need_forms ? c->need_forms : ~(unsigned)AT_TEST;
	unsigned have;
	size_t i;

	if (c->needs == 0 || (forms & r->form) == 0 || e->conditions == NULL)
		return 0;
	have = e->conditions(e->ctx);
	for (i = 0; i < nitems(at_need_codes); i++)
		if ((c->needs & at_need_codes[i].need) &&
		    !(have & at_need_codes[i].need))
			return at_need_codes[i].code;
	return 0;
}

/* Check a parsed request against the command's declaration. */
static int
at_check_syntax(const struct at_req *r)
{
	const struct at_cmd *c = r->cmd;
	unsigned i, nparams = 0;

	if ((c->forms & r->form) == 0)
		return AT_RES_ERROR;
	if (r->set_query && !c->set_query)
		return CME_BAD_PARAM;
	if (r->form != AT_SET && !(r->form == AT_EXEC && r->nargs > 0))
		return 0;
	if (c->params != NULL)
		while (c->params[nparams].type != AT_P_END)
			nparams++;
	if (r->nargs > nparams)
		return CME_BAD_PARAM;
	for (i = 0; i < nparams; i++) {
		const struct at_param *p = &c->params[i];
		const struct at_arg *a = &r->args[i];

		if (i >= r->nargs || !a->present) {
			if (i < c->nreq)
				return CME_BAD_PARAM;
			continue;
		}
		if (p->type == AT_P_ANY)
			continue;
		if (p->type != a->type)
			return CME_BAD_PARAM;
		if (p->type == AT_P_INT && (a->i < p->min || a->i > p->max))
			return CME_BAD_PARAM;
		if (p->type == AT_P_STR && (long)strlen(a->s) > p->max)
			return CME_BAD_PARAM;
	}
	return 0;
}

void
at_dispatch(struct at_engine *e, const char *line, size_t len)
{
	struct at_lex x = { line, line + len };
	struct at_req r;
	char name[32];
	int rc;

	for (;;) {
		at_lex_space(&x);
		if (x.p == x.end)
			break;
		memset(&r, 0, sizeof r);
		r.engine = e;
		if (*x.p == '+' || *x.p == '^' || *x.p == '$')
			rc = at_parse_extended(&x, name, sizeof name, &r);
		else if (isalpha((unsigned char)*x.p) || *x.p == '&')
			rc = at_parse_basic(&x, name, &r);
		else
			rc = AT_RES_ERROR;
		if (rc == 0 && (r.cmd = at_cmd_find(name)) == NULL)
			rc = AT_RES_ERROR;
		if (rc == 0)
			rc = at_check_syntax(&r);
		if (rc == 0)
			rc = at_check_needs(e, &r);
		if (rc == 0 && r.cmd->check != NULL)
			rc = r.cmd->check(&r);
		if (rc == 0)
			rc = r.cmd->proceed(&r);
		if (rc == AT_RES_PENDING) {
			at_lex_space(&x);
			if (x.p < x.end && *x.p == ';')
				x.p++;
			e->nrest = (size_t)(x.end - x.p);
			if (e->nrest > sizeof e->rest)
				e->nrest = sizeof e->rest;
			memcpy(e->rest, x.p, e->nrest);
			e->pending = 1;
			return;
		}
		if (rc != 0) {
			at_result(e, rc);
			return;
		}
		if (e->halt)
			break;
		at_lex_space(&x);
		if (x.p < x.end && *x.p == ';')
			x.p++;
	}
	at_result(e, AT_RES_OK);
}

void
at_finish(struct at_engine *e, int res)
{
	char rest[AT_REST_MAX];
	size_t n = e->nrest;

	if (!e->pending)
		return;
	e->pending = 0;
	e->nrest = 0;
	if (res != AT_RES_OK) {
		at_result(e, res);
		return;
	}
	memcpy(rest, e->rest, n);
	at_dispatch(e, rest, n);
}

void
at_cancel(struct at_engine *e)
{
	e->pending = 0;
	e->nrest = 0;
}
