/*
 * at-file.c: the file commands on the module's UFS (firmware/ufs.c).
 *
 *   AT+QFLDS[="UFS"]            +QFLDS: <free>,<total>
 *   AT+QFLST[="<pattern>"]      +QFLST: "UFS:<name>",<size> per file
 *   AT+QFDEL="<name>"|"*"
 *   AT+QFUPL="<name>"[,<file_size>[,<timeout>[,<ackmode>]]]
 *       CONNECT, then the bytes (ackmode 1: an 'A' after each KiB stored,
 *       which the host waits for), then +QFUPL: <size>,<checksum> and OK
 *
 * Names may carry the "UFS:" prefix or not.  Errors are Quectel's
 * file-command +CME codes; docs/at-commands.md has the table.  The upload
 * receives through the serial receiver (serial-rx.c) exactly as a FILE:
 * package does: the same buffer, flow control and the flash's pace; its
 * <timeout> is a watchdog on the simulated clock that only the host ends.
 */
#include "config.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/uio.h>

#include "at-cmd.h"
#include "at-file.h"
#include "firmware/firmware.h"
#include "modem.h"
#include "translog.h"

static const struct at_param p_qflds[] = { AT_ANY, AT_END };
static const struct at_param p_qflst[] = { AT_ANY, AT_END };
static const struct at_param p_qfdel[] = { AT_ANY, AT_END };
static const struct at_param p_qfupl[] = { AT_ANY, AT_ANY, AT_ANY, AT_ANY,
	AT_END };

/* Strip the optional drive prefix. */
static const char *
at_file_strip(const char *s)
{
	return strncasecmp(s, "UFS:", 4) == 0 ? s + 4 : s;
}

const char *
qfupl_ufs_name(const char *s)
{
	const char *name = at_file_strip(s), *p;
	size_t n = strlen(name);

	if (n == 0 || n > FIRMWARE_UFS_NAME_MAX)
		return NULL;
	for (p = name; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    strchr("/\\:*?\"<>|", *p) != NULL)
			return NULL;
	return name;
}

uint16_t
qfupl_checksum(uint16_t sum, uint64_t *pos, const unsigned char *p, size_t n)
{
	size_t i;

	/* Even offsets are a word's high byte; an odd last byte pairs with 0. */
	for (i = 0; i < n; i++, (*pos)++)
		sum ^= (*pos & 1) == 0 ? (uint16_t)(p[i] << 8) : p[i];
	return sum;
}

/* The quoted string argument i, or NULL (absent, or not a string). */
static const char *
at_file_str(const struct at_req *r, unsigned i)
{
	if (r->nargs <= i || !r->args[i].present || r->args[i].type != AT_P_STR)
		return NULL;
	return r->args[i].s;
}

/* A flash error, or no flash at all, in the file commands' words. */
static int
at_file_error(int rc)
{
	switch (rc) {
	case FIRMWARE_ERR_NOENT:
		return CME_FILE_NOT_FOUND;
	case FIRMWARE_ERR_EXIST:
		return CME_FILE_EXISTS;
	case FIRMWARE_ERR_TOO_BIG:
		return CME_FILE_TOO_LARGE;
	case FIRMWARE_ERR_NOSPACE:
		return CME_FILE_FULL;
	case FIRMWARE_ERR_NOFILES:
		return CME_FILE_NO_SPACE;
	default:
		return CME_FILE_WRITE;
	}
}

