/*
 * image.c: the deterministic firmware image generator.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "crc32.h"
#include "image.h"

#define IMAGE_MAGIC	"FOTASIM FIRMWARE IMAGE 1\n"

/* FNV-1a over a string, continuing from h. */
static uint64_t
image_hash_str(uint64_t h, const char *s)
{
	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	h ^= 0xff;			/* terminator, so "ab"+"c" != "a"+"bc" */
	return h * 0x100000001b3ULL;
}

/* One splitmix64 step. */
static uint64_t
image_mix(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int
image_name_ok(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= max)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* Write the identity block: magic and key=value lines, zero padded. */
static void
image_id_block(const char *model, const char *rev, uint64_t size,
    unsigned char *id)
{
	memset(id, 0, IMAGE_ID_SIZE);
	snprintf((char *)id, IMAGE_ID_SIZE, "%smodel=%s\nrevision=%s\nsize=%llu\n",
	    IMAGE_MAGIC, model, rev, (unsigned long long)size);
}

/* Generate chunk `idx` (IMAGE_CHUNK bytes) into out. */
static void
image_chunk(uint64_t hmodel, uint64_t hrev, uint64_t idx, unsigned char *out)
{
	uint64_t pick = hrev ^ (idx * 0xd6e8feb86659fd93ULL), seed, v;
	size_t i;

	/* About one chunk in 32 belongs to the revision, the rest to the model. */
	seed = image_mix(&pick) % 32 == 0 ? hrev : hmodel;
	seed ^= idx * 0xa0761d6478bd642fULL;
	for (i = 0; i < IMAGE_CHUNK; i += 8) {
		v = image_mix(&seed);
		le64_put(out + i, v);
	}
}

int
image_read(const char *model, const char *rev, uint64_t size, uint64_t off,
    void *buf, size_t len)
{
	unsigned char chunk[IMAGE_CHUNK], *out = buf;
	uint64_t hmodel, hrev;

	if (!image_name_ok(model, IMAGE_MODEL_MAX) ||
	    !image_name_ok(rev, IMAGE_REV_MAX) || size < IMAGE_MIN_SIZE ||
	    size > IMAGE_MAX_SIZE || off > size || len > size - off)
		return -1;
	hmodel = image_hash_str(0xcbf29ce484222325ULL, model);
	hrev = image_hash_str(hmodel, rev);
	while (len > 0) {
		uint64_t idx = off / IMAGE_CHUNK, in = off % IMAGE_CHUNK;
		size_t n = IMAGE_CHUNK - (size_t)in;

		if (n > len)
			n = len;
		image_chunk(hmodel, hrev, idx, chunk);
		if (idx == 0)
			image_id_block(model, rev, size, chunk);
		memcpy(out, chunk + in, n);
		out += n;
		off += n;
		len -= n;
	}
	return 0;
}

int
image_identify(const void *id, size_t len, char *model, char *rev,
    uint64_t *size)
{
	char text[IMAGE_ID_SIZE + 1], *p, *nl;
	unsigned long long sz;

	if (len < IMAGE_ID_SIZE)
		return -1;
	memcpy(text, id, IMAGE_ID_SIZE);
	text[IMAGE_ID_SIZE] = '\0';
	if (strncmp(text, IMAGE_MAGIC, strlen(IMAGE_MAGIC)) != 0)
		return -1;
	p = text + strlen(IMAGE_MAGIC);
	if (strncmp(p, "model=", 6) != 0 || (nl = strchr(p, '\n')) == NULL)
		return -1;
	*nl = '\0';
	if (!image_name_ok(p + 6, IMAGE_MODEL_MAX))
		return -1;
	strcpy(model, p + 6);
	p = nl + 1;
	if (strncmp(p, "revision=", 9) != 0 || (nl = strchr(p, '\n')) == NULL)
		return -1;
	*nl = '\0';
	if (!image_name_ok(p + 9, IMAGE_REV_MAX))
		return -1;
	strcpy(rev, p + 9);
	p = nl + 1;
	if (sscanf(p, "size=%llu\n", &sz) != 1)
		return -1;
	*size = sz;
	return 0;
}
