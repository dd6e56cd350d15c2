/*
 * check_net.c: unit tests for the network state (sim/net/net.c) on its own
 * clock at --speed max, and for the code table's context and radio rows.
 */
#include "config.h"

#include <check.h>
#include "check-run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "net/fota-codes.h"
#include "net/net.h"

/* What the network told its owner, in order. */
struct seen {
	char		 urcs[16][64];
	int		 nurcs;
	enum net_event	 ev[16];
	int		 cid[16];
	double		 when[16];
	int		 nev;
};

static struct ev_loop *loop;
static struct clock *clk;
static struct net net;
static struct seen seen;

/* net_cbs.urc: keep the line. */
static void
seen_urc(void *arg, const char *line)
{
	struct seen *s = arg;

	if (s->nurcs < 16)
		strncpy(s->urcs[s->nurcs++], line, 63);
}

/* net_cbs.event: keep the event, its cid and when it came. */
static void
seen_event(void *arg, enum net_event ev, int cid)
{
	struct seen *s = arg;

	if (s->nev < 16) {
		s->ev[s->nev] = ev;
		s->cid[s->nev] = cid;
		s->when[s->nev++] = clock_now(clk);
	}
}

/* Run the loop until no clock timer is pending. */
static void
run_until_idle(void)
{
	while (clock_pending(clk) > 0)
		ev_run(loop, EVRUN_ONCE);
}

/* A registered EC200T network, nothing seen yet. */
static void
setup(void)
{
	const struct net_cbs cbs = { seen_urc, seen_event, &seen };

	loop = ev_loop_new(EVFLAG_AUTO);
	clk = clock_new(loop, 0);
	net_init(&net, clk, NULL, 1, &cbs);
	net_set_sim_ready(&net, 1);
	net_set_cfun(&net, 1);
	run_until_idle();
	memset(&seen, 0, sizeof seen);
}

static void
teardown(void)
{
	net_free(&net);
	clock_free(clk);
	ev_loop_destroy(loop);
}

START_TEST(test_event_parse)
{
	enum net_action a;
	double at;
	int cid;
	char err[256], number[NET_NUMBER_MAX];

	ck_assert_int_eq(net_event_parse("T=5.5 coverage lost", &at, &a, &cid, NULL,
	    err, sizeof err), 0);
	ck_assert(at == 5.5 && a == NET_DO_COVERAGE_LOST && cid == 0);
	ck_assert_int_eq(net_event_parse("t=9 Coverage Back", &at, &a, &cid, NULL,
	    err, sizeof err), 0);
	ck_assert(a == NET_DO_COVERAGE_BACK);
	ck_assert_int_eq(net_event_parse("T=6 pdp 3 deactivated", &at, &a,
	    &cid, NULL, err, sizeof err), 0);
	ck_assert(a == NET_DO_PDP_DEACTIVATE && cid == 3);
	ck_assert_int_eq(net_event_parse("T=6 pdp 15 activate", &at, &a, &cid, NULL,
	    err, sizeof err), 0);
	ck_assert(a == NET_DO_PDP_ACTIVATE && cid == 15);
	ck_assert_int_eq(net_event_parse("5 coverage lost", &at, &a, &cid, NULL, err,
	    sizeof err), -1);
	ck_assert(strstr(err, "T=SECONDS") != NULL);
	ck_assert_int_eq(net_event_parse("T=x coverage lost", &at, &a, &cid, NULL,
	    err, sizeof err), -1);
	ck_assert_int_eq(net_event_parse("T=-1 coverage lost", &at, &a, &cid, NULL,
	    err, sizeof err), -1);
	ck_assert_int_eq(net_event_parse("T=5", &at, &a, &cid, NULL, err,
	    sizeof err), -1);
	ck_assert_int_eq(net_event_parse("T=5 pdp 16 activate", &at, &a, &cid, NULL,
	    err, sizeof err), -1);
	ck_assert_int_eq(net_event_parse("T=5 coverage gone", &at, &a, &cid, NULL,
	    err, sizeof err), -1);
	ck_assert(strstr(err, "unknown event 'coverage gone'") != NULL);
	ck_assert_int_eq(net_event_parse("T=6 call ring +8613800000000", &at,
	    &a, &cid, number, err, sizeof err), 0);
	ck_assert(a == NET_DO_CALL_RING && strcmp(number, "+8613800000000") == 0);
	ck_assert_int_eq(net_event_parse("T=9 call hangup", &at, &a, &cid,
	    NULL, err, sizeof err), 0);
	ck_assert(a == NET_DO_CALL_HANGUP);
	ck_assert_int_eq(net_event_parse("T=6 call ring", &at, &a, &cid,
	    NULL, err, sizeof err), -1);
	ck_assert_int_eq(net_event_parse("T=6 call ring 12a", &at, &a, &cid,
	    NULL, err, sizeof err), -1);
	ck_assert(strstr(err, "call ring wants a number") != NULL);
}
END_TEST

