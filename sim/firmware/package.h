/*
 * package.h: firmware packages (docs/package-format.md).
 *
 * A package is a 256-byte header followed by a payload: either the whole
 * target image (full) or a delta against the source image (delta.h).  The
 * same code builds packages in fotasim-pkg and checks and applies them in the
 * modem; everything reads through a pkg_read_fn so that the bytes may sit in
 * memory, in a file or in the simulated flash.
 */
#ifndef FOTASIM_PACKAGE_H
#define FOTASIM_PACKAGE_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"

#define PKG_MAGIC		"FOTASIMP"
#define PKG_VERSION		1
#define PKG_HEADER_SIZE		256
#define PKG_MD5_LEN		16

enum pkg_kind {
	PKG_FULL = 1,
	PKG_DELTA = 2,
};

/* Why a package is refused; each maps to one +QIND END code (updater.c). */
enum pkg_err {
	PKG_OK = 0,
	PKG_ERR_MALFORMED = -1,		/* header or payload structure */
	PKG_ERR_TRUNCATED = -2,		/* shorter than the header says */
	PKG_ERR_MD5 = -3,		/* payload MD5 mismatch */
	PKG_ERR_MODEL = -4,		/* built for another model */
	PKG_ERR_SOURCE = -5,		/* built for another source revision/image */
	PKG_ERR_TOO_BIG = -6,		/* does not fit the flash */
	PKG_ERR_RESULT = -7,		/* applied image has the wrong MD5 */
	PKG_ERR_IO = -8,		/* could not read the bytes */
};

struct pkg_header {
	unsigned	 version;
	enum pkg_kind	 kind;
	char		 model[IMAGE_MODEL_MAX];
	char		 source[IMAGE_REV_MAX];
	char		 target[IMAGE_REV_MAX];
	uint64_t	 source_size;
	uint64_t	 target_size;
	uint64_t	 payload_size;
	unsigned char	 source_md5[PKG_MD5_LEN];
	unsigned char	 target_md5[PKG_MD5_LEN];
	unsigned char	 payload_md5[PKG_MD5_LEN];
};

/* Read len bytes at off from wherever the bytes live; returns 0 or -1. */
typedef int (*pkg_read_fn)(void *arg, uint64_t off, void *buf, size_t len);

struct pkg_source {
	pkg_read_fn	 read;
	void		*arg;
};

/* Serialise a header into PKG_HEADER_SIZE bytes, checksum included. */
void	 pkg_header_encode(const struct pkg_header *, unsigned char *);
/* Parse and check a header; `why` gets a reason on error. */
int	 pkg_header_decode(const unsigned char *, size_t, struct pkg_header *,
	    const char **why);
/* The payload kind's name ("full", "delta"). */
const char *pkg_kind_name(enum pkg_kind);
/* A short text for a package error code. */
const char *pkg_strerror(int);

/* MD5 of len bytes read through src from off. */
int	 pkg_md5(const struct pkg_source *, uint64_t off, uint64_t len,
	    unsigned char *md5);
/* MD5 of a memory buffer. */
void	 pkg_md5_mem(const void *, size_t, unsigned char *md5);
/* Format an MD5 as 32 hex digits (out holds 33 bytes). */
void	 pkg_md5_hex(const unsigned char *md5, char *out);

/*
 * Check a whole package read through `pkg` of `len` bytes: header, length,
 * payload MD5 and (for a delta) the payload's structure.
 */
int	 pkg_check(const struct pkg_source *pkg, uint64_t len,
	    struct pkg_header *, const char **why);

/* Build a package from source and target images into a malloc'd buffer. */
int	 pkg_build(enum pkg_kind, const char *model, const char *source_rev,
	    const unsigned char *src, uint64_t src_len, const char *target_rev,
	    const unsigned char *tgt, uint64_t tgt_len, unsigned char **out,
	    size_t *out_len);

/* A package opened for applying: yields target bytes at any offset. */
struct pkg_apply;

/* Prepare to produce the target of a checked package from src (the source image). */
int	 pkg_apply_open(const struct pkg_header *, const struct pkg_source *pkg,
	    const struct pkg_source *src, struct pkg_apply **);
/* Produce target bytes [off, off + len). */
int	 pkg_apply_read(struct pkg_apply *, uint64_t off, void *, size_t);
/* Free an apply context. */
void	 pkg_apply_close(struct pkg_apply *);

/* A pkg_source over memory: arg is a struct pkg_mem. */
struct pkg_mem {
	const unsigned char	*data;
	uint64_t		 len;
};
int	 pkg_mem_read(void *arg, uint64_t off, void *buf, size_t len);

#endif
