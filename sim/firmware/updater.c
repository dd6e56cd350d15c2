/*
 * updater.c: the update state machine.
 *
 *   idle -> downloaded -> verifying -> updating -> done
 *                              \            \---> failed
 *                               \---------------> failed
 *
 * The target is always the slot that is not running (A/B), so the running
 * image is never written and every power cut leaves a bootable module.  Work
 * goes one flash block per step: produce the target block from the package,
 * erase, program, then journal the block count.  Each step is scheduled on
 * the simulated clock after the flash time the step took, which paces the
 * UPDATING percentages.  See docs/updater.md for what each phase does after a
 * power cut.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "firmware-priv.h"
#include "translog.h"
#include "util.h"

enum updater_state {
	UPDATER_IDLE = 0,	/* what xcalloc() in updater_new() gives */
	UPDATER_DOWNLOADED,
	UPDATER_VERIFYING,
	UPDATER_UPDATING,
	UPDATER_DONE,
	UPDATER_FAILED,
	UPDATER_NSTATES
};

static const char *const updater_state_names[UPDATER_NSTATES] = {
	[UPDATER_IDLE] = "idle",
	[UPDATER_DOWNLOADED] = "downloaded",
	[UPDATER_VERIFYING] = "verifying",
	[UPDATER_UPDATING] = "updating",
	[UPDATER_DONE] = "done",
	[UPDATER_FAILED] = "failed",
};

struct updater {
	struct firmware		*fw;
	enum updater_state	 state;
	struct clock_timer	 timer;
	struct pkg_header	 h;
	struct fw_region	 pkgr;
	struct fw_region	 srcr;
	struct pkg_source	 pkg;
	struct pkg_source	 src;
	struct pkg_apply	*apply;
	int			 target;
	uint32_t		 done;		/* target blocks written */
	uint32_t		 nblocks;
	int			 percent;	/* last UPDATING reported */
	int			 result;	/* last END code, -1 none */
	int			 dead;		/* the power went */
	unsigned char		*buf;
};

static void	updater_verify_cb(struct clock_timer *, void *);
static void	updater_step_cb(struct clock_timer *, void *);

/* The only way to change the updater's state: logs every transition. */
static void
updater_set_state(struct updater *u, enum updater_state st)
{
	translog_state(u->fw->log, "updater", "%s -> %s", updater_state_names[u->state],
	    updater_state_names[st]);
	u->state = st;
}