START_TEST(test_activation_takes_time)
{
	double t0 = clock_now(clk);

	net_pdp_activate(&net, 1);
	ck_assert(net.pdp[1].activating && !net.pdp[1].active);
	ck_assert_int_eq(seen.nev, 0);		/* never from inside the call */
	run_until_idle();
	ck_assert_int_eq(seen.nev, 1);
	ck_assert_int_eq(seen.ev[0], NET_EV_PDP_UP);
	ck_assert(seen.when[0] - t0 >= NET_ACT_TIME - 1e-9);
	ck_assert(net.pdp[1].active && !net.pdp[1].activating);
	ck_assert_int_eq(seen.nurcs, 0);	/* AT+CGEREP 0 */
}
END_TEST

START_TEST(test_rejected_apn)
{
	ck_assert_int_eq(net_reject_apn(&net, "bad.apn"), 0);
	net_pdp_define(&net, 2, "IP", "BAD.APN");
	net_pdp_activate(&net, 2);
	run_until_idle();
	ck_assert_int_eq(seen.nev, 1);
	ck_assert_int_eq(seen.ev[0], NET_EV_PDP_FAILED);
	ck_assert_int_eq(seen.cid[0], 2);
	ck_assert(!net.pdp[2].active && !net.pdp[2].activating);
	/* An undefined context fails too, later. */
	net_pdp_activate(&net, 3);
	ck_assert_int_eq(seen.nev, 1);
	run_until_idle();
	ck_assert_int_eq(seen.ev[1], NET_EV_PDP_FAILED);
}
END_TEST

START_TEST(test_activation_waits_for_registration)
{
	net_set_cfun(&net, 0);
	net_set_cfun(&net, 1);			/* searching, 1.5 s */
	memset(&seen, 0, sizeof seen);
	net_pdp_activate(&net, 1);
	run_until_idle();
	ck_assert_int_eq(seen.nev, 1);
	ck_assert_int_eq(seen.ev[0], NET_EV_PDP_UP);
	ck_assert(net_registered(&net) && net.pdp[1].active);
}
END_TEST

START_TEST(test_network_deactivates)
{
	net_set_event_mode(&net, 2);
	net_pdp_activate(&net, 1);
	run_until_idle();
	ck_assert_str_eq(seen.urcs[0], "+CGEV: ME PDN ACT 1");
	net_pdp_deactivate(&net, 1, 1);
	ck_assert_str_eq(seen.urcs[1], "+CGEV: NW PDN DEACT 1");
	ck_assert_str_eq(seen.urcs[2], "+QIURC: \"pdpdeact\",1");
	ck_assert_int_eq(seen.ev[1], NET_EV_PDP_DOWN);
	ck_assert(!net.pdp[1].active);
}
END_TEST