int
at_file_save(struct modem *m, const char *s, const struct iovec *v, int n)
{
	const char *name = qfupl_ufs_name(s);
	uint64_t size = 0;
	int i, rc;

	if (name == NULL)
		return CME_FILE_NAME;
	if (m->fw == NULL)
		return CME_FILE_WRITE;
	if (qfupl_receiving(&m->upl))
		return CME_FILE_OPENED;		/* the one upload slot */
	for (i = 0; i < n; i++)
		size += v[i].iov_len;
	if (size == 0)
		return CME_FILE_INPUT;
	if ((rc = firmware_ufs_create(m->fw, name, size)) != 0)
		return at_file_error(rc);
	for (i = 0; i < n; i++)
		if (v[i].iov_len > 0 &&
		    firmware_ufs_write(m->fw, v[i].iov_base, v[i].iov_len) != 0) {
			firmware_ufs_abort(m->fw);
			return CME_FILE_WRITE;
		}
	if ((rc = firmware_ufs_close(m->fw)) != 0)
		return at_file_error(rc);
	translog_state(m->log, "file", "saved: %s, %llu bytes", name,
	    (unsigned long long)size);
	return 0;
}

/* AT+QFLDS="UFS": the only drive. */
static int
at_file_qflds_check(struct at_req *r)
{
	const char *d;

	if (r->form != AT_SET)
		return AT_RES_OK;
	if ((d = at_file_str(r, 0)) == NULL)
		return CME_FILE_INPUT;
	return strcasecmp(d, "UFS") == 0 ? AT_RES_OK : CME_FILE_PARAM;
}

/* AT+QFLDS[="UFS"]: free and total bytes. */
static int
at_file_qflds(struct at_req *r)
{
	struct modem *m = at_req_modem(r);
	uint64_t nfree = 0, total = 0;

	if (r->form == AT_TEST)
		return AT_RES_OK;
	if (m->fw != NULL)
		firmware_ufs_space(m->fw, &nfree, &total);
	at_info(r, "+QFLDS: %llu,%llu", (unsigned long long)nfree,
	    (unsigned long long)total);
	return AT_RES_OK;
}

/* AT+QFLST="<pattern>": a quoted pattern of a sane length. */
static int
at_file_qflst_check(struct at_req *r)
{
	const char *pat;

	if (r->form != AT_SET)
		return AT_RES_OK;
	if ((pat = at_file_str(r, 0)) == NULL)
		return CME_FILE_INPUT;
	pat = at_file_strip(pat);
	if (pat[0] == '\0' || strlen(pat) > FIRMWARE_UFS_NAME_MAX)
		return CME_FILE_NAME;
	return AT_RES_OK;
}

/*
 * AT+QFLST[="<pattern>"]: the files matching, oldest first.  A pattern
 * with a wildcard may match nothing (just OK); a plain name that is not
 * there is +CME ERROR: 405, which is how fwupd tells whether to delete.
 */
static int
at_file_qflst(struct at_req *r)
{
	struct modem *m = at_req_modem(r);
	struct firmware_ufs_file f;
	const char *pat = "*";
	unsigned i, n = 0;

	if (r->form == AT_TEST)
		return AT_RES_OK;
	if (r->form == AT_SET)
		pat = at_file_strip(r->args[0].s);
	for (i = 0; m->fw != NULL && firmware_ufs_file(m->fw, i, &f) == 0; i++) {
		if (fnmatch(pat, f.name, 0) != 0)
			continue;
		at_info(r, "+QFLST: \"UFS:%s\",%llu", f.name,
		    (unsigned long long)f.size);
		n++;
	}
	if (n == 0 && strpbrk(pat, "*?[") == NULL)
		return CME_FILE_NOT_FOUND;
	return AT_RES_OK;
}

/* Whether AT+QFOTADL is reading this file right now. */
static int
at_file_in_use(const struct modem *m, const char *name)
{
	return m->fota.local && m->fota.state != FOTA_IDLE &&
	    m->fota.state != FOTA_UPDATING && strcmp(m->fota.ufs_name, name) == 0;
}

