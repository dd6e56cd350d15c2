/*
 * at-fota.c: +QFOTADL, the firmware-over-the-air command, and +QINDCFG,
 * which Quectel's own FOTA client sends first.
 *
 * AT+QFOTADL=<url>[,<upgrade_mode>[,<download_URC_max>[,<update_URC_max>]]]
 * answers ERROR for anything the command line itself gets wrong (the
 * manual: "If there is any error, response: ERROR"); what is wrong inside
 * a well-formed URL is reported after OK, as FTPEND/HTTPEND with its code
 * (fota-job.c).  docs/at-commands.md lists each case.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "at-cmd.h"
#include "firmware/firmware.h"
#include "fota-job.h"
#include "modem.h"

static const struct at_param p_qfotadl[] = { AT_ANY, AT_ANY, AT_ANY, AT_ANY,
	AT_END };
static const struct at_param p_qindcfg[] = { AT_STR(16), AT_INT(0, 1),
	AT_INT(0, 1), AT_END };

/* A URC count: 0 (none), or 5..100. */
static int
at_fota_count(const struct at_req *r, unsigned i, long def, long *v)
{
	if (at_arg_int(r, i, 0, 100, def, v) != 0)
		return -1;
	return *v == 0 || *v >= 5 || *v == def ? 0 : -1;
}

/* AT+QFOTADL=<url>,...: a quoted URL of a scheme the module takes, within
 * 255 bytes, or "FILE:<length>" for a package that fits the FOTA area; the
 * optional numbers in range. */
static int
at_fota_qfotadl_check(struct at_req *r)
{
	enum dl_proto proto;
	struct modem *m;
	uint64_t len;
	long v;

	if (r->form != AT_SET)
		return AT_RES_OK;
	if (r->nargs == 0 || !r->args[0].present || r->args[0].type != AT_P_STR)
		return AT_RES_ERROR;
	if (strlen(r->args[0].s) > FOTA_URL_MAX)
		return AT_RES_ERROR;
	if (strncasecmp(r->args[0].s, "FILE:", 5) == 0) {
		/* A length from 1 to the FOTA area's size, in decimal. */
		len = fota_file_length(r->args[0].s);
		m = at_req_modem(r);
		if (len == 0 || m->fw == NULL || len > firmware_fota_size(m->fw))
			return AT_RES_ERROR;
	} else if (fota_local_name(r->args[0].s) != NULL) {
		/* A package in the UFS: the file must be there. */
		m = at_req_modem(r);
		if (m->fw == NULL || firmware_ufs_stat(m->fw,
		    fota_local_name(r->args[0].s), &len) != 0 || len == 0 ||
		    len > firmware_fota_size(m->fw))
			return AT_RES_ERROR;
	} else if (!xfer_url_scheme(r->args[0].s, &proto))
		return AT_RES_ERROR;
	if (at_arg_int(r, 1, 0, 1, 1, &v) != 0 ||
	    at_fota_count(r, 2, 0, &v) != 0 ||
	    at_fota_count(r, 3, FOTA_UPDATE_URC_ALL, &v) != 0)
		return AT_RES_ERROR;
	return AT_RES_OK;
}

/* AT+QFOTADL=?: the manual's test command answers a bare OK. */
static int
at_fota_qfotadl(struct at_req *r)
{
	struct modem *m = at_req_modem(r);
	struct fota_args a;
	long v = 0;

	if (r->form == AT_TEST)
		return AT_RES_OK;
	memset(&a, 0, sizeof a);
	str_copy(a.url, r->args[0].s, sizeof a.url);
	(void)at_arg_int(r, 1, 0, 1, 1, &v);
	a.mode = (int)v;
	(void)at_fota_count(r, 2, 0, &v);
	a.dl_urc_max = (int)v;
	(void)at_fota_count(r, 3, FOTA_UPDATE_URC_ALL, &v);
	a.up_urc_max = (int)v;
	fota_job_start(&m->fota, &a);
	return AT_RES_OK;
}

/* AT+QINDCFG="all"[,<enable>[,<save>]]: only the "all" group exists. */
static int
at_fota_qindcfg_check(struct at_req *r)
{
	if (r->form == AT_SET && strcasecmp(r->args[0].s, "all") != 0)
		return CME_BAD_PARAM;
	return AT_RES_OK;
}

/* AT+QINDCFG: kept and reported; FOTA URCs are printed either way. */
static int
at_fota_qindcfg(struct at_req *r)
{
	struct modem *m = at_req_modem(r);

	if (r->form == AT_TEST)
		at_info(r, "+QINDCFG: \"all\",(0,1),(0,1)");
	else if (r->nargs == 1)
		at_info(r, "+QINDCFG: \"all\",%d", m->qind_all);
	else
		m->qind_all = (int)r->args[1].i;
	return AT_RES_OK;
}

const struct at_cmd at_fota_cmds[] = {
	{ .name = "+QFOTADL", .forms = AT_TEST | AT_SET, .params = p_qfotadl,
	  .needs = AT_NEED_FOTA_IDLE,
	  .check = at_fota_qfotadl_check, .proceed = at_fota_qfotadl },
	{ .name = "+QINDCFG", .forms = AT_TEST | AT_SET, .params = p_qindcfg,
	  .nreq = 1, .check = at_fota_qindcfg_check, .proceed = at_fota_qindcfg },
	{ .name = NULL },
};