START_TEST(test_coverage)
{
	char err[128];

	net_set_reg_mode(&net, NET_REG_C, 1);
	net_pdp_activate(&net, 1);
	run_until_idle();
	ck_assert_int_eq(net_event_add(&net, "T=100 coverage lost", err,
	    sizeof err), 0);
	ck_assert_int_eq(net_event_add(&net, "T=200 coverage back", err,
	    sizeof err), 0);
	run_until_idle();
	/* The radio goes first, so a download fails for it, then the context. */
	ck_assert_int_eq(seen.ev[1], NET_EV_RADIO_LOST);
	ck_assert_int_eq(seen.ev[2], NET_EV_PDP_DOWN);
	ck_assert(seen.when[1] == 100);
	ck_assert_str_eq(seen.urcs[0], "+CREG: 2");
	ck_assert_str_eq(seen.urcs[1], "+CREG: 1");
	ck_assert(net_registered(&net) && !net.pdp[1].active);
}
END_TEST

START_TEST(test_serving)
{
	char err[128];

	net_set_reg_mode(&net, NET_REG_C, 1);
	net_pdp_activate(&net, 1);
	run_until_idle();
	ck_assert_int_eq(net_event_add(&net, "T=100 registration roaming", err,
	    sizeof err), 0);
	ck_assert_int_eq(net_event_add(&net, "T=200 registration denied", err,
	    sizeof err), 0);
	ck_assert_int_eq(net_event_add(&net, "T=300 registration home", err,
	    sizeof err), 0);
	run_until_idle();
	/* Roaming: no search, the context stays; denied: it all goes. */
	ck_assert_str_eq(seen.urcs[0], "+CREG: 5");
	ck_assert_int_eq(seen.ev[1], NET_EV_RADIO_LOST);
	ck_assert(seen.when[1] == 200);
	ck_assert_int_eq(seen.ev[2], NET_EV_PDP_DOWN);
	ck_assert_str_eq(seen.urcs[1], "+CREG: 3");
	ck_assert_str_eq(seen.urcs[2], "+CREG: 2");
	ck_assert_str_eq(seen.urcs[3], "+CREG: 1");
	ck_assert_int_eq(seen.nurcs, 4);
	ck_assert_int_eq(net.reg, NET_REG_HOME);
}
END_TEST

/* The code a result with these fields gives. */
static int
code_of(enum dl_proto proto, enum dl_pdp pdp, enum dl_stop stop)
{
	struct dl_result res;

	memset(&res, 0, sizeof res);
	res.proto = proto;
	res.pdp = pdp;
	res.stop = stop;
	res.size = -1;
	res.stage = stop == DL_STOP_NONE ? DL_STAGE_DNS : DL_STAGE_BODY;
	res.bytes = stop == DL_STOP_NONE ? 0 : 1000;
	return fota_code(&res);
}

START_TEST(test_codes)
{
	ck_assert_int_eq(code_of(DL_HTTP, DL_PDP_BUSY, DL_STOP_NONE), 706);
	ck_assert_int_eq(code_of(DL_HTTPS, DL_PDP_FAILED, DL_STOP_NONE), 707);
	ck_assert_int_eq(code_of(DL_HTTP, DL_PDP_NONE, DL_STOP_NONE), 708);
	ck_assert_int_eq(code_of(DL_HTTP, DL_PDP_OK, DL_STOP_PDP), 709);
	ck_assert_int_eq(code_of(DL_HTTP, DL_PDP_OK, DL_STOP_NETWORK), 710);
	ck_assert_int_eq(code_of(DL_FTP, DL_PDP_BUSY, DL_STOP_NONE), 605);
	ck_assert_int_eq(code_of(DL_FTP, DL_PDP_FAILED, DL_STOP_NONE), 605);
	ck_assert_int_eq(code_of(DL_FTP, DL_PDP_NONE, DL_STOP_NONE), 605);
	ck_assert_int_eq(code_of(DL_FTP, DL_PDP_OK, DL_STOP_PDP), 605);
	ck_assert_int_eq(code_of(DL_FTP, DL_PDP_OK, DL_STOP_NETWORK), 605);
	ck_assert_int_eq(code_of(DL_HTTP, DL_PDP_OK, DL_STOP_CALL), 724);
}
END_TEST

