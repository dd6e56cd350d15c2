/*
 * fuzz-main.c: a standalone driver for a libFuzzer target.  It runs every
 * file named on the command line, then `-n N` inputs built from a seeded
 * generator that splices dictionary tokens and random bytes, so the target
 * runs under make check (and ASan/UBSan) without libFuzzer.
 *
 * usage: fuzz-main [-n N] [-s SEED] [-d DICT] [FILE...]
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MAX_TOKENS	512
#define MAX_INPUT	8192

static char	*tokens[MAX_TOKENS];
static size_t	 ntokens;

/* Load a libFuzzer dictionary: lines of the form name="value" or "value". */
static void
load_dict(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof line, f) != NULL && ntokens < MAX_TOKENS) {
		char *q = strchr(line, '"'), *e = strrchr(line, '"'), *o;
		char *tok;

		if (line[0] == '#' || q == NULL || e == q)
			continue;
		tok = malloc((size_t)(e - q));
		for (o = tok, q++; q < e; q++) {
			if (*q == '\\' && q[1] == 'x' && q + 3 < e) {
				char hex[3] = { q[2], q[3], 0 };
				*o++ = (char)strtol(hex, NULL, 16);
				q += 3;
			} else if (*q == '\\' && q + 1 < e) {
				*o++ = *++q;
			} else
				*o++ = *q;
		}
		*o = '\0';
		tokens[ntokens++] = tok;
	}
	fclose(f);
}

/* A small deterministic generator (xorshift64). */
static uint64_t
rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int
main(int argc, char **argv)
{
	static uint8_t buf[MAX_INPUT];
	uint64_t seed = 20261125, s;
	long n = 0, i;
	int c;

	while ((c = getopt(argc, argv, "n:s:d:")) != -1) {
		switch (c) {
		case 'n': n = atol(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		case 'd': load_dict(optarg); break;
		default: return 2;
		}
	}
	for (; optind < argc; optind++) {
		FILE *f = fopen(argv[optind], "rb");
		size_t len;

		if (f == NULL) {
			perror(argv[optind]);
			return 2;
		}
		len = fread(buf, 1, sizeof buf, f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, len);
	}
	s = seed ? seed : 1;
	for (i = 0; i < n; i++) {
		size_t len = 0, want = rng_next(&s) % 600;

		while (len < want) {
			uint64_t r = rng_next(&s);
			if (ntokens > 0 && r % 4 != 0) {
				const char *t = tokens[(r >> 8) % ntokens];
				size_t tl = strlen(t);
				if (len + tl > sizeof buf)
					break;
				memcpy(buf + len, t, tl);
				len += tl;
			} else
				buf[len++] = (uint8_t)(r >> 16);
		}
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("fuzz-main: %ld generated inputs, seed %llu: no crash\n", n,
	    (unsigned long long)seed);
	return 0;
}
