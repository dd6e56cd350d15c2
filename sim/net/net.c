/*
 * net.c: registration, radio and PDP state, changed only by its setters.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net.h"
#include "translog.h"
#include "util.h"

#define NET_SEARCH_TIME	1.5	/* simulated seconds, CFUN=1 to registered */

/* The cell the simulated network puts every registered module in. */
#define NET_LAC		"1A2B"
#define NET_CI		"0C3D4E5"

static const char *const net_domain_names[NET_NDOMAIN] = {
	"+CREG", "+CGREG", "+CEREG",
};

/* How --net-event spells each action (a pdp one after "pdp <cid> "). */
static const char *const net_action_names[NET_NACTION] = {
	"coverage lost", "coverage back", "deactivated", "activate",
	"registration home", "registration roaming", "registration denied",
	"call ring", "call hangup", "rat",
};

/* An action as --net-event spells it. */
static void
net_action_text(enum net_action a, int cid, const char *number, char *buf,
    size_t size)
{
	if (a == NET_DO_PDP_DEACTIVATE || a == NET_DO_PDP_ACTIVATE)
		snprintf(buf, size, "pdp %d %s", cid, net_action_names[a]);
	else if (a == NET_DO_CALL_RING)
		snprintf(buf, size, "%s %s", net_action_names[a], number);
	else if (a == NET_DO_RAT)
		snprintf(buf, size, "%s %s", net_action_names[a],
		    net_rat_info((enum net_rat)cid)->name);
	else
		snprintf(buf, size, "%s", net_action_names[a]);
}

/* Send a URC line through the modem. */
static void
net_urc(struct net *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void	net_rat_change(struct net *, enum net_rat, const char *);
static void	net_data_update(struct net *);

static void
net_urc(struct net *n, const char *fmt, ...)
{
	va_list ap;
	char line[256];

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n->cbs.urc != NULL)
		n->cbs.urc(n->cbs.arg, line);
}

/* A +CGEV line: only with AT+CGEREP=1 or 2 (27.007's default 0 keeps
 * them in the module). */
static void
net_urc_cgev(struct net *n, const char *what, int cid)
{
	if (n->cgerep != 0)
		net_urc(n, "+CGEV: %s %d", what, cid);
}

/* Tell the modem something happened. */
static void
net_event(struct net *n, enum net_event ev, int cid)
{
	if (n->cbs.event != NULL)
		n->cbs.event(n->cbs.arg, ev, cid);
}

/* A domain's <stat> and <AcT> as its +CxREG URC mode shows them. */
static void
net_reg_urc(struct net *n, enum net_domain d, enum net_reg stat)
{
	if (n->reg_n[d] == 2 && (stat == NET_REG_HOME ||
	    stat == NET_REG_ROAMING))
		net_urc(n, "%s: %d,\"%s\",\"%s\",%d", net_domain_names[d],
		    stat, NET_LAC, NET_CI, net_rat_info(n->rat)->act);
	else if (n->reg_n[d] != 0)
		net_urc(n, "%s: %d", net_domain_names[d], stat);
}

/* Recompute the link profile in force. */
static void
net_link_update(struct net *n)
{
	const struct net_link_override *o = &n->link_override;

	n->link = net_rat_info(n->rat)->link;
	if (o->set & NET_LINK_DOWN)
		n->link.down_bps = o->p.down_bps;
	if (o->set & NET_LINK_UP)
		n->link.up_bps = o->p.up_bps;
	if (o->set & NET_LINK_RTT)
		n->link.rtt = o->p.rtt;
	if (o->set & NET_LINK_JITTER)
		n->link.jitter = o->p.jitter;
	/* A one-way delay never goes below zero. */
	if (n->link.jitter > n->link.rtt / 2)
		n->link.jitter = n->link.rtt / 2;
}

/* Class B: a voice call on GSM, GPRS or EDGE holds packet data until it
 * is over (the only place that changes data_suspended). */
static void
net_data_update(struct net *n)
{
	int s = n->call != NET_CALL_NONE && net_rat_info(n->rat)->class_b;

	if (s == n->data_suspended)
		return;
	n->data_suspended = s;
	translog_state(n->log, "radio", "packet data %s", s ?
	    "suspended: a voice call on a class-B technology" : "resumed");
	net_event(n, s ? NET_EV_DATA_SUSPENDED : NET_EV_DATA_RESUMED, 0);
}

