/*
 * at-network.c: SIM, radio, registration and data contexts: +CPIN, +CFUN,
 * +CSQ, +CREG/+CGREG/+CEREG, +COPS, +QNWINFO, +CGDCONT, +QICSGP, +CGACT,
 * +CGPADDR, +CGEREP, +QIACT, +QIDEACT.  The state lives in the modem's struct net (sim/net/net.h);
 * the handlers read it and change it only through its setters.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "at-cmd.h"
#include "modem.h"

#define CID	AT_INT(1, NET_NCID - 1)

static const struct at_param p_cfun[] = { AT_INT(0, 4), AT_INT(0, 1), AT_END };
static const struct at_param p_reg[] = { AT_INT(0, 2), AT_END };
static const struct at_param p_cops[] = { AT_INT(0, 4), AT_INT(0, 2),
	AT_STR(32), AT_INT(0, 7), AT_END };
static const struct at_param p_cgdcont[] = { CID, AT_STR(7), AT_STR(99),
	AT_END };
static const struct at_param p_qicsgp[] = { CID, AT_INT(1, 3), AT_STR(99),
	AT_STR(63), AT_STR(63), AT_INT(0, 3), AT_END };
static const struct at_param p_cgact[] = { AT_INT(0, 1), CID, AT_END };
static const struct at_param p_cid[] = { CID, AT_END };
static const struct at_param p_cgerep[] = { AT_INT(0, 2), AT_INT(0, 1),
	AT_END };
static const struct at_param p_pin[] = { AT_STR(8), AT_STR(8), AT_END };

static const char *const pdp_types[] = { NULL, "IP", "IPV6", "IPV4V6" };

/* The network state behind a request. */
static struct net *
at_net(struct at_req *r)
{
	return &at_req_modem(r)->net;
}

/* Whether argument i was given. */
static int
at_net_has(const struct at_req *r, unsigned i)
{
	return r->nargs > i && r->args[i].present;
}

/* AT+CPIN=<pin>: no PIN is asked for, so entering one is not allowed. */
static int
at_net_cpin_check(struct at_req *r)
{
	return r->form == AT_SET ? CME_NOT_ALLOWED : AT_RES_OK;
}

/* AT+CPIN?: the SIM needs no PIN (its preconditions say it is ready). */
static int
at_net_cpin(struct at_req *r)
{
	if (r->form == AT_READ)
		at_info(r, "+CPIN: READY");
	return AT_RES_OK;
}

/* Whether AT+CFUN asks for the reset (AT+CFUN=1,1). */
static int
at_net_cfun_reset(const struct at_req *r)
{
	return at_net_has(r, 1) && r->args[1].i == 1;
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
	if (at_net_cfun_reset(r) && fun != 1)
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
		at_info(r, "+CFUN: %d", m->net.cfun);
		break;
	case AT_TEST:
		at_info(r, "+CFUN: (0,1,4),(0,1)");
		break;
	case AT_SET:
		if (at_net_cfun_reset(r))
			modem_reboot(m);
		else
			net_set_cfun(&m->net, (int)r->args[0].i);
		break;
	default:
		break;
	}
	return AT_RES_OK;
}

/* The operator of the simulated network: one per model. */
static const char *
at_net_oper(const struct net *n, int numeric)
{
	if (numeric)
		return n->lte ? "46000" : "46001";
	return n->lte ? "CHINA MOBILE" : "CHN-UNICOM";
}

/* AT+CSQ: signal quality (the technology's); 99,99 without a network. */
static int
at_net_csq(struct at_req *r)
{
	const struct net_rat_info *ri = net_rat_info(at_net(r)->rat);

	if (r->form == AT_TEST)
		at_info(r, "+CSQ: (0-31,99),(0-7,99)");
	else if (net_registered(at_net(r)))
		at_info(r, "+CSQ: %d,%d", ri->rssi, ri->ber);
	else
		at_info(r, "+CSQ: 99,99");
	return AT_RES_OK;
}

/* Which registration a +CxREG command is about. */
static enum net_domain
at_net_domain(const struct at_req *r)
{
	if (strcasecmp(r->cmd->name, "+CREG") == 0)
		return NET_REG_C;
	if (strcasecmp(r->cmd->name, "+CGREG") == 0)
		return NET_REG_G;
	return NET_REG_E;
}

