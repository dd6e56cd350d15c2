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
	fw->stage_pos = 0;
	fw->stage_fill = 0;
	if (fw->stage_page == NULL)
		fw->stage_page = xmalloc(fw->flash->geom.page_size);
	translog_state(fw->log, "firmware", "staging a package (%llu bytes expected)",
	    (unsigned long long)len);
	return 0;
}

/*
 * Program whole pages at the staging position (erasing a block as the data
 * reaches it); n is a multiple of the page size within one erase block.
 */
static int
fw_stage_program(struct firmware *fw, const void *p, size_t n)
{
	uint64_t off = fw->lay.fota_off + fw->stage_pos;
	int rc;

	if (off % fw->lay.block_size == 0 &&
	    (rc = flash_erase_block(fw->flash, off / fw->lay.block_size)) != 0)
		return rc;
	return flash_program(fw->flash, off, p, n);
}

/* Program the buffered page (padded with erased bytes) into the FOTA area. */
static int
fw_stage_flush(struct firmware *fw)
{
	size_t ps = fw->flash->geom.page_size;
	int rc;

	if (fw->stage_fill == 0)
		return 0;
	memset(fw->stage_page + fw->stage_fill, 0xff, ps - fw->stage_fill);
	if ((rc = fw_stage_program(fw, fw->stage_page, ps)) != 0)
		return rc;
	fw->stage_pos += fw->stage_fill;
	fw->stage_fill = 0;
	return 0;
}

/*
 * With no partial page buffered: program as many whole pages of the
 * caller's bytes as fit before the next erase block, at once.  Returns the
 * bytes taken (0: fewer than a page), or a flash error.
 */
static long
fw_stage_direct(struct firmware *fw, const unsigned char *s, size_t len)
{
	size_t ps = fw->flash->geom.page_size;
	uint64_t bs = fw->lay.block_size;
	uint64_t room = bs - (fw->lay.fota_off + fw->stage_pos) % bs;
	size_t n = len - len % ps;
	int rc;

	if (fw->stage_fill != 0 || n == 0)
		return 0;
	if (n > room)
		n = (size_t)room;
	if ((rc = fw_stage_program(fw, s, n)) != 0)
		return rc;
	fw->stage_pos += n;
	return (long)n;
}

int
firmware_stage_write(struct firmware *fw, const void *p, size_t len)
{
	const unsigned char *s = p;
	size_t ps = fw->flash->geom.page_size, n;

	if (!fw->staging)
		return FIRMWARE_ERR_STATE;
	if (len > fw->lay.fota_size - fw->stage_pos - fw->stage_fill)
		return FIRMWARE_ERR_TOO_BIG;
	while (len > 0) {
		long direct = fw_stage_direct(fw, s, len);

		if (direct < 0) {
			fw->staging = 0;
			return FIRMWARE_ERR_FLASH;
		}
		if (direct > 0) {
			s += direct;
			len -= (size_t)direct;
			continue;
		}
		n = ps - fw->stage_fill < len ? ps - fw->stage_fill : len;
		memcpy(fw->stage_page + fw->stage_fill, s, n);
		fw->stage_fill += n;
		s += n;
		len -= n;
		if (fw->stage_fill == ps && fw_stage_flush(fw) != 0) {
			fw->staging = 0;
			return FIRMWARE_ERR_FLASH;
		}
	}
	return 0;
}

int
firmware_stage_end(struct firmware *fw)
{
	if (!fw->staging)
		return FIRMWARE_ERR_STATE;
	fw->staging = 0;
	if (fw_stage_flush(fw) != 0)
		return FIRMWARE_ERR_FLASH;
	/* A short package is staged anyway: the updater reports it (506). */
	fw->jr.pkg_len = fw->stage_pos;
	if (fw_journal_write(fw, JOURNAL_STAGED, 0, 0, 0) != 0)
		return FIRMWARE_ERR_FLASH;
	translog_state(fw->log, "firmware", "package staged (%llu bytes)",
	    (unsigned long long)fw->stage_pos);
	updater_downloaded(fw->up);
	return 0;
}

int
firmware_stage_abort(struct firmware *fw)
{
	if (!fw->staging && fw->jr.phase != JOURNAL_STAGING)
		return FIRMWARE_ERR_STATE;
	fw->staging = 0;
	fw->stage_fill = 0;
	translog_state(fw->log, "firmware", "incomplete package in the FOTA area "
	    "discarded (download stopped at %llu of %llu bytes)",
	    (unsigned long long)fw->stage_pos,
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
