/*
 * image.h: deterministic firmware images.
 *
 * An image is a pure function of (model, revision, size): the first bytes
 * are a text identity block naming them, the rest are 4 KiB chunks of
 * pseudo-random bytes.  Most chunks depend on the model only, so two
 * revisions of one model share about 94% of their bytes, as real releases
 * do, and a delta between them is small.
 */
#ifndef FOTASIM_IMAGE_H
#define FOTASIM_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define IMAGE_MODEL_MAX		32	/* including the NUL */
#define IMAGE_REV_MAX		48
#define IMAGE_ID_SIZE		256	/* the identity block */
#define IMAGE_CHUNK		4096
#define IMAGE_MIN_SIZE		IMAGE_ID_SIZE
#define IMAGE_MAX_SIZE		(1ULL << 30)

#define FIRMWARE_DEFAULT_MODEL		"EC200T"
#define FIRMWARE_DEFAULT_REVISION	"EC200TCNHAR02A14M16"
#define FIRMWARE_DEFAULT_SIZE		(1024 * 1024)

/* Whether a model or revision name is acceptable (1..max-1 of [A-Za-z0-9._-]). */
int	image_name_ok(const char *, size_t max);
/* Fill buf with bytes [off, off + len) of the image; returns 0 or -1 (bad args). */
int	image_read(const char *model, const char *rev, uint64_t size,
	    uint64_t off, void *buf, size_t len);
/* Read model, revision and size back from an image's identity block. */
int	image_identify(const void *id, size_t len, char *model, char *rev,
	    uint64_t *size);

#endif