/* AT+QFDEL="<name>" or "*". */
static int
at_file_qfdel_check(struct at_req *r)
{
	const char *s;

	if (r->form != AT_SET)
		return AT_RES_OK;
	if ((s = at_file_str(r, 0)) == NULL)
		return CME_FILE_INPUT;
	if (strcmp(at_file_strip(s), "*") == 0)
		return AT_RES_OK;
	if (qfupl_ufs_name(s) == NULL)
		return CME_FILE_NAME;
	if (at_file_in_use(at_req_modem(r), qfupl_ufs_name(s)))
		return CME_FILE_OPENED;
	return AT_RES_OK;
}

/* AT+QFDEL: each delete lands as one directory record. */
static int
at_file_qfdel(struct at_req *r)
{
	struct modem *m = at_req_modem(r);
	struct firmware_ufs_file f;
	const char *s;
	unsigned i;
	int rc;

	if (r->form == AT_TEST)
		return AT_RES_OK;
	if (m->fw == NULL)
		return CME_FILE_WRITE;
	s = at_file_strip(r->args[0].s);
	if (strcmp(s, "*") != 0) {
		rc = firmware_ufs_delete(m->fw, s);
		return rc == 0 ? AT_RES_OK : at_file_error(rc);
	}
	for (i = 0; firmware_ufs_file(m->fw, i, &f) == 0; ) {
		if (at_file_in_use(m, f.name)) {
			i++;
			continue;
		}
		if ((rc = firmware_ufs_delete(m->fw, f.name)) != 0)
			return at_file_error(rc);
	}
	return AT_RES_OK;
}

/* AT+QFUPL="<name>",<file_size>,<timeout>,<ackmode>: names and ranges. */
static int
at_file_qfupl_check(struct at_req *r)
{
	struct modem *m = at_req_modem(r);
	const char *s;
	uint64_t size;
	long v;

	if (r->form != AT_SET)
		return AT_RES_OK;
	if ((s = at_file_str(r, 0)) == NULL)
		return CME_FILE_INPUT;
	if (qfupl_ufs_name(s) == NULL)
		return CME_FILE_NAME;
	if (at_arg_int(r, 1, 1, 0x7fffffffL, QFUPL_SIZE_DEFAULT, &v) != 0 ||
	    at_arg_int(r, 2, 1, 65535, QFUPL_TIMEOUT_DEFAULT, &v) != 0 ||
	    at_arg_int(r, 3, 0, 1, 0, &v) != 0)
		return CME_FILE_PARAM;
	if (m->fw == NULL)
		return CME_FILE_WRITE;
	if (firmware_ufs_stat(m->fw, qfupl_ufs_name(s), &size) == 0)
		return CME_FILE_EXISTS;
	return AT_RES_OK;
}

/* Serial receiver: program the bytes into the file, summing them. */
static int
qfupl_store(void *arg, const unsigned char *p, size_t n)
{
	struct qfupl *u = arg;

	if (firmware_ufs_write(u->m->fw, p, n) != 0)
		return -1;
	u->sum = qfupl_checksum(u->sum, &u->pos, p, n);
	return 0;
}

/* Serial receiver: ackmode 1 says 'A' for each KiB stored. */
static void
qfupl_progress(void *arg, uint64_t stored)
{
	struct qfupl *u = arg;

	while (u->ackmode && stored >= (u->acks + 1) * QFUPL_ACK_EVERY) {
		port_write(&u->rx.iface->port, "A", 1);
		u->acks++;
	}
}

/*
 * Serial receiver: the upload is over.  All bytes, or a timeout after
 * some: the file is saved with what came (the manual: <upload_size> is
 * "the actual size of the uploaded data").  A timeout before any byte
 * saves nothing (421); a flash error neither (409).
 */