/* The technology changes (a handover, a CS fallback and back): the URCs
 * of a cell change, then the link and packet data follow. */
static void
net_rat_change(struct net *n, enum net_rat rat, const char *why)
{
	enum net_reg before[NET_NDOMAIN], after;
	char text[128];
	int d;

	if (n->rat == rat)
		return;
	for (d = 0; d < NET_NDOMAIN; d++)
		before[d] = net_domain_reg(n, (enum net_domain)d);
	translog_state(n->log, "radio", "technology %s -> %s: %s",
	    net_rat_info(n->rat)->label, net_rat_info(rat)->label, why);
	n->rat = rat;
	net_link_update(n);
	net_link_text(&n->link, text, sizeof text);
	translog_state(n->log, "radio", "link %s", text);
	for (d = 0; d < NET_NDOMAIN; d++) {
		after = net_domain_reg(n, (enum net_domain)d);
		/* Mode 2 shows every change of cell, mode 1 only <stat>. */
		if (after != before[d] || (n->reg_n[d] == 2 &&
		    net_registered(n) && d != NET_REG_E))
			net_reg_urc(n, (enum net_domain)d, after);
	}
	net_event(n, NET_EV_RAT, 0);
	net_data_update(n);
}

/* The registration search finished. */
static void
net_search_cb(struct clock_timer *t, void *arg)
{
	struct net *n = arg;

	(void)t;
	if (n->cfun == 1 && n->sim_ready && n->coverage)
		net_set_reg(n, n->serving);
}

/* Whether the network rejects an APN. */
static int
net_apn_rejected(const struct net *n, const char *apn)
{
	int i;

	for (i = 0; i < n->nreject; i++)
		if (strcasecmp(n->reject[i], apn) == 0)
			return 1;
	return 0;
}

/* An activation ends without a context: say why. */
static void
net_pdp_fail(struct net *n, int cid, const char *why)
{
	clock_timer_stop(&n->act_t[cid]);
	n->pdp[cid].activating = 0;
	translog_state(n->log, "pdp", "%d activation failed: %s", cid, why);
	net_event(n, NET_EV_PDP_FAILED, cid);
}

/* An activation's time is up: the network answers. */
static void
net_act_cb(struct clock_timer *t, void *arg)
{
	struct net *n = arg;
	int cid = (int)(t - n->act_t);
	struct net_pdp *p = &n->pdp[cid];

	if (!p->defined)
		net_pdp_fail(n, cid, "no such context");
	else if (!net_registered(n))
		net_pdp_fail(n, cid, "no network");
	else if (net_apn_rejected(n, p->apn))
		net_pdp_fail(n, cid, "the network rejects the APN");
	else {
		p->activating = 0;
		net_pdp_set_active(n, cid, 1);
		net_urc_cgev(n, "ME PDN ACT", cid);
		net_event(n, NET_EV_PDP_UP, cid);
	}
}

/* Drop a context without asking the network; `urc`: print +CGEV. */
static void
net_pdp_drop(struct net *n, int cid, int urc)
{
	struct net_pdp *p = &n->pdp[cid];

	if (p->activating)
		net_pdp_fail(n, cid, "the radio went away");
	if (!p->active)
		return;
	net_pdp_set_active(n, cid, 0);
	if (urc)
		net_urc_cgev(n, "ME PDN DEACT", cid);
	net_event(n, NET_EV_PDP_DOWN, cid);
}

/* RING, then +CLIP with AT+CLIP=1; again after NET_RING_PERIOD. */
static void
net_ring_cb(struct clock_timer *t, void *arg)
{
	struct net *n = arg;

	(void)t;
	if (n->call != NET_CALL_RINGING)
		return;
	net_urc(n, "RING");
	if (n->clip)
		net_urc(n, "+CLIP: \"%s\",%d", n->call_number,
		    n->call_number[0] == '+' ? 145 : 129);
	clock_timer_start(&n->ring_t, NET_RING_PERIOD);
}

/* The call's state changes (the only place that assigns it). */
static void
net_call_set(struct net *n, enum net_call c, const char *why)
{
	static const char *const names[] = { "none", "ringing", "active" };

	if (n->call == c)
		return;
	translog_state(n->log, "call", "%s -> %s: %s", names[n->call],
	    names[c], why);
	n->call = c;
	if (c != NET_CALL_RINGING)
		clock_timer_stop(&n->ring_t);
	if (c == NET_CALL_NONE)
		n->call_number[0] = '\0';
	if (c == NET_CALL_NONE && n->csfb_from != NET_NRAT) {
		enum net_rat back = n->csfb_from;

		n->csfb_from = NET_NRAT;
		net_rat_change(n, back, "the call is over: back from CS "
		    "fallback");
	}
	net_data_update(n);
}

