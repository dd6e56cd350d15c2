/*
 * crc32.h: CRC-32 (IEEE 802.3, as zlib) for headers and flash records.
 */
#ifndef FOTASIM_CRC32_H
#define FOTASIM_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Continue a CRC-32 over more bytes; start with crc = 0. */
uint32_t crc32_update(uint32_t crc, const void *, size_t);

/* Little-endian stores and loads for on-flash and on-wire structures. */
void	 le16_put(unsigned char *, uint16_t);
void	 le32_put(unsigned char *, uint32_t);
void	 le64_put(unsigned char *, uint64_t);
uint16_t le16_get(const unsigned char *);
uint32_t le32_get(const unsigned char *);
uint64_t le64_get(const unsigned char *);

#endif
