/*
 * net.c: registration, radio and PDP state, changed only by its setters.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
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

/* Send a URC line through the modem. */
static void
net_urc(struct net *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

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

/* Add a DNS entry without a record (the built-in ones). */
static int
net_dns_put(struct net *n, const char *name, const char *addr)
{
	struct net_dns *d;

	if (n->ndns == NET_DNS_MAX || strlen(name) >= NET_NAME_MAX ||
	    strlen(addr) >= NET_NAME_MAX)
		return -1;
	d = &n->dns[n->ndns++];
	str_copy(d->name, name, sizeof d->name);
	str_copy(d->addr, addr, sizeof d->addr);
	return 0;
}

/* The registration search finished. */
static void
net_search_cb(struct clock_timer *t, void *arg)
{
	struct net *n = arg;

	(void)t;
	if (n->cfun == 1 && n->sim_ready)
		net_set_reg(n, NET_REG_HOME);
}

void
net_init(struct net *n, struct clock *clock, struct translog *log, int lte,
    const struct net_cbs *cbs)
{
	memset(n, 0, sizeof *n);
	n->clock = clock;
	n->log = log;
	n->lte = lte;
	if (cbs != NULL)
		n->cbs = *cbs;
	clock_timer_init(&n->search_t, clock, net_search_cb, n);
	(void)net_dns_put(n, "localhost", "127.0.0.1");
	net_reset(n);
}

int
net_dns_add(struct net *n, const char *name, const char *addr)
{
	if (net_dns_put(n, name, addr) != 0)
		return -1;
	translog_state(n->log, "dns", "%s %s", name, addr);
	return 0;
}

const char *
net_dns_lookup(const struct net *n, const char *name)
{
	int i;

	for (i = 0; i < n->ndns; i++)
		if (strcasecmp(n->dns[i].name, name) == 0)
			return n->dns[i].addr;
	return NULL;
}

void
net_stop(struct net *n)
{
	clock_timer_stop(&n->search_t);
}

void
net_reset(struct net *n)
{
	net_stop(n);
	n->sim_ready = 0;
	n->cfun = 0;
	n->reg = NET_REG_NONE;
	memset(n->reg_n, 0, sizeof n->reg_n);
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
			clock_timer_start(&n->search_t, NET_SEARCH_TIME);
		}
		return;
	}
	for (cid = 1; cid < NET_NCID; cid++)
		net_pdp_set_active(n, cid, 0);
	net_set_reg(n, NET_REG_NONE);
}

void
net_set_reg(struct net *n, enum net_reg reg)
{
	int d;

	if (reg != NET_REG_SEARCHING)
		clock_timer_stop(&n->search_t);
	if (n->reg == reg)
		return;
	translog_state(n->log, "network", "registration %d -> %d", n->reg, reg);
	n->reg = reg;
	for (d = 0; d < NET_NDOMAIN; d++) {
		/* A UMTS-only UC200T never registers on EPS: no change. */
		if (d == NET_REG_E && !n->lte)
			continue;
		if (n->reg_n[d] == 2 && net_registered(n))
			net_urc(n, "%s: %d,\"%s\",\"%s\",%d", net_domain_names[d],
			    reg, NET_LAC, NET_CI, n->lte ? 7 : 2);
		else if (n->reg_n[d] != 0)
			net_urc(n, "%s: %d", net_domain_names[d], reg);
	}
}

void
net_set_reg_mode(struct net *n, enum net_domain d, int mode)
{
	n->reg_n[d] = mode;
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
