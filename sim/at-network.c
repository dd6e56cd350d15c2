/*
 * at-network.c: SIM, radio, registration and data contexts: +CPIN, +CFUN,
 * +CSQ, +CREG/+CGREG/+CEREG, +COPS, +QNWINFO, +CGDCONT, +QICSGP, +CGACT,
 * +CGPADDR.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "at-cmd.h"
#include "modem.h"

#define P_END { AT_P_END, 0, 0 }
static const struct at_param p_cfun[] = { { AT_P_INT, 0, 4 }, { AT_P_INT, 0, 1 }, P_END };
static const struct at_param p_reg[] = { { AT_P_INT, 0, 2 }, P_END };
static const struct at_param p_cops[] = { { AT_P_INT, 0, 4 }, { AT_P_INT, 0, 2 },
	{ AT_P_STR, 0, 32 }, { AT_P_INT, 0, 7 }, P_END };
static const struct at_param p_cgdcont[] = { { AT_P_INT, 1, MODEM_NCID - 1 },
	{ AT_P_STR, 0, 7 }, { AT_P_STR, 0, 99 }, P_END };
static const struct at_param p_qicsgp[] = { { AT_P_INT, 1, MODEM_NCID - 1 },
	{ AT_P_INT, 1, 3 }, { AT_P_STR, 0, 99 }, { AT_P_STR, 0, 63 },
	{ AT_P_STR, 0, 63 }, { AT_P_INT, 0, 3 }, P_END };
static const struct at_param p_cgact[] = { { AT_P_INT, 0, 1 },
	{ AT_P_INT, 1, MODEM_NCID - 1 }, P_END };
static const struct at_param p_cid[] = { { AT_P_INT, 1, MODEM_NCID - 1 }, P_END };
static const struct at_param p_pin[] = { { AT_P_STR, 0, 8 }, { AT_P_STR, 0, 8 }, P_END };

static const char *pdp_types[] = { NULL, "IP", "IPV6", "IPV4V6" };

/* Whether the modem is an LTE one (EC200T) rather than UMTS (UC200T). */
static int
at_net_lte(const struct modem *m)
{
	return m->cfg.model == MODEM_EC200T;
}

/* AT+CPIN: the SIM needs no PIN; it is ready once the boot chain says so. */
static int
at_net_cpin(struct at_req *r)
{
	struct modem *m = at_req_modem(r);

	if (r->form == AT_TEST)
		return AT_RES_OK;
	if (!m->sim_ready)
		return CME_SIM_BUSY;
	if (m->cfun == 0)
		return CME_SIM_FAILURE;		/* SIM powered off */
	if (r->form == AT_SET)
		return CME_NOT_ALLOWED;		/* no PIN is asked for */
	at_info(r, "+CPIN: READY");
	return AT_RES_OK;
}

/* AT+CFUN=<fun>: only 0, 1 and 4 exist; a reset needs fun 1. */
static int
at_net_cfun_check(struct at_req *r)
{
	long fun = r->args[0].i;

	if (r->form != AT_SET)
		return AT_RES_OK;
	if (fun != 0 && fun != 1 && fun != 4)
		return CME_BAD_PARAM;
	if (r->nargs > 1 && r->args[1].present && r->args[1].i == 1 && fun != 1)
		return CME_BAD_PARAM;
	return AT_RES_OK;
}

/* AT+CFUN: functionality level, and the AT+CFUN=1,1 reboot. */
static int
at_net_cfun(struct at_req *r)
{
	struct modem *m = at_req_modem(r);

	switch (r->form) {
	case AT_READ:
		at_info(r, "+CFUN: %d", m->cfun);
		break;
	case AT_TEST:
		at_info(r, "+CFUN: (0,1,4),(0,1)");
		break;
	case AT_SET:
		if (r->nargs > 1 && r->args[1].present && r->args[1].i == 1) {
			modem_reboot(m);
			break;
		}
		modem_set_cfun(m, (int)r->args[0].i);
		break;
	default:
		break;
	}
	return AT_RES_OK;
}

/* AT+CSQ: signal quality; 99,99 without a network. */
static int
at_net_csq(struct at_req *r)
{
	struct modem *m = at_req_modem(r);

	if (r->form == AT_TEST)
		at_info(r, "+CSQ: (0-31,99),(0-7,99)");
	else if (m->reg_stat == 1)
		at_info(r, "+CSQ: 24,99");
	else
		at_info(r, "+CSQ: 99,99");
	return AT_RES_OK;
}

/* Which registration a +CxREG command is about. */
static enum modem_reg
at_net_reg_kind(const struct at_req *r)
{
	if (strcasecmp(r->cmd->name, "+CREG") == 0)
		return MODEM_REG_C;
	if (strcasecmp(r->cmd->name, "+CGREG") == 0)
		return MODEM_REG_G;
	return MODEM_REG_E;
}

