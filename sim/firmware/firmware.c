/*
 * firmware.c: power-on, boot flags, update journal and package staging.
 *
 * Everything the module keeps across power loss is in the flash: the boot
 * flags and journal are record logs (flashlog.c), the firmware lives in two
 * A/B slots and the package in the FOTA area (docs/flash-layout.md).  Boot
 * decides from those alone, so a SIGKILL at any point is just another boot.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crc32.h"
#include "firmware-priv.h"
#include "translog.h"
#include "util.h"

#define BOOT_REC_LEN	(4 + 2 * (1 + 8 + PKG_MD5_LEN))
#define JOURNAL_REC_LEN	(1 + 1 + 4 + 2 + 8)

int
fw_region_read(void *arg, uint64_t off, void *buf, size_t len)
{
	struct fw_region *r = arg;

	if (off > r->len || len > r->len - off)
		return -1;
	return flash_read(r->flash, r->off + off, buf, len) ? -1 : 0;
}

/* Serialise boot flags. */
static void
fw_boot_encode(const struct boot_rec *b, unsigned char *p)
{
	int s;

	memset(p, 0, BOOT_REC_LEN);
	p[0] = (unsigned char)b->active;
	for (s = 0; s < 2; s++) {
		unsigned char *q = p + 4 + s * (1 + 8 + PKG_MD5_LEN);
		q[0] = (unsigned char)b->valid[s];
		le64_put(q + 1, b->size[s]);
		memcpy(q + 9, b->md5[s], PKG_MD5_LEN);
	}
}

/* Parse boot flags. */
static void
fw_boot_decode(const unsigned char *p, struct boot_rec *b)
{
	int s;

	b->active = p[0] & 1;
	for (s = 0; s < 2; s++) {
		const unsigned char *q = p + 4 + s * (1 + 8 + PKG_MD5_LEN);
		b->valid[s] = q[0] == 1;
		b->size[s] = le64_get(q + 1);
		memcpy(b->md5[s], q + 9, PKG_MD5_LEN);
	}
}

/* Append b to the boot flags' log and, once it has landed, make it fw->boot. */
static int
fw_boot_append(struct firmware *fw, const struct boot_rec *b)
{
	unsigned char p[BOOT_REC_LEN];
	int rc;

	fw_boot_encode(b, p);
	if ((rc = flashlog_append(&fw->bootlog, p, sizeof p)) != 0)
		return rc;
	fw->boot = *b;
	return 0;
}

int
firmware_slot_activate(struct firmware *fw, int slot, uint64_t size,
    const unsigned char md5[PKG_MD5_LEN])
{
	struct boot_rec b = fw->boot;

	b.valid[slot] = 1;
	b.size[slot] = size;
	memcpy(b.md5[slot], md5, PKG_MD5_LEN);
	b.active = slot;
	return fw_boot_append(fw, &b);
}

int
firmware_slot_invalidate(struct firmware *fw, int slot)
{
	struct boot_rec b = fw->boot;

	b.valid[slot] = 0;
	return fw_boot_append(fw, &b);
}

/* The only way fw->jr's phase changes: a record landed, or boot read one. */
static void
fw_journal_set(struct firmware *fw, const struct journal_rec *jr)
{
	fw->jr = *jr;
}

int
fw_journal_write(struct firmware *fw, enum journal_phase phase, int target,
    uint32_t blocks, int result)
{
	struct journal_rec jr = { phase, target, blocks, result, fw->jr.pkg_len };
	unsigned char p[JOURNAL_REC_LEN];
	int rc;

	p[0] = (unsigned char)phase;
	p[1] = (unsigned char)target;
	le32_put(p + 2, blocks);
	le16_put(p + 6, (uint16_t)result);
	le64_put(p + 8, phase == JOURNAL_IDLE ? 0 : jr.pkg_len);
	if ((rc = flashlog_append(&fw->journal, p, sizeof p)) != 0)
		return rc;
	fw_journal_set(fw, &jr);
	return 0;
}

