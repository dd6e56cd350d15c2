/*
 * at-basic.c: V.250 basics and engine settings: E, V, Q, Z, &F, &W, S<n>,
 * +CMEE, and power-down (+QPOWD).
 */
#include "config.h"

#include <string.h>

#include "at-cmd.h"
#include "modem.h"

#define QPOWD_DELAY	0.3	/* simulated seconds from OK to POWERED DOWN */

static const struct at_param p_bit[] = { AT_INT(0, 1), AT_END };
static const struct at_param p_zero[] = { AT_INT(0, 0), AT_END };
static const struct at_param p_cmee[] = { AT_INT(0, 2), AT_END };
static const struct at_param p_sreg[] = { AT_INT(0, 255), AT_END };

/* Value of a basic command's optional digit (ATE == ATE0). */
static long
at_basic_value(const struct at_req *r)
{
	return r->nargs > 0 ? r->args[0].i : 0;
}

/* ATE: command echo. */
static int
at_basic_echo(struct at_req *r)
{
	r->engine->set.echo = (int)at_basic_value(r);
	return AT_RES_OK;
}

/* ATV: verbose (text) or numeric result codes. */
static int
at_basic_verbose(struct at_req *r)
{
	r->engine->set.verbose = (int)at_basic_value(r);
	return AT_RES_OK;
}

/* ATQ: suppress result codes. */
static int
at_basic_quiet(struct at_req *r)
{
	r->engine->set.quiet = (int)at_basic_value(r);
	return AT_RES_OK;
}

/* ATZ: back to the saved profile. */
static int
at_basic_reset(struct at_req *r)
{
	struct modem *m = at_req_modem(r);

	modem_nv_load(m);
	r->engine->set = m->nv.at;
	m->ifc_dce = m->nv.ifc_dce;
	m->ifc_dte = m->nv.ifc_dte;
	return AT_RES_OK;
}

/* AT&F: factory defaults for the active settings. */
static int
at_basic_factory(struct at_req *r)
{
	at_settings_default(&r->engine->set);
	return AT_RES_OK;
}

/* AT&W: save the active settings as the profile. */
static int
at_basic_save(struct at_req *r)
{
	struct modem *m = at_req_modem(r);

	m->nv.at = r->engine->set;
	m->nv.ifc_dce = m->ifc_dce;
	m->nv.ifc_dte = m->ifc_dte;
	return modem_nv_save(m) == 0 ? AT_RES_OK : AT_RES_ERROR;
}

/* ATS<n>=<v>: S0, S3, S4 and S5 exist (else ERROR); S3-S5 hold 7-bit
 * characters, and S3/S5 may not be A, T or /, which would make "AT"
 * unreachable. */
static int
at_basic_s_check(struct at_req *r)
{
	long n = r->sreg, v = r->args[0].i;

	if (n != 0 && (n < 3 || n > 5))
		return AT_RES_ERROR;
	if (r->form != AT_SET || n == 0)
		return AT_RES_OK;
	if (v > 127 || (n != 4 && v != 0 && strchr("AaTt/", (int)v) != NULL))
		return CME_BAD_PARAM;
	return AT_RES_OK;
}

/* ATS<n>? and ATS<n>=<v>. */
static int
at_basic_s(struct at_req *r)
{
	struct at_settings *s = &r->engine->set;
	unsigned char *reg;

	if (r->sreg == 0) {
		if (r->form == AT_SET)
			s->s0 = (int)r->args[0].i;
		else
			at_info(r, "%03d", s->s0);
		return AT_RES_OK;
	}
	reg = r->sreg == 3 ? &s->s3 : r->sreg == 4 ? &s->s4 : &s->s5;
	if (r->form == AT_SET)
		*reg = (unsigned char)r->args[0].i;
	else
		at_info(r, "%03d", *reg);
	return AT_RES_OK;
}

/* AT+CMEE: error reporting as ERROR, numeric or verbose +CME ERROR. */
static int
at_basic_cmee(struct at_req *r)
{
	switch (r->form) {
	case AT_READ:
		at_info(r, "+CMEE: %d", r->engine->set.cmee);
		break;
	case AT_TEST:
		at_info(r, "+CMEE: (0-2)");
		break;
	case AT_SET:
		r->engine->set.cmee = r->nargs ? (int)r->args[0].i : 0;
		break;
	default:
		break;
	}
	return AT_RES_OK;
}

/* AT+QPOWD[=n]: 1 (default) says POWERED DOWN, 0 cuts power at once. */
static int
at_basic_qpowd(struct at_req *r)
{
	struct modem *m = at_req_modem(r);

	if (r->form == AT_TEST) {
		at_info(r, "+QPOWD: (0,1)");
		return AT_RES_OK;
	}
	if (r->form == AT_SET && r->nargs > 0 && r->args[0].i == 0)
		modem_power_down_later(m, 0, 0);
	else
		modem_power_down_later(m, QPOWD_DELAY, 1);
	return AT_RES_OK;
}

const struct at_cmd at_basic_cmds[] = {
	{ .name = "E", .forms = AT_EXEC, .params = p_bit, .proceed = at_basic_echo },
	{ .name = "V", .forms = AT_EXEC, .params = p_bit,
	  .proceed = at_basic_verbose },
	{ .name = "Q", .forms = AT_EXEC, .params = p_bit, .proceed = at_basic_quiet },
	{ .name = "Z", .forms = AT_EXEC, .params = p_zero, .proceed = at_basic_reset },
	{ .name = "&F", .forms = AT_EXEC, .params = p_zero,
	  .proceed = at_basic_factory },
	{ .name = "&W", .forms = AT_EXEC, .params = p_zero, .proceed = at_basic_save },
	{ .name = "S", .forms = AT_READ | AT_SET, .params = p_sreg, .nreq = 1,
	  .check = at_basic_s_check, .proceed = at_basic_s },
	{ .name = "+CMEE", .forms = AT_READ | AT_TEST | AT_SET, .params = p_cmee,
	  .proceed = at_basic_cmee },
	{ .name = "+QPOWD", .forms = AT_EXEC | AT_TEST | AT_SET, .params = p_bit,
	  .proceed = at_basic_qpowd },
	{ .name = NULL },
};