/* AT+CREG / +CGREG / +CEREG: URC mode and registration state. */
static int
at_net_reg(struct at_req *r)
{
	struct modem *m = at_req_modem(r);
	enum modem_reg k = at_net_reg_kind(r);
	int stat = m->reg_stat;

	if (k == MODEM_REG_E && !at_net_lte(m))
		stat = 0;
	switch (r->form) {
	case AT_SET:
		m->reg_n[k] = r->nargs ? (int)r->args[0].i : 0;
		break;
	case AT_TEST:
		at_info(r, "%s: (0-2)", r->cmd->name);
		break;
	case AT_READ:
		if (m->reg_n[k] == 2 && stat == 1)
			at_info(r, "%s: 2,%d,\"1A2B\",\"0C3D4E5\",%d",
			    r->cmd->name, stat, at_net_lte(m) ? 7 : 2);
		else
			at_info(r, "%s: %d,%d", r->cmd->name, m->reg_n[k], stat);
		break;
	default:
		break;
	}
	return AT_RES_OK;
}

/* AT+COPS: automatic selection only. */
static int
at_net_cops(struct at_req *r)
{
	struct modem *m = at_req_modem(r);
	int lte = at_net_lte(m);

	switch (r->form) {
	case AT_READ:
		if (m->reg_stat == 1)
			at_info(r, "+COPS: 0,0,\"%s\",%d",
			    lte ? "CHINA MOBILE" : "CHN-UNICOM", lte ? 7 : 2);
		else
			at_info(r, "+COPS: 0");
		break;
	case AT_TEST:
		if (m->reg_stat != 1)
			return CME_NO_NETWORK;
		at_info(r, lte ?
		    "+COPS: (2,\"CHINA MOBILE\",\"CMCC\",\"46000\",7),,(0-4),(0-2)" :
		    "+COPS: (2,\"CHN-UNICOM\",\"UNICOM\",\"46001\",2),,(0-4),(0-2)");
		break;
	case AT_SET:
		if (r->args[0].i != 0)
			return CME_NOT_SUPPORTED;
		break;
	default:
		break;
	}
	return AT_RES_OK;
}

/* AT+QNWINFO: access technology, operator, band and channel. */
static int
at_net_qnwinfo(struct at_req *r)
{
	struct modem *m = at_req_modem(r);

	if (r->form == AT_TEST)
		return AT_RES_OK;
	if (m->reg_stat != 1)
		at_info(r, "+QNWINFO: No Service");
	else if (at_net_lte(m))
		at_info(r, "+QNWINFO: \"FDD LTE\",\"46000\",\"LTE BAND 3\",1650");
	else
		at_info(r, "+QNWINFO: \"WCDMA\",\"46001\",\"WCDMA 2100\",10700");
	return AT_RES_OK;
}

/* AT+CGDCONT=<cid>,<type>: the type must be one the module knows. */
static int
at_net_cgdcont_check(struct at_req *r)
{
	size_t i;

	if (r->form != AT_SET || r->nargs < 2 || !r->args[1].present)
		return AT_RES_OK;
	for (i = 1; i < nitems(pdp_types); i++)
		if (strcasecmp(r->args[1].s, pdp_types[i]) == 0)
			return AT_RES_OK;
	return CME_BAD_PARAM;
}

/* AT+CGDCONT: define, undefine and list PDP contexts. */
static int
at_net_cgdcont(struct at_req *r)
{
	struct modem *m = at_req_modem(r);
	struct modem_pdp *p;
	int cid;
	size_t i;

	switch (r->form) {
	case AT_TEST:
		at_info(r, "+CGDCONT: (1-15),\"IP\",,,(0-2),(0-4),(0,1)");
		at_info(r, "+CGDCONT: (1-15),\"IPV6\",,,(0-2),(0-4),(0,1)");
		at_info(r, "+CGDCONT: (1-15),\"IPV4V6\",,,(0-2),(0-4),(0,1)");
		break;
	case AT_READ:
		for (cid = 1; cid < MODEM_NCID; cid++) {
			p = &m->pdp[cid];
			if (p->defined)
				at_info(r, "+CGDCONT: %d,\"%s\",\"%s\",\"0.0.0.0\",0,0,0",
				    cid, p->type, p->apn);
		}
		break;
	case AT_SET:
		p = &m->pdp[r->args[0].i];
		if (r->nargs == 1) {		/* undefine */
			if (p->active)
				return CME_NOT_ALLOWED;
			memset(p, 0, sizeof *p);
			break;
		}
		p->defined = 1;
		for (i = 1; i < nitems(pdp_types); i++)
			if (r->args[1].present &&
			    strcasecmp(r->args[1].s, pdp_types[i]) == 0)
				str_copy(p->type, pdp_types[i], sizeof p->type);
		if (p->type[0] == '\0')
			snprintf(p->type, sizeof p->type, "IP");
		if (r->nargs > 2 && r->args[2].present)
			str_copy(p->apn, r->args[2].s, sizeof p->apn);
		break;
	default:
		break;
	}
	return AT_RES_OK;
}

