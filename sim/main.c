/*
 * main.c: the fotasim program: one virtual module on a pty.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <ev.h>

#include "clock.h"
#include "firmware/firmware-opts.h"
#include "modem.h"
#include "opttab.h"
#include "scenario/scenario-run.h"
#include "serve.h"
#include "statedir.h"
#include "translog.h"
#include "util.h"

/* What fotasim's options set: main()'s variables, by address. */
struct main_opts {
	struct modem_config	*cfg;
	const char		**state_dir;
	const char		**logpath;
	const char		**scenario;
	const char		**seed;
	struct serve_options	*serve;
	struct firmware_options	*fwopts;
	double			*speed;
	struct dl_timeouts	*timeouts;
	struct main_list	*lists;		/* repeated options */
	struct net_link_override *link;	/* --link-profile */
	struct link_faults	*faults;	/* --link-fault, in order */
	struct link_profile	*shape;		/* --link-shape */
};

#define MAIN_LIST_MAX	32

/* The options that may be repeated, each kept as a list of arguments. */
enum {
	MAIN_LIST_DNS,
	MAIN_LIST_REJECT_APN,
	MAIN_LIST_NET_EVENT,
	MAIN_NLIST
};

struct main_list {
	const char	*v[MAIN_LIST_MAX];
	size_t		 n;
};

/* Keys of the options that only keep their argument. */
enum {
	MAIN_OPT_LINK,
	MAIN_OPT_LINK2,
	MAIN_OPT_STATE_DIR,
	MAIN_OPT_REVISION,
	MAIN_OPT_LOG,
	MAIN_OPT_SERVE,
	MAIN_OPT_SERVE_FAULTS,
	MAIN_OPT_CA,
	MAIN_OPT_SCENARIO,
	MAIN_OPT_SEED,
};

/* --end-on-close S: kept here until the scenario's run exists. */
static double main_end_on_close;

/* --link, --link2, --state-dir, --revision, --log, --serve,
 * --serve-faults. */
static int
main_opt_string(void *ctx, const struct opt *o, const char *v, char *err,
    size_t errlen)
{
	struct main_opts *m = ctx;
	const char **dst[] = {
		[MAIN_OPT_LINK] = &m->cfg->link,
		[MAIN_OPT_LINK2] = &m->cfg->link2,
		[MAIN_OPT_STATE_DIR] = m->state_dir,
		[MAIN_OPT_REVISION] = &m->cfg->revision,
		[MAIN_OPT_LOG] = m->logpath,
		[MAIN_OPT_SERVE] = &m->serve->root,
		[MAIN_OPT_SERVE_FAULTS] = &m->serve->faults,
		[MAIN_OPT_CA] = &m->cfg->ca_file,
		[MAIN_OPT_SCENARIO] = m->scenario,
		[MAIN_OPT_SEED] = m->seed,
	};

	*dst[o->key] = v;
	return 0;
}

/* --speed N|max. */
static int
main_opt_speed(void *ctx, const struct opt *o, const char *v, char *err,
    size_t errlen)
{
	struct main_opts *m = ctx;

	if (clock_parse_speed(v, m->speed) == 0)
		return 0;
	snprintf(err, errlen, "--speed: expected max or a number from 0.1 to "
	    "10000, not '%s'", v);
	return -1;
}

/* --model EC200T|UC200T. */
static int
main_opt_model(void *ctx, const struct opt *o, const char *v, char *err,
    size_t errlen)
{
	struct main_opts *m = ctx;

	if (strcasecmp(v, "EC200T") == 0)
		m->cfg->model = MODEM_EC200T;
	else if (strcasecmp(v, "UC200T") == 0)
		m->cfg->model = MODEM_UC200T;
	else {
		snprintf(err, errlen, "--model: expected EC200T or UC200T, "
		    "not '%s'", v);
		return -1;
	}
	return 0;
}

/* --port usb|uart. */
static int
main_opt_port(void *ctx, const struct opt *o, const char *v, char *err,
    size_t errlen)
{
	struct main_opts *m = ctx;

	if (strcmp(v, "usb") == 0)
		m->cfg->port_mode = MODEM_PORT_USB;
	else if (strcmp(v, "uart") == 0)
		m->cfg->port_mode = MODEM_PORT_UART;
	else {
		snprintf(err, errlen, "--port: expected usb or uart, not '%s'", v);
		return -1;
	}
	return 0;
}

