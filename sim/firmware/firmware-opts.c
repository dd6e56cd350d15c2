/*
 * firmware-opts.c: fotasim's flash options and the state dir's geometry
 * record.
 *
 * A state dir's flash.img is only meaningful with the geometry it was made
 * with: the layout (slots, FOTA area) follows from the block size and the
 * image size.  So the geometry is written to flash.geom before flash.img is
 * created, and every later power-on takes it from there: options left out
 * are adopted, options given must agree, and a disagreement is refused
 * before a single byte of flash is read.  Timing is not geometry and may
 * change between runs.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "firmware-priv.h"
#include "util.h"

#define GEOM_FILE	"flash.geom"

/* Write a message into err and return -1. */
static int fwopt_error(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
fwopt_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Parse a time or rate: a finite number in [0, max]; 0 or -1. */
static int
fwopt_parse_number(const char *s, double max, double *out)
{
	char *end;
	double v;

	if (*s == '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < 0 ||
	    v > max)
		return -1;
	*out = v;
	return 0;
}

/* Whether v is a power of two. */
static int
fwopt_pow2(unsigned long long v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

/* Parse --flash-timing's erase=S,page=S,rate=B list; 0 or -1. */
static int
fwopt_parse_timing(struct firmware_options *o, const char *arg)
{
	char *copy = xstrdup(arg), *item, *save = NULL, *eq;
	int rc = 0;

	o->timing_set = 0;
	for (item = strtok_r(copy, ",", &save); item != NULL && rc == 0;
	    item = strtok_r(NULL, ",", &save)) {
		if ((eq = strchr(item, '=')) == NULL) {
			rc = -1;
			break;
		}
		*eq++ = '\0';
		if (strcmp(item, "erase") == 0 && !(o->timing_set & 1))
			rc = fwopt_parse_number(eq, 60, &o->erase_time), o->timing_set |= 1;
		else if (strcmp(item, "page") == 0 && !(o->timing_set & 2))
			rc = fwopt_parse_number(eq, 10, &o->page_time), o->timing_set |= 2;
		else if (strcmp(item, "rate") == 0 && !(o->timing_set & 4))
			rc = fwopt_parse_number(eq, 1e12, &o->program_rate), o->timing_set |= 4;
		else
			rc = -1;
	}
	free(copy);
	return rc == 0 && o->timing_set != 0 ? 0 : -1;
}

/* "full-after=BYTES,fail-op=N" (either, once each) into o->fault. */
static int
fwopt_parse_fault(struct firmware_options *o, const char *arg)
{
	char *copy = xstrdup(arg), *save = NULL, *tok;
	unsigned long long v;
	int rc = 0;

	memset(&o->fault, 0, sizeof o->fault);
	for (tok = strtok_r(copy, ",", &save); tok != NULL && rc == 0;
	    tok = strtok_r(NULL, ",", &save)) {
		if (strncmp(tok, "full-after=", 11) == 0 &&
		    o->fault.full_after == 0 && parse_size(tok + 11, &v) == 0 &&
		    v > 0)
			o->fault.full_after = v;
		else if (strncmp(tok, "fail-op=", 8) == 0 &&
		    o->fault.fail_op == 0 && parse_size(tok + 8, &v) == 0 &&
		    v > 0)
			o->fault.fail_op = v;
		else
			rc = -1;
	}
	free(copy);
	return rc;
}

int
firmware_parse_option(struct firmware_options *o, int opt, const char *arg,
    char *err, size_t errlen)
{
	unsigned long long v;

	switch (opt) {
	case FIRMWARE_OPT_FLASH:
		if (flash_parse_type(arg, &o->type) != 0)
			return fwopt_error(err, errlen,
			    "--flash: expected nor or nand, not '%s'", arg);
		o->given |= FWOPT_TYPE;
		return 0;
	case FIRMWARE_OPT_FLASH_SIZE:
	case FIRMWARE_OPT_FOTA_AREA:
		if (parse_size(arg, &v) != 0 || v == 0 || v > FIRMWARE_MAX_FLASH)
			return fwopt_error(err, errlen, "--%s: expected bytes "
			    "(k/M/G allowed) up to 16G, not '%s'",
			    opt == FIRMWARE_OPT_FLASH_SIZE ? "flash-size" :
			    "fota-area", arg);
		if (opt == FIRMWARE_OPT_FLASH_SIZE) {
			o->flash_size = v;
			o->given |= FWOPT_FLASH_SIZE;
		} else {
			o->fota_area = v;
			o->given |= FWOPT_FOTA_AREA;
		}
		return 0;
	case FIRMWARE_OPT_IMAGE_SIZE:
		if (parse_size(arg, &v) != 0 || v < IMAGE_MIN_SIZE ||
		    v > IMAGE_MAX_SIZE)
			return fwopt_error(err, errlen, "--image-size: expected "
			    "%d to %llu bytes (k/M/G allowed), not '%s'",
			    IMAGE_MIN_SIZE, (unsigned long long)IMAGE_MAX_SIZE, arg);
		o->image_size = v;
		o->given |= FWOPT_IMAGE_SIZE;
		return 0;
	case FIRMWARE_OPT_FLASH_BLOCK:
		if (parse_size(arg, &v) != 0 || !fwopt_pow2(v) || v < 256 ||
		    v > (16U << 20))
			return fwopt_error(err, errlen, "--flash-block: expected "
			    "a power of two from 256 to 16M (k/M allowed), not "
			    "'%s'", arg);
		o->block_size = (uint32_t)v;
		o->given |= FWOPT_BLOCK;
		return 0;
	case FIRMWARE_OPT_FLASH_PAGE:
		if (parse_size(arg, &v) != 0 || !fwopt_pow2(v) || v < 256 ||
		    v > (16U << 20))
			return fwopt_error(err, errlen, "--flash-page: expected "
			    "a power of two from 256 to 16M (k/M allowed), not "
			    "'%s'", arg);
		o->page_size = (uint32_t)v;
		o->given |= FWOPT_PAGE;
		return 0;
	case FIRMWARE_OPT_FLASH_FAULT:
		if (fwopt_parse_fault(o, arg) != 0)
			return fwopt_error(err, errlen, "--flash-fault: expected "
			    "full-after=BYTES and/or fail-op=N (> 0), not '%s'",
			    arg);
		o->given |= FWOPT_FAULT;
		return 0;
	case FIRMWARE_OPT_FLASH_TIMING:
		if (strcmp(arg, "real") == 0)
			o->timing = FIRMWARE_TIMING_REAL;
		else if (strcmp(arg, "zero") == 0)
			o->timing = FIRMWARE_TIMING_ZERO;
		else if (fwopt_parse_timing(o, arg) == 0)
			o->timing = FIRMWARE_TIMING_CUSTOM;
		else
			return fwopt_error(err, errlen, "--flash-timing: expected "
			    "real, zero or erase=S,page=S,rate=B/s (each at most "
			    "once, >= 0), not '%s'", arg);
		o->given |= FWOPT_TIMING;
		return 0;
	}
	return fwopt_error(err, errlen, "unknown flash option %d", opt);
}

/*
 * --fota-area: the flash that holds the fixed partitions and a FOTA area of
 * that many bytes (rounded up to a block), and nothing after it.
 */
static uint64_t
fwopt_fota_flash(const struct firmware_options *o, uint64_t bs)
{
	struct layout lay;
	uint64_t isize = o->given & FWOPT_IMAGE_SIZE ? o->image_size :
	    FIRMWARE_DEFAULT_SIZE;

	layout_compute(bs, isize, 0, &lay);
	return lay.fota_off + (o->fota_area + bs - 1) / bs * bs;
}

void
firmware_options_geometry(const struct firmware_options *o,
    enum flash_type type, struct flash_geometry *g)
{
	flash_geometry_default(type, g);
	if (o->given & FWOPT_BLOCK)
		g->block_size = o->block_size;
	if (o->given & FWOPT_PAGE)
		g->page_size = o->page_size;
	if (o->given & FWOPT_FLASH_SIZE)
		g->size = o->flash_size;
	if (o->given & FWOPT_FOTA_AREA)
		g->size = fwopt_fota_flash(o, g->block_size);
	if (o->timing == FIRMWARE_TIMING_ZERO)
		flash_geometry_untimed(g);
	if (o->timing != FIRMWARE_TIMING_CUSTOM)
		return;
	if (o->timing_set & 1)
		g->erase_time = o->erase_time;
	if (o->timing_set & 2)
		g->page_time = o->page_time;
	if (o->timing_set & 4)
		g->program_rate = o->program_rate;
}

int
firmware_options_check(const struct firmware_options *o, char *err,
    size_t errlen)
{
	struct flash_geometry g;
	struct layout lay;
	uint64_t isize = o->given & FWOPT_IMAGE_SIZE ? o->image_size :
	    FIRMWARE_DEFAULT_SIZE;

	firmware_options_geometry(o, o->given & FWOPT_TYPE ? o->type : FLASH_NOR,
	    &g);
	if (g.page_size > g.block_size)
		return fwopt_error(err, errlen, "--flash-page: a %u-byte page "
		    "does not fit the %u-byte erase block", g.page_size,
		    g.block_size);
	if ((o->given & FWOPT_FLASH_SIZE) && (o->given & FWOPT_FOTA_AREA))
		return fwopt_error(err, errlen, "--fota-area: the flash size "
		    "follows from it; leave --flash-size out");
	if (!(o->given & FWOPT_FLASH_SIZE))
		return 0;
	if (g.size % g.block_size != 0)
		return fwopt_error(err, errlen, "--flash-size: %llu is not a "
		    "multiple of the erase block (%u bytes)",
		    (unsigned long long)g.size, g.block_size);
	layout_compute(g.block_size, isize, 0, &lay);
	if (g.size < lay.min_total)
		return fwopt_error(err, errlen, "--flash-size: %llu bytes is too "
		    "small for %llu-byte images on %s; need at least %llu",
		    (unsigned long long)g.size, (unsigned long long)isize,
		    g.type == FLASH_NAND ? "nand" : "nor",
		    (unsigned long long)lay.min_total);
	return 0;
}

/* Parse one "key value" line of flash.geom into r; 0 or -1. */
static int
fwopt_geom_line(const char *key, const char *val, struct firmware_geom_rec *r,
    unsigned *seen)
{
	unsigned long long v;

	if (strcmp(key, "type") == 0) {
		*seen |= 1;
		return flash_parse_type(val, &r->type);
	}
	if (parse_size(val, &v) != 0)
		return -1;
	if (strcmp(key, "flash-size") == 0)
		r->flash_size = v, *seen |= 2;
	else if (strcmp(key, "block-size") == 0 && v <= UINT32_MAX)
		r->block_size = (uint32_t)v, *seen |= 4;
	else if (strcmp(key, "page-size") == 0 && v <= UINT32_MAX)
		r->page_size = (uint32_t)v, *seen |= 8;
	else if (strcmp(key, "image-size") == 0)
		r->image_size = v, *seen |= 16;
	else
		return -1;
	return 0;
}

int
firmware_geom_read(const char *dir, struct firmware_geom_rec *r, char *err,
    size_t errlen)
{
	char *path, line[256], key[64], val[128];
	unsigned seen = 0;
	int rc = 1, n = 0;
	FILE *f;

	memset(r, 0, sizeof *r);
	xasprintf(&path, "%s/%s", dir, GEOM_FILE);
	if ((f = fopen(path, "r")) == NULL) {
		rc = errno == ENOENT ? 0 : fwopt_error(err, errlen, "%s: %s",
		    path, strerror(errno));
		free(path);
		return rc;
	}
	while (rc == 1 && fgets(line, sizeof line, f) != NULL) {
		n++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%63s %127s", key, val) != 2 ||
		    fwopt_geom_line(key, val, r, &seen) != 0)
			rc = fwopt_error(err, errlen, "%s:%d: not a geometry line",
			    path, n);
	}
	if (rc == 1 && seen != 31)
		rc = fwopt_error(err, errlen, "%s: incomplete geometry record",
		    path);
	fclose(f);
	free(path);
	return rc;
}

int
firmware_geom_write(const char *dir, const struct firmware_geom_rec *r,
    char *err, size_t errlen)
{
	char *path, *tmp;
	int rc = 0;
	FILE *f;

	xasprintf(&path, "%s/%s", dir, GEOM_FILE);
	xasprintf(&tmp, "%s/%s.tmp", dir, GEOM_FILE);
	if ((f = fopen(tmp, "w")) == NULL)
		rc = -1;
	else {
		fprintf(f, "# fotasim flash geometry: written when flash.img was "
		    "made; flash.img\n# is only readable with it\n"
		    "type %s\nflash-size %llu\nblock-size %u\npage-size %u\n"
		    "image-size %llu\n", r->type == FLASH_NAND ? "nand" : "nor",
		    (unsigned long long)r->flash_size, r->block_size,
		    r->page_size, (unsigned long long)r->image_size);
		if (fflush(f) != 0 || fsync(fileno(f)) != 0)
			rc = -1;
		if (fclose(f) != 0)
			rc = -1;
		if (rc == 0 && rename(tmp, path) != 0)
			rc = -1;
	}
	if (rc != 0) {
		fwopt_error(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	free(path);
	return rc;
}

/* "nand, 4063232 bytes, block 131072, page 2048, 1048576-byte images" */
static void
fwopt_describe(const struct firmware_geom_rec *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s, %llu bytes, block %u, page %u, %llu-byte images",
	    r->type == FLASH_NAND ? "nand" : "nor",
	    (unsigned long long)r->flash_size, r->block_size, r->page_size,
	    (unsigned long long)r->image_size);
}

int
fw_geometry_resolve(const struct firmware_config *cfg, struct flash_geometry *g,
    uint64_t *isize, int *write_rec, char *err, size_t errlen)
{
	const struct firmware_options *o = cfg->opts;
	unsigned given = o != NULL ? o->given : 0;
	struct firmware_geom_rec rec;
	char have[160], opt[64] = "";
	int found = 0;

	*write_rec = 0;
	if (o != NULL) {
		firmware_options_geometry(o, given & FWOPT_TYPE ? o->type :
		    FLASH_NOR, g);
		*isize = given & FWOPT_IMAGE_SIZE ? o->image_size :
		    FIRMWARE_DEFAULT_SIZE;
	} else {
		*g = cfg->geom;
		*isize = cfg->image_size ? cfg->image_size : FIRMWARE_DEFAULT_SIZE;
	}
	if (cfg->dev != NULL || cfg->state_dir == NULL)
		return 0;

	if ((found = firmware_geom_read(cfg->state_dir, &rec, err, errlen)) < 0)
		return -1;
	if (!found) {
		/*
		 * A fresh state dir, or one made before flash.geom existed
		 * (then flash.img's size still has to match: fw_open_dev).
		 */
		*write_rec = 1;
		return 0;
	}

	if ((given & FWOPT_TYPE) && o->type != rec.type)
		snprintf(opt, sizeof opt, "--flash %s",
		    o->type == FLASH_NAND ? "nand" : "nor");
	else if ((given & FWOPT_FLASH_SIZE) && o->flash_size != rec.flash_size)
		snprintf(opt, sizeof opt, "--flash-size %llu",
		    (unsigned long long)o->flash_size);
	else if ((given & FWOPT_FOTA_AREA) && g->size != rec.flash_size)
		snprintf(opt, sizeof opt, "--fota-area %llu",
		    (unsigned long long)o->fota_area);
	else if ((given & FWOPT_IMAGE_SIZE) && o->image_size != rec.image_size)
		snprintf(opt, sizeof opt, "--image-size %llu",
		    (unsigned long long)o->image_size);
	else if ((given & FWOPT_BLOCK) && o->block_size != rec.block_size)
		snprintf(opt, sizeof opt, "--flash-block %u", o->block_size);
	else if ((given & FWOPT_PAGE) && o->page_size != rec.page_size)
		snprintf(opt, sizeof opt, "--flash-page %u", o->page_size);
	if (opt[0] != '\0') {
		fwopt_describe(&rec, have, sizeof have);
		return fwopt_error(err, errlen, "%s holds a flash made as %s; "
		    "%s differs (leave it out, or use a fresh state dir)",
		    cfg->state_dir, have, opt);
	}
	if (o != NULL)
		firmware_options_geometry(o, rec.type, g);
	else if (g->type != rec.type)
		flash_geometry_default(rec.type, g);
	g->size = rec.flash_size;
	g->block_size = rec.block_size;
	g->page_size = rec.page_size;
	*isize = rec.image_size;
	return 0;
}
