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

static int	fault_error_col(struct fault_parse *, int, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));

/* Record "file:line:col: message" from a format and its arguments. */
static int
fault_error_col(struct fault_parse *p, int col, const char *fmt, va_list ap)
{
	char *msg;

	if (vasprintf(&msg, fmt, ap) < 0)
		fatal("out of memory");
	free(p->err);
	xasprintf(&p->err, "%s:%d:%d: %s", p->file, p->line, col, msg);
	free(msg);
	return -1;
}

int
fault_error(struct fault_parse *p, int i, const char *fmt, ...)
{
	va_list ap;
	int col = 1;

	if (i >= 0 && i < p->n)
		col = p->w[i].col;
	else if (p->n > 0)
		col = p->w[p->n - 1].col + (int)strlen(p->w[p->n - 1].s);
	va_start(ap, fmt);
	fault_error_col(p, col, fmt, ap);
	va_end(ap);
	return -1;
}

/* The length of the well-formed UTF-8 sequence at s (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF), or 0. */
static size_t
fault_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

int
fault_check_bytes(struct fault_parse *p, const char *line, size_t n)
{
	const unsigned char *s = (const unsigned char *)line;
	size_t i, k;

	for (i = 0; i < n; i += k) {
		k = 1;
		if ((s[i] >= 0x20 && s[i] < 0x7f) || s[i] == '\t' || s[i] == '\r')
			continue;
		if (s[i] >= 0x80 && (k = fault_utf8_len(s + i, n - i)) > 0)
			continue;
		return fault_error_at(p, (int)i + 1, "%s 0x%02x cannot be in a "
		    "directive file (text: printable ASCII or UTF-8)",
		    s[i] == 0 ? "NUL byte" : s[i] < 0x80 ? "control byte" :
		    "byte", s[i]);
	}
	return 0;
}

int
fault_error_at(struct fault_parse *p, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fault_error_col(p, col, fmt, ap);
	va_end(ap);
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
faults_parse_time(const char *s, double *out)
{
	return fault_parse_time(s, out);
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
