/*
 * at-port.c: flow control settings: +IFC (UART) and +QCFG="usbifc" (USB AT
 * port), which the FILE: upload path reads to pace the host; and
 * +QCFG="fota/cid", the context AT+QFOTADL downloads over; +QURCCFG, the
 * port URCs go to.
 */
#include "config.h"

#include <strings.h>

#include "at-cmd.h"
#include "modem.h"

static const struct at_param p_ifc[] = { AT_INT(0, 2), AT_INT(0, 2), AT_END };
static const struct at_param p_qcfg[] = { AT_STR(32), AT_ANY, AT_ANY, AT_END };

/* Flow control values: 0 none, 2 RTS/CTS (1, XON/XOFF, is not supported). */
static int
at_port_check_ifc_values(const struct at_req *r, unsigned first)
{
	unsigned i;

	for (i = first; i < r->nargs && i < first + 2; i++) {
		if (!r->args[i].present)
			continue;
		if (r->args[i].type != AT_P_INT ||
		    (r->args[i].i != 0 && r->args[i].i != 2))
			return CME_BAD_PARAM;
	}
	return AT_RES_OK;
}

/* AT+IFC=<dce_by_dte>,<dte_by_dce>: values 0 and 2 only. */
static int
at_port_ifc_check(struct at_req *r)
{
	return r->form == AT_SET ? at_port_check_ifc_values(r, 0) : AT_RES_OK;
}

/* AT+IFC: UART flow control (saved by AT&W). */
static int
at_port_ifc(struct at_req *r)
{
	struct modem *m = at_req_modem(r);

	switch (r->form) {
	case AT_READ:
		at_info(r, "+IFC: %d,%d", m->ifc_dce, m->ifc_dte);
		break;
	case AT_TEST:
		at_info(r, "+IFC: (0,2),(0,2)");
		break;
	case AT_SET:
		m->ifc_dce = r->nargs > 0 && r->args[0].present ? (int)r->args[0].i : 0;
		m->ifc_dte = r->nargs > 1 && r->args[1].present ? (int)r->args[1].i : 0;
		break;
	default:
		break;
	}
	return AT_RES_OK;
}

/* AT+QCFG="usbifc"[,<dce>,<dte>]: values 0 and 2, both or neither. */
static int
at_port_usbifc_check(struct at_req *r)
{
	if (r->nargs == 1)
		return AT_RES_OK;	/* a query, with or without the '?' */
	if (r->set_query)
		return CME_BAD_PARAM;
	if (r->nargs != 3 || !r->args[1].present || !r->args[2].present)
		return CME_BAD_PARAM;
	return at_port_check_ifc_values(r, 1);
}

/* AT+QCFG="usbifc"[,<dce>,<dte>]: USB AT port flow control, saved at once;
 * AT+QCFG="usbifc" and the manual's AT+QCFG="USBIFC"? query it. */
static int
at_port_usbifc(struct at_req *r)
{
	struct modem *m = at_req_modem(r);

	if (r->nargs == 1) {
		at_info(r, "+QCFG: \"usbifc\",%d,%d", m->nv.usbifc_dce,
		    m->nv.usbifc_dte);
		return AT_RES_OK;
	}
	m->nv.usbifc_dce = (int)r->args[1].i;
	m->nv.usbifc_dte = (int)r->args[2].i;
	return modem_nv_save(m) == 0 ? AT_RES_OK : AT_RES_ERROR;
}

/* AT+QCFG="fota/cid"[,<cid>]: a context id 1-15. */
static int
at_port_fota_cid_check(struct at_req *r)
{
	if (r->nargs == 1)
		return AT_RES_OK;	/* a query, with or without the '?' */
	if (r->set_query || r->nargs != 2 || r->args[1].type != AT_P_INT ||
	    r->args[1].i < 1 || r->args[1].i >= NET_NCID)
		return CME_BAD_PARAM;
	return AT_RES_OK;
}

/* AT+QCFG="fota/cid"[,<cid>]: the context AT+QFOTADL downloads over. */
static int
at_port_fota_cid(struct at_req *r)
{
	struct modem *m = at_req_modem(r);

	if (r->nargs == 1)
		at_info(r, "+QCFG: \"fota/cid\",%d", m->fota.xfer.cid);
	else
		m->fota.xfer.cid = (int)r->args[1].i;
	return AT_RES_OK;
}

