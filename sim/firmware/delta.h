/*
 * delta.h: the delta payload of a package (docs/package-format.md).
 *
 * A delta is a list of operations that together produce the target image in
 * order: COPY a run of the source image, or take DATA from the payload.  The
 * list is parsed once into an index so that any target range can be produced
 * on its own; that is what lets the updater resume at any block.
 */
#ifndef FOTASIM_DELTA_H
#define FOTASIM_DELTA_H

#include <stddef.h>
#include <stdint.h>

#include "package.h"
#include "util.h"

#define DELTA_OP_COPY	'C'
#define DELTA_OP_DATA	'D'
#define DELTA_BLOCK	4096		/* matching granularity */

struct delta_op {
	uint64_t	 tgt_off;
	uint64_t	 len;
	uint64_t	 from;		/* source offset, or payload offset */
	int		 copy;
};

struct delta {
	struct delta_op	*ops;
	size_t		 n;
};

/* Encode target as a delta against source, appending to out. */
void	delta_encode(const unsigned char *src, uint64_t src_len,
	    const unsigned char *tgt, uint64_t tgt_len, struct buf *out);
/* Parse and bound-check a payload at [base, base + len) of pkg. */
int	delta_parse(const struct pkg_source *pkg, uint64_t base, uint64_t len,
	    uint64_t src_len, uint64_t tgt_len, struct delta *);
/* Produce target bytes [off, off + len). */
int	delta_read(const struct delta *, const struct pkg_source *pkg,
	    uint64_t base, const struct pkg_source *src, uint64_t off,
	    void *buf, size_t len);
/* Free a parsed delta. */
void	delta_free(struct delta *);

#endif