static void updater_urc(struct updater *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Send one +QIND line to the modem. */
static void
updater_urc(struct updater *u, const char *fmt, ...)
{
	struct firmware_cbs *cbs = &u->fw->cbs;
	va_list ap;
	char line[64];

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (cbs->urc != NULL)
		cbs->urc(cbs->arg, line);
}

struct updater *
updater_new(struct firmware *fw)
{
	struct updater *u = xcalloc(1, sizeof *u);

	u->fw = fw;
	u->result = -1;
	clock_timer_init(&u->timer, u->fw->clock, updater_verify_cb, u);
	return u;
}

void
updater_free(struct updater *u)
{
	if (u == NULL)
		return;
	clock_timer_stop(&u->timer);
	pkg_apply_close(u->apply);
	free(u->buf);
	free(u);
}

const char *
updater_state_name(const struct updater *u)
{
	return updater_state_names[u->state];
}

int
updater_result(const struct updater *u)
{
	return u->result;
}

int
updater_busy(const struct updater *u)
{
	/* Done but not rebooted: the flags point away from the running slot. */
	return u->state == UPDATER_VERIFYING || u->state == UPDATER_UPDATING ||
	    (u->state == UPDATER_DONE && u->fw->boot.active != u->fw->booted);
}

void
updater_downloaded(struct updater *u)
{
	if (!updater_busy(u))
		updater_set_state(u, UPDATER_DOWNLOADED);
}

/* Whether an error came from the power going (then nothing more happens). */
static int
updater_power_gone(struct updater *u, int flash_rc)
{
	unsigned char b;

	if (flash_rc != FLASH_ERR_POWER &&
	    flash_read(u->fw->flash, 0, &b, 1) != FLASH_ERR_POWER)
		return 0;
	u->dead = 1;
	clock_timer_stop(&u->timer);
	translog_state(u->fw->log, "updater", "power lost while %s",
	    updater_state_names[u->state]);
	return 1;
}

/* Give up: journal the failure, report END,<code>, keep the old firmware. */
static void
updater_fail(struct updater *u, int code, const char *why)
{
	int rc;

	translog_state(u->fw->log, "updater", "fail %d: %s", code, why);
	rc = fw_journal_write(u->fw, JOURNAL_FAILED, u->target, u->done, code);
	if (rc != 0 && updater_power_gone(u, rc))
		return;
	updater_set_state(u, UPDATER_FAILED);
	u->result = code;
	updater_urc(u, "+QIND: \"FOTA\",\"END\",%d", code);
}

int
updater_start(struct updater *u)
{
	if (u->state != UPDATER_DOWNLOADED || u->dead)
		return FIRMWARE_ERR_STATE;
	/* Staging time belongs to the download, not to the update. */
	flash_take_busy(u->fw->flash);
	updater_set_state(u, UPDATER_VERIFYING);
	clock_timer_init(&u->timer, u->fw->clock, updater_verify_cb, u);
	clock_timer_start(&u->timer, 0);
	return 0;
}

/* Check the package against this module; 0 or an END code with *why. */
static int
updater_check(struct updater *u, const char **why)
{
	struct firmware *fw = u->fw;
	const struct boot_rec *b = &fw->boot;
	int rc, a = b->active;

	u->pkgr = (struct fw_region){ fw->flash, fw->lay.fota_off, fw->jr.pkg_len };
	u->pkg = (struct pkg_source){ fw_region_read, &u->pkgr };
	rc = pkg_check(&u->pkg, fw->jr.pkg_len, &u->h, why);
	if (*why == NULL)
		*why = pkg_strerror(rc);
	if (rc == PKG_ERR_MD5 || rc == PKG_ERR_TRUNCATED)
		return FOTA_END_MD5;
	if (rc != 0)
		return FOTA_END_FAILED;
	*why = pkg_strerror(PKG_ERR_MODEL);
	if (strcmp(u->h.model, fw->model) != 0)
		return FOTA_END_FAILED;
	*why = pkg_strerror(PKG_ERR_SOURCE);
	if (strcmp(u->h.source, fw->revision) != 0 ||
	    u->h.source_size != b->size[a] ||
	    memcmp(u->h.source_md5, b->md5[a], PKG_MD5_LEN) != 0)
		return FOTA_END_FAILED;
	*why = pkg_strerror(PKG_ERR_TOO_BIG);
	if (u->h.target_size > fw->lay.slot_size)
		return FOTA_END_FAILED;
	u->target = !a;
	u->srcr = (struct fw_region){ fw->flash, fw->lay.slot_off[a], b->size[a] };
	u->src = (struct pkg_source){ fw_region_read, &u->srcr };
	pkg_apply_close(u->apply);
	u->apply = NULL;
	*why = "delta payload is malformed";
	if (pkg_apply_open(&u->h, &u->pkg, &u->src, &u->apply) != 0)
		return FOTA_END_FAILED;
	*why = NULL;
	return 0;
}

/* Verifying: check the package, then mark the target slot as being written. */
static void
updater_verify_cb(struct clock_timer *t, void *arg)
{
	struct updater *u = arg;
	struct firmware *fw = u->fw;
	const char *why = NULL;
	uint64_t bs = fw->lay.block_size;
	int code, rc = 0;

	/* From the loop, not the caller: after whatever the caller prints. */
	updater_urc(u, "+QIND: \"FOTA\",\"START\"");
	if ((code = updater_check(u, &why)) != 0) {
		if (!updater_power_gone(u, 0))
			updater_fail(u, code, why);
		return;
	}
	u->nblocks = (uint32_t)((u->h.target_size + bs - 1) / bs);
	if (fw->jr.phase == JOURNAL_APPLYING && fw->jr.target == u->target &&
	    fw->jr.blocks <= u->nblocks) {
		u->done = fw->jr.blocks;
		translog_state(u->fw->log, "updater", "resume at block %u of %u", u->done,
		    u->nblocks);
	} else {
		/* The target slot stops being bootable before it is touched. */
		u->done = 0;
		rc = firmware_slot_invalidate(fw, u->target);
		if (rc == 0)
			rc = fw_journal_write(fw, JOURNAL_APPLYING, u->target, 0, 0);
	}
	if (rc != 0) {
		if (!updater_power_gone(u, rc))
			updater_fail(u, FOTA_END_FAILED, flash_strerror(rc));
		return;
	}
	if (u->buf == NULL)
		u->buf = xmalloc(bs);
	u->percent = 0;
	updater_set_state(u, UPDATER_UPDATING);
	clock_timer_init(&u->timer, u->fw->clock, updater_step_cb, u);
	clock_timer_start(&u->timer, flash_take_busy(fw->flash));
}

/* Write target block u->done into the target slot and journal it. */
static int
updater_write_block(struct updater *u)
{
	struct firmware *fw = u->fw;
	uint64_t bs = fw->lay.block_size, off = (uint64_t)u->done * bs;
	uint64_t dst = fw->lay.slot_off[u->target] + off;
	size_t n = u->h.target_size - off < bs ? (size_t)(u->h.target_size - off) : bs;
	int rc;

	if (pkg_apply_read(u->apply, off, u->buf, n) != 0)
		return FLASH_ERR_IO;
	if ((rc = flash_erase_block(fw->flash, dst / bs)) != 0)
		return rc;
	if ((rc = flash_program(fw->flash, dst, u->buf, n)) != 0)
		return rc;
	return fw_journal_write(fw, JOURNAL_APPLYING, u->target, u->done + 1, 0);
}

/* Check the written slot, switch the boot flags to it, report END,0. */
static void
updater_commit(struct updater *u)
{
	struct firmware *fw = u->fw;
	struct fw_region r = { fw->flash, fw->lay.slot_off[u->target],
	    u->h.target_size };
	struct pkg_source s = { fw_region_read, &r };
	unsigned char md5[PKG_MD5_LEN];
	int rc;

	if (pkg_md5(&s, 0, r.len, md5) != 0) {
		if (!updater_power_gone(u, 0))
			updater_fail(u, FOTA_END_FAILED, "cannot read back the slot");
		return;
	}
	if (memcmp(md5, u->h.target_md5, PKG_MD5_LEN) != 0) {
		updater_fail(u, FOTA_END_FAILED, "written image has the wrong MD5");
		return;
	}
	rc = firmware_slot_activate(fw, u->target, u->h.target_size, md5);
	if (rc != 0) {
		if (!updater_power_gone(u, rc))
			updater_fail(u, FOTA_END_FAILED, flash_strerror(rc));
		return;
	}
	translog_state(u->fw->log, "updater", "committed slot %c (%s)", 'A' + u->target,
	    u->h.target);
	updater_report_done(u);
	if (!u->dead && fw->cbs.reboot != NULL)
		fw->cbs.reboot(fw->cbs.arg);
}

void
updater_report_done(struct updater *u)
{
	int rc;

	rc = fw_journal_write(u->fw, JOURNAL_DONE, u->fw->boot.active, 0, 0);
	/* The flags already point at the new image: only power stops END. */
	if (rc != 0 && updater_power_gone(u, rc))
		return;
	updater_set_state(u, UPDATER_DONE);
	u->result = FOTA_END_OK;
	updater_urc(u, "+QIND: \"FOTA\",\"END\",%d", FOTA_END_OK);
}

/* Updating: report progress for blocks done, then do the next block. */
static void
updater_step_cb(struct clock_timer *t, void *arg)
{
	struct updater *u = arg;
	int p, rc;

	if (u->done > 0) {
		p = (int)((uint64_t)u->done * 100 / u->nblocks);
		if (p < 1)
			p = 1;
		if (p > u->percent) {
			u->percent = p;
			updater_urc(u, "+QIND: \"FOTA\",\"UPDATING\",%d", p);
		}
	}
	if (u->done == u->nblocks) {
		updater_commit(u);
		return;
	}
	if ((rc = updater_write_block(u)) != 0) {
		if (!updater_power_gone(u, rc))
			updater_fail(u, FOTA_END_FAILED, flash_strerror(rc));
		return;
	}
	u->done++;
	clock_timer_start(&u->timer, flash_take_busy(u->fw->flash));
}
