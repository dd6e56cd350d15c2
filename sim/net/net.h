/*
 * net.h: the module's view of the network: SIM, radio functionality
 * (AT+CFUN), registration (+CREG/+CGREG/+CEREG) and PDP contexts.
 *
 * Everything here changes only through the setters below.  Each setter logs
 * the change to the modem's transcript and sends the URCs the module prints
 * for it, so that AT handlers, the simulated network, the control API and
 * scenario files all drive the same state the same way.  Readers use the
 * fields directly.
 */
#ifndef FOTASIM_NET_H
#define FOTASIM_NET_H

#include <stddef.h>

#include "clock.h"
#include "link.h"

struct translog;

#define NET_NCID	16	/* PDP context ids 1..15 */
#define NET_DNS_MAX	32	/* names the simulated DNS knows */
#define NET_NAME_MAX	64
#define NET_DNS_ADDRS	4	/* addresses one name can have */
#define NET_DNS_TIME	60.0	/* simulated seconds a lookup without an
				   answer takes (AT+QIDNSGIP's maximum
				   response time); --dns-timeout */
#define NET_REJECT_MAX	8	/* APNs the network rejects */
#define NET_EVENT_MAX	32	/* timed network events (--net-event) */
#define NET_ACT_TIME	1.0	/* simulated seconds to activate a context */
#define NET_RING_PERIOD	3.0	/* simulated seconds between RINGs */
#define NET_NUMBER_MAX	24	/* a caller's number, "+" and digits */
#define NET_ACT_TIMEOUT	150.0	/* at most this long waiting for a network
				   (AT+QIACT's maximum response time) */

/* Which registration a +CxREG command or URC is about. */
enum net_domain {
	NET_REG_C,		/* +CREG: circuit switched */
	NET_REG_G,		/* +CGREG: GPRS/UMTS packet */
	NET_REG_E,		/* +CEREG: EPS (LTE) */
	NET_NDOMAIN
};

/* Registration state, numbered as 3GPP TS 27.007 <stat>. */
enum net_reg {
	NET_REG_NONE = 0,	/* not registered, not searching */
	NET_REG_HOME = 1,	/* registered, home network */
	NET_REG_SEARCHING = 2,
	NET_REG_DENIED = 3,
	NET_REG_UNKNOWN = 4,
	NET_REG_ROAMING = 5,	/* registered, roaming */
	NET_NREG
};

struct net_pdp {
	int		 defined;
	char		 type[8];	/* "IP", "IPV6", "IPV4V6" */
	char		 apn[100];
	char		 user[64];
	char		 pass[64];
	int		 auth;
	int		 active;
	int		 activating;	/* asked for, not yet answered */
};

/* What the network tells the modem about (struct net_cbs.event). */
enum net_event {
	NET_EV_PDP_UP,		/* an activation succeeded */
	NET_EV_PDP_FAILED,	/* an activation failed */
	NET_EV_PDP_DOWN,	/* an active context went away */
	NET_EV_RADIO_LOST,	/* no radio: coverage lost, or CFUN 0/4 */
	NET_EV_CALL_RING,	/* an incoming voice call starts ringing */
	NET_EV_DATA_SUSPENDED,	/* class B: a call holds packet data */
	NET_EV_DATA_RESUMED,	/* ... and the call is over */
	NET_EV_RAT,		/* the technology (and net_link()) changed */
};

/* The voice call (one at most: incoming only, for now). */
enum net_call {
	NET_CALL_NONE,
	NET_CALL_RINGING,	/* incoming, RING being printed */
	NET_CALL_ACTIVE,	/* answered (ATA) */
};

/* What a timed network event does (--net-event). */
enum net_action {
	NET_DO_COVERAGE_LOST,
	NET_DO_COVERAGE_BACK,
	NET_DO_PDP_DEACTIVATE,	/* the network tears a context down */
	NET_DO_PDP_ACTIVATE,	/* another port (PPP dial-up) activates one */
	NET_DO_REG_HOME,	/* the network registers the module at home */
	NET_DO_REG_ROAMING,	/* ... as roaming */
	NET_DO_REG_DENIED,	/* ... refuses it (until home or roaming) */
	NET_DO_CALL_RING,	/* a voice call comes in from a number */
	NET_DO_CALL_HANGUP,	/* the caller hangs up */
	NET_DO_RAT,		/* a handover to another technology */
	NET_NACTION
};

struct net;

/* One timed network event: at simulated second `at` after start. */
struct net_timed {
	struct net		*net;
	double			 at;
	enum net_action		 what;
	int			 cid;		/* pdp: the cid; rat: the
						   technology (enum net_rat) */
	char			 number[NET_NUMBER_MAX]; /* call ring */
	struct clock_timer	 t;
};

/* What the operator's DNS answers for a name. */
enum net_dns_answer {
	NET_DNS_OK,		/* the name's addresses */
	NET_DNS_NXDOMAIN,	/* no such name */
	NET_DNS_SERVFAIL,	/* the server failed */
	NET_DNS_TIMEOUT,	/* no answer: the lookup times out */
	NET_DNS_NANSWER
};

/* One name in the operator's DNS (a --dns entry). */
struct net_dns {
	char		 name[NET_NAME_MAX];
	enum net_dns_answer answer;
	char		 addr[NET_DNS_ADDRS][NET_NAME_MAX];
	int		 naddr;
	int		 first;		/* >0: only the first `first` lookups
					   get `answer`, then `then` */
	enum net_dns_answer then;
	int		 lookups;	/* lookups so far (the network's count:
					   kept across power cycles) */
};

/* What the module shows and gets on one radio technology (rat.c). */
struct net_rat_info {
	const char		*name;		/* --rat: "gsm", ..., "hspa+" */
	const char		*label;		/* transcript: "GSM", "HSPA+" */
	int			 act;		/* 27.007 <AcT> */
	const char		*qnw_act;	/* AT+QNWINFO: "FDD LTE" */
	const char		*qnw_band;	/* AT+QNWINFO: "LTE BAND 3" */
	int			 qnw_channel;	/* ARFCN, UARFCN or EARFCN */
	int			 rssi, ber;	/* AT+CSQ while registered */
	int			 class_b;	/* a voice call suspends packet data */
	struct link_profile	 link;		/* the default link profile */
};

/* --link-profile: the fields it sets replace the technology's default. */
#define NET_LINK_DOWN	0x1
#define NET_LINK_UP	0x2
#define NET_LINK_RTT	0x4
#define NET_LINK_JITTER	0x8
struct net_link_override {
	struct link_profile	 p;
	unsigned		 set;		/* NET_LINK_* given */
};

/* What the network needs from the modem. */
struct net_cbs {
	/* Send one URC line, without CR LF: +CEREG: 1 */
	void	(*urc)(void *arg, const char *line);
	/* Something the modem's users wait for happened (cid 0: none). */
	void	(*event)(void *arg, enum net_event, int cid);
	void	 *arg;
};

struct net {
	struct clock		*clock;
	struct translog		*log;
	struct net_cbs		 cbs;
	int			 lte;		/* EC200T: EPS exists */
	enum net_rat		 rat;		/* the serving cell's technology
						   (environment: kept across
						   power cycles) */
	enum net_rat		 csfb_from;	/* LTE during a CS fallback call,
						   else NET_NRAT */
	int			 data_suspended; /* a call on a class-B
						   technology holds packet data */
	struct net_link_override link_override;	/* --link-profile */
	struct link_profile	 link;		/* the profile in force */
	int			 sim_ready;	/* the SIM has answered */
	int			 cfun;		/* 0, 1 or 4 */
	enum net_reg		 reg;
	int			 reg_n[NET_NDOMAIN]; /* URC modes 0-2 */
	int			 cgerep;	/* +CGEV URC mode 0-2 (AT+CGEREP) */
	struct net_pdp		 pdp[NET_NCID];
	struct clock_timer	 search_t;	/* CFUN=1 to registered */
	struct net_dns		 dns[NET_DNS_MAX];
	int			 ndns;
	double			 dns_timeout;	/* NET_DNS_TIME */
	int			 coverage;	/* a cell in sight (environment:
						   kept across power cycles) */
	enum net_reg		 serving;	/* what a search ends in: home,
						   roaming or denied (ditto) */
	double			 act_time;	/* activation time */
	struct clock_timer	 act_t[NET_NCID]; /* per activating context */
	char			 reject[NET_REJECT_MAX][100];
	int			 nreject;
	struct net_timed	 events[NET_EVENT_MAX];
	int			 nevents;
	enum net_call		 call;		/* the voice call's state */
	char			 call_number[NET_NUMBER_MAX];
	int			 clip;		/* AT+CLIP: +CLIP after RING */
	struct clock_timer	 ring_t;	/* the next RING */
};

/* Set up; `lte` says whether EPS registration exists (EC200T); the
 * technology starts as the model's default (net_rat_default). */
void	net_init(struct net *, struct clock *, struct translog *, int lte,
	    const struct net_cbs *);
/* Stop the search and activation timers (power going away). */
void	net_stop(struct net *);
/* Stop everything, timed events too (the modem goes away). */
void	net_free(struct net *);
/* Power-on: everything volatile starts over; cid 1 comes up defined. */
void	net_reset(struct net *);
/* Whether registered (home or roaming). */
int	net_registered(const struct net *);

void	net_set_sim_ready(struct net *, int ready);
/* Functionality level: 1 searches and registers, 0 and 4 drop everything. */
void	net_set_cfun(struct net *, int fun);
/* Registration state, with +CxREG URCs per each domain's mode. */
void	net_set_reg(struct net *, enum net_reg);
/* URC mode of one domain (AT+CxREG=<n>). */
void	net_set_reg_mode(struct net *, enum net_domain, int n);

/* +CGEV URC mode (AT+CGEREP=<mode>): 0 none, 1 or 2 printed. */
void	net_set_event_mode(struct net *, int mode);

/* Define a context (AT+CGDCONT / AT+QICSGP); NULL leaves a field as is. */
void	net_pdp_define(struct net *, int cid, const char *type,
	    const char *apn);
/* Credentials of a context (AT+QICSGP). */
void	net_pdp_set_auth(struct net *, int cid, const char *user,
	    const char *pass, int auth);
/* Forget a context (it must not be active). */
void	net_pdp_undefine(struct net *, int cid);
/* Activate or deactivate a defined context. */
void	net_pdp_set_active(struct net *, int cid, int active);

/*
 * Activate a defined context: it is active NET_ACT_TIME later (or when the
 * network registers, if it is still searching), or fails for an APN the
 * network rejects or no network; either way net_cbs.event says so.
 */
void	net_pdp_activate(struct net *, int cid);
/* Deactivate a context; `network`: the network tore it down (+CGEV NW). */
void	net_pdp_deactivate(struct net *, int cid, int network);
/* A context's address: the one the network gave, or 0.0.0.0. */
void	net_pdp_addr(const struct net *, int cid, char *buf, size_t size);
/* A cell in sight or not: losing it deregisters and drops every context. */
void	net_set_coverage(struct net *, int coverage);
/* What the network grants a search: NET_REG_HOME, _ROAMING or _DENIED;
 * applied at once if the module is registered or searching. */
void	net_set_serving(struct net *, enum net_reg);
/* An APN the network rejects (--reject-apn); 0 or -1 (table full). */
int	net_reject_apn(struct net *, const char *apn);
/*
 * An incoming voice call from `number`: RING (and +CLIP with AT+CLIP=1)
 * now and every NET_RING_PERIOD until answered or hung up.  Only when
 * registered and no call exists; net_cbs.event gets NET_EV_CALL_RING.
 */
void	net_call_ring(struct net *, const char *number);
/* Answer the ringing call (ATA): active. */
void	net_call_answer(struct net *);
/* The call ends; `remote`: the caller hung up (NO CARRIER if it was
 * active), else the module did (ATH, AT+CHUP). */
void	net_call_hangup(struct net *, int remote);
/* AT+CLIP=<n>: 1 prints +CLIP after each RING. */
void	net_set_clip(struct net *, int n);
/*
 * A timed event, "T=<seconds> coverage lost|coverage back|pdp <cid>
 * deactivated|pdp <cid> activate|registration home|registration
 * roaming|registration denied|call ring <number>|call hangup"
 * (--net-event), scheduled at once on the simulated clock; 0, or -1 with
 * a message in err.
 */
int	net_event_add(struct net *, const char *spec, char *err, size_t errlen);
/* Do what a timed event does, now (logged as "event: ..."); `number`
 * is a call ring's. */
void	net_action_run(struct net *, enum net_action, int cid,
	    const char *number);
/* Only parse such an event (option checking); 0, or -1 with a message.
 * `arg` gets a pdp event's cid or a rat event's technology (enum
 * net_rat); `number` (NET_NUMBER_MAX bytes) a call ring's number. */
int	net_event_parse(const char *spec, double *at, enum net_action *,
	    int *arg, char *number, char *err, size_t errlen);

/* rat.c: the radio technologies. */
/* What the module shows and gets on a technology. */
const struct net_rat_info *net_rat_info(enum net_rat);
/* A model's technology at boot: LTE where it has LTE, else WCDMA. */
enum net_rat net_rat_default(int lte);
/* A --rat name (case-insensitive): 0, or -1 with a message listing them. */
int	net_rat_parse(const char *name, enum net_rat *, char *err,
	    size_t errlen);
/* Whether a model (`lte`: it has LTE) has the technology; -1 with a
 * message if not. */
int	net_rat_check(enum net_rat, int lte, char *err, size_t errlen);
/*
 * Parse --link-profile "down=B,up=B,rtt=T,jitter=T" (any subset, each at
 * most once; B bits/s with k, M or G; T with ms or s): 0, or -1 with a
 * message in err.
 */
int	net_link_parse(const char *spec, struct net_link_override *,
	    char *err, size_t errlen);
/* A profile as --link-profile spells it, for the transcript. */
void	net_link_text(const struct link_profile *, char *buf, size_t size);

/* The technology in service (`why`: "handover", "--rat"): logs it,
 * prints the +CxREG URCs of a cell change, suspends or resumes packet
 * data; 0, or -1 if the model lacks it. */
int	net_set_rat(struct net *, enum net_rat, const char *why);
/* The link profile in force: the technology's default, with what
 * --link-profile set (net_set_link) in its place. */
const struct link_profile *net_link(const struct net *);
/* --link-profile: override fields of every technology's default. */
void	net_set_link(struct net *, const struct net_link_override *);
/* Registration as one domain reports it (+CEREG: only on LTE). */
enum net_reg net_domain_reg(const struct net *, enum net_domain);

/* A DNS answer's word in --dns and the transcript: "nxdomain", ... */
const char *net_dns_answer_name(enum net_dns_answer);
/*
 * Parse a --dns entry (docs/network.md):
 *   NAME=ADDR[,ADDR...][,first=N[,then=FAILURE]]
 *   NAME=FAILURE        FAILURE: nxdomain | servfail | timeout
 * 0, or -1 with a message in err.
 */
int	net_dns_parse(const char *spec, struct net_dns *, char *err,
	    size_t errlen);
/* Add a --dns entry (logged); a name given twice: the last one wins.
 * 0, or -1 with a message in err. */
int	net_dns_add(struct net *, const char *spec, char *err, size_t errlen);
/*
 * Look a name up, case-insensitively, and log the answer (`dns` records).
 * A name not in the table is NXDOMAIN, except the loopback names
 * (localhost, *.localhost: 127.0.0.1).  On NET_DNS_OK, addrs holds the
 * addresses in order, comma-separated (CURLOPT_RESOLVE's form).  On
 * NET_DNS_TIMEOUT the caller waits n->dns_timeout simulated seconds.
 */
enum net_dns_answer net_dns_lookup(struct net *, const char *name,
	    char *addrs, size_t size);

#endif
