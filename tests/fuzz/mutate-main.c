/*
 * mutate-main.c: a standalone driver for a libFuzzer target whose inputs are
 * structured files (packages).  It runs every seed file named on the command
 * line, then `-n N` inputs made by mutating a seed with a seeded generator:
 * bit flips, bytes set to boundary values, 64-bit fields set to boundary
 * values, ranges deleted, duplicated or truncated, and splices of two seeds.
 * So the target runs under make check (and ASan/UBSan) without libFuzzer.
 *
 * usage: mutate-main [-n N] [-s SEED] SEEDFILE...
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MAX_SEEDS	64
#define MAX_INPUT	(4 << 20)

struct seed {
	unsigned char	*data;
	size_t		 len;
};

static struct seed	seeds[MAX_SEEDS];
static size_t		nseeds;

/* A small deterministic generator (xorshift64). */
static uint64_t
rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Read a seed file whole; exits on error. */
static void
load_seed(const char *path)
{
	struct seed *sd = &seeds[nseeds];
	FILE *f = fopen(path, "rb");

	if (f == NULL || nseeds == MAX_SEEDS) {
		perror(path);
		exit(2);
	}
	sd->data = malloc(MAX_INPUT);
	sd->len = fread(sd->data, 1, MAX_INPUT, f);
	fclose(f);
	nseeds++;
}

/* Interesting 64-bit values for size and offset fields. */
static const uint64_t boundaries[] = {
	0, 1, 255, 256, 257, 4095, 4096, 4097, 65536, 1 << 20,
	(1ULL << 30), (1ULL << 30) + 1, (1ULL << 31), UINT32_MAX,
	INT64_MAX, UINT64_MAX, UINT64_MAX - 255,
};

/* Apply one random mutation to buf (length *len, room MAX_INPUT). */
static void
mutate_once(unsigned char *buf, size_t *len, uint64_t *s)
{
	uint64_t r = rng_next(s), at, n, i;
	const struct seed *other;

	if (*len == 0) {
		buf[(*len)++] = (unsigned char)r;
		return;
	}
	at = rng_next(s) % *len;
	switch (r % 8) {
	case 0:		/* flip a bit */
		buf[at] ^= (unsigned char)(1 << (r >> 8) % 8);
		break;
	case 1:		/* a byte to a boundary value or an op code */
		buf[at] = "\0\1\2\377\177\200CD"[(r >> 8) % 8];
		break;
	case 2:		/* a little-endian 64-bit field to a boundary */
		at &= ~(uint64_t)7;
		n = boundaries[(r >> 8) % (sizeof boundaries / sizeof boundaries[0])];
		for (i = 0; i < 8 && at + i < *len; i++)
			buf[at + i] = (unsigned char)(n >> (8 * i));
		break;
	case 3:		/* truncate */
		*len = at;
		break;
	case 4:		/* delete a range */
		n = rng_next(s) % (*len - at);
		memmove(buf + at, buf + at + n, *len - at - n);
		*len -= n;
		break;
	case 5:		/* duplicate a range */
		n = rng_next(s) % (*len - at) % 4096;
		if (*len + n <= MAX_INPUT) {
			memmove(buf + at + n, buf + at, *len - at);
			*len += n;
		}
		break;
	case 6:		/* splice: the tail of another seed from here on */
		other = &seeds[rng_next(s) % nseeds];
		if (at < other->len) {
			memcpy(buf + at, other->data + at, other->len - at);
			*len = other->len;
		}
		break;
	default:	/* random bytes over a short range */
		for (n = rng_next(s) % 16; n > 0 && at < *len; n--, at++)
			buf[at] = (unsigned char)rng_next(s);
		break;
	}
}

int
main(int argc, char **argv)
{
	static unsigned char buf[MAX_INPUT];
	uint64_t seed = 20261125, s;
	long n = 0, i, k;
	size_t len;
	int c;

	while ((c = getopt(argc, argv, "n:s:")) != -1) {
		switch (c) {
		case 'n': n = atol(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	for (; optind < argc; optind++)
		load_seed(argv[optind]);
	if (nseeds == 0) {
		fprintf(stderr, "usage: mutate-main [-n N] [-s SEED] SEEDFILE...\n");
		return 2;
	}
	for (i = 0; i < (long)nseeds; i++)
		LLVMFuzzerTestOneInput(seeds[i].data, seeds[i].len);
	s = seed ? seed : 1;
	for (i = 0; i < n; i++) {
		const struct seed *sd = &seeds[rng_next(&s) % nseeds];

		memcpy(buf, sd->data, sd->len);
		len = sd->len;
		for (k = 1 + (long)(rng_next(&s) % 4); k > 0; k--)
			mutate_once(buf, &len, &s);
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("mutate-main: %zu seeds, %ld mutated inputs, seed %llu: no crash\n",
	    nseeds, n, (unsigned long long)seed);
	for (i = 0; i < (long)nseeds; i++)
		free(seeds[i].data);
	return 0;
}
