/*
 * server-main.c: fotasim-server, the fake servers standalone.  Prints one
 * "SERVICE ADDR:PORT" line per server, then "ready", on stdout.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "clock.h"
#include "fakeserver.h"
#include "faults.h"
#include "fslog.h"
#include "opttab.h"
#include "util.h"

/* SIGINT/SIGTERM: leave the loop so that everything is closed in order. */
static void
server_signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

/* What fotasim-server's options set: main()'s variables, by address. */
struct server_opts {
	struct fakeserver_config *cfg;
	struct ftpd_user	**users;
	const char		***names;
	double			*speed;
	int			*any;		/* a service option was given */
	int			*check;
};

/* Keys of the options that only keep their argument. */
enum {
	SERVER_OPT_ROOT,
	SERVER_OPT_FAULTS,
	SERVER_OPT_BIND,
	SERVER_OPT_TLS_DIR,
};

/* --root, --faults, --bind, --tls-dir. */
static int
server_opt_string(void *ctx, const struct opt *o, const char *v, char *err,
    size_t errlen)
{
	struct server_opts *so = ctx;
	const char **dst[] = {
		[SERVER_OPT_ROOT] = &so->cfg->root,
		[SERVER_OPT_FAULTS] = &so->cfg->faults_file,
		[SERVER_OPT_BIND] = &so->cfg->bind,
		[SERVER_OPT_TLS_DIR] = &so->cfg->tls_dir,
	};

	*dst[o->key] = v;
	return 0;
}

/* --ftp, --http, --https PORT (0 = ephemeral); the key says which. */
static int
server_opt_port(void *ctx, const struct opt *o, const char *v, char *err,
    size_t errlen)
{
	struct server_opts *so = ctx;
	int *dst[] = { &so->cfg->ftp_port, &so->cfg->http_port,
	    &so->cfg->https_port };
	long port;

	if (parse_long(v, 0, 65535, &port) == -1) {
		snprintf(err, errlen, "bad port \"%s\"", v);
		return -1;
	}
	*dst[o->key] = (int)port;
	*so->any = 1;
	return 0;
}

/* --user NAME:PASSWORD, once per user. */
static int
server_opt_user(void *ctx, const struct opt *o, const char *v, char *err,
    size_t errlen)
{
	struct server_opts *so = ctx;
	const char *colon = strchr(v, ':');
	size_t n = so->cfg->nusers;

	if (colon == NULL || colon == v) {
		snprintf(err, errlen, "--user needs NAME:PASSWORD");
		return -1;
	}
	*so->users = xreallocarray(*so->users, n + 1, sizeof **so->users);
	(*so->users)[n].name = xstrndup(v, (size_t)(colon - v));
	(*so->users)[n].pass = xstrdup(colon + 1);
	so->cfg->nusers++;
	return 0;
}

/* --tls-name NAME, once per name. */
static int
server_opt_tls_name(void *ctx, const struct opt *o, const char *v, char *err,
    size_t errlen)
{
	struct server_opts *so = ctx;
	size_t n = so->cfg->ntls_names;

	*so->names = xreallocarray(*so->names, n + 1, sizeof **so->names);
	(*so->names)[n] = v;
	so->cfg->ntls_names++;
	return 0;
}

/* --speed N|max. */
static int
server_opt_speed(void *ctx, const struct opt *o, const char *v, char *err,
    size_t errlen)
{
	struct server_opts *so = ctx;

	if (clock_parse_speed(v, so->speed) == 0)
		return 0;
	snprintf(err, errlen, "bad --speed \"%s\"", v);
	return -1;
}

/* --idle-timeout SECS. */
static int
server_opt_idle(void *ctx, const struct opt *o, const char *v, char *err,
    size_t errlen)
{
	struct server_opts *so = ctx;
	long secs;

	if (parse_long(v, 1, 86400 * 365, &secs) == -1) {
		snprintf(err, errlen, "bad --idle-timeout \"%s\"", v);
		return -1;
	}
	so->cfg->idle_timeout = (double)secs;
	return 0;
}

/* --max-connections N. */
static int
server_opt_max_conn(void *ctx, const struct opt *o, const char *v, char *err,
    size_t errlen)
{
	struct server_opts *so = ctx;
	long n;

	if (parse_long(v, 1, 65536, &n) == -1) {
		snprintf(err, errlen, "bad --max-connections \"%s\" (1-65536)", v);
		return -1;
	}
	so->cfg->max_connections = (size_t)n;
	return 0;
}

