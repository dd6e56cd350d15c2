/*
 * main.c: the fotasim program: one virtual module on a pty.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ev.h>

#include "clock.h"
#include "firmware/firmware-opts.h"
#include "modem.h"
#include "serve.h"
#include "statedir.h"
#include "translog.h"
#include "util.h"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: fotasim --link PATH [options]\n"
"  --link PATH          keep a symlink at PATH pointing to the AT port's pty\n"
"  --state-dir DIR      what survives power loss (default: a temporary dir)\n"
"  --speed N|max        simulated time runs N times wall time (0.1-10000),\n"
"                       or skips idle time (max); default 1\n"
"  --model M            EC200T (default) or UC200T\n"
"  --revision REV       firmware revision of a fresh state dir\n"
"  --port usb|uart      usb: the port vanishes on reboot (default);\n"
"                       uart: the same pty stays and goes silent\n"
"  --log FILE           append a transcript (docs/transcript.md)\n"
"  --serve DIR          also run the fake FTP/HTTP/HTTPS servers on DIR\n"
"  --serve-ports F,H,S  their ports (default 0,0,0: ephemeral)\n"
"  --serve-faults FILE  fault directives for them (docs/fault-directives.md)\n"
FIRMWARE_USAGE
"  --help, --version\n");
}

static struct modem modem;

/* SIGTERM/SIGINT/SIGHUP: an orderly power-down. */
static void
main_signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop; (void)revents;
	translog_state(modem.log, "power", "signal %d", w->signum);
	modem_power_down(&modem, 1);
}

/* The modem is off: leave the loop. */
static void
main_modem_off(struct modem *m)
{
	ev_break(m->loop, EVBREAK_ALL);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "link", required_argument, NULL, 'l' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "speed", required_argument, NULL, 's' },
		{ "model", required_argument, NULL, 'm' },
		{ "revision", required_argument, NULL, 'r' },
		{ "port", required_argument, NULL, 'p' },
		{ "log", required_argument, NULL, 'L' },
		{ "serve", required_argument, NULL, 'S' },
		{ "serve-ports", required_argument, NULL, 'P' },
		{ "serve-faults", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		FIRMWARE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct modem_config cfg = { .model = MODEM_EC200T, .port_mode = MODEM_PORT_USB };
	const char *state_dir = NULL, *logpath = NULL;
	struct serve_options serve = { NULL, NULL, 0, 0, 0 };
	struct fakeserver *servers = NULL;
	struct firmware_options fwopts = { 0 };
	struct statedir sd;
	struct ev_loop *loop;
	struct clock *clock;
	ev_signal sigs[3];
	int signums[3] = { SIGTERM, SIGINT, SIGHUP };
	double speed = 1;
	char err[512];
	int c, i, rc;

	util_set_progname(argv[0]);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l': cfg.link = optarg; break;
		case 'd': state_dir = optarg; break;
		case 's':
			if (clock_parse_speed(optarg, &speed) != 0) {
				warnx_("--speed: expected max or a number from "
				    "0.1 to 10000, not '%s'", optarg);
				return 2;
			}
			break;
		case 'm':
			if (strcasecmp(optarg, "EC200T") == 0)
				cfg.model = MODEM_EC200T;
			else if (strcasecmp(optarg, "UC200T") == 0)
				cfg.model = MODEM_UC200T;
			else {
				warnx_("--model: expected EC200T or UC200T, not '%s'",
				    optarg);
				return 2;
			}
			break;
		case 'r': cfg.revision = optarg; break;
		case 'p':
			if (strcmp(optarg, "usb") == 0)
				cfg.port_mode = MODEM_PORT_USB;
			else if (strcmp(optarg, "uart") == 0)
				cfg.port_mode = MODEM_PORT_UART;
			else {
				warnx_("--port: expected usb or uart, not '%s'", optarg);
				return 2;
			}
			break;
		case 'L': logpath = optarg; break;
		case 'S': serve.root = optarg; break;
		case 'F': serve.faults = optarg; break;
		case 'P':
			if (serve_parse_ports(&serve, optarg) != 0) {
				warnx_("--serve-ports: expected FTP,HTTP,HTTPS "
				    "port numbers, not '%s'", optarg);
				return 2;
			}
			break;
		case FIRMWARE_OPT_FLASH:
		case FIRMWARE_OPT_FLASH_SIZE:
		case FIRMWARE_OPT_IMAGE_SIZE:
		case FIRMWARE_OPT_FLASH_TIMING:
		case FIRMWARE_OPT_FLASH_BLOCK:
		case FIRMWARE_OPT_FLASH_PAGE:
			if (firmware_parse_option(&fwopts, c, optarg, err,
			    sizeof err) != 0) {
				warnx_("%s", err);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("fotasim %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (serve.root == NULL && serve.faults != NULL) {
		warnx_("--serve-faults needs --serve DIR");
		return 2;
	}
	if (optind != argc || cfg.link == NULL) {
		usage(stderr);
		return 2;
	}
	if (cfg.revision != NULL && (strlen(cfg.revision) == 0 ||
	    strlen(cfg.revision) >= sizeof modem.revision)) {
		warnx_("--revision: expected 1 to %zu characters",
		    sizeof modem.revision - 1);
		return 2;
	}
	if (firmware_options_check(&fwopts, err, sizeof err) != 0) {
		warnx_("%s", err);
		return 2;
	}
	cfg.fw_opts = &fwopts;
	loop = ev_default_loop(EVFLAG_AUTO);
	clock = clock_new(loop, speed);
	if (logpath != NULL && (cfg.log = translog_open(logpath, clock)) == NULL) {
		warnx_("%s: %s", logpath, strerror(errno));
		return 1;
	}
	if (statedir_open(&sd, state_dir, err, sizeof err) != 0) {
		warnx_("%s", err);
		return 1;
	}
	cfg.state_dir = sd.path;

	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < 3; i++) {
		ev_signal_init(&sigs[i], main_signal_cb, signums[i]);
		ev_signal_start(loop, &sigs[i]);
	}
	if (serve.root != NULL &&
	    (servers = serve_start(clock, cfg.log, &serve, stdout, err,
	    sizeof err)) == NULL) {
		warnx_("--serve: %s", err);
		return 1;
	}
	if (modem_init(&modem, clock, &cfg) != 0) {
		warnx_("cannot set up the modem");
		return 1;
	}
	modem.on_off = main_modem_off;
	translog_state(cfg.log, "fotasim",
	    "start model=%s revision=%s speed=%s port=%s",
	    modem.model_name, modem.revision, clock_is_max(clock) ? "max" : "n",
	    cfg.port_mode == MODEM_PORT_USB ? "usb" : "uart");
	/* Simulated time starts at power-on, not at process start-up. */
	clock_zero(clock);
	modem_power_on(&modem);
	ev_run(loop, 0);

	/* A modem that failed at run time (its pty, its flash) exits 1. */
	rc = modem.failed[0] != '\0';
	translog_state(cfg.log, "fotasim", "exit");
	modem_free(&modem);
	serve_stop(servers);
	statedir_close(&sd);
	translog_close(cfg.log);
	clock_free(clock);
	ev_loop_destroy(loop);
	return rc;
}