/* AT+QICSGP: Quectel's view of the same contexts, with credentials. */
static int
at_net_qicsgp(struct at_req *r)
{
	struct modem *m = at_req_modem(r);
	struct modem_pdp *p;
	size_t t;

	if (r->form == AT_TEST) {
		at_info(r, "+QICSGP: (1-15),(1-3),<APN>,<username>,<password>,(0-3)");
		return AT_RES_OK;
	}
	p = &m->pdp[r->args[0].i];
	if (r->nargs == 1) {			/* query */
		for (t = 1; t < nitems(pdp_types); t++)
			if (strcmp(p->type, pdp_types[t]) == 0)
				break;
		at_info(r, "+QICSGP: %d,\"%s\",\"%s\",\"%s\",%d",
		    p->defined && t < nitems(pdp_types) ? (int)t : 1,
		    p->apn, p->user, p->pass, p->auth);
		return AT_RES_OK;
	}
	if (r->nargs < 3)
		return CME_BAD_PARAM;
	p->defined = 1;
	/* The type may be omitted (AT+QICSGP=1,,"apn"): IPv4. */
	str_copy(p->type, pdp_types[r->args[1].present ? r->args[1].i : 1],
	    sizeof p->type);
	str_copy(p->apn, r->args[2].s, sizeof p->apn);
	str_copy(p->user, r->nargs > 3 && r->args[3].present ? r->args[3].s : "", sizeof p->user);
	str_copy(p->pass, r->nargs > 4 && r->args[4].present ? r->args[4].s : "", sizeof p->pass);
	p->auth = r->nargs > 5 && r->args[5].present ? (int)r->args[5].i : 0;
	return AT_RES_OK;
}

/* AT+CGACT: activate needs a defined context and a network. */
static int
at_net_cgact(struct at_req *r)
{
	struct modem *m = at_req_modem(r);
	int cid, state;

	switch (r->form) {
	case AT_TEST:
		at_info(r, "+CGACT: (0,1)");
		return AT_RES_OK;
	case AT_READ:
		for (cid = 1; cid < MODEM_NCID; cid++)
			if (m->pdp[cid].defined)
				at_info(r, "+CGACT: %d,%d", cid, m->pdp[cid].active);
		return AT_RES_OK;
	default:
		break;
	}
	state = (int)r->args[0].i;
	cid = r->nargs > 1 && r->args[1].present ? (int)r->args[1].i : 1;
	if (state == 1) {
		if (!m->pdp[cid].defined)
			return CME_BAD_PARAM;
		if (m->reg_stat != 1)
			return CME_NO_NETWORK;
	}
	m->pdp[cid].active = state;
	return AT_RES_OK;
}

/* AT+CGPADDR: the address of each (or one) context. */
static int
at_net_cgpaddr(struct at_req *r)
{
	struct modem *m = at_req_modem(r);
	int cid, first = 1, last = MODEM_NCID - 1;

	if (r->form == AT_TEST) {
		at_info(r, "+CGPADDR: (1-15)");
		return AT_RES_OK;
	}
	if (r->form == AT_SET && r->nargs > 0 && r->args[0].present)
		first = last = (int)r->args[0].i;
	for (cid = first; cid <= last; cid++) {
		if (!m->pdp[cid].defined)
			continue;
		if (m->pdp[cid].active)
			at_info(r, "+CGPADDR: %d,\"10.46.103.%d\"", cid, 16 + cid);
		else
			at_info(r, "+CGPADDR: %d,\"0.0.0.0\"", cid);
	}
	return AT_RES_OK;
}

const struct at_cmd at_network_cmds[] = {
	{ "+CPIN", AT_READ | AT_TEST | AT_SET, p_pin, 1, NULL, at_net_cpin },
	{ "+CFUN", AT_READ | AT_TEST | AT_SET, p_cfun, 1, at_net_cfun_check, at_net_cfun },
	{ "+CSQ", AT_EXEC | AT_TEST, NULL, 0, NULL, at_net_csq },
	{ "+CREG", AT_READ | AT_TEST | AT_SET, p_reg, 0, NULL, at_net_reg },
	{ "+CGREG", AT_READ | AT_TEST | AT_SET, p_reg, 0, NULL, at_net_reg },
	{ "+CEREG", AT_READ | AT_TEST | AT_SET, p_reg, 0, NULL, at_net_reg },
	{ "+COPS", AT_READ | AT_TEST | AT_SET, p_cops, 1, NULL, at_net_cops },
	{ "+QNWINFO", AT_EXEC | AT_TEST, NULL, 0, NULL, at_net_qnwinfo },
	{ "+CGDCONT", AT_READ | AT_TEST | AT_SET, p_cgdcont, 1, at_net_cgdcont_check, at_net_cgdcont },
	{ "+QICSGP", AT_TEST | AT_SET, p_qicsgp, 1, NULL, at_net_qicsgp },
	{ "+CGACT", AT_READ | AT_TEST | AT_SET, p_cgact, 1, NULL, at_net_cgact },
	{ "+CGPADDR", AT_EXEC | AT_TEST | AT_SET, p_cid, 0, NULL, at_net_cgpaddr },
	{ NULL, 0, NULL, 0, NULL, NULL },
};
