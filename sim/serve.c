/*
 * serve.c: run the fake servers inside fotasim.
 *
 * They share the modem's loop and simulated clock, so server-side stalls and
 * throttles scale with --speed like everything else.  Their log lines go to
 * the transcript as "server" state records, next to what the modem did.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fakeserver.h"
#include "fslog.h"
#include "serve.h"
#include "translog.h"
#include "util.h"

/* The FTP account of the manual's example URL (ftp://test:test@...). */
static char serve_user_name[] = "test", serve_user_pass[] = "test";
static const struct ftpd_user serve_users[] = {
	{ serve_user_name, serve_user_pass },
};

/* Server log line: into the transcript, and to stderr when it matters. */
static void
serve_log(enum fslog_level level, const char *line, void *arg)
{
	translog_state(arg, "server", "%s", line);
	if (level == FSLOG_ERROR)
		warnx_("%s", line);
}

int
serve_parse_ports(struct serve_options *o, const char *text)
{
	char *copy = xstrdup(text), *save = NULL, *tok;
	int *ports[3] = { &o->ftp_port, &o->http_port, &o->https_port };
	long v;
	int i, rc = 0;

	for (i = 0, tok = strtok_r(copy, ",", &save); i < 3;
	    i++, tok = strtok_r(NULL, ",", &save)) {
		if (tok == NULL || parse_long(tok, 0, 65535, &v) != 0) {
			rc = -1;
			break;
		}
		*ports[i] = (int)v;
	}
	if (rc == 0 && strtok_r(NULL, ",", &save) != NULL)
		rc = -1;
	free(copy);
	return rc;
}

struct fakeserver *
serve_start(struct clock *clock, struct translog *log,
    const struct serve_options *o, FILE *out, char *err, size_t errlen)
{
	static const char *services[] = { "ftp", "http", "https" };
	struct fakeserver_config cfg;
	struct fakeserver *fs;
	char *why = NULL;
	size_t i;

	memset(&cfg, 0, sizeof cfg);
	cfg.root = o->root;
	cfg.faults_file = o->faults;
	cfg.ftp_port = o->ftp_port;
	cfg.http_port = o->http_port;
	cfg.https_port = o->https_port;
	cfg.tls_dir = o->tls_dir;
	cfg.users = serve_users;
	cfg.nusers = nitems(serve_users);
	cfg.anonymous = 1;
	cfg.clock = clock;
	fslog_set_sink(serve_log, log);
	if ((fs = fakeserver_start(clock_loop(clock), &cfg, &why)) == NULL) {
		snprintf(err, errlen, "%s", why ? why : "cannot start servers");
		free(why);
		return NULL;
	}
	for (i = 0; i < nitems(services); i++) {
		int port = fakeserver_port(fs, services[i]);
		if (port <= 0)
			continue;
		fprintf(out, "%s %s:%d\n", services[i], fakeserver_address(fs), port);
		translog_state(log, "server", "%s %s:%d", services[i],
		    fakeserver_address(fs), port);
	}
	if (fakeserver_ca_file(fs) != NULL)
		fprintf(out, "ca %s\n", fakeserver_ca_file(fs));
	fflush(out);
	return fs;
}

void
serve_stop(struct fakeserver *fs)
{
	if (fs != NULL)
		fakeserver_stop(fs);
	fslog_set_sink(NULL, NULL);
}