void
net_action_run(struct net *n, enum net_action what, int cid,
    const char *number)
{
	char text[64];

	net_action_text(what, cid, number, text, sizeof text);
	translog_state(n->log, "network", "event: %s", text);
	switch (what) {
	case NET_DO_COVERAGE_LOST:
		net_set_coverage(n, 0);
		break;
	case NET_DO_COVERAGE_BACK:
		net_set_coverage(n, 1);
		break;
	case NET_DO_PDP_DEACTIVATE:
		net_pdp_deactivate(n, cid, 1);
		break;
	case NET_DO_PDP_ACTIVATE:
		net_pdp_activate(n, cid);
		break;
	case NET_DO_REG_HOME:
		net_set_serving(n, NET_REG_HOME);
		break;
	case NET_DO_REG_ROAMING:
		net_set_serving(n, NET_REG_ROAMING);
		break;
	case NET_DO_REG_DENIED:
		net_set_serving(n, NET_REG_DENIED);
		break;
	case NET_DO_CALL_RING:
		net_call_ring(n, number);
		break;
	case NET_DO_CALL_HANGUP:
		net_call_hangup(n, 1);
		break;
	case NET_DO_RAT:
		(void)net_set_rat(n, (enum net_rat)cid, "handover");
		break;
	default:
		break;
	}
}

/* A timed network event is due. */
static void
net_timed_cb(struct clock_timer *t, void *arg)
{
	struct net_timed *e = arg;

	(void)t;
	net_action_run(e->net, e->what, e->cid, e->number);
}

void
net_init(struct net *n, struct clock *clock, struct translog *log, int lte,
    const struct net_cbs *cbs)
{
	int cid;

	memset(n, 0, sizeof *n);
	n->clock = clock;
	n->log = log;
	n->lte = lte;
	if (cbs != NULL)
		n->cbs = *cbs;
	clock_timer_init(&n->search_t, clock, net_search_cb, n);
	clock_timer_init(&n->ring_t, clock, net_ring_cb, n);
	for (cid = 0; cid < NET_NCID; cid++)
		clock_timer_init(&n->act_t[cid], clock, net_act_cb, n);
	n->coverage = 1;
	n->serving = NET_REG_HOME;
	n->rat = net_rat_default(lte);
	n->csfb_from = NET_NRAT;
	net_link_update(n);
	n->act_time = NET_ACT_TIME;
	n->dns_timeout = NET_DNS_TIME;
	net_reset(n);
}

void
net_stop(struct net *n)
{
	int cid;

	clock_timer_stop(&n->search_t);
	clock_timer_stop(&n->ring_t);
	for (cid = 0; cid < NET_NCID; cid++)
		clock_timer_stop(&n->act_t[cid]);
}

void
net_free(struct net *n)
{
	int i;

	net_stop(n);
	for (i = 0; i < n->nevents; i++)
		clock_timer_stop(&n->events[i].t);
}

int
net_reject_apn(struct net *n, const char *apn)
{
	if (n->nreject == NET_REJECT_MAX || strlen(apn) >= sizeof n->reject[0])
		return -1;
	str_copy(n->reject[n->nreject++], apn, sizeof n->reject[0]);
	translog_state(n->log, "network", "rejects APN \"%s\"", apn);
	return 0;
}