/* A voice call in the way when AT+QFOTADL starts: 724 / 725. */
START_TEST(test_codes_call)
{
	struct dl_result res;

	memset(&res, 0, sizeof res);
	res.proto = DL_HTTPS;
	res.stage = DL_STAGE_DNS;
	res.size = -1;
	res.call = DL_CALL_RINGING;
	ck_assert_int_eq(fota_code(&res), 724);
	res.call = DL_CALL_ACTIVE;
	ck_assert_int_eq(fota_code(&res), 725);
}
END_TEST

/* Parsing --dns entries: each form, and what is refused. */
START_TEST(test_dns_parse)
{
	static const char *const bad[] = {
		"", "x", "=1.2.3.4", "x=", "x=1.2.3", "x=nxdomain,1.2.3.4",
		"x=timeout,first=2", "x=1.2.3.4,first=0", "x=1.2.3.4,first=-1",
		"x=1.2.3.4,first=2,first=3", "x=1.2.3.4,then=servfail",
		"x=1.2.3.4,first=2,then=ok", "x=1.2.3.4,first=2,5.6.7.8",
		"a b=1.2.3.4", ".x=1.2.3.4", "x=first=2",
		"x=1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4,5.5.5.5",
	};
	struct net_dns d;
	char err[256];
	size_t i;

	ck_assert_int_eq(net_dns_parse("Fota.Test=10.0.0.1,::1,10.0.0.2", &d,
	    err, sizeof err), 0);
	ck_assert_str_eq(d.name, "Fota.Test");
	ck_assert_int_eq(d.answer, NET_DNS_OK);
	ck_assert_int_eq(d.naddr, 3);
	ck_assert_str_eq(d.addr[1], "::1");
	ck_assert_int_eq(d.first, 0);
	ck_assert_int_eq(net_dns_parse("x=servfail", &d, err, sizeof err), 0);
	ck_assert_int_eq(d.answer, NET_DNS_SERVFAIL);
	ck_assert_int_eq(net_dns_parse("x=TIMEOUT", &d, err, sizeof err), 0);
	ck_assert_int_eq(d.answer, NET_DNS_TIMEOUT);
	ck_assert_int_eq(net_dns_parse("x=1.2.3.4,first=3", &d, err,
	    sizeof err), 0);
	ck_assert_int_eq(d.first, 3);
	ck_assert_int_eq(d.then, NET_DNS_SERVFAIL);
	ck_assert_int_eq(net_dns_parse("x=1.2.3.4,first=1,then=timeout", &d,
	    err, sizeof err), 0);
	ck_assert_int_eq(d.then, NET_DNS_TIMEOUT);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		ck_assert_msg(net_dns_parse(bad[i], &d, err, sizeof err) == -1,
		    "'%s' accepted", bad[i]);
		ck_assert_msg(err[0] != '\0', "'%s': no message", bad[i]);
	}
}
END_TEST

