/*
 * crc32.c: table-driven CRC-32 and little-endian helpers.
 */
#include "config.h"

#include "crc32.h"

static uint32_t	crc32_table[256];
static int	crc32_ready;

/* Build the table for the reflected polynomial 0xedb88320. */
static void
crc32_init(void)
{
	uint32_t c;
	int i, k;

	for (i = 0; i < 256; i++) {
		c = (uint32_t)i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320U ^ (c >> 1) : c >> 1;
		crc32_table[i] = c;
	}
	crc32_ready = 1;
}

uint32_t
crc32_update(uint32_t crc, const void *p, size_t n)
{
	const unsigned char *s = p;

	if (!crc32_ready)
		crc32_init();
	crc = ~crc;
	while (n-- > 0)
		crc = crc32_table[(crc ^ *s++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

void
le16_put(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

void
le32_put(unsigned char *p, uint32_t v)
{
	le16_put(p, (uint16_t)v);
	le16_put(p + 2, (uint16_t)(v >> 16));
}

void
le64_put(unsigned char *p, uint64_t v)
{
	le32_put(p, (uint32_t)v);
	le32_put(p + 4, (uint32_t)(v >> 32));
}

uint16_t
le16_get(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t
le32_get(const unsigned char *p)
{
	return le16_get(p) | (uint32_t)le16_get(p + 2) << 16;
}

uint64_t
le64_get(const unsigned char *p)
{
	return le32_get(p) | (uint64_t)le32_get(p + 4) << 32;
}
