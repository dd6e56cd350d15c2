/*
 * at-info.c: identity commands: ATI, +GMI/+CGMI, +GMM/+CGMM, +GMR/+CGMR,
 * +QGMR, +CSUB, +GSN/+CGSN, +CIMI, +QCCID.
 */
#include "config.h"

#include "at-cmd.h"
#include "modem.h"

static const struct at_param p_ati[] = { AT_INT(0, 0), AT_END };

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

#define ID	(AT_EXEC | AT_TEST)
#define SIM	(AT_NEED_SIM | AT_NEED_SIM_ON)	/* CIMI, QCCID read the SIM */
const struct at_cmd at_info_cmds[] = {
	{ .name = "I", .forms = AT_EXEC, .params = p_ati, .proceed = at_info_ati },
	{ .name = "+GMI", .forms = ID, .proceed = at_info_gmi },
	{ .name = "+CGMI", .forms = ID, .proceed = at_info_gmi },
	{ .name = "+GMM", .forms = ID, .proceed = at_info_gmm },
	{ .name = "+CGMM", .forms = ID, .proceed = at_info_gmm },
	{ .name = "+GMR", .forms = ID, .proceed = at_info_gmr },
	{ .name = "+CGMR", .forms = ID, .proceed = at_info_gmr },
	{ .name = "+QGMR", .forms = ID, .proceed = at_info_qgmr },
	{ .name = "+CSUB", .forms = ID, .proceed = at_info_csub },
	{ .name = "+GSN", .forms = ID, .proceed = at_info_gsn },
	{ .name = "+CGSN", .forms = ID, .proceed = at_info_gsn },
	{ .name = "+CIMI", .forms = ID, .needs = SIM, .proceed = at_info_cimi },
	{ .name = "+QCCID", .forms = ID, .needs = SIM, .proceed = at_info_qccid },
	{ .name = NULL },
};
#undef SIM
#undef ID