/* Looking names up: addresses in order, failures, loopback, flapping. */
START_TEST(test_dns_lookup)
{
	char a[256], err[256];
	int i;

	ck_assert_int_eq(net_dns_add(&net, "fota.test=10.0.0.1,::1", err,
	    sizeof err), 0);
	ck_assert_int_eq(net_dns_add(&net, "nx.test=nxdomain", err,
	    sizeof err), 0);
	ck_assert_int_eq(net_dns_add(&net, "sf.test=servfail", err,
	    sizeof err), 0);
	ck_assert_int_eq(net_dns_add(&net, "slow.test=timeout", err,
	    sizeof err), 0);
	ck_assert_int_eq(net_dns_add(&net, "flap.test=10.0.0.9,first=2", err,
	    sizeof err), 0);
	ck_assert_int_eq(net_dns_add(&net, "flap2.test=10.0.0.8,first=1,"
	    "then=nxdomain", err, sizeof err), 0);

	ck_assert_int_eq(net_dns_lookup(&net, "FOTA.test", a, sizeof a),
	    NET_DNS_OK);
	ck_assert_str_eq(a, "10.0.0.1,[::1]");
	ck_assert_int_eq(net_dns_lookup(&net, "nx.test", a, sizeof a),
	    NET_DNS_NXDOMAIN);
	ck_assert_str_eq(a, "");
	ck_assert_int_eq(net_dns_lookup(&net, "sf.test", a, sizeof a),
	    NET_DNS_SERVFAIL);
	ck_assert_int_eq(net_dns_lookup(&net, "slow.test", a, sizeof a),
	    NET_DNS_TIMEOUT);
	ck_assert(net.dns_timeout == NET_DNS_TIME);
	/* Not in the table: NXDOMAIN, except the loopback names. */
	ck_assert_int_eq(net_dns_lookup(&net, "other.test", a, sizeof a),
	    NET_DNS_NXDOMAIN);
	ck_assert_int_eq(net_dns_lookup(&net, "notlocalhost", a, sizeof a),
	    NET_DNS_NXDOMAIN);
	ck_assert_int_eq(net_dns_lookup(&net, "localhost", a, sizeof a),
	    NET_DNS_OK);
	ck_assert_str_eq(a, "127.0.0.1");
	ck_assert_int_eq(net_dns_lookup(&net, "fota.LOCALHOST", a, sizeof a),
	    NET_DNS_OK);
	ck_assert_str_eq(a, "127.0.0.1");
	/* first=2: two answers, then servfail for good. */
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(net_dns_lookup(&net, "flap.test", a, sizeof a),
		    NET_DNS_OK);
		ck_assert_str_eq(a, "10.0.0.9");
	}
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(net_dns_lookup(&net, "flap.test", a, sizeof a),
		    NET_DNS_SERVFAIL);
	/* A power cycle does not reset the network's count. */
	net_reset(&net);
	ck_assert_int_eq(net_dns_lookup(&net, "flap.test", a, sizeof a),
	    NET_DNS_SERVFAIL);
	ck_assert_int_eq(net_dns_lookup(&net, "flap2.test", a, sizeof a),
	    NET_DNS_OK);
	ck_assert_int_eq(net_dns_lookup(&net, "flap2.test", a, sizeof a),
	    NET_DNS_NXDOMAIN);
	/* A name given again: the last entry wins. */
	ck_assert_int_eq(net_dns_add(&net, "nx.test=10.1.1.1", err,
	    sizeof err), 0);
	ck_assert_int_eq(net_dns_lookup(&net, "nx.test", a, sizeof a),
	    NET_DNS_OK);
	ck_assert_str_eq(a, "10.1.1.1");
	ck_assert_int_eq(net_dns_add(&net, "bad=1.2.3", err, sizeof err), -1);
}
END_TEST

/* The table full: a clear refusal. */
START_TEST(test_dns_full)
{
	char spec[64], err[256];
	int i;

	for (i = 0; i < NET_DNS_MAX; i++) {
		snprintf(spec, sizeof spec, "n%d.test=10.0.0.%d", i, i + 1);
		ck_assert_int_eq(net_dns_add(&net, spec, err, sizeof err), 0);
	}
	ck_assert_int_eq(net_dns_add(&net, "one.more=10.0.0.1", err,
	    sizeof err), -1);
	ck_assert(strstr(err, "at most") != NULL);
}
END_TEST

/* The DNS rows: every failure gives 604 over FTP, 714 over HTTP(S). */
START_TEST(test_dns_codes)
{
	struct dl_result res;
	enum dl_dns d;
	int p;

	for (p = DL_FTP; p < DL_NPROTO; p++)
		for (d = DL_DNS_NXDOMAIN; d < DL_NDNS; d++) {
			memset(&res, 0, sizeof res);
			res.proto = (enum dl_proto)p;
			res.dns = d;
			res.stage = DL_STAGE_DNS;
			res.size = -1;
			ck_assert_int_eq(fota_code(&res),
			    p == DL_FTP ? 604 : 714);
		}
}
END_TEST