int
net_event_parse(const char *spec, double *at, enum net_action *what, int *cidp,
    char *number, char *err, size_t errlen)
{
	const char *p = spec, *num = "";
	char *end, text[160];
	long cid = 0;
	size_t len;
	int a;

	if (strncasecmp(p, "T=", 2) != 0) {
		snprintf(err, errlen, "'%s': expected T=SECONDS first", spec);
		return -1;
	}
	*at = strtod(p + 2, &end);
	if (end == p + 2 || *at < 0 || (*end != ' ' && *end != '\t')) {
		snprintf(err, errlen, "'%s': T= wants simulated seconds >= 0, "
		    "then the event", spec);
		return -1;
	}
	for (p = end; *p == ' ' || *p == '\t'; p++)
		;
	if (strncasecmp(p, "pdp ", 4) == 0) {
		cid = strtol(p + 4, &end, 10);
		if (end == p + 4 || cid < 1 || cid >= NET_NCID) {
			snprintf(err, errlen, "'%s': a pdp event wants a cid "
			    "1-%d", spec, NET_NCID - 1);
			return -1;
		}
	}
	if (strncasecmp(p, "rat ", 4) == 0) {
		enum net_rat rat;

		if (net_rat_parse(p + 4, &rat, text, sizeof text) != 0) {
			snprintf(err, errlen, "'%s': %s", spec, text);
			return -1;
		}
		cid = rat;
	}
	if (strncasecmp(p, "call ring ", 10) == 0) {
		num = p + 10;
		len = strspn(num, "0123456789");
		if (*num == '+')
			len = 1 + strspn(num + 1, "0123456789");
		if (len < 2 || num[len] != '\0' || len >= NET_NUMBER_MAX) {
			snprintf(err, errlen, "'%s': call ring wants a number "
			    "(+ and up to %d digits)", spec, NET_NUMBER_MAX - 2);
			return -1;
		}
	}
	for (a = 0; a < NET_NACTION; a++) {
		net_action_text((enum net_action)a, (int)cid, num, text,
		    sizeof text);
		if (strcasecmp(p, text) == 0)
			break;
	}
	if (a == NET_NACTION) {
		snprintf(err, errlen, "'%s': unknown event '%s' (coverage lost, "
		    "coverage back, pdp CID deactivated, pdp CID activate, "
		    "registration home, registration roaming, registration "
		    "denied, call ring NUMBER, call hangup, rat TECHNOLOGY)",
		    spec, p);
		return -1;
	}
	*what = (enum net_action)a;
	*cidp = (int)cid;
	if (number != NULL)
		str_copy(number, num, NET_NUMBER_MAX);
	return 0;
}

int
net_event_add(struct net *n, const char *spec, char *err, size_t errlen)
{
	struct net_timed *e;
	char text[64], number[NET_NUMBER_MAX];
	double at;
	enum net_action what;
	int cid;

	if (net_event_parse(spec, &at, &what, &cid, number, err, errlen) != 0)
		return -1;
	if (n->nevents == NET_EVENT_MAX) {
		snprintf(err, errlen, "at most %d events", NET_EVENT_MAX);
		return -1;
	}
	e = &n->events[n->nevents++];
	e->net = n;
	e->at = at;
	e->what = what;
	e->cid = cid;
	str_copy(e->number, number, sizeof e->number);
	clock_timer_init(&e->t, n->clock, net_timed_cb, e);
	clock_timer_start(&e->t, at - clock_now(n->clock) > 0 ?
	    at - clock_now(n->clock) : 0);
	net_action_text(what, cid, number, text, sizeof text);
	translog_state(n->log, "network", "event at %.3f: %s", at, text);
	return 0;
}

void
net_reset(struct net *n)
{
	net_stop(n);
	n->sim_ready = 0;
	n->cfun = 0;
	n->reg = NET_REG_NONE;
	memset(n->reg_n, 0, sizeof n->reg_n);
	n->cgerep = 0;
	n->call = NET_CALL_NONE;	/* power went away: so did any call */
	n->call_number[0] = '\0';
	n->data_suspended = 0;
	if (n->csfb_from != NET_NRAT) {	/* ... and its CS fallback */
		n->rat = n->csfb_from;
		n->csfb_from = NET_NRAT;
		net_link_update(n);
	}
	n->clip = 0;
	/* Contexts are volatile; cid 1 comes up defined, as on the module. */
	memset(n->pdp, 0, sizeof n->pdp);
	n->pdp[1].defined = 1;
	strcpy(n->pdp[1].type, "IP");
}

int
net_registered(const struct net *n)
{
	return n->reg == NET_REG_HOME || n->reg == NET_REG_ROAMING;
}

void
net_set_sim_ready(struct net *n, int ready)
{
	if (n->sim_ready == ready)
		return;
	translog_state(n->log, "sim", "%s", ready ? "ready" : "not ready");
	n->sim_ready = ready;
}

