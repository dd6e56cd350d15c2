/*
 * flash-file.c: the file backend, a sparse image in the state dir.
 *
 * The file holds every byte inverted (stored = ~flash), so that a hole reads
 * as erased flash: a new chip is one ftruncate.  Every program and erase is
 * a pwrite issued at once, in order, with no cache in this process, so a
 * SIGKILL leaves the file as a power cut would leave the chip (within an
 * operation only at a page boundary: a half-done operation, as the fault
 * layer makes them).  An erase writes the block's zeros rather than punching
 * a hole: the filesystem refilling punched blocks made updates 2-3x slower
 * (bench/update).  (Host crashes are not modelled: there is no fsync.)
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flash.h"
#include "util.h"

struct flash_file {
	struct flash_dev	 dev;
	int			 fd;
	unsigned char		*buf;
	size_t			 bufsz;
};

/* Grow the inversion buffer to hold n bytes. */
static unsigned char *
flash_file_buf(struct flash_file *ff, size_t n)
{
	if (n > ff->bufsz) {
		ff->buf = xreallocarray(ff->buf, n, 1);
		ff->bufsz = n;
	}
	return ff->buf;
}

/* Invert n bytes from src into dst (the same buffer, or apart): a word at
 * a time, as every byte read or programmed passes here. */
static void
flash_file_invert(unsigned char *dst, const unsigned char *src, size_t n)
{
	uint64_t w;
	size_t i;

	for (i = 0; i + sizeof w <= n; i += sizeof w) {
		memcpy(&w, src + i, sizeof w);
		w = ~w;
		memcpy(dst + i, &w, sizeof w);
	}
	for (; i < n; i++)
		dst[i] = (unsigned char)~src[i];
}

/* Read and un-invert; bytes past the end of the file are erased. */
static int
flash_file_read(struct flash_dev *dev, uint64_t off, void *p, size_t len)
{
	struct flash_file *ff = (struct flash_file *)dev;
	unsigned char *out = p;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(ff->fd, out + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return FLASH_ERR_IO;
		if (n == 0) {
			memset(out + done, 0, len - done);
			break;
		}
		done += (size_t)n;
	}
	flash_file_invert(out, out, len);
	return FLASH_OK;
}

/* Write n raw (already inverted) bytes at off. */
static int
flash_file_pwrite(struct flash_file *ff, uint64_t off, const void *p, size_t len)
{
	const unsigned char *s = p;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pwrite(ff->fd, s + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FLASH_ERR_IO;
		done += (size_t)n;
	}
	return FLASH_OK;
}

/* Store bytes (inverted) at once. */
static int
flash_file_program(struct flash_dev *dev, uint64_t off, const void *p,
    size_t len)
{
	struct flash_file *ff = (struct flash_file *)dev;
	unsigned char *b = flash_file_buf(ff, len);

	flash_file_invert(b, p, len);
	return flash_file_pwrite(ff, off, b, len);
}

/* Erase: the block's bytes become 0xff, stored inverted as zeros. */
static int
flash_file_erase(struct flash_dev *dev, uint64_t off, uint64_t len)
{
	struct flash_file *ff = (struct flash_file *)dev;
	unsigned char *b;

	b = flash_file_buf(ff, (size_t)len);
	memset(b, 0, (size_t)len);
	return flash_file_pwrite(ff, off, b, (size_t)len);
}

/* Close the file. */
static void
flash_file_close(struct flash_dev *dev)
{
	struct flash_file *ff = (struct flash_file *)dev;

	close(ff->fd);
	free(ff->buf);
	free(ff);
}

static const struct flash_ops flash_file_ops = {
	.name = "file",
	.read = flash_file_read,
	.program = flash_file_program,
	.erase = flash_file_erase,
	.close = flash_file_close,
};

int
flash_file_open(const char *path, uint64_t size, struct flash_dev **out)
{
	struct flash_file *ff;
	struct stat st;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1)
		return FLASH_ERR_IO;
	if (fstat(fd, &st) == -1 ||
	    ((uint64_t)st.st_size < size && ftruncate(fd, (off_t)size) == -1)) {
		close(fd);
		return FLASH_ERR_IO;
	}
	ff = xcalloc(1, sizeof *ff);
	ff->dev.ops = &flash_file_ops;
	ff->dev.size = size;
	ff->fd = fd;
	*out = &ff->dev;
	return FLASH_OK;
}