/* --serve-ports F,H,S. */
static int
main_opt_serve_ports(void *ctx, const struct opt *o, const char *v, char *err,
    size_t errlen)
{
	struct main_opts *m = ctx;

	if (serve_parse_ports(m->serve, v) == 0)
		return 0;
	snprintf(err, errlen, "--serve-ports: expected FTP,HTTP,HTTPS port "
	    "numbers, not '%s'", v);
	return -1;
}

/* --fota-timeouts connect=S,... */
static int
main_opt_timeouts(void *ctx, const struct opt *o, const char *v, char *err,
    size_t errlen)
{
	struct main_opts *m = ctx;
	char why[256];

	if (dl_timeouts_parse(m->timeouts, v, why, sizeof why) == 0)
		return 0;
	snprintf(err, errlen, "--fota-timeouts: %s", why);
	return -1;
}

/* --fota-resume N. */
static int
main_opt_resume(void *ctx, const struct opt *o, const char *v, char *err,
    size_t errlen)
{
	struct main_opts *m = ctx;
	char *end;
	long n;

	(void)o;
	n = strtol(v, &end, 10);
	if (*v < '0' || *v > '9' || *end != '\0' || n > XFER_RESUME_MAX) {
		snprintf(err, errlen, "--fota-resume: expected 0 to %d, not "
		    "'%s'", XFER_RESUME_MAX, v);
		return -1;
	}
	m->cfg->fota_resumes = (int)n;
	return 0;
}

/* --dialect QUIRK[,QUIRK...]. */
static int
main_opt_dialect(void *ctx, const struct opt *o, const char *v, char *err,
    size_t errlen)
{
	struct main_opts *m = ctx;
	char why[256];

	if (dialect_parse(v, &m->cfg->dialect, why, sizeof why) == 0)
		return 0;
	snprintf(err, errlen, "--%s: %s", o->name, why);
	return -1;
}

/* --dns, --reject-apn, --net-event: repeated, kept in order. */
static int
main_opt_list(void *ctx, const struct opt *o, const char *v, char *err,
    size_t errlen)
{
	struct main_opts *m = ctx;
	struct main_list *l = &m->lists[o->key];
	enum net_action what;
	double at;
	int cid;
	char why[256];

	struct net_dns d;

	if (o->key == MAIN_LIST_NET_EVENT &&
	    net_event_parse(v, &at, &what, &cid, NULL, why,
	    sizeof why) != 0) {
		snprintf(err, errlen, "--%s: %s", o->name, why);
		return -1;
	}
	if (o->key == MAIN_LIST_DNS &&
	    net_dns_parse(v, &d, why, sizeof why) != 0) {
		snprintf(err, errlen, "--%s: %s", o->name, why);
		return -1;
	}
	if (l->n == MAIN_LIST_MAX) {
		snprintf(err, errlen, "--%s: at most %d", o->name, MAIN_LIST_MAX);
		return -1;
	}
	l->v[l->n++] = v;
	return 0;
}

/* Simulated seconds in (0, max] for option `o`; 0 or -1 with a message. */
static int
main_seconds(const struct opt *o, const char *v, double max, double *out,
    char *err, size_t errlen)
{
	char *end;
	double t = strtod(v, &end);

	if (end == v || *end != '\0' || !(t > 0 && t <= max)) {
		snprintf(err, errlen, "--%s: expected simulated seconds "
		    "(0, %g], not '%s'", o->name, max, v);
		return -1;
	}
	*out = t;
	return 0;
}

/* --pdp-activation-time SECONDS. */
static int
main_opt_act_time(void *ctx, const struct opt *o, const char *v, char *err,
    size_t errlen)
{
	struct main_opts *m = ctx;

	return main_seconds(o, v, NET_ACT_TIMEOUT, &m->cfg->pdp_act_time, err,
	    errlen);
}

/* --dns-timeout SECONDS. */
static int
main_opt_dns_timeout(void *ctx, const struct opt *o, const char *v, char *err,
    size_t errlen)
{
	struct main_opts *m = ctx;

	return main_seconds(o, v, 3600, &m->cfg->dns_timeout, err, errlen);
}