void
net_set_cfun(struct net *n, int fun)
{
	int cid;

	if (n->cfun == fun)
		return;
	translog_state(n->log, "radio", "cfun %d -> %d", n->cfun, fun);
	n->cfun = fun;
	if (fun == 1) {
		if (n->sim_ready) {
			net_set_reg(n, NET_REG_SEARCHING);
			if (n->coverage)
				clock_timer_start(&n->search_t, NET_SEARCH_TIME);
		}
		return;
	}
	net_event(n, NET_EV_RADIO_LOST, 0);
	net_call_hangup(n, 1);
	for (cid = 1; cid < NET_NCID; cid++)
		net_pdp_drop(n, cid, 0);
	net_set_reg(n, NET_REG_NONE);
}

void
net_set_reg(struct net *n, enum net_reg reg)
{
	enum net_reg before[NET_NDOMAIN], after;
	int d, cid;

	if (reg != NET_REG_SEARCHING)
		clock_timer_stop(&n->search_t);
	if (n->reg == reg)
		return;
	for (d = 0; d < NET_NDOMAIN; d++)
		before[d] = net_domain_reg(n, (enum net_domain)d);
	translog_state(n->log, "network", "registration %d -> %d", n->reg, reg);
	n->reg = reg;
	/* Activations waiting for a network go on now. */
	for (cid = 1; cid < NET_NCID && net_registered(n); cid++)
		if (n->pdp[cid].activating)
			clock_timer_start(&n->act_t[cid], n->act_time);
	/* Each domain that sees a change says so (EPS only exists on LTE). */
	for (d = 0; d < NET_NDOMAIN; d++)
		if ((after = net_domain_reg(n, (enum net_domain)d)) != before[d])
			net_reg_urc(n, (enum net_domain)d, after);
}

enum net_reg
net_domain_reg(const struct net *n, enum net_domain d)
{
	/* A UC200T has no EPS; elsewhere EPS registration is LTE's. */
	if (d == NET_REG_E && (!n->lte ||
	    (n->rat != NET_RAT_LTE && net_registered(n))))
		return NET_REG_NONE;
	return n->reg;
}

int
net_set_rat(struct net *n, enum net_rat rat, const char *why)
{
	char err[128];

	if (net_rat_check(rat, n->lte, err, sizeof err) != 0) {
		translog_state(n->log, "radio", "no technology %s: %s",
		    net_rat_info(rat)->label, err);
		return -1;
	}
	/* A handover during a CS fallback call stays where it goes. */
	n->csfb_from = NET_NRAT;
	net_rat_change(n, rat, why);
	return 0;
}

const struct link_profile *
net_link(const struct net *n)
{
	return &n->link;
}

void
net_set_link(struct net *n, const struct net_link_override *o)
{
	char text[128];

	n->link_override = *o;
	net_link_update(n);
	net_link_text(&n->link, text, sizeof text);
	translog_state(n->log, "radio", "link %s (--link-profile)", text);
}

void
net_set_reg_mode(struct net *n, enum net_domain d, int mode)
{
	n->reg_n[d] = mode;
}

void
net_set_event_mode(struct net *n, int mode)
{
	n->cgerep = mode;
}

void
net_pdp_define(struct net *n, int cid, const char *type, const char *apn)
{
	struct net_pdp *p = &n->pdp[cid];

	p->defined = 1;
	if (type != NULL)
		str_copy(p->type, type, sizeof p->type);
	if (p->type[0] == '\0')
		str_copy(p->type, "IP", sizeof p->type);
	if (apn != NULL)
		str_copy(p->apn, apn, sizeof p->apn);
	translog_state(n->log, "pdp", "%d defined %s \"%s\"", cid, p->type,
	    p->apn);
}

void
net_pdp_set_auth(struct net *n, int cid, const char *user, const char *pass,
    int auth)
{
	struct net_pdp *p = &n->pdp[cid];

	str_copy(p->user, user, sizeof p->user);
	str_copy(p->pass, pass, sizeof p->pass);
	p->auth = auth;
}

void
net_pdp_undefine(struct net *n, int cid)
{
	if (!n->pdp[cid].defined)
		return;
	memset(&n->pdp[cid], 0, sizeof n->pdp[cid]);
	translog_state(n->log, "pdp", "%d undefined", cid);
}

void
net_pdp_set_active(struct net *n, int cid, int active)
{
	struct net_pdp *p = &n->pdp[cid];

	if (p->active == active)
		return;
	p->active = active;
	translog_state(n->log, "pdp", "%d %s", cid,
	    active ? "activated" : "deactivated");
}

