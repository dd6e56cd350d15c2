/*
 * server-main.c: fotasim-server, the fake servers standalone.  Prints one
 * "SERVICE ADDR:PORT" line per server, then "ready", on stdout.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "clock.h"
#include "fakeserver.h"
#include "faults.h"
#include "fslog.h"
#include "util.h"

static const char usage[] =
"usage: fotasim-server --root DIR [--ftp PORT] [--http PORT] [--https PORT]\n"
"           [--faults FILE] [--bind ADDR] [--user U:P]... [--anonymous]\n"
"           [--speed N|max] [--idle-timeout SECS] [--tls-dir DIR]\n"
"           [--tls-name NAME]... [--check] [-v|-q]\n"
"       fotasim-server --help | --version\n"
"Without --ftp/--http/--https, all three start on ephemeral ports.\n";

/* SIGINT/SIGTERM: leave the loop so that everything is closed in order. */
static void
server_signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

/* Parse a --ftp/--http/--https port (0 = ephemeral). */
static int
server_parse_port(const char *s)
{
	long v;

	if (parse_long(s, 0, 65535, &v) == -1) {
		warnx_("bad port \"%s\"", s);
		exit(2);
	}
	return (int)v;
}

/* Allow as many descriptors as the hard limit, for many clients. */
static void
server_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "ftp", required_argument, NULL, 'f' },
		{ "http", required_argument, NULL, 'h' },
		{ "https", required_argument, NULL, 's' },
		{ "faults", required_argument, NULL, 'F' },
		{ "bind", required_argument, NULL, 'b' },
		{ "user", required_argument, NULL, 'u' },
		{ "anonymous", no_argument, NULL, 'a' },
		{ "speed", required_argument, NULL, 'S' },
		{ "idle-timeout", required_argument, NULL, 'i' },
		{ "tls-dir", required_argument, NULL, 'T' },
		{ "tls-name", required_argument, NULL, 'N' },
		{ "check", no_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'H' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct fakeserver_config cfg;
	struct ftpd_user *users = NULL;
	const char **names = NULL;
	struct fakeserver *fs;
	struct ev_loop *loop;
	struct clock *clock = NULL;
	ev_signal sigint, sigterm;
	double speed = 1;
	char *err = NULL, *colon;
	int c, any = 0, check = 0, rc = 0;
	size_t i;

	util_set_progname(argv[0]);
	memset(&cfg, 0, sizeof cfg);
	cfg.ftp_port = cfg.http_port = cfg.https_port = FAKESERVER_OFF;
	while ((c = getopt_long(argc, argv, "vq", opts, NULL)) != -1) {
		switch (c) {
		case 'r': cfg.root = optarg; break;
		case 'f': cfg.ftp_port = server_parse_port(optarg); any = 1; break;
		case 'h': cfg.http_port = server_parse_port(optarg); any = 1; break;
		case 's': cfg.https_port = server_parse_port(optarg); any = 1; break;
		case 'F': cfg.faults_file = optarg; break;
		case 'b': cfg.bind = optarg; break;
		case 'a': cfg.anonymous = 1; break;
		case 'c': check = 1; break;
		case 'v': fslog_set_level(FSLOG_DEBUG); break;
		case 'q': fslog_set_level(FSLOG_ERROR); break;
		case 'T': cfg.tls_dir = optarg; break;
		case 'u':
			if ((colon = strchr(optarg, ':')) == NULL || colon == optarg) {
				warnx_("--user needs NAME:PASSWORD");
				return 2;
			}
			users = xreallocarray(users, cfg.nusers + 1, sizeof *users);
			users[cfg.nusers].name = xstrndup(optarg,
			    (size_t)(colon - optarg));
			users[cfg.nusers].pass = xstrdup(colon + 1);
			cfg.nusers++;
			break;
		case 'N':
			names = xreallocarray(names, cfg.ntls_names + 1,
			    sizeof *names);
			names[cfg.ntls_names++] = optarg;
			break;
		case 'S':
			if (clock_parse_speed(optarg, &speed) == -1) {
				warnx_("bad --speed \"%s\"", optarg);
				return 2;
			}
			break;
		case 'i': {
			long v;
			if (parse_long(optarg, 1, 86400 * 365, &v) == -1) {
				warnx_("bad --idle-timeout \"%s\"", optarg);
				return 2;
			}
			cfg.idle_timeout = (double)v;
			break;
		}
		case 'H':
			fputs(usage, stdout);
			return 0;
		case 'V':
			printf("fotasim-server %s\n", PACKAGE_VERSION);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (check) {
		struct faults f;

		if (cfg.faults_file == NULL) {
			warnx_("--check needs --faults FILE");
			return 2;
		}
		faults_init(&f);
		if (faults_load(&f, cfg.faults_file, &err) == -1) {
			fprintf(stderr, "%s\n", err);
			free(err);
			faults_free(&f);
			return 1;
		}
		printf("%s: %zu directives\n", cfg.faults_file, f.n);
		faults_free(&f);
		return 0;
	}
	if (optind != argc || cfg.root == NULL) {
		fputs(usage, stderr);
		return 2;
	}
	if (!any)
		cfg.ftp_port = cfg.http_port = cfg.https_port = 0;
	if (cfg.nusers == 0)
		cfg.anonymous = 1;
	cfg.users = users;
	cfg.tls_names = names;
	server_raise_nofile();

	loop = ev_default_loop(EVFLAG_AUTO);
	cfg.clock = clock = clock_new(loop, speed);
	if ((fs = fakeserver_start(loop, &cfg, &err)) == NULL) {
		fprintf(stderr, "%s\n", err);
		free(err);
		rc = 1;
		goto out;
	}
	/* Catch signals before "ready", so that a prompt SIGTERM is orderly. */
	ev_signal_init(&sigint, server_signal_cb, SIGINT);
	ev_signal_init(&sigterm, server_signal_cb, SIGTERM);
	ev_signal_start(loop, &sigint);
	ev_signal_start(loop, &sigterm);
	static const char *services[] = { "ftp", "http", "https" };
	for (i = 0; i < nitems(services); i++) {
		int port = fakeserver_port(fs, services[i]);
		if (port > 0)
			printf("%s %s:%d\n", services[i], fakeserver_address(fs),
			    port);
	}
	if (fakeserver_ca_file(fs) != NULL)
		printf("ca %s\n", fakeserver_ca_file(fs));
	printf("ready\n");
	fflush(stdout);

	ev_run(loop, 0);

	fakeserver_stop(fs);
out:
	clock_free(clock);
	for (i = 0; i < cfg.nusers; i++) {
		free(users[i].name);
		free(users[i].pass);
	}
	free(users);
	free(names);
	ev_loop_destroy(loop);
	return rc;
}