START_TEST(test_link_parse)
{
	struct net_link_override o;
	char err[512];
	static const char *const bad[] = {
		"", ",", "down=40k,", ",down=40k", "down=40k,,up=1M", "down",
		"down=", "speed=1M", "down=40k,down=1M", "down=40x", "down=40m",
		"down=99", "down=11G", "down=-1k", "down= 40k", "down=1e6",
		"down=0x100", "down=inf", "down=nan", "down=.", "rtt=300",
		"rtt=300 ms", "rtt=61s", "rtt=-1ms", "jitter=31s", "jitter=5us",
		"rtt=100ms,jitter=51ms", "Down=40k",
	};
	size_t i;

	ck_assert_int_eq(net_link_parse("down=40k,up=2M,rtt=300ms,jitter=20ms",
	    &o, err, sizeof err), 0);
	ck_assert(o.set == (NET_LINK_DOWN | NET_LINK_UP | NET_LINK_RTT |
	    NET_LINK_JITTER));
	ck_assert(o.p.down_bps == 40e3 && o.p.up_bps == 2e6);
	ck_assert(o.p.rtt > 0.2999 && o.p.rtt < 0.3001);
	ck_assert(o.p.jitter > 0.0199 && o.p.jitter < 0.0201);
	ck_assert_int_eq(net_link_parse("up=1.5G", &o, err, sizeof err), 0);
	ck_assert(o.set == NET_LINK_UP && o.p.up_bps == 1.5e9);
	ck_assert_int_eq(net_link_parse("rtt=0.3s,down=100,jitter=.15s", &o,
	    err, sizeof err), 0);
	ck_assert(o.p.down_bps == 100 && o.p.rtt == 0.3 && o.p.jitter == 0.15);
	ck_assert_int_eq(net_link_parse("rtt=0s,jitter=0ms", &o, err,
	    sizeof err), 0);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		ck_assert_msg(net_link_parse(bad[i], &o, err, sizeof err) == -1,
		    "'%s' accepted", bad[i]);
		ck_assert(err[0] != '\0' && o.set == 0);
	}
	ck_assert_int_eq(net_link_parse("down=1M,speed=2", &o, err,
	    sizeof err), -1);
	ck_assert_str_eq(err, "'down=1M,speed=2': unknown key 'speed' (down, "
	    "up, rtt, jitter)");
}
END_TEST

START_TEST(test_rat_parse)
{
	enum net_rat r;
	char err[256];

	ck_assert_int_eq(net_rat_parse("HSPA+", &r, err, sizeof err), 0);
	ck_assert_int_eq(r, NET_RAT_HSPA);
	ck_assert_int_eq(net_rat_parse("gsm", &r, err, sizeof err), 0);
	ck_assert_int_eq(r, NET_RAT_GSM);
	ck_assert_int_eq(net_rat_parse("umts", &r, err, sizeof err), -1);
	ck_assert_str_eq(err, "unknown technology 'umts' (gsm, gprs, edge, "
	    "wcdma, hspa+, lte)");
	ck_assert_int_eq(net_rat_check(NET_RAT_LTE, 0, err, sizeof err), -1);
	ck_assert_int_eq(net_rat_check(NET_RAT_LTE, 1, err, sizeof err), 0);
	ck_assert_int_eq(net_rat_check(NET_RAT_GSM, 0, err, sizeof err), 0);
	ck_assert_int_eq(net_rat_default(1), NET_RAT_LTE);
	ck_assert_int_eq(net_rat_default(0), NET_RAT_WCDMA);
	/* 27.007 <AcT>: a GPRS cell without EGPRS is "GSM". */
	ck_assert_int_eq(net_rat_info(NET_RAT_GSM)->act, 0);
	ck_assert_int_eq(net_rat_info(NET_RAT_GPRS)->act, 0);
	ck_assert_int_eq(net_rat_info(NET_RAT_EDGE)->act, 3);
	ck_assert_int_eq(net_rat_info(NET_RAT_WCDMA)->act, 2);
	ck_assert_int_eq(net_rat_info(NET_RAT_HSPA)->act, 6);
	ck_assert_int_eq(net_rat_info(NET_RAT_LTE)->act, 7);
}
END_TEST