/* --rat NAME: the technology at boot. */
static int
main_opt_rat(void *ctx, const struct opt *o, const char *v, char *err,
    size_t errlen)
{
	struct main_opts *m = ctx;
	char why[256];

	if (net_rat_parse(v, &m->cfg->rat, why, sizeof why) != 0) {
		snprintf(err, errlen, "--%s: %s", o->name, why);
		return -1;
	}
	m->cfg->rat_set = 1;
	return 0;
}

/* --link-profile down=B,up=B,rtt=T,jitter=T. */
static int
main_opt_link_profile(void *ctx, const struct opt *o, const char *v,
    char *err, size_t errlen)
{
	struct main_opts *m = ctx;
	char why[512];

	if (net_link_parse(v, m->link, why, sizeof why) != 0) {
		snprintf(err, errlen, "--%s: %s", o->name, why);
		return -1;
	}
	m->cfg->link_override = m->link;
	return 0;
}

/*
 * The technologies the options name exist on the model (--model may come
 * after them): --rat and every "rat" --net-event.  0, or -1 with a message.
 */
static int
main_check_rats(const struct modem_config *cfg, const struct main_list *ev,
    char *err, size_t errlen)
{
	char why[256];
	enum net_action what;
	double at;
	size_t i;
	int lte = cfg->model == MODEM_EC200T, arg;

	if (cfg->rat_set && net_rat_check(cfg->rat, lte, why, sizeof why) != 0) {
		snprintf(err, errlen, "--rat %s: %s", net_rat_info(cfg->rat)->name,
		    why);
		return -1;
	}
	for (i = 0; i < ev->n; i++)
		if (net_event_parse(ev->v[i], &at, &what, &arg, NULL, why,
		    sizeof why) == 0 && what == NET_DO_RAT &&
		    net_rat_check((enum net_rat)arg, lte, why, sizeof why) != 0) {
			snprintf(err, errlen, "--net-event: '%s': %s", ev->v[i],
			    why);
			return -1;
		}
	return 0;
}

/* --link-fault SPEC[;SPEC...]: repeatable, the faults add up. */
static int
main_opt_link_fault(void *ctx, const struct opt *o, const char *v,
    char *err, size_t errlen)
{
	struct main_opts *m = ctx;
	char why[256];

	if (link_faults_parse(m->faults, v, why, sizeof why) == 0)
		return 0;
	snprintf(err, errlen, "--%s: %s", o->name, why);
	return -1;
}

/* --link-shape down=BPS,up=BPS,rtt=S,jitter=S. */
static int
main_opt_link_shape(void *ctx, const struct opt *o, const char *v,
    char *err, size_t errlen)
{
	struct main_opts *m = ctx;
	char why[256];

	if (link_profile_parse(m->shape, v, why, sizeof why) == 0) {
		m->cfg->link_shape = m->shape;
		return 0;
	}
	snprintf(err, errlen, "--%s: %s", o->name, why);
	return -1;
}

/* --sockets-in-use N. */
static int
main_opt_sockets(void *ctx, const struct opt *o, const char *v, char *err,
    size_t errlen)
{
	struct main_opts *m = ctx;
	long n;

	if (parse_long(v, 0, LINK_SOCKETS, &n) == 0) {
		m->cfg->sockets_in_use = (int)n;
		return 0;
	}
	snprintf(err, errlen, "--%s: expected 0 to %d sockets, not '%s'",
	    o->name, LINK_SOCKETS, v);
	return -1;
}

/* --end-on-close SECONDS. */
static int
main_opt_end_on_close(void *ctx, const struct opt *o, const char *v,
    char *err, size_t errlen)
{
	return main_seconds(o, v, 86400, &main_end_on_close, err, errlen);
}

/* The flash options: the firmware half parses them. */
static int
main_opt_firmware(void *ctx, const struct opt *o, const char *v, char *err,
    size_t errlen)
{
	struct main_opts *m = ctx;

	return firmware_parse_option(m->fwopts, o->key, v, err, errlen);
}

