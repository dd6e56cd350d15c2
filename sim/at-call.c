/*
 * at-call.c: voice calls: A (answer), H and +CHUP (hang up), +CLIP and
 * +CLCC.  The call lives in the modem's struct net (sim/net/net.h); it
 * comes in from the network (--net-event "T=6 call ring NUMBER"), and the
 * handlers change it only through the net setters.
 */
#include "config.h"

#include "at-cmd.h"
#include "modem.h"

static const struct at_param p_zero[] = { AT_INT(0, 0), AT_END };
static const struct at_param p_clip[] = { AT_INT(0, 1), AT_END };

/* The network state behind a request. */
static struct net *
at_call_net(struct at_req *r)
{
	return &at_req_modem(r)->net;
}

/* ATA with nothing ringing: V.250's NO CARRIER. */
static int
at_call_answer_check(struct at_req *r)
{
	return at_call_net(r)->call == NET_CALL_RINGING ? AT_RES_OK :
	    AT_RES_NO_CARRIER;
}

/* ATA: answer the ringing call. */
static int
at_call_answer(struct at_req *r)
{
	net_call_answer(at_call_net(r));
	return AT_RES_OK;
}

/* ATH, AT+CHUP: hang up whatever call there is (OK with none). */
static int
at_call_hangup(struct at_req *r)
{
	if (r->form != AT_TEST)
		net_call_hangup(at_call_net(r), 0);
	return AT_RES_OK;
}

/* AT+CLIP: show the caller's number after each RING. */
static int
at_call_clip(struct at_req *r)
{
	struct net *n = at_call_net(r);

	if (r->form == AT_TEST)
		at_info(r, "+CLIP: (0,1)");
	else if (r->form == AT_READ)
		at_info(r, "+CLIP: %d,1", n->clip);	/* 1: provisioned */
	else
		net_set_clip(n, r->nargs > 0 && r->args[0].present ?
		    (int)r->args[0].i : 0);
	return AT_RES_OK;
}

/* AT+CLCC: the current calls (one, incoming, voice). */
static int
at_call_clcc(struct at_req *r)
{
	const struct net *n = at_call_net(r);

	if (r->form == AT_EXEC && n->call != NET_CALL_NONE)
		at_info(r, "+CLCC: 1,1,%d,0,0,\"%s\",%d",
		    n->call == NET_CALL_ACTIVE ? 0 : 4, n->call_number,
		    n->call_number[0] == '+' ? 145 : 129);
	return AT_RES_OK;
}

const struct at_cmd at_call_cmds[] = {
	{ .name = "A", .forms = AT_EXEC, .check = at_call_answer_check,
	  .proceed = at_call_answer },
	{ .name = "H", .forms = AT_EXEC, .params = p_zero,
	  .proceed = at_call_hangup },
	{ .name = "+CHUP", .forms = AT_EXEC | AT_TEST,
	  .proceed = at_call_hangup },
	{ .name = "+CLIP", .forms = AT_READ | AT_TEST | AT_SET,
	  .params = p_clip, .nreq = 1, .proceed = at_call_clip },
	{ .name = "+CLCC", .forms = AT_EXEC | AT_TEST,
	  .proceed = at_call_clcc },
	{ .name = NULL },
};