START_TEST(test_link_in_force)
{
	struct net_link_override o;
	char err[256];

	/* The technology's default... */
	ck_assert(net_link(&net)->down_bps == 150e6);
	ck_assert_int_eq(net_set_rat(&net, NET_RAT_GPRS, "test"), 0);
	ck_assert(net_link(&net)->down_bps == 85.6e3);
	ck_assert(net_link(&net)->rtt == 0.5);
	/* ... with what --link-profile gave in its place, on every one. */
	ck_assert_int_eq(net_link_parse("down=40k,jitter=200ms", &o, err,
	    sizeof err), 0);
	net_set_link(&net, &o);
	ck_assert(net_link(&net)->down_bps == 40e3);
	ck_assert(net_link(&net)->up_bps == 21.4e3);
	ck_assert(net_link(&net)->jitter == 0.2);
	ck_assert_int_eq(net_set_rat(&net, NET_RAT_LTE, "test"), 0);
	ck_assert(net_link(&net)->down_bps == 40e3);
	ck_assert(net_link(&net)->up_bps == 50e6);
	/* A jitter over half the RTT would make a negative delay. */
	ck_assert(net_link(&net)->jitter == 0.025);
	ck_assert_int_eq(seen.nev, 2);
	ck_assert_int_eq(seen.ev[0], NET_EV_RAT);
}
END_TEST

START_TEST(test_rat_urcs)
{
	char err[128];

	net_set_reg_mode(&net, NET_REG_C, 1);
	net_set_reg_mode(&net, NET_REG_G, 2);
	net_set_reg_mode(&net, NET_REG_E, 1);
	ck_assert_int_eq(net_event_add(&net, "T=100 rat edge", err,
	    sizeof err), 0);
	ck_assert_int_eq(net_event_add(&net, "T=200 coverage lost", err,
	    sizeof err), 0);
	ck_assert_int_eq(net_event_add(&net, "T=300 coverage back", err,
	    sizeof err), 0);
	run_until_idle();
	ck_assert_int_eq(net.rat, NET_RAT_EDGE);
	ck_assert_str_eq(seen.urcs[0], "+CGREG: 1,\"1A2B\",\"0C3D4E5\",3");
	ck_assert_str_eq(seen.urcs[1], "+CEREG: 0");
	/* Searching is every domain's; registered again, EPS is not. */
	ck_assert_str_eq(seen.urcs[2], "+CREG: 2");
	ck_assert_str_eq(seen.urcs[3], "+CGREG: 2");
	ck_assert_str_eq(seen.urcs[4], "+CEREG: 2");
	ck_assert_str_eq(seen.urcs[5], "+CREG: 1");
	ck_assert_str_eq(seen.urcs[6], "+CGREG: 1,\"1A2B\",\"0C3D4E5\",3");
	ck_assert_str_eq(seen.urcs[7], "+CEREG: 0");
	ck_assert_int_eq(seen.nurcs, 8);
	ck_assert_int_eq(net_domain_reg(&net, NET_REG_E), NET_REG_NONE);
	ck_assert_int_eq(net_domain_reg(&net, NET_REG_G), NET_REG_HOME);
}
END_TEST