static const struct opt main_opts[] = {
	{ "link", 0, "PATH", "keep a symlink at PATH pointing to the AT port's "
	  "pty", main_opt_string, MAIN_OPT_LINK, 0 },
	{ "link2", 0, "PATH", "the module's second AT interface on a pty of\n"
	  "its own behind PATH (its own echo, verbose, CMEE; it shares the\n"
	  "modem)", main_opt_string, MAIN_OPT_LINK2, 0 },
	{ "state-dir", 0, "DIR", "what survives power loss (default: a "
	  "temporary dir)", main_opt_string, MAIN_OPT_STATE_DIR, 0 },
	{ "speed", 0, "N|max", "simulated time runs N times wall time "
	  "(0.1-10000),\nor skips idle time (max); default 1", main_opt_speed,
	  0, 0 },
	{ "model", 0, "M", "EC200T (default) or UC200T", main_opt_model, 0, 0 },
	{ "revision", 0, "REV", "firmware revision of a fresh state dir",
	  main_opt_string, MAIN_OPT_REVISION, 0 },
	{ "port", 0, "usb|uart", "usb: the port vanishes on reboot (default);\n"
	  "uart: the same pty stays and goes silent", main_opt_port, 0, 0 },
	{ "log", 0, "FILE", "append a transcript (docs/transcript.md)",
	  main_opt_string, MAIN_OPT_LOG, 0 },
	{ "serve", 0, "DIR", "also run the fake FTP/HTTP/HTTPS servers on DIR",
	  main_opt_string, MAIN_OPT_SERVE, 0 },
	{ "serve-ports", 0, "F,H,S", "their ports (default 0,0,0: ephemeral)",
	  main_opt_serve_ports, 0, 0 },
	{ "serve-faults", 0, "FILE", "fault directives for them "
	  "(docs/fault-directives.md)", main_opt_string, MAIN_OPT_SERVE_FAULTS,
	  0 },
	{ "ca", 0, "FILE", "verify HTTPS servers against FILE (default: no\n"
	  "verification, as the module)", main_opt_string, MAIN_OPT_CA, 0 },
	{ "fota-timeouts", 0, "T", "AT+QFOTADL's timers in simulated seconds:\n"
	  "connect=S,response=S,first-byte=S,stall=S,total=S\n"
	  "(default 60,60,60,60,3600)", main_opt_timeouts, 0, 0 },
	{ "dialect", 0, "QUIRKS", "other modules' FOTA URC spellings, e.g.\n"
	  "https-words,comma-space,percent,twice,updating-bare,\nreboot-first "
	  "(docs/at-commands.md)", main_opt_dialect, 0, 0 },
	{ "fota-resume", 0, "N", "resume a download whose connection broke, "
	  "up to N\ntimes (REST, Range; default 0: never)", main_opt_resume,
	  0, 0 },
	{ "dns", 0, "NAME=ENTRY", "what the simulated DNS answers for NAME:"
	  "\nADDR[,ADDR...][,first=N[,then=FAIL]] or nxdomain,\nservfail, "
	  "timeout (repeatable; docs/network.md;\nlocalhost is built in)",
	  main_opt_list, MAIN_LIST_DNS, 0 },
	{ "dns-timeout", 0, "S", "simulated seconds a lookup with no answer "
	  "takes\n(default 60)", main_opt_dns_timeout, 0, 0 },
	{ "reject-apn", 0, "APN", "the network refuses to activate a context "
	  "on APN\n(repeatable; docs/network.md)", main_opt_list,
	  MAIN_LIST_REJECT_APN, 0 },
	{ "net-event", 0, "EVENT", "a timed network event, e.g. \"T=5 coverage "
	  "lost\",\n\"T=9 coverage back\", \"T=6 pdp 1 deactivated\",\n"
	  "\"T=6 call ring +8613800000000\", \"T=9 call hangup\",\n"
	  "\"T=8 rat gsm\" (repeatable; docs/network.md)", main_opt_list,
	  MAIN_LIST_NET_EVENT, 0 },
	{ "pdp-activation-time", 0, "S", "simulated seconds a context takes "
	  "to activate\n(default 1)", main_opt_act_time, 0, 0 },
	{ "rat", 0, "NAME", "the radio technology at boot: gsm, gprs, edge, "
	  "wcdma,\nhspa+ or lte (default: lte on EC200T, wcdma on UC200T;\n"
	  "docs/network.md)", main_opt_rat, 0, 0 },
	{ "link-profile", 0, "P", "the data link instead of the technology's "
	  "default:\ndown=B,up=B,rtt=T,jitter=T, any of them (B: bits/s,\n"
	  "40k, 2M; T: 300ms, 0.3s; docs/network.md)",
	  main_opt_link_profile, 0, 0 },
	{ "link-fault", 0, "SPEC", "a fault on the link, e.g. \"down reset "
	  "after=40000 conn=2\",\n\"up stall\", \"down flip at=1234\", "
	  "\"any refuse p=0.5 seed=7\";\nSPEC[;SPEC...], repeatable "
	  "(docs/network.md)", main_opt_link_fault, 0, 0 },
	{ "link-shape", 0, "P", "the link instead of the technology's profile,\n"
	  "outright: down=BPS,up=BPS,rtt=S,jitter=S (BPS with\nk or M; rtt=0: "
	  "unshaped; docs/network.md)", main_opt_link_shape, 0, 0 },
	{ "sockets-in-use", 0, "N", "sockets of the module's 12 that other "
	  "services hold\n(default 0; docs/network.md)", main_opt_sockets, 0,
	  0 },
	FIRMWARE_OPT_ROWS(main_opt_firmware),
	{ "scenario", 0, "FILE", "play a scenario file (fotasim-scenario(5),\n"
	  "docs/scenario-format.md); exit 0 only if its\n[expect] holds",
	  main_opt_string, MAIN_OPT_SCENARIO, OPT_CLI },
	{ "seed", 0, "N", "with --scenario: seed everything random with N "
	  "instead\nof the scenario's seed", main_opt_string, MAIN_OPT_SEED,
	  OPT_CLI },
	{ "end-on-close", 0, "S", "with --scenario: end the run once the host "
	  "has closed\nthe port and not opened it again for S simulated\n"
	  "seconds", main_opt_end_on_close, 0, OPT_CLI },
	{ "help", 0, NULL, "print this help and exit", NULL, 0, OPT_HELP },
	{ "version", 0, NULL, "print the version and exit", NULL, 0,
	  OPT_VERSION },
};

