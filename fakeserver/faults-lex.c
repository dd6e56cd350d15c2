/*
 * faults-lex.c: the words of a fault directive line, the file:line:col of
 * errors, and the syntax of durations, rates and byte counts.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults-int.h"
#include "util.h"

int
fault_error(struct fault_parse *p, int i, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int col = 1;

	if (i >= 0 && i < p->n)
		col = p->w[i].col;
	else if (p->n > 0)
		col = p->w[p->n - 1].col + (int)strlen(p->w[p->n - 1].s);
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
	free(p->err);
	xasprintf(&p->err, "%s:%d:%d: %s", p->file, p->line, col, msg);
	free(msg);
	return -1;
}

int
fault_split(struct fault_parse *p, char *line)
{
	char *s = line;

	p->n = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (*s == '\0' || *s == '#')
			return 0;
		if (p->n == FAULT_WORDS_MAX)
			return fault_error(p, p->n - 1, "too many words");
		p->w[p->n].s = s;
		p->w[p->n].col = (int)(s - line) + 1;
		p->n++;
		s += strcspn(s, " \t\r#");
		if (*s == '#') {
			*s = '\0';
			return 0;
		}
		if (*s != '\0')
			*s++ = '\0';
	}
}

int
fault_parse_time(const char *s, double *out)
{
	char *end;
	double v, mul = 1;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno != 0 || !(v >= 0) || v > 1e9)
		return -1;
	if (strcmp(end, "ms") == 0)
		mul = 0.001;
	else if (strcmp(end, "s") == 0 || *end == '\0')
		mul = 1;
	else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		mul = 60;
	else if (strcmp(end, "h") == 0)
		mul = 3600;
	else
		return -1;
	*out = v * mul;
	return 0;
}

int
fault_parse_rate(const char *s, double *out)
{
	unsigned long long v;
	char *t = xstrdup(s);
	size_t n = strlen(t);
	int rc;

	if (n > 2 && strcmp(t + n - 2, "/s") == 0)
		t[n -= 2] = '\0';
	if (n > 1 && (t[n - 1] == 'B' || t[n - 1] == 'b'))
		t[--n] = '\0';
	rc = parse_size(t, &v);
	free(t);
	if (rc == -1 || v == 0)
		return -1;
	*out = (double)v;
	return 0;
}

int
fault_parse_count(const char *s, long long *out)
{
	unsigned long long v;

	if (parse_size(s, &v) == -1 || v > (1ULL << 62))
		return -1;
	*out = (long long)v;
	return 0;
}
