/*
 * modem-nv.c: the saved profile (AT&W) and persistent QCFG settings.
 *
 * They live in the simulated flash, in the NV record log of the firmware
 * half (docs/flash-layout.md), so a power cut leaves either the previous
 * record or the new one.  The record is a version byte, a count, then one
 * 16-bit little-endian value per key in the order of the table below; keys
 * are only ever appended to the table, so an older record loads with the
 * newer keys at their defaults.  Without a state dir (unit tests, fuzzing)
 * the profile lives in RAM.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "firmware/firmware.h"
#include "modem.h"
#include "translog.h"

#define MODEM_NV_VERSION	1

struct modem_nv_key {
	const char	*key;
	size_t		 off;
	long		 min, max;
	int		 byte;		/* stored in an unsigned char */
};

#define NVI(k, f, lo, hi) { k, offsetof(struct modem_nv, f), lo, hi, 0 }
#define NVB(k, f, lo, hi) { k, offsetof(struct modem_nv, f), lo, hi, 1 }
static const struct modem_nv_key modem_nv_keys[] = {
	NVI("echo", at.echo, 0, 1),
	NVI("verbose", at.verbose, 0, 1),
	NVI("quiet", at.quiet, 0, 1),
	NVI("cmee", at.cmee, 0, 2),
	NVI("s0", at.s0, 0, 255),
	NVB("s3", at.s3, 0, 127),
	NVB("s4", at.s4, 0, 127),
	NVB("s5", at.s5, 0, 127),
	NVI("ifc_dce", ifc_dce, 0, 2),
	NVI("ifc_dte", ifc_dte, 0, 2),
	NVI("usbifc_dce", usbifc_dce, 0, 2),
	NVI("usbifc_dte", usbifc_dte, 0, 2),
	NVI("urcport", urcport, 0, MODEM_URCPORT_N),
};
#undef NVI
#undef NVB

/* Factory defaults (AT&F and a fresh flash). */
static void
modem_nv_default(struct modem_nv *nv)
{
	memset(nv, 0, sizeof *nv);
	at_settings_default(&nv->at);
}

/* Store one value through its key description. */
static void
modem_nv_set(struct modem_nv *nv, const struct modem_nv_key *k, long v)
{
	char *p = (char *)nv + k->off;

	if (k->byte)
		*(unsigned char *)p = (unsigned char)v;
	else
		*(int *)p = (int)v;
}

/* Fetch one value through its key description. */
static long
modem_nv_get(const struct modem_nv *nv, const struct modem_nv_key *k)
{
	const char *p = (const char *)nv + k->off;

	return k->byte ? *(const unsigned char *)p : *(const int *)p;
}

/* Decode a record; returns 0, or -1 naming the first bad key in *bad. */
static int
modem_nv_decode(const unsigned char *rec, struct modem_nv *nv, const char **bad)
{
	size_t i, n = rec[1];
	long v;

	*bad = "version";
	if (rec[0] != MODEM_NV_VERSION || 2 + 2 * n > FIRMWARE_NV_MAX)
		return -1;
	for (i = 0; i < n && i < nitems(modem_nv_keys); i++) {
		v = (long)(rec[2 + 2 * i] | rec[3 + 2 * i] << 8);
		*bad = modem_nv_keys[i].key;
		if (v < modem_nv_keys[i].min || v > modem_nv_keys[i].max)
			return -1;
		modem_nv_set(nv, &modem_nv_keys[i], v);
	}
	return 0;
}

/* Encode the profile into a record. */
static void
modem_nv_encode(const struct modem_nv *nv, unsigned char *rec)
{
	size_t i;

	memset(rec, 0, FIRMWARE_NV_MAX);
	rec[0] = MODEM_NV_VERSION;
	rec[1] = (unsigned char)nitems(modem_nv_keys);
	for (i = 0; i < nitems(modem_nv_keys); i++) {
		long v = modem_nv_get(nv, &modem_nv_keys[i]);
		rec[2 + 2 * i] = (unsigned char)(v & 0xff);
		rec[3 + 2 * i] = (unsigned char)(v >> 8);
	}
}

void
modem_nv_load(struct modem *m)
{
	unsigned char rec[FIRMWARE_NV_MAX];
	struct modem_nv nv;
	const char *bad;

	if (m->fw == NULL) {
		if (!m->nv_ram_saved)
			modem_nv_default(&m->nv_ram);
		m->nv = m->nv_ram;
		return;
	}
	modem_nv_default(&m->nv);
	if (!firmware_nv_get(m->fw, rec, sizeof rec))
		return;
	nv = m->nv;
	if (modem_nv_decode(rec, &nv, &bad) != 0) {
		warnx_("NV profile: bad %s: using factory defaults", bad);
		translog_state(m->log, "nv", "bad %s in profile: factory defaults", bad);
		return;
	}
	m->nv = nv;
}

int
modem_nv_save(struct modem *m)
{
	unsigned char rec[FIRMWARE_NV_MAX];

	if (m->fw == NULL) {
		m->nv_ram = m->nv;
		m->nv_ram_saved = 1;
		return 0;
	}
	modem_nv_encode(&m->nv, rec);
	if (firmware_nv_put(m->fw, rec, sizeof rec) != 0) {
		translog_state(m->log, "nv", "profile write failed");
		return -1;
	}
	translog_state(m->log, "nv", "profile saved");
	return 0;
}