static void
qfupl_end(void *arg, enum serial_rx_end why)
{
	struct qfupl *u = arg;
	struct modem *m = u->m;
	char line[64];
	int rc;

	if (why == SERIAL_RX_FAILED || u->rx.stored == 0) {
		firmware_ufs_abort(m->fw);
		modem_at_finish(u->rx.iface, why == SERIAL_RX_FAILED ?
		    CME_FILE_WRITE : CME_FILE_TIMEOUT);
		return;
	}
	if ((rc = firmware_ufs_close(m->fw)) != 0) {
		modem_at_finish(u->rx.iface, at_file_error(rc));
		return;
	}
	translog_state(m->log, "file", "upload: %s, %llu bytes, checksum %x",
	    u->name, (unsigned long long)u->rx.stored, u->sum);
	snprintf(line, sizeof line, "+QFUPL: %llu,%x",
	    (unsigned long long)u->rx.stored, u->sum);
	at_urc(&u->rx.iface->at, line);
	modem_at_finish(u->rx.iface, AT_RES_OK);
}

void
qfupl_init(struct qfupl *u, struct modem *m)
{
	static const struct serial_rx_cbs cbs = { qfupl_store, qfupl_progress,
	    qfupl_end, NULL };
	struct serial_rx_cbs c = cbs;

	memset(u, 0, sizeof *u);
	u->m = m;
	c.arg = u;
	serial_rx_init(&u->rx, m, "file", "upload", &c);
}

int
qfupl_receiving(const struct qfupl *u)
{
	return serial_rx_active(&u->rx);
}

void
qfupl_cancel(struct qfupl *u)
{
	if (u->rx.active && u->m->fw != NULL)
		firmware_ufs_abort(u->m->fw);
	serial_rx_stop(&u->rx);
}

/* AT+QFUPL: reserve the room, CONNECT, receive; the result comes later. */
static int
at_file_qfupl(struct at_req *r)
{
	struct modem *m = at_req_modem(r);
	struct qfupl *u = &m->upl;
	uint64_t nfree, total;
	long size = 0, timeout = 0, ack = 0;
	int rc;

	if (r->form == AT_TEST) {
		nfree = 0;
		if (m->fw != NULL)
			firmware_ufs_space(m->fw, &nfree, &total);
		at_info(r, "+QFUPL: <filename>,(1-%llu),(1-65535),(0,1)",
		    (unsigned long long)nfree);
		return AT_RES_OK;
	}
	(void)at_arg_int(r, 1, 1, 0x7fffffffL, QFUPL_SIZE_DEFAULT, &size);
	(void)at_arg_int(r, 2, 1, 65535, QFUPL_TIMEOUT_DEFAULT, &timeout);
	(void)at_arg_int(r, 3, 0, 1, 0, &ack);
	str_copy(u->name, qfupl_ufs_name(r->args[0].s), sizeof u->name);
	if ((rc = firmware_ufs_create(m->fw, u->name, (uint64_t)size)) != 0)
		return at_file_error(rc);
	u->ackmode = (int)ack;
	u->acks = 0;
	u->sum = 0;
	u->pos = 0;
	at_result(r->engine, AT_RES_CONNECT);
	serial_rx_start(&u->rx, (uint64_t)size, modem_flow_control(m),
	    (double)timeout);
	return AT_RES_PENDING;
}

const struct at_cmd at_file_cmds[] = {
	{ .name = "+QFLDS", .forms = AT_EXEC | AT_TEST | AT_SET,
	  .params = p_qflds, .nreq = 1,
	  .check = at_file_qflds_check, .proceed = at_file_qflds },
	{ .name = "+QFLST", .forms = AT_EXEC | AT_TEST | AT_SET,
	  .params = p_qflst, .nreq = 1,
	  .check = at_file_qflst_check, .proceed = at_file_qflst },
	{ .name = "+QFDEL", .forms = AT_TEST | AT_SET, .params = p_qfdel,
	  .nreq = 1, .check = at_file_qfdel_check, .proceed = at_file_qfdel },
	{ .name = "+QFUPL", .forms = AT_TEST | AT_SET, .params = p_qfupl,
	  .nreq = 1, .check = at_file_qfupl_check, .proceed = at_file_qfupl },
	{ .name = NULL },
};