static const struct opt_table main_opttab = {
	.usage = "usage: fotasim --link PATH [options]\n",
	.opts = main_opts,
	.nopts = nitems(main_opts),
	.version = "fotasim " PACKAGE_VERSION,
};

static struct modem modem;
/* The scenario of --scenario: its strings are the options' values, so it
 * lives until main() returns. */
static struct scenario main_scn;
static int main_have_scn;

/* SIGTERM/SIGINT/SIGHUP: an orderly power-down. */
static void
main_signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop; (void)revents;
	translog_state(modem.log, "power", "signal %d", w->signum);
	modem_power_down(&modem, 1);
}

/* A scenario's [modem]/[network] value: set as the option would be. */
static int
main_scenario_check(void *arg, const char *name, const char *value, char *err,
    size_t errlen)
{
	return opt_set(&main_opttab, arg, name, value, err, errlen);
}

/* The --scenario FILE argument, looked for before the options are parsed
 * (the scenario's settings come first, the command line's override them);
 * NULL if there is none. */
static const char *
main_find_scenario(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--scenario") == 0 && i + 1 < argc)
			return argv[i + 1];
		if (strncmp(argv[i], "--scenario=", 11) == 0)
			return argv[i] + 11;
	}
	return NULL;
}

/* The modem is off: leave the loop. */
static void
main_modem_off(struct modem *m)
{
	ev_break(m->loop, EVBREAK_ALL);
}

