/*
 * fakeserver.c: start and stop the fake servers together.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "fakeserver.h"
#include "faults.h"
#include "fslog.h"
#include "fsroot.h"
#include "fstls.h"
#include "ftpd.h"
#include "httpd.h"
#include "util.h"

struct fakeserver {
	struct ev_loop		*loop;
	char			*bind;
	struct fsroot		 root;
	struct faults		 faults;
	struct ftpd		*ftpd;
	struct httpd		*httpd;
	struct httpd		*httpsd;
	struct fstls		 tls;
};

/* Start the HTTP or (with tls) HTTPS server. */
static struct httpd *
fakeserver_start_http(struct fakeserver *fs, const struct fakeserver_config *cfg,
    int port, int tls, char **err)
{
	struct httpd_config hc;

	memset(&hc, 0, sizeof hc);
	hc.bind = fs->bind;
	hc.port = port;
	hc.root = &fs->root;
	hc.faults = &fs->faults;
	hc.idle_timeout = cfg->idle_timeout;
	hc.max_connections = cfg->max_connections;
	hc.clock = cfg->clock;
	if (tls) {
		if (fstls_make(&fs->tls, cfg->tls_dir, cfg->tls_names,
		    cfg->ntls_names, err) == -1)
			return NULL;
		hc.tls = &fs->tls;
	}
	return httpd_start(fs->loop, &hc, err);
}

struct fakeserver *
fakeserver_start(struct ev_loop *loop, const struct fakeserver_config *cfg,
    char **err)
{
	struct fakeserver *fs = xcalloc(1, sizeof *fs);
	struct ftpd_config fc;

	/* Writes to a vanished client must be an error, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	fs->loop = loop;
	fs->bind = xstrdup(cfg->bind ? cfg->bind : "127.0.0.1");
	faults_init(&fs->faults);
	if (fsroot_init(&fs->root, cfg->root) == -1) {
		xasprintf(err, "root %s: %s", cfg->root, strerror(errno));
		goto fail;
	}
	if (cfg->faults_take != NULL) {
		fs->faults = *cfg->faults_take;
		faults_init(cfg->faults_take);
	}
	if (cfg->faults_file != NULL &&
	    faults_load(&fs->faults, cfg->faults_file, err) == -1)
		goto fail;
	if (cfg->faults_text != NULL &&
	    faults_parse(&fs->faults, "<inline>", cfg->faults_text,
	    strlen(cfg->faults_text), err) == -1)
		goto fail;

	if (cfg->ftp_port != FAKESERVER_OFF) {
		memset(&fc, 0, sizeof fc);
		fc.bind = fs->bind;
		fc.port = cfg->ftp_port;
		fc.root = &fs->root;
		fc.users = cfg->users;
		fc.nusers = cfg->nusers;
		fc.anonymous = cfg->anonymous;
		fc.idle_timeout = cfg->idle_timeout;
		fc.max_connections = cfg->max_connections;
		fc.faults = &fs->faults;
		fc.clock = cfg->clock;
		if ((fs->ftpd = ftpd_start(loop, &fc, err)) == NULL)
			goto fail;
	}
	if (cfg->http_port != FAKESERVER_OFF &&
	    (fs->httpd = fakeserver_start_http(fs, cfg, cfg->http_port, 0,
	    err)) == NULL)
		goto fail;
	if (cfg->https_port != FAKESERVER_OFF &&
	    (fs->httpsd = fakeserver_start_http(fs, cfg, cfg->https_port, 1,
	    err)) == NULL)
		goto fail;
	return fs;
fail:
	fakeserver_stop(fs);
	return NULL;
}

int
fakeserver_port(const struct fakeserver *fs, const char *service)
{
	if (strcmp(service, "ftp") == 0 && fs->ftpd != NULL)
		return ftpd_port(fs->ftpd);
	if (strcmp(service, "http") == 0 && fs->httpd != NULL)
		return httpd_port(fs->httpd);
	if (strcmp(service, "https") == 0 && fs->httpsd != NULL)
		return httpd_port(fs->httpsd);
	return -1;
}

const char *
fakeserver_address(const struct fakeserver *fs)
{
	return fs->bind;
}

const char *
fakeserver_ca_file(const struct fakeserver *fs)
{
	return fs->tls.ca_file;
}

struct faults *
fakeserver_faults(struct fakeserver *fs)
{
	return &fs->faults;
}

unsigned long
fakeserver_requests(const struct fakeserver *fs, const char *path)
{
	return fsroot_hits(&fs->root, path);
}

void
fakeserver_stop(struct fakeserver *fs)
{
	if (fs == NULL)
		return;
	ftpd_stop(fs->ftpd);
	httpd_stop(fs->httpd);
	httpd_stop(fs->httpsd);
	fstls_free(&fs->tls);
	faults_free(&fs->faults);
	fsroot_free(&fs->root);
	free(fs->bind);
	free(fs);
}
