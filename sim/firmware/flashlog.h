/*
 * flashlog.h: a power-safe record log in two flash blocks.
 *
 * Each record takes one page: magic, sequence number, length, payload and a
 * CRC-32.  Records are appended page by page; the valid record with the
 * highest sequence number is the current one, so a torn write simply leaves
 * the previous record current.  When a block is full the other one is erased
 * and the log continues there.  The boot flags, the update journal and the
 * NV settings are such logs (docs/internals/flash.md).
 */
#ifndef FOTASIM_FLASHLOG_H
#define FOTASIM_FLASHLOG_H

#include <stddef.h>
#include <stdint.h>

#include "flash.h"

#define FLASHLOG_MAX	200		/* payload bytes; fits a 256 B page */

struct flashlog {
	struct flash	*flash;
	uint64_t	 off;		/* first of the two blocks */
	uint32_t	 seq;		/* of the current record */
	int		 cur;		/* block holding the current record */
	uint64_t	 next;		/* next free page in that block */
};

/*
 * Scan the log; copy the current record's payload (up to len bytes) into rec
 * and set *found.  Returns 0 or a flash error.
 */
int	flashlog_open(struct flashlog *, struct flash *, uint64_t off,
	    void *rec, size_t len, int *found);
/* Append a record, which becomes the current one. */
int	flashlog_append(struct flashlog *, const void *rec, size_t len);

#endif
