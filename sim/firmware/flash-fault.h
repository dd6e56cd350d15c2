/*
 * flash-fault.h: a fault layer that wraps any flash backend.
 *
 * It counts operations (one per block erase, one per page programmed) and can
 * cut the power after operation N (optionally leaving that operation half
 * done), make one operation report a chip failure, flip a bit in every Nth
 * page programmed, or report the chip full after a number of bytes.
 */
#ifndef FOTASIM_FLASH_FAULT_H
#define FOTASIM_FLASH_FAULT_H

#include <stdint.h>

#include "flash.h"

struct flash_fault_cfg {
	uint64_t	 cut_after;	/* power off after this many ops; 0 = never */
	int		 torn;		/* the next op after the cut is half done */
	uint64_t	 fail_op;	/* this op (1-based) reports FAILED; 0 = none */
	uint64_t	 flip_every;	/* flip one bit in every Nth page; 0 = never */
	uint64_t	 full_after;	/* bytes programmed before FULL; 0 = never */
	uint32_t	 seed;		/* chooses the flipped bits */
};

/* Wrap a backend; the caller keeps owning inner and closes it after. */
struct flash_dev *flash_fault_open(struct flash_dev *inner,
	    const struct flash_fault_cfg *);
/* Operations counted so far. */
uint64_t flash_fault_ops(const struct flash_dev *);
/* Whether the power has been cut. */
int	 flash_fault_cut(const struct flash_dev *);
/* Bits flipped so far. */
uint64_t flash_fault_flips(const struct flash_dev *);

#endif