/* The AT+QCFG settings: name, test line, check, proceed. */
static const struct {
	const char	*name;
	const char	*test;
	int		(*check)(struct at_req *);
	int		(*proceed)(struct at_req *);
} at_port_qcfgs[] = {
	{ "usbifc", "+QCFG: \"usbifc\",(0,2),(0,2)", at_port_usbifc_check,
	  at_port_usbifc },
	{ "fota/cid", "+QCFG: \"fota/cid\",(1-15)", at_port_fota_cid_check,
	  at_port_fota_cid },
};

/* The setting an AT+QCFG is about; nitems() if none. */
static size_t
at_port_qcfg_find(const struct at_req *r)
{
	size_t i;

	for (i = 0; i < nitems(at_port_qcfgs); i++)
		if (strcasecmp(r->args[0].s, at_port_qcfgs[i].name) == 0)
			break;
	return i;
}

/* AT+QCFG=<name>[,...]: a setting the module has, with its values. */
static int
at_port_qcfg_check(struct at_req *r)
{
	size_t i;

	if (r->form == AT_TEST)
		return AT_RES_OK;
	if ((i = at_port_qcfg_find(r)) == nitems(at_port_qcfgs))
		return CME_BAD_PARAM;
	return at_port_qcfgs[i].check(r);
}

/* AT+QCFG: list the settings, or read or change one. */
static int
at_port_qcfg(struct at_req *r)
{
	size_t i;

	if (r->form == AT_TEST) {
		for (i = 0; i < nitems(at_port_qcfgs); i++)
			at_info(r, "%s", at_port_qcfgs[i].test);
		return AT_RES_OK;
	}
	return at_port_qcfgs[at_port_qcfg_find(r)].proceed(r);
}

static const struct at_param p_qurccfg[] = { AT_STR(16), AT_STR(16),
	AT_END };
/* AT+QURCCFG="urcport"[,<port>]: one of the module's port names. */
static int
at_port_qurccfg_check(struct at_req *r)
{
	if (r->form == AT_TEST)
		return AT_RES_OK;
	if (strcasecmp(r->args[0].s, "urcport") != 0 || r->nargs > 2)
		return CME_BAD_PARAM;
	if (r->nargs == 1)
		return AT_RES_OK;	/* a query */
	if (!r->args[1].present || r->args[1].type != AT_P_STR ||
	    modem_urcport_value(r->args[1].s) == 0)
		return CME_BAD_PARAM;
	return AT_RES_OK;
}

/* AT+QURCCFG: which port gets the URCs no command asked for; saved at
 * once, as on the module.  A port fotasim does not emulate gets them all
 * the same: they are lost (docs/network.md). */
static int
at_port_qurccfg(struct at_req *r)
{
	struct modem *m = at_req_modem(r);

	if (r->form == AT_TEST) {
		at_info(r, "+QURCCFG: \"urcport\",(\"usbat\",\"usbmodem\","
		    "\"uart1\")");
		return AT_RES_OK;
	}
	if (r->nargs == 1) {
		at_info(r, "+QURCCFG: \"urcport\",\"%s\"",
		    modem_urcport_name(m));
		return AT_RES_OK;
	}
	m->nv.urcport = modem_urcport_value(r->args[1].s);
	return modem_nv_save(m) == 0 ? AT_RES_OK : AT_RES_ERROR;
}

const struct at_cmd at_port_cmds[] = {
	{ .name = "+IFC", .forms = AT_READ | AT_TEST | AT_SET, .params = p_ifc,
	  .check = at_port_ifc_check, .proceed = at_port_ifc },
	{ .name = "+QCFG", .forms = AT_TEST | AT_SET, .params = p_qcfg,
	  .nreq = 1, .set_query = 1,
	  .check = at_port_qcfg_check, .proceed = at_port_qcfg },
	{ .name = "+QURCCFG", .forms = AT_TEST | AT_SET, .params = p_qurccfg,
	  .nreq = 1, .check = at_port_qurccfg_check,
	  .proceed = at_port_qurccfg },
	{ .name = NULL },
};
