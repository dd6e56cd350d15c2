/*
 * firmware-stage.c: putting a package into the FOTA area.
 *
 * The journal says STAGING before the first byte is written and STAGED only
 * after the last, so a power cut while a package arrives leaves no half
 * package that the next boot would try to apply: boot finds STAGING,
 * discards the FOTA area's contents and says so in the transcript.  Blocks are erased as
 * the data reaches them, so flash time paces a download the way it does on
 * the module (about 15 kB/s on NOR).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "firmware-priv.h"
#include "translog.h"
#include "util.h"

void
fw_writer_begin(struct fw_writer *w, struct flash *f, uint64_t off,
    uint64_t len)
{
	w->flash = f;
	w->off = off;
	w->len = len;
	w->pos = 0;
	w->fill = 0;
	if (w->page == NULL)
		w->page = xmalloc(f->geom.page_size);
}

void
fw_writer_free(struct fw_writer *w)
{
	free(w->page);
	w->page = NULL;
}

/*
 * Program whole pages at the writing position (erasing a block as the data
 * reaches it); n is a multiple of the page size within one erase block.
 */
static int
fw_writer_program(struct fw_writer *w, const void *p, size_t n)
{
	uint64_t off = w->off + w->pos, bs = w->flash->geom.block_size;
	int rc;

	if (off % bs == 0 && (rc = flash_erase_block(w->flash, off / bs)) != 0)
		return rc;
	return flash_program(w->flash, off, p, n);
}

int
fw_writer_flush(struct fw_writer *w)
{
	size_t ps = w->flash->geom.page_size;

	if (w->fill == 0)
		return 0;
	memset(w->page + w->fill, 0xff, ps - w->fill);
	if (fw_writer_program(w, w->page, ps) != 0)
		return FIRMWARE_ERR_FLASH;
	w->pos += w->fill;
	w->fill = 0;
	return 0;
}

/*
 * With no partial page buffered: program as many whole pages of the
 * caller's bytes as fit before the next erase block, at once.  Returns the
 * bytes taken (0: fewer than a page), or a flash error.
 */
static long
fw_writer_direct(struct fw_writer *w, const unsigned char *s, size_t len)
{
	size_t ps = w->flash->geom.page_size;
	uint64_t bs = w->flash->geom.block_size;
	uint64_t room = bs - (w->off + w->pos) % bs;
	size_t n = len - len % ps;
	int rc;

	if (w->fill != 0 || n == 0)
		return 0;
	if (n > room)
		n = (size_t)room;
	if ((rc = fw_writer_program(w, s, n)) != 0)
		return rc;
	w->pos += n;
	return (long)n;
}

int
fw_writer_write(struct fw_writer *w, const void *p, size_t len)
{
	const unsigned char *s = p;
	size_t ps = w->flash->geom.page_size, n;

	if (len > w->len - w->pos - w->fill)
		return FIRMWARE_ERR_TOO_BIG;
	while (len > 0) {
		long direct = fw_writer_direct(w, s, len);

		if (direct < 0)
			return FIRMWARE_ERR_FLASH;
		if (direct > 0) {
			s += direct;
			len -= (size_t)direct;
			continue;
		}
		n = ps - w->fill < len ? ps - w->fill : len;
		memcpy(w->page + w->fill, s, n);
		w->fill += n;
		s += n;
		len -= n;
		if (w->fill == ps && fw_writer_flush(w) != 0)
			return FIRMWARE_ERR_FLASH;
	}
	return 0;
}

int
firmware_stage_begin(struct firmware *fw, uint64_t len)
{
	if (updater_busy(fw->up))
		return FIRMWARE_ERR_BUSY;
	if (len > fw->lay.fota_size)
		return FIRMWARE_ERR_TOO_BIG;
	fw->jr.pkg_len = len;
	if (fw_journal_write(fw, JOURNAL_STAGING, 0, 0, 0) != 0)
		return FIRMWARE_ERR_FLASH;
	fw->pending = 0;
	fw->staging = 1;
	fw->stage_len = len;
	fw_writer_begin(&fw->stage, fw->flash, fw->lay.fota_off,
	    fw->lay.fota_size);
	translog_state(fw->log, "firmware", "staging a package (%llu bytes expected)",
	    (unsigned long long)len);
	return 0;
}

int
firmware_stage_write(struct firmware *fw, const void *p, size_t len)
{
	int rc;

	if (!fw->staging)
		return FIRMWARE_ERR_STATE;
	rc = fw_writer_write(&fw->stage, p, len);
	if (rc == FIRMWARE_ERR_FLASH)
		fw->staging = 0;
	return rc;
}

int
firmware_stage_end(struct firmware *fw)
{
	if (!fw->staging)
		return FIRMWARE_ERR_STATE;
	fw->staging = 0;
	if (fw_writer_flush(&fw->stage) != 0)
		return FIRMWARE_ERR_FLASH;
	/* A short package is staged anyway: the updater reports it (506). */
	fw->jr.pkg_len = fw->stage.pos;
	if (fw_journal_write(fw, JOURNAL_STAGED, 0, 0, 0) != 0)
		return FIRMWARE_ERR_FLASH;
	translog_state(fw->log, "firmware", "package staged (%llu bytes)",
	    (unsigned long long)fw->stage.pos);
	updater_downloaded(fw->up);
	return 0;
}

int
firmware_stage_abort(struct firmware *fw)
{
	if (!fw->staging && fw->jr.phase != JOURNAL_STAGING)
		return FIRMWARE_ERR_STATE;
	fw->staging = 0;
	fw->stage.fill = 0;
	translog_state(fw->log, "firmware", "incomplete package in the FOTA area "
	    "discarded (download stopped at %llu of %llu bytes)",
	    (unsigned long long)fw->stage.pos,
	    (unsigned long long)fw->stage_len);
	if (fw_journal_write(fw, JOURNAL_IDLE, 0, 0, 0) != 0)
		return FIRMWARE_ERR_FLASH;
	return 0;
}

int
firmware_stage(struct firmware *fw, const void *p, size_t len)
{
	int rc;

	if ((rc = firmware_stage_begin(fw, len)) != 0)
		return rc;
	if ((rc = firmware_stage_write(fw, p, len)) != 0) {
		fw->staging = 0;
		return rc;
	}
	return firmware_stage_end(fw);
}

int
firmware_update_start(struct firmware *fw)
{
	if (fw->jr.phase != JOURNAL_STAGED || updater_busy(fw->up))
		return FIRMWARE_ERR_STATE;
	fw->pending = 0;
	return updater_start(fw->up);
}