static int
main_run(int argc, char **argv)
{
	struct modem_config cfg = { .model = MODEM_EC200T, .port_mode = MODEM_PORT_USB };
	const char *state_dir = NULL, *logpath = NULL, *scn_path = NULL;
	const char *seed = NULL;
	struct scenario *scn = &main_scn;
	struct scn_run *run = NULL;
	char *scn_err = NULL;
	char *tls_dir = NULL, link2[4096];
	struct serve_options serve = { .root = NULL };
	struct fakeserver *servers = NULL;
	struct firmware_options fwopts = { 0 };
	struct statedir sd;
	struct ev_loop *loop;
	struct clock *clock;
	ev_signal sigs[3];
	int signums[3] = { SIGTERM, SIGINT, SIGHUP };
	double speed = 1;
	struct dl_timeouts timeouts;
	struct main_list lists[MAIN_NLIST];
	struct net_link_override link;
	struct link_faults faults = { .n = 0 };
	struct link_profile shape = { 0, 0, 0, 0 };
	struct main_opts o = { &cfg, &state_dir, &logpath, &scn_path, &seed,
	    &serve, &fwopts, &speed, &timeouts, lists, &link, &faults, &shape };
	char err[512];
	int c, i, rc;

	util_set_progname(argv[0]);
	memset(lists, 0, sizeof lists);
	memset(&link, 0, sizeof link);
	cfg.pdp_act_time = NET_ACT_TIME;
	dl_timeouts_default(&timeouts);
	if ((scn_path = main_find_scenario(argc, argv)) != NULL) {
		if (scenario_load(scn, scn_path, main_scenario_check, &o,
		    &scn_err) != 0) {
			warnx_("%s", scn_err);
			free(scn_err);
			return 2;
		}
		main_have_scn = 1;
	}
	if ((c = opt_parse(&main_opttab, &o, argc, argv, err, sizeof err)) <= 0)
		return opt_parse_status(&main_opttab, c, err);
	if (seed != NULL) {
		char *end;
		unsigned long long v = strtoull(seed, &end, 10);

		if (!main_have_scn || *seed < '0' || *seed > '9' || *end != '\0') {
			warnx_("--seed: expected a number, with --scenario");
			return 2;
		}
		scn->seed = v;
		scn->faults.rng = v;
	}
	if (main_end_on_close > 0 && !main_have_scn) {
		warnx_("--end-on-close: only with --scenario");
		return 2;
	}
	if (main_have_scn && scn->servers && serve.root != NULL) {
		warnx_("--serve: the scenario's [servers] runs the servers");
		return 2;
	}
	if (serve.root == NULL && serve.faults != NULL) {
		warnx_("--serve-faults needs --serve DIR");
		return 2;
	}
	if (c != argc || cfg.link == NULL) {
		opt_usage(&main_opttab, stderr);
		return 2;
	}
	/* A scenario that drives the second interface: beside the first
	 * unless --link2 says where. */
	if (main_have_scn && scn->second_port && cfg.link2 == NULL) {
		if ((size_t)snprintf(link2, sizeof link2, "%s.2", cfg.link) >=
		    sizeof link2) {
			warnx_("--link: too long a path");
			return 2;
		}
		cfg.link2 = link2;
	}
	if (cfg.link2 != NULL && strcmp(cfg.link2, cfg.link) == 0) {
		warnx_("--link2: the second interface needs a path of its own");
		return 2;
	}
	if (cfg.revision != NULL && (strlen(cfg.revision) == 0 ||
	    strlen(cfg.revision) >= sizeof modem.revision)) {
		warnx_("--revision: expected 1 to %zu characters",
		    sizeof modem.revision - 1);
		return 2;
	}
	if (firmware_options_check(&fwopts, err, sizeof err) != 0 ||
	    main_check_rats(&cfg, &lists[MAIN_LIST_NET_EVENT], err,
	    sizeof err) != 0) {
		warnx_("%s", err);
		return 2;
	}
	/* [modem] staged describes a fresh flash, not one a state dir has. */
	if (main_have_scn && scn->staged != NULL && state_dir != NULL) {
		struct stat st;
		char *img;

		xasprintf(&img, "%s/flash.img", state_dir);
		i = stat(img, &st);
		free(img);
		if (i == 0) {
			warnx_("%s:%d: staged: %s already holds a flash; a staged "
			    "package is the state of a fresh one",
			    scn->staged_at.file, scn->staged_at.line, state_dir);
			return 2;
		}
	}
	cfg.fw_opts = &fwopts;
	if (faults.n > 0)
		cfg.link_faults = &faults;
	cfg.fota_timeouts = &timeouts;
	cfg.dns = lists[MAIN_LIST_DNS].v;
	cfg.ndns = lists[MAIN_LIST_DNS].n;
	cfg.reject_apn = lists[MAIN_LIST_REJECT_APN].v;
	cfg.nreject_apn = lists[MAIN_LIST_REJECT_APN].n;
	cfg.net_events = lists[MAIN_LIST_NET_EVENT].v;
	cfg.nnet_events = lists[MAIN_LIST_NET_EVENT].n;
	loop = ev_default_loop(EVFLAG_AUTO);
	clock = clock_new(loop, speed);
	/* A scenario at max speed: stamps independent of the machine. */
	if (main_have_scn)
		clock_set_discrete(clock);
	rc = 1;		/* until the modem has run */
	if (logpath != NULL && (cfg.log = translog_open(logpath, clock)) == NULL) {
		warnx_("%s: %s", logpath, strerror(errno));
		goto out_clock;
	}
	if (statedir_open(&sd, state_dir, err, sizeof err) != 0) {
		warnx_("%s", err);
		goto out_log;
	}
	cfg.state_dir = sd.path;
	/* The servers' certificates live in the state dir, so that nothing
	 * is left elsewhere when the process is killed. */
	if (serve.root != NULL) {
		xasprintf(&tls_dir, "%s/tls", sd.path);
		if (mkdir(tls_dir, 0700) != 0 && errno != EEXIST) {
			warnx_("%s: %s", tls_dir, strerror(errno));
			goto out_statedir;
		}
		serve.tls_dir = tls_dir;
	}

	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < 3; i++) {
		ev_signal_init(&sigs[i], main_signal_cb, signums[i]);
		ev_signal_start(loop, &sigs[i]);
	}
	if (serve.root != NULL &&
	    (servers = serve_start(clock, cfg.log, &serve, stdout, err,
	    sizeof err)) == NULL) {
		warnx_("--serve: %s", err);
		goto out_statedir;
	}
	if (main_have_scn) {
		if ((run = scn_run_new(scn, clock, cfg.log,
		    cfg.model == MODEM_UC200T ? "UC200T" : "EC200T",
		    fwopts.given & FWOPT_IMAGE_SIZE ? fwopts.image_size : 0,
		    stdout, err, sizeof err)) == NULL) {
			warnx_("%s", err);
			goto out_servers;
		}
		if (scn_run_ca_file(run) != NULL)
			cfg.ca_file = scn_run_ca_file(run);
	}
	if (modem_init(&modem, clock, &cfg) != 0) {
		warnx_("cannot set up the modem");
		modem_free(&modem);
		goto out_servers;
	}
	modem.on_off = main_modem_off;
	translog_state(cfg.log, "fotasim",
	    "start model=%s revision=%s speed=%s port=%s",
	    modem.model_name, modem.revision, clock_is_max(clock) ? "max" : "n",
	    cfg.port_mode == MODEM_PORT_USB ? "usb" : "uart");
	/* Simulated time starts at power-on, not at process start-up. */
	clock_zero(clock);
	if (run != NULL && scn_run_stage(run, &modem, err, sizeof err) != 0) {
		warnx_("%s", err);
		modem_free(&modem);
		goto out_servers;
	}
	if (run != NULL) {
		scn_run_end_on_close(run, main_end_on_close);
		scn_run_attach(run, &modem, cfg.link);
	}
	modem_power_on(&modem);
	ev_run(loop, 0);

	/* A modem that failed at run time (its pty, its flash) exits 1; a
	 * scenario whose [expect] did not hold, too. */
	rc = modem.failed[0] != '\0';
	if (run != NULL && scn_run_check(run, stderr) != 0)
		rc = 1;
	translog_state(cfg.log, "fotasim", "exit");
	scn_run_free(run);
	run = NULL;
	modem_free(&modem);
out_servers:
	scn_run_free(run);
	serve_stop(servers);
out_statedir:
	statedir_close(&sd);
	free(tls_dir);
out_log:
	translog_close(cfg.log);
out_clock:
	clock_free(clock);
	ev_loop_destroy(loop);
	return rc;
}

int
main(int argc, char **argv)
{
	int rc = main_run(argc, argv);

	if (main_have_scn)
		scenario_free(&main_scn);
	return rc;
}
