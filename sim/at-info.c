/*
 * at-info.c: identity commands: ATI, +GMI/+CGMI, +GMM/+CGMM, +GMR/+CGMR,
 * +QGMR, +CSUB, +GSN/+CGSN, +CIMI, +QCCID.
 */
#include "config.h"

#include "at-cmd.h"
#include "modem.h"

static const struct at_param p_ati[] = { { AT_P_INT, 0, 0 }, { AT_P_END, 0, 0 } };

/* IMEI of the module (Luhn-valid), per model. */
static const char *
at_info_imei(const struct modem *m)
{
	return m->cfg.model == MODEM_UC200T ? "868359041270159" :
	    "869710030002905";
}

/* ATI: manufacturer, model and revision, as the field logs show. */
static int
at_info_ati(struct at_req *r)
{
	struct modem *m = at_req_modem(r);

	at_info(r, "Quectel");
	at_info(r, "%s", m->model_name);
	at_info(r, "Revision: %s", m->revision);
	return AT_RES_OK;
}

/* AT+GMI / AT+CGMI: manufacturer. */
static int
at_info_gmi(struct at_req *r)
{
	if (r->form == AT_EXEC)
		at_info(r, "Quectel");
	return AT_RES_OK;
}

/* AT+GMM / AT+CGMM: model. */
static int
at_info_gmm(struct at_req *r)
{
	if (r->form == AT_EXEC)
		at_info(r, "%s", at_req_modem(r)->model_name);
	return AT_RES_OK;
}

/* AT+GMR / AT+CGMR: revision. */
static int
at_info_gmr(struct at_req *r)
{
	if (r->form == AT_EXEC)
		at_info(r, "%s", at_req_modem(r)->revision);
	return AT_RES_OK;
}

/* AT+QGMR: revision with the build's sub-version. */
static int
at_info_qgmr(struct at_req *r)
{
	if (r->form == AT_EXEC)
		at_info(r, "%s_01.001.01.001", at_req_modem(r)->revision);
	return AT_RES_OK;
}

/* AT+CSUB: sub-edition. */
static int
at_info_csub(struct at_req *r)
{
	if (r->form == AT_EXEC) {
		at_info(r, "SubEdition: V03");
	}
	return AT_RES_OK;
}

/* AT+GSN / AT+CGSN: IMEI. */
static int
at_info_gsn(struct at_req *r)
{
	if (r->form == AT_EXEC)
		at_info(r, "%s", at_info_imei(at_req_modem(r)));
	return AT_RES_OK;
}

/* AT+CIMI and AT+QCCID need the SIM. */
static int
at_info_check_sim(struct at_req *r)
{
	struct modem *m = at_req_modem(r);

	if (r->form != AT_EXEC)
		return AT_RES_OK;
	if (m->cfun == 0 && m->sim_ready)
		return CME_SIM_FAILURE;
	return m->sim_ready ? AT_RES_OK : CME_SIM_BUSY;
}

/* AT+CIMI: IMSI. */
static int
at_info_cimi(struct at_req *r)
{
	if (r->form == AT_EXEC)
		at_info(r, at_req_modem(r)->cfg.model == MODEM_UC200T ?
		    "460011357924680" : "460001357924680");
	return AT_RES_OK;
}

/* AT+QCCID: SIM card identifier. */
static int
at_info_qccid(struct at_req *r)
{
	if (r->form == AT_EXEC)
		at_info(r, "+QCCID: 89860012345678901234");
	return AT_RES_OK;
}

#define ID AT_EXEC | AT_TEST
const struct at_cmd at_info_cmds[] = {
	{ "I", AT_EXEC, p_ati, 0, NULL, at_info_ati },
	{ "+GMI", ID, NULL, 0, NULL, at_info_gmi },
	{ "+CGMI", ID, NULL, 0, NULL, at_info_gmi },
	{ "+GMM", ID, NULL, 0, NULL, at_info_gmm },
	{ "+CGMM", ID, NULL, 0, NULL, at_info_gmm },
	{ "+GMR", ID, NULL, 0, NULL, at_info_gmr },
	{ "+CGMR", ID, NULL, 0, NULL, at_info_gmr },
	{ "+QGMR", ID, NULL, 0, NULL, at_info_qgmr },
	{ "+CSUB", ID, NULL, 0, NULL, at_info_csub },
	{ "+GSN", ID, NULL, 0, NULL, at_info_gsn },
	{ "+CGSN", ID, NULL, 0, NULL, at_info_gsn },
	{ "+CIMI", ID, NULL, 0, at_info_check_sim, at_info_cimi },
	{ "+QCCID", ID, NULL, 0, at_info_check_sim, at_info_qccid },
	{ NULL, 0, NULL, 0, NULL, NULL },
};
#undef ID