void
net_pdp_activate(struct net *n, int cid)
{
	struct net_pdp *p = &n->pdp[cid];

	if (p->active || p->activating)
		return;
	p->activating = 1;
	translog_state(n->log, "pdp", "%d activating \"%s\"", cid, p->apn);
	/* Answers come later, never from inside the caller. */
	if (!p->defined || n->cfun != 1 || !n->sim_ready)
		clock_timer_start(&n->act_t[cid], 0);
	else
		clock_timer_start(&n->act_t[cid], net_registered(n) ?
		    n->act_time : NET_ACT_TIMEOUT);
}

void
net_pdp_deactivate(struct net *n, int cid, int network)
{
	struct net_pdp *p = &n->pdp[cid];

	if (!network || !p->active) {
		net_pdp_drop(n, cid, 1);
		return;
	}
	net_pdp_set_active(n, cid, 0);
	net_urc_cgev(n, "NW PDN DEACT", cid);
	net_urc(n, "+QIURC: \"pdpdeact\",%d", cid);
	net_event(n, NET_EV_PDP_DOWN, cid);
}

/* Service is gone (coverage lost, registration denied): the radio first,
 * so a download fails for it, then every context, then `<stat>`. */
static void
net_lose_service(struct net *n, enum net_reg reg)
{
	int cid;

	net_event(n, NET_EV_RADIO_LOST, 0);
	net_call_hangup(n, 1);
	for (cid = 1; cid < NET_NCID; cid++)
		net_pdp_drop(n, cid, 1);
	net_set_reg(n, reg);
}

/* Look for the network again: registered (or denied) after the search. */
static void
net_search(struct net *n)
{
	net_set_reg(n, NET_REG_SEARCHING);
	clock_timer_start(&n->search_t, NET_SEARCH_TIME);
}

void
net_set_coverage(struct net *n, int coverage)
{
	if (n->coverage == coverage)
		return;
	translog_state(n->log, "network", "coverage %s",
	    coverage ? "back" : "lost");
	n->coverage = coverage;
	if (n->cfun != 1 || !n->sim_ready)
		return;
	if (!coverage)
		net_lose_service(n, NET_REG_SEARCHING);
	else
		net_search(n);
}

void
net_set_serving(struct net *n, enum net_reg reg)
{
	if (n->serving == reg)
		return;
	translog_state(n->log, "network", "serving %d -> %d", n->serving, reg);
	n->serving = reg;
	if (n->cfun != 1 || !n->sim_ready || !n->coverage)
		return;
	if (reg == NET_REG_DENIED)
		net_lose_service(n, NET_REG_DENIED);
	else if (net_registered(n))
		net_set_reg(n, reg);		/* home <-> roaming: no search */
	else
		net_search(n);
}

void
net_pdp_addr(const struct net *n, int cid, char *buf, size_t size)
{
	if (n->pdp[cid].active)
		snprintf(buf, size, "10.46.103.%d", 16 + cid);
	else
		snprintf(buf, size, "0.0.0.0");
}

void
net_call_ring(struct net *n, const char *number)
{
	if (n->call != NET_CALL_NONE || !net_registered(n)) {
		translog_state(n->log, "call", "from %s not delivered: %s",
		    number, n->call != NET_CALL_NONE ? "a call exists" :
		    "not registered");
		return;
	}
	str_copy(n->call_number, number, sizeof n->call_number);
	/* LTE carries no circuit-switched call: the module falls back to
	 * WCDMA for it and comes back when it is over (docs/network.md). */
	if (n->rat == NET_RAT_LTE) {
		net_rat_change(n, NET_RAT_WCDMA, "CS fallback for a call");
		n->csfb_from = NET_RAT_LTE;
	}
	net_call_set(n, NET_CALL_RINGING, number);
	net_ring_cb(&n->ring_t, n);	/* RING first, then what it stops */
	net_event(n, NET_EV_CALL_RING, 0);
}

void
net_call_answer(struct net *n)
{
	if (n->call == NET_CALL_RINGING)
		net_call_set(n, NET_CALL_ACTIVE, "answered");
}

void
net_call_hangup(struct net *n, int remote)
{
	enum net_call was = n->call;

	net_call_set(n, NET_CALL_NONE, remote ? "the other end hung up" :
	    "hung up here");
	if (remote && was == NET_CALL_ACTIVE)
		net_urc(n, "NO CARRIER");
}

void
net_set_clip(struct net *n, int mode)
{
	n->clip = mode;
}
