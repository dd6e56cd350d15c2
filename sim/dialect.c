/*
 * dialect.c: the spellings of other modules' FOTA URCs (dialect.h;
 * where each was seen: docs/at-commands.md).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialect.h"
#include "util.h"

static const struct {
	const char	*name;
	unsigned	 bit;
} dialect_names[] = {
	{ "https-words", DIALECT_HTTPS_WORDS },
	{ "comma-space", DIALECT_COMMA_SPACE },
	{ "percent", DIALECT_PERCENT },
	{ "twice", DIALECT_TWICE },
	{ "updating-bare", DIALECT_UPDATING_BARE },
	{ "reboot-first", DIALECT_REBOOT_FIRST },
};

int
dialect_parse(const char *text, unsigned *bits, char *err, size_t errlen)
{
	char word[32];
	const char *p = text, *comma;
	size_t len, i;

	*bits = 0;
	for (;;) {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		for (i = 0; i < nitems(dialect_names); i++)
			if (strlen(dialect_names[i].name) == len &&
			    strncmp(dialect_names[i].name, p, len) == 0)
				break;
		if (i == nitems(dialect_names)) {
			snprintf(word, sizeof word, "%.*s", (int)(len < 24 ? len : 24),
			    p);
			snprintf(err, errlen, "unknown quirk '%s' (https-words, "
			    "comma-space, percent, twice, updating-bare, "
			    "reboot-first)", word);
			return -1;
		}
		*bits |= dialect_names[i].bit;
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

void
dialect_apply(unsigned bits, const char *line, int https, int count,
    char *out, size_t size)
{
	static const char dl[] = "+QIND: \"FOTA\",\"DOWNLOADING\",";
	static const char end[] = "+QIND: \"FOTA\",\"HTTPEND\",";
	char tmp[256];
	const char *s;
	size_t o = 0;
	int n;

	str_copy(tmp, line, sizeof tmp);
	if ((bits & DIALECT_HTTPS_WORDS) && https) {
		if (strcmp(tmp, "+QIND: \"FOTA\",\"HTTPSTART\"") == 0)
			str_copy(tmp, "+QIND: \"FOTA\",\"HTTPSSTART\"", sizeof tmp);
		else if (strncmp(tmp, end, sizeof end - 1) == 0)
			snprintf(tmp, sizeof tmp, "+QIND: \"FOTA\",\"HTTPSEND\",%s",
			    line + sizeof end - 1);
	}
	if ((bits & DIALECT_PERCENT) && count > 0 &&
	    strncmp(line, dl, sizeof dl - 1) == 0) {
		n = atoi(line + sizeof dl - 1);
		snprintf(tmp, sizeof tmp, "%s%d%%", dl, n * 100 / count);
	}
	/* A space after every comma outside the quotes' words. */
	for (s = tmp; *s != '\0' && o + 2 < size; s++) {
		out[o++] = *s;
		if (*s == ',' && (bits & DIALECT_COMMA_SPACE))
			out[o++] = ' ';
	}
	out[o] = '\0';
}