/* --anonymous, --check, -v, -q: switches; the key says which. */
static int
server_opt_flag(void *ctx, const struct opt *o, const char *v, char *err,
    size_t errlen)
{
	struct server_opts *so = ctx;

	switch (o->key) {
	case 'a': so->cfg->anonymous = 1; break;
	case 'c': *so->check = 1; break;
	case 'v': fslog_set_level(FSLOG_DEBUG); break;
	case 'q': fslog_set_level(FSLOG_ERROR); break;
	}
	return 0;
}

static const struct opt server_opts[] = {
	{ "root", 0, "DIR", "serve the files under DIR (required)",
	  server_opt_string, SERVER_OPT_ROOT, 0 },
	{ "ftp", 0, "PORT", "run the FTP server on PORT (0: ephemeral)",
	  server_opt_port, 0, 0 },
	{ "http", 0, "PORT", "run the HTTP server on PORT (0: ephemeral)",
	  server_opt_port, 1, 0 },
	{ "https", 0, "PORT", "run the HTTPS server on PORT (0: ephemeral)",
	  server_opt_port, 2, 0 },
	{ "faults", 0, "FILE", "fault directives (docs/fault-directives.md)",
	  server_opt_string, SERVER_OPT_FAULTS, 0 },
	{ "bind", 0, "ADDR", "listen on ADDR (default 127.0.0.1)",
	  server_opt_string, SERVER_OPT_BIND, 0 },
	{ "user", 0, "U:P", "an FTP user U with password P; may be repeated",
	  server_opt_user, 0, 0 },
	{ "anonymous", 0, NULL, "accept anonymous FTP logins as well\n"
	  "(always on without --user)", server_opt_flag, 'a', 0 },
	{ "speed", 0, "N|max", "simulated time runs N times wall time "
	  "(0.1-10000),\nor skips idle time (max); default 1",
	  server_opt_speed, 0, 0 },
	{ "idle-timeout", 0, "SECS", "close idle connections after SECS "
	  "simulated seconds\n(default 300)", server_opt_idle, 0, 0 },
	{ "max-connections", 0, "N", "at most N connections per port "
	  "(default 1024); one\nmore gets FTP 421, HTTP 503, an HTTPS close",
	  server_opt_max_conn, 0, 0 },
	{ "tls-dir", 0, "DIR", "make the certificates and ca.pem in DIR\n"
	  "(default: a private temporary dir)", server_opt_string,
	  SERVER_OPT_TLS_DIR, 0 },
	{ "tls-name", 0, "NAME", "one more name in the server certificate;\n"
	  "may be repeated", server_opt_tls_name, 0, 0 },
	{ "check", 0, NULL, "only check --faults FILE and exit",
	  server_opt_flag, 'c', OPT_CLI },
	{ "verbose", 'v', NULL, "log debug messages", server_opt_flag, 'v', 0 },
	{ "quiet", 'q', NULL, "log errors only", server_opt_flag, 'q', 0 },
	{ "help", 0, NULL, "print this help and exit", NULL, 0, OPT_HELP },
	{ "version", 0, NULL, "print the version and exit", NULL, 0,
	  OPT_VERSION },
};

static const struct opt_table server_opttab = {
	.usage = "usage: fotasim-server --root DIR [options]\n",
	.opts = server_opts,
	.nopts = nitems(server_opts),
	.footer = "Without --ftp/--http/--https, all three start on ephemeral "
	    "ports.\n",
	.version = "fotasim-server " PACKAGE_VERSION,
};

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
	struct fakeserver_config cfg;
	struct ftpd_user *users = NULL;
	const char **names = NULL;
	struct fakeserver *fs;
	struct ev_loop *loop;
	struct clock *clock = NULL;
	ev_signal sigint, sigterm;
	double speed = 1;
	char *err = NULL, msg[256];
	int c, any = 0, check = 0, rc = 0;
	struct server_opts o = { &cfg, &users, &names, &speed, &any, &check };
	size_t i;

	util_set_progname(argv[0]);
	memset(&cfg, 0, sizeof cfg);
	cfg.ftp_port = cfg.http_port = cfg.https_port = FAKESERVER_OFF;
	if ((c = opt_parse(&server_opttab, &o, argc, argv, msg, sizeof msg)) <= 0)
		return opt_parse_status(&server_opttab, c, msg);
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
	if (c != argc || cfg.root == NULL) {
		opt_usage(&server_opttab, stderr);
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