/* AT+CREG / +CGREG / +CEREG: URC mode and registration state. */
static int
at_net_reg(struct at_req *r)
{
	struct net *n = at_net(r);
	enum net_domain d = at_net_domain(r);
	int stat = net_domain_reg(n, d);

	switch (r->form) {
	case AT_SET:
		net_set_reg_mode(n, d, r->nargs ? (int)r->args[0].i : 0);
		break;
	case AT_TEST:
		at_info(r, "%s: (0-2)", r->cmd->name);
		break;
	case AT_READ:
		if (n->reg_n[d] == 2 &&
		    (stat == NET_REG_HOME || stat == NET_REG_ROAMING))
			at_info(r, "%s: 2,%d,\"1A2B\",\"0C3D4E5\",%d",
			    r->cmd->name, stat, net_rat_info(n->rat)->act);
		else
			at_info(r, "%s: %d,%d", r->cmd->name, n->reg_n[d], stat);
		break;
	default:
		break;
	}
	return AT_RES_OK;
}

/* AT+COPS=<mode>: automatic selection only. */
static int
at_net_cops_check(struct at_req *r)
{
	if (r->form == AT_SET && r->args[0].i != 0)
		return CME_NOT_SUPPORTED;
	return AT_RES_OK;
}

/* AT+COPS: the operator, and the list of those in sight. */
static int
at_net_cops(struct at_req *r)
{
	struct net *n = at_net(r);

	switch (r->form) {
	case AT_READ:
		if (net_registered(n))
			at_info(r, "+COPS: 0,0,\"%s\",%d", at_net_oper(n, 0),
			    net_rat_info(n->rat)->act);
		else
			at_info(r, "+COPS: 0");
		break;
	case AT_TEST:
		at_info(r, "+COPS: (2,\"%s\",\"%s\",\"%s\",%d),,(0-4),(0-2)",
		    at_net_oper(n, 0), n->lte ? "CMCC" : "UNICOM",
		    at_net_oper(n, 1), net_rat_info(n->rat)->act);
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
	struct net *n = at_net(r);
	const struct net_rat_info *ri = net_rat_info(n->rat);

	if (r->form == AT_TEST)
		return AT_RES_OK;
	if (!net_registered(n))
		at_info(r, "+QNWINFO: No Service");
	else
		at_info(r, "+QNWINFO: \"%s\",\"%s\",\"%s\",%d", ri->qnw_act,
		    at_net_oper(n, 1), ri->qnw_band, ri->qnw_channel);
	return AT_RES_OK;
}

/* The canonical spelling of a PDP type, or NULL if the module has none. */
static const char *
at_net_pdp_type(const char *text)
{
	size_t i;

	for (i = 1; i < nitems(pdp_types); i++)
		if (strcasecmp(text, pdp_types[i]) == 0)
			return pdp_types[i];
	return NULL;
}

/* The <context_type> number of AT+QICSGP and +QIACT: 1 IPv4, 2 IPv6, 3
 * both. */
static int
at_net_pdp_type_number(const struct net_pdp *p)
{
	size_t t;

	for (t = 1; t < nitems(pdp_types); t++)
		if (strcmp(p->type, pdp_types[t]) == 0)
			return (int)t;
	return 1;
}

/* AT+CGDCONT=<cid>[,<type>[,<apn>]]: a known type; no undefining an
 * active context. */
static int
at_net_cgdcont_check(struct at_req *r)
{
	if (r->form != AT_SET)
		return AT_RES_OK;
	if (r->nargs == 1)
		return at_net(r)->pdp[r->args[0].i].active ? CME_NOT_ALLOWED :
		    AT_RES_OK;
	if (at_net_has(r, 1) && at_net_pdp_type(r->args[1].s) == NULL)
		return CME_BAD_PARAM;
	return AT_RES_OK;
}

/* AT+CGDCONT: define, undefine and list PDP contexts. */
static int
at_net_cgdcont(struct at_req *r)
{
	struct net *n = at_net(r);
	const struct net_pdp *p;
	int cid;

	switch (r->form) {
	case AT_TEST:
		at_info(r, "+CGDCONT: (1-15),\"IP\",,,(0-2),(0-4),(0,1)");
		at_info(r, "+CGDCONT: (1-15),\"IPV6\",,,(0-2),(0-4),(0,1)");
		at_info(r, "+CGDCONT: (1-15),\"IPV4V6\",,,(0-2),(0-4),(0,1)");
		break;
	case AT_READ:
		for (cid = 1; cid < NET_NCID; cid++) {
			p = &n->pdp[cid];
			if (p->defined)
				at_info(r, "+CGDCONT: %d,\"%s\",\"%s\",\"0.0.0.0\",0,0,0",
				    cid, p->type, p->apn);
		}
		break;
	case AT_SET:
		cid = (int)r->args[0].i;
		if (r->nargs == 1)
			net_pdp_undefine(n, cid);
		else
			net_pdp_define(n, cid, at_net_has(r, 1) ?
			    at_net_pdp_type(r->args[1].s) : NULL,
			    at_net_has(r, 2) ? r->args[2].s : NULL);
		break;
	default:
		break;
	}
	return AT_RES_OK;
}

/* AT+QICSGP=<cid> queries; setting needs at least the APN. */
static int
at_net_qicsgp_check(struct at_req *r)
{
	if (r->form == AT_SET && r->nargs != 1 && r->nargs < 3)
		return CME_BAD_PARAM;
	return AT_RES_OK;
}

/* AT+QICSGP: Quectel's view of the same contexts, with credentials. */
static int
at_net_qicsgp(struct at_req *r)
{
	struct net *n = at_net(r);
	const struct net_pdp *p;
	int cid;

	if (r->form == AT_TEST) {
		at_info(r, "+QICSGP: (1-15),(1-3),<APN>,<username>,<password>,(0-3)");
		return AT_RES_OK;
	}
	cid = (int)r->args[0].i;
	p = &n->pdp[cid];
	if (r->nargs == 1) {			/* query */
		at_info(r, "+QICSGP: %d,\"%s\",\"%s\",\"%s\",%d",
		    at_net_pdp_type_number(p), p->apn, p->user, p->pass,
		    p->auth);
		return AT_RES_OK;
	}
	/* The type may be omitted (AT+QICSGP=1,,"apn"): IPv4. */
	net_pdp_define(n, cid, pdp_types[at_net_has(r, 1) ? r->args[1].i : 1],
	    r->args[2].s);
	net_pdp_set_auth(n, cid, at_net_has(r, 3) ? r->args[3].s : "",
	    at_net_has(r, 4) ? r->args[4].s : "",
	    at_net_has(r, 5) ? (int)r->args[5].i : 0);
	return AT_RES_OK;
}

/* The context an AT+CGACT=<state>[,<cid>] is about (default 1). */
static int
at_net_cgact_cid(const struct at_req *r)
{
	return at_net_has(r, 1) ? (int)r->args[1].i : 1;
}

/* AT+CGACT=1: activating needs a defined context that is not already
 * coming up, and a network. */
static int
at_net_cgact_check(struct at_req *r)
{
	struct net *n = at_net(r);
	const struct net_pdp *p;

	if (r->form != AT_SET || r->args[0].i != 1)
		return AT_RES_OK;
	p = &n->pdp[at_net_cgact_cid(r)];
	if (!p->defined)
		return CME_BAD_PARAM;
	if (!net_registered(n))
		return CME_NO_NETWORK;
	if (p->activating)
		return AT_RES_ERROR;
	return AT_RES_OK;
}

/* AT+CGACT: activate, deactivate and list contexts. */
static int
at_net_cgact(struct at_req *r)
{
	struct net *n = at_net(r);
	int cid;

	switch (r->form) {
	case AT_TEST:
		at_info(r, "+CGACT: (0,1)");
		break;
	case AT_READ:
		for (cid = 1; cid < NET_NCID; cid++)
			if (n->pdp[cid].defined)
				at_info(r, "+CGACT: %d,%d", cid, n->pdp[cid].active);
		break;
	case AT_SET:
		cid = at_net_cgact_cid(r);
		if (r->args[0].i == 0) {
			net_pdp_deactivate(n, cid, 0);
			break;
		}
		if (n->pdp[cid].active)
			break;			/* already active: OK (27.007) */
		/* Answers when the network has, as AT+QIACT. */
		at_req_modem(r)->act_cid = cid;
		at_req_modem(r)->act_iface = modem_req_iface(r);
		net_pdp_activate(n, cid);
		return AT_RES_PENDING;
	default:
		break;
	}
	return AT_RES_OK;
}

/* AT+CGPADDR: the address of each (or one) context. */
static int
at_net_cgpaddr(struct at_req *r)
{
	struct net *n = at_net(r);
	char addr[32];
	int cid, first = 1, last = NET_NCID - 1;

	if (r->form == AT_TEST) {
		at_info(r, "+CGPADDR: (1-15)");
		return AT_RES_OK;
	}
	if (r->form == AT_SET && at_net_has(r, 0))
		first = last = (int)r->args[0].i;
	for (cid = first; cid <= last; cid++) {
		if (!n->pdp[cid].defined)
			continue;
		net_pdp_addr(n, cid, addr, sizeof addr);
		at_info(r, "+CGPADDR: %d,\"%s\"", cid, addr);
	}
	return AT_RES_OK;
}

/* AT+QIACT=<cid>: a defined context that is not up or coming up. */
static int
at_net_qiact_check(struct at_req *r)
{
	const struct net_pdp *p;

	if (r->form != AT_SET)
		return AT_RES_OK;
	p = &at_net(r)->pdp[r->args[0].i];
	if (!p->defined)
		return CME_BAD_PARAM;
	if (p->active || p->activating)
		return AT_RES_ERROR;
	return AT_RES_OK;
}

/* AT+QIACT: activate a context (answers when the network has), list the
 * active ones. */
static int
at_net_qiact(struct at_req *r)
{
	struct modem *m = at_req_modem(r);
	char addr[32];
	int cid;

	switch (r->form) {
	case AT_TEST:
		at_info(r, "+QIACT: (1-15)");
		break;
	case AT_READ:
		for (cid = 1; cid < NET_NCID; cid++)
			if (m->net.pdp[cid].active) {
				net_pdp_addr(&m->net, cid, addr, sizeof addr);
				at_info(r, "+QIACT: %d,1,%d,\"%s\"", cid,
				    at_net_pdp_type_number(&m->net.pdp[cid]),
				    addr);
			}
		break;
	case AT_SET:
		m->act_cid = (int)r->args[0].i;
		m->act_iface = modem_req_iface(r);
		net_pdp_activate(&m->net, m->act_cid);
		return AT_RES_PENDING;
	default:
		break;
	}
	return AT_RES_OK;
}

/* AT+CGEREP: whether +CGEV URCs are printed (default 0: not). */
static int
at_net_cgerep(struct at_req *r)
{
	struct net *n = at_net(r);

	if (r->form == AT_TEST)
		at_info(r, "+CGEREP: (0-2),(0,1)");
	else if (r->form == AT_READ)
		at_info(r, "+CGEREP: %d,0", n->cgerep);
	else
		net_set_event_mode(n, at_net_has(r, 0) ? (int)r->args[0].i : 0);
	return AT_RES_OK;
}

/* AT+QIDEACT=<cid>: deactivate a context (OK if it was not active). */
static int
at_net_qideact(struct at_req *r)
{
	if (r->form == AT_TEST)
		at_info(r, "+QIDEACT: (1-15)");
	else
		net_pdp_deactivate(at_net(r), (int)r->args[0].i, 0);
	return AT_RES_OK;
}

#define RTS	(AT_READ | AT_TEST | AT_SET)
const struct at_cmd at_network_cmds[] = {
	{ .name = "+CPIN", .forms = RTS, .params = p_pin, .nreq = 1,
	  .needs = AT_NEED_SIM | AT_NEED_SIM_ON,
	  .check = at_net_cpin_check, .proceed = at_net_cpin },
	{ .name = "+CFUN", .forms = RTS, .params = p_cfun, .nreq = 1,
	  .check = at_net_cfun_check, .proceed = at_net_cfun },
	{ .name = "+CSQ", .forms = AT_EXEC | AT_TEST, .proceed = at_net_csq },
	{ .name = "+CREG", .forms = RTS, .params = p_reg, .proceed = at_net_reg },
	{ .name = "+CGREG", .forms = RTS, .params = p_reg, .proceed = at_net_reg },
	{ .name = "+CEREG", .forms = RTS, .params = p_reg, .proceed = at_net_reg },
	{ .name = "+COPS", .forms = RTS, .params = p_cops, .nreq = 1,
	  .needs = AT_NEED_REG, .need_forms = AT_TEST,
	  .check = at_net_cops_check, .proceed = at_net_cops },
	{ .name = "+QNWINFO", .forms = AT_EXEC | AT_TEST,
	  .proceed = at_net_qnwinfo },
	{ .name = "+CGDCONT", .forms = RTS, .params = p_cgdcont, .nreq = 1,
	  .check = at_net_cgdcont_check, .proceed = at_net_cgdcont },
	{ .name = "+QICSGP", .forms = AT_TEST | AT_SET, .params = p_qicsgp,
	  .nreq = 1, .check = at_net_qicsgp_check, .proceed = at_net_qicsgp },
	{ .name = "+CGACT", .forms = RTS, .params = p_cgact, .nreq = 1,
	  .check = at_net_cgact_check, .proceed = at_net_cgact },
	{ .name = "+CGPADDR", .forms = AT_EXEC | AT_TEST | AT_SET,
	  .params = p_cid, .proceed = at_net_cgpaddr },
	{ .name = "+CGEREP", .forms = RTS, .params = p_cgerep,
	  .proceed = at_net_cgerep },
	{ .name = "+QIACT", .forms = RTS, .params = p_cid, .nreq = 1,
	  .needs = AT_NEED_REG, .need_forms = AT_SET,
	  .check = at_net_qiact_check, .proceed = at_net_qiact },
	{ .name = "+QIDEACT", .forms = AT_TEST | AT_SET, .params = p_cid,
	  .nreq = 1, .proceed = at_net_qideact },
	{ .name = NULL },
};
#undef RTS