START_TEST(test_class_b)
{
	/* On GSM a call holds packet data from its first RING to its end. */
	ck_assert_int_eq(net_set_rat(&net, NET_RAT_GSM, "test"), 0);
	net_call_ring(&net, "+8613800000000");
	ck_assert(net.data_suspended);
	ck_assert_int_eq(seen.ev[1], NET_EV_DATA_SUSPENDED);
	ck_assert_int_eq(seen.ev[2], NET_EV_CALL_RING);
	ck_assert_str_eq(seen.urcs[0], "RING");
	net_call_answer(&net);
	ck_assert(net.data_suspended);
	/* A handover to WCDMA during the call: multi-RAB, data goes on. */
	ck_assert_int_eq(net_set_rat(&net, NET_RAT_WCDMA, "test"), 0);
	ck_assert(!net.data_suspended);
	ck_assert_int_eq(seen.ev[4], NET_EV_DATA_RESUMED);
	ck_assert_int_eq(net_set_rat(&net, NET_RAT_EDGE, "test"), 0);
	ck_assert(net.data_suspended);
	net_call_hangup(&net, 0);
	ck_assert(!net.data_suspended);
	ck_assert_int_eq(seen.ev[seen.nev - 1], NET_EV_DATA_RESUMED);
}
END_TEST

START_TEST(test_csfb)
{
	/* LTE: the call falls back to WCDMA (no suspension) and returns. */
	net_set_reg_mode(&net, NET_REG_E, 1);
	net_call_ring(&net, "13800000000");
	ck_assert_int_eq(net.rat, NET_RAT_WCDMA);
	ck_assert(!net.data_suspended);
	ck_assert_str_eq(seen.urcs[0], "+CEREG: 0");
	ck_assert_str_eq(seen.urcs[1], "RING");
	net_call_hangup(&net, 1);
	ck_assert_int_eq(net.rat, NET_RAT_LTE);
	ck_assert_str_eq(seen.urcs[2], "+CEREG: 1");
	/* A power cycle during the call comes back on LTE too. */
	net_call_ring(&net, "13800000000");
	net_reset(&net);
	ck_assert_int_eq(net.rat, NET_RAT_LTE);
	ck_assert(net.csfb_from == NET_NRAT);
}
END_TEST

START_TEST(test_uc200t_no_lte)
{
	struct net uc;
	char err[128];

	net_init(&uc, clk, NULL, 0, NULL);
	ck_assert_int_eq(uc.rat, NET_RAT_WCDMA);
	ck_assert_int_eq(net_set_rat(&uc, NET_RAT_LTE, "test"), -1);
	ck_assert_int_eq(uc.rat, NET_RAT_WCDMA);
	ck_assert_int_eq(net_event_add(&uc, "T=1 rat lte", err, sizeof err), 0);
	run_until_idle();
	ck_assert_int_eq(uc.rat, NET_RAT_WCDMA);
	net_free(&uc);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("net");
	TCase *tc = tcase_create("net");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_event_parse);
	tcase_add_test(tc, test_activation_takes_time);
	tcase_add_test(tc, test_rejected_apn);
	tcase_add_test(tc, test_activation_waits_for_registration);
	tcase_add_test(tc, test_network_deactivates);
	tcase_add_test(tc, test_coverage);
	tcase_add_test(tc, test_serving);
	tcase_add_test(tc, test_codes);
	tcase_add_test(tc, test_codes_call);
	tcase_add_test(tc, test_dns_parse);
	tcase_add_test(tc, test_dns_lookup);
	tcase_add_test(tc, test_dns_full);
	tcase_add_test(tc, test_dns_codes);
	tcase_add_test(tc, test_link_parse);
	tcase_add_test(tc, test_rat_parse);
	tcase_add_test(tc, test_link_in_force);
	tcase_add_test(tc, test_rat_urcs);
	tcase_add_test(tc, test_class_b);
	tcase_add_test(tc, test_csfb);
	tcase_add_test(tc, test_uc200t_no_lte);
	suite_add_tcase(s, tc);
	return check_run_suite(s);
}