/* Write the message into err and return -1. */
static int fw_error(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
fw_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void
firmware_config_default(struct firmware_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->model = FIRMWARE_DEFAULT_MODEL;
	cfg->revision = FIRMWARE_DEFAULT_REVISION;
	cfg->image_size = FIRMWARE_DEFAULT_SIZE;
	flash_geometry_default(FLASH_NOR, &cfg->geom);
}

/* A fresh flash: write the factory image into slot A and the boot flags. */
static int
fw_provision(struct firmware *fw, const struct firmware_config *cfg,
    uint64_t size)
{
	struct flash *f = fw->flash;
	uint64_t bs = fw->lay.block_size, off;
	unsigned char *blk = xmalloc(bs), md5[PKG_MD5_LEN];
	struct fw_region r = { f, fw->lay.slot_off[0], size };
	struct pkg_source src = { fw_region_read, &r };
	int rc = 0;

	translog_state(fw->log, "firmware", "provision %s %s (%llu bytes)", cfg->model,
	    cfg->revision, (unsigned long long)size);
	for (off = 0; off < size && rc == 0; off += bs) {
		size_t n = size - off < bs ? (size_t)(size - off) : bs;
		if (image_read(cfg->model, cfg->revision, size, off, blk, n) != 0)
			rc = FLASH_ERR_RANGE;
		else if ((rc = flash_erase_block(f, (r.off + off) / bs)) == 0)
			rc = flash_program(f, r.off + off, blk, n);
	}
	free(blk);
	if (rc != 0)
		return rc;
	if (pkg_md5(&src, 0, size, md5) != 0)
		return FLASH_ERR_IO;
	/* fw->boot is still all zero: slot B empty and invalid. */
	return firmware_slot_activate(fw, 0, size, md5);
}

/*
 * A fresh flash behind --flash-fault: the factory programs the chip before
 * it wears out, so the image and the boot flags go through the backend
 * itself and the fault layer counts from this power-on's first operation
 * after them.  Then the boot log is opened again through the fault layer.
 */
static int
fw_provision_clean(struct firmware *fw, const struct firmware_config *cfg,
    const struct flash_geometry *g, uint64_t size, unsigned char *p,
    size_t plen)
{
	struct flash *faulty = fw->flash;
	int found, rc;

	if ((fw->flash = flash_open(g, fw->own_dev)) == NULL) {
		fw->flash = faulty;
		return FLASH_ERR_IO;
	}
	rc = flashlog_open(&fw->bootlog, fw->flash, fw->lay.boot_off, p, plen,
	    &found);
	if (rc == 0)
		rc = fw_provision(fw, cfg, size);
	(void)flash_take_busy(fw->flash);
	flash_close(fw->flash);
	fw->flash = faulty;
	if (rc == 0)
		rc = flashlog_open(&fw->bootlog, fw->flash, fw->lay.boot_off, p,
		    plen, &found);
	if (rc == 0 && found)
		fw_boot_decode(p, &fw->boot);
	return rc != 0 ? rc : found ? 0 : FLASH_ERR_IO;
}

/* Whether slot s holds exactly what the boot flags say. */
static int
fw_slot_good(struct firmware *fw, int s)
{
	struct fw_region r = { fw->flash, fw->lay.slot_off[s], fw->boot.size[s] };
	struct pkg_source src = { fw_region_read, &r };
	unsigned char md5[PKG_MD5_LEN], id[IMAGE_ID_SIZE];
	char model[IMAGE_MODEL_MAX], rev[IMAGE_REV_MAX];
	uint64_t size;

	if (!fw->boot.valid[s] || fw->boot.size[s] > fw->lay.slot_size ||
	    fw->boot.size[s] < IMAGE_ID_SIZE)
		return 0;
	if (pkg_md5(&src, 0, r.len, md5) != 0 ||
	    memcmp(md5, fw->boot.md5[s], PKG_MD5_LEN) != 0)
		return 0;
	if (fw_region_read(&r, 0, id, sizeof id) != 0 ||
	    image_identify(id, sizeof id, model, rev, &size) != 0)
		return 0;
	return 1;
}

/* Pick the slot to boot, falling back to the other one; 0 or -1. */
static int
fw_choose_slot(struct firmware *fw)
{
	struct fw_region r;
	unsigned char id[IMAGE_ID_SIZE];
	uint64_t size;
	int s = fw->boot.active;

	if (!fw_slot_good(fw, s)) {
		translog_state(fw->log, "firmware", "slot %c is damaged", 'A' + s);
		s = !s;
		if (!fw_slot_good(fw, s))
			return -1;
		if (firmware_slot_activate(fw, s, fw->boot.size[s],
		    fw->boot.md5[s]) != 0)
			return -1;
	}
	fw->booted = s;
	r.flash = fw->flash;
	r.off = fw->lay.slot_off[s];
	r.len = IMAGE_ID_SIZE;
	if (fw_region_read(&r, 0, id, sizeof id) != 0 ||
	    image_identify(id, sizeof id, fw->model, fw->revision, &size) != 0)
		return -1;
	return 0;
}

/* Read the journal and decide what firmware_run_pending() has to do. */
static int
fw_read_journal(struct firmware *fw)
{
	static const struct journal_rec idle = { JOURNAL_IDLE, 0, 0, 0, 0 };
	struct journal_rec jr = idle;
	unsigned char p[JOURNAL_REC_LEN];
	int found, rc;

	rc = flashlog_open(&fw->journal, fw->flash, fw->lay.journal_off, p,
	    sizeof p, &found);
	if (rc != 0)
		return rc;
	if (found) {
		jr.phase = p[0];
		jr.target = p[1] & 1;
		jr.blocks = le32_get(p + 2);
		jr.result = le16_get(p + 6);
		jr.pkg_len = le64_get(p + 8);
	}
	fw_journal_set(fw, &jr);
	if (fw->jr.phase == JOURNAL_STAGING) {
		/*
		 * The power went while a package was being written: whatever
		 * the FOTA area holds is not a package.  Forget it for good;
		 * if this record does not land, the next boot does it again.
		 */
		translog_state(fw->log, "firmware", "incomplete package in the FOTA area "
		    "discarded (%llu bytes expected; power lost while it was "
		    "written)", (unsigned long long)fw->jr.pkg_len);
		(void)fw_journal_write(fw, JOURNAL_IDLE, 0, 0, 0);
		fw_journal_set(fw, &idle);
	}
	fw->pending = fw->jr.phase == JOURNAL_STAGED ||
	    fw->jr.phase == JOURNAL_APPLYING;
	return 0;
}

/* Open or create the backing store; record its geometry first if asked. */
static int
fw_open_dev(struct firmware *fw, const struct firmware_config *cfg,
    const struct flash_geometry *g, uint64_t isize, int write_rec, char *err,
    size_t errlen)
{
	struct firmware_geom_rec rec;
	struct stat st;
	char *path;
	int rc;

	if (cfg->dev != NULL) {
		if (cfg->dev->size < g->size)
			return fw_error(err, errlen, "flash backend too small");
		fw->dev = cfg->dev;
		return 0;
	}
	if (cfg->state_dir == NULL)
		return fw_error(err, errlen, "no state dir");
	if (mkdir(cfg->state_dir, 0755) == -1 && errno != EEXIST)
		return fw_error(err, errlen, "%s: %s", cfg->state_dir,
		    strerror(errno));
	xasprintf(&path, "%s/flash.img", cfg->state_dir);
	if (stat(path, &st) == 0 && (uint64_t)st.st_size != g->size) {
		rc = fw_error(err, errlen, "%s: %llu bytes, but this flash "
		    "geometry needs %llu (state dir made with other options?)",
		    path, (unsigned long long)st.st_size,
		    (unsigned long long)g->size);
		free(path);
		return rc;
	}
	rec.type = g->type;
	rec.flash_size = g->size;
	rec.block_size = g->block_size;
	rec.page_size = g->page_size;
	rec.image_size = isize;
	if (write_rec && firmware_geom_write(cfg->state_dir, &rec, err,
	    errlen) != 0) {
		free(path);
		return -1;
	}
	rc = flash_file_open(path, g->size, &fw->own_dev);
	if (rc != 0)
		rc = fw_error(err, errlen, "%s: %s", path, strerror(errno));
	free(path);
	fw->dev = fw->own_dev;
	if (rc == 0 && cfg->opts != NULL && (cfg->opts->given & FWOPT_FAULT)) {
		fw->fault_dev = flash_fault_open(fw->own_dev, &cfg->opts->fault);
		fw->dev = fw->fault_dev;
	}
	return rc;
}

int
firmware_boot(const struct firmware_config *cfg, const struct firmware_cbs *cbs,
    struct firmware **out, char *err, size_t errlen)
{
	struct flash_geometry g;
	struct layout lay;
	struct firmware *fw;
	uint64_t isize;
	unsigned char p[BOOT_REC_LEN];
	const char *why;
	int found, rc, write_rec;

	*out = NULL;
	if (fw_geometry_resolve(cfg, &g, &isize, &write_rec, err, errlen) != 0)
		return -1;
	if (!image_name_ok(cfg->model, IMAGE_MODEL_MAX) ||
	    !image_name_ok(cfg->revision, IMAGE_REV_MAX))
		return fw_error(err, errlen, "bad model or revision name");
	if (isize < IMAGE_MIN_SIZE || isize > IMAGE_MAX_SIZE)
		return fw_error(err, errlen, "bad image size");
	if (layout_compute(g.block_size, isize, g.size, &lay) != 0)
		return fw_error(err, errlen, "flash too small for the layout");
	g.size = lay.total;
	if (flash_geometry_check(&g, &why) != 0)
		return fw_error(err, errlen, "flash geometry: %s", why);
	fw = xcalloc(1, sizeof *fw);
	fw->clock = cfg->clock;
	fw->log = cfg->log;
	fw->lay = lay;
	if (cbs != NULL)
		fw->cbs = *cbs;
	if (fw_open_dev(fw, cfg, &g, isize, write_rec, err, errlen) != 0) {
		free(fw);
		return -1;
	}
	if ((fw->flash = flash_open(&g, fw->dev)) == NULL) {
		fw_error(err, errlen, "flash backend does not fit the geometry");
		goto fail;
	}
	translog_state(fw->log, "firmware", "flash %s %llu bytes, block %u, page %u, "
	    "%llu-byte slots", g.type == FLASH_NAND ? "nand" : "nor",
	    (unsigned long long)g.size, g.block_size, g.page_size,
	    (unsigned long long)lay.slot_size);
	rc = flashlog_open(&fw->bootlog, fw->flash, fw->lay.boot_off, p,
	    sizeof p, &found);
	if (rc == 0 && found)
		fw_boot_decode(p, &fw->boot);
	else if (rc == 0 && fw->fault_dev != NULL)
		rc = fw_provision_clean(fw, cfg, &g, isize, p, sizeof p);
	else if (rc == 0)
		rc = fw_provision(fw, cfg, isize);
	if (rc == 0)
		rc = fw_read_journal(fw);
	if (rc == 0)
		rc = flashlog_open(&fw->nvlog, fw->flash, fw->lay.nv_off, fw->nv,
		    sizeof fw->nv, &fw->nv_found);
	if (rc == 0)
		rc = ufs_mount(fw);
	if (rc != 0) {
		fw_error(err, errlen, "flash: %s", flash_strerror(rc));
		goto fail;
	}
	if (fw_choose_slot(fw) != 0) {
		fw_error(err, errlen, "no bootable firmware in either slot");
		goto fail;
	}
	fw->up = updater_new(fw);
	translog_state(fw->log, "firmware", "boot slot %c %s %s%s", 'A' + fw->boot.active,
	    fw->model, fw->revision, fw->pending ? " (update pending)" : "");
	flash_take_busy(fw->flash);
	*out = fw;
	return 0;
fail:
	firmware_close(fw);
	return -1;
}

int
firmware_nv_get(const struct firmware *fw, void *buf, size_t len)
{
	if (!fw->nv_found)
		return 0;
	memset(buf, 0, len);
	memcpy(buf, fw->nv, len < sizeof fw->nv ? len : sizeof fw->nv);
	return 1;
}

int
firmware_nv_put(struct firmware *fw, const void *buf, size_t len)
{
	unsigned char rec[FIRMWARE_NV_MAX];
	int rc;

	if (len > sizeof rec)
		return FLASH_ERR_RANGE;
	memset(rec, 0, sizeof rec);
	memcpy(rec, buf, len);
	if ((rc = flashlog_append(&fw->nvlog, rec, sizeof rec)) != 0)
		return rc;
	memcpy(fw->nv, rec, sizeof rec);
	fw->nv_found = 1;
	return 0;
}

const char *
firmware_model(const struct firmware *fw)
{
	return fw->model;
}

const char *
firmware_revision(const struct firmware *fw)
{
	return fw->revision;
}

int
firmware_slot_is_image(const struct firmware *fw, const char *rev)
{
	unsigned char a[65536], b[65536];
	uint64_t size = fw->boot.size[fw->booted], off;
	size_t n;

	for (off = 0; off < size; off += n) {
		n = size - off < sizeof a ? (size_t)(size - off) : sizeof a;
		if (flash_read(fw->flash, fw->lay.slot_off[fw->booted] + off, a,
		    n) != 0)
			return -1;
		if (image_read(fw->model, rev, size, off, b, n) != 0 ||
		    memcmp(a, b, n) != 0)
			return 0;
	}
	return size > 0;
}

int
firmware_pending(const struct firmware *fw)
{
	return fw->pending;
}

void
firmware_run_pending(struct firmware *fw)
{
	if (fw == NULL || !fw->pending)
		return;
	fw->pending = 0;
	if (fw->jr.phase == JOURNAL_APPLYING &&
	    fw->boot.active == fw->jr.target) {
		/* Committed, but the power went before END was reported. */
		updater_report_done(fw->up);
		return;
	}
	updater_downloaded(fw->up);
	updater_start(fw->up);
}

void
firmware_close(struct firmware *fw)
{
	if (fw == NULL)
		return;
	updater_free(fw->up);
	flash_close(fw->flash);
	flash_dev_close(fw->fault_dev);
	flash_dev_close(fw->own_dev);
	fw_writer_free(&fw->stage);
	ufs_free(fw->ufs);
	free(fw);
}

double
firmware_take_busy(struct firmware *fw)
{
	return flash_take_busy(fw->flash);
}

const char *
firmware_update_state(const struct firmware *fw)
{
	return updater_state_name(fw->up);
}

uint64_t
firmware_fota_size(const struct firmware *fw)
{
	return fw->lay.fota_size;
}

int
firmware_update_result(const struct firmware *fw)
{
	return updater_result(fw->up);
}
