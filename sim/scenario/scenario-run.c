/*
 * scenario-run.c: play a scenario inside fotasim.
 *
 * The servers serve a fresh temporary root that holds the scenario's
 * packages (built from the two revisions' images, as fotasim-pkg create
 * does) and files.  The timeline's triggers watch the modem through its
 * hooks (struct modem_hooks); an action never runs inside the hook that
 * triggered it but from a zero-delay timer on the same simulated instant,
 * so the modem is never changed under its own feet.  At the end the FOTA
 * URCs seen, the revision and the servers' request counts are checked
 * against [expect].
 */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "fakeserver.h"
#include "firmware/firmware.h"
#include "firmware/firmware-opts.h"
#include "firmware/image.h"
#include "firmware/package.h"
#include "fslog.h"
#include "modem.h"
#include "scenario-run.h"
#include "translog.h"
#include "util.h"

/* One timeline line at run time. */
struct scn_ev {
	struct scn_run		*run;
	const struct scn_event	*e;
	int			 fired;
	struct clock_timer	 at_t;		/* SCN_AT_TIME */
	struct clock_timer	 act_t;		/* the action, right after */
};

struct scn_run {
	struct scenario		*s;
	struct clock		*clock;
	struct translog		*log;
	struct modem		*m;
	char			*root;		/* the servers' temporary root */
	struct fakeserver	*servers;
	struct scn_ev		*ev;
	char			**urcs;		/* FOTA URCs seen, short forms */
	size_t			 nurcs;
	struct scn_host		*host;
	struct scn_host_vars	 vars;
	int			 host_done;
	char			*host_failed;	/* why, or NULL */
	double			 end_on_close;	/* 0: off */
	int			 flash_match;	/* firmware_slot_is_image at the end;
						   -2: not seen */
	struct clock_timer	 close_t;
};

/* Server log lines: into the transcript; errors on stderr too. */
static void
scn_server_log(enum fslog_level level, const char *line, void *arg)
{
	translog_state(arg, "server", "%s", line);
	if (level == FSLOG_ERROR)
		warnx_("%s", line);
}

/* mkdir -p of the directories above root/name. */
static int
scn_mkdirs(const char *root, const char *name)
{
	char *path, *sl;
	int rc = 0;

	xasprintf(&path, "%s/%s", root, name);
	for (sl = path + strlen(root) + 1; (sl = strchr(sl, '/')) != NULL;
	    sl++) {
		*sl = '\0';
		if (mkdir(path, 0755) == -1 && errno != EEXIST)
			rc = -1;
		*sl = '/';
	}
	free(path);
	return rc;
}

static int
scn_write(const char *root, const char *name, const void *p, size_t n)
{
	char *path;
	FILE *f;
	int rc = -1;

	if (scn_mkdirs(root, name) != 0)
		return -1;
	xasprintf(&path, "%s/%s", root, name);
	if ((f = fopen(path, "wb")) != NULL) {
		rc = n == 0 || fwrite(p, 1, n, f) == n ? 0 : -1;
		if (fclose(f) != 0)
			rc = -1;
	}
	free(path);
	return rc;
}

/* A revision's image; NULL on a bad name. */
static unsigned char *
scn_image(const char *model, const char *rev, uint64_t size)
{
	unsigned char *p = xmalloc((size_t)size);

	if (image_read(model, rev, size, 0, p, (size_t)size) != 0) {
		free(p);
		return NULL;
	}
	return p;
}

/* Build the packages and copy the files into the root. */
static int
scn_fill_root(struct scn_run *r, const char *model, uint64_t size, char *err,
    size_t errlen)
{
	const struct scenario *s = r->s;
	unsigned char *a, *b, *pkg;
	size_t i, len;
	char *text;
	int rc;

	for (i = 0; i < s->npkgs; i++) {
		const struct scn_package *k = &s->pkgs[i];

		a = scn_image(model, k->from, size);
		b = scn_image(model, k->to, size);
		rc = a == NULL || b == NULL ? -1 : pkg_build(k->delta ?
		    PKG_DELTA : PKG_FULL, model, k->from, a, size, k->to, b,
		    size, &pkg, &len);
		free(a);
		free(b);
		if (rc != 0) {
			snprintf(err, errlen, "%s:%d:%d: cannot build the %s "
			    "package %s -> %s", k->at.file, k->at.line,
			    k->at.col, model, k->from, k->to);
			return -1;
		}
		rc = scn_write(r->root, k->name, pkg, len);
		free(pkg);
		if (rc != 0) {
			snprintf(err, errlen, "%s/%s: %s", r->root, k->name,
			    strerror(errno));
			return -1;
		}
	}
	for (i = 0; i < s->nsfiles; i++) {
		const struct scn_file *f = &s->sfiles[i];
		FILE *fp;
		struct buf bb;
		char tmp[4096];
		size_t n;

		if ((fp = fopen(f->path, "rb")) == NULL) {
			snprintf(err, errlen, "%s:%d:%d: %s: %s", f->at.file,
			    f->at.line, f->at.col, f->path, strerror(errno));
			return -1;
		}
		buf_init(&bb);
		while ((n = fread(tmp, 1, sizeof tmp, fp)) > 0)
			buf_add(&bb, tmp, n);
		fclose(fp);
		rc = scn_write(r->root, f->name, buf_head(&bb), buf_used(&bb));
		buf_free(&bb);
		if (rc != 0) {
			xasprintf(&text, "%s/%s", r->root, f->name);
			snprintf(err, errlen, "%s: %s", text, strerror(errno));
			free(text);
			return -1;
		}
	}
	return 0;
}

static int
scn_rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

struct scn_run *
scn_run_new(struct scenario *s, struct clock *clock, struct translog *log,
    const char *model, uint64_t image_size, FILE *out, char *err,
    size_t errlen)
{
	static const char *services[] = { "ftp", "http", "https" };
	struct scn_run *r = xcalloc(1, sizeof *r);
	struct fakeserver_config cfg;
	static char user[] = "test", pass[] = "test";
	static const struct ftpd_user users[] = { { user, pass } };
	const char *tmp = getenv("TMPDIR");
	char *why = NULL;
	size_t i;
	int port;

	r->s = s;
	r->clock = clock;
	r->log = log;
	translog_state(log, "scenario", "%s seed=%llu", s->path,
	    (unsigned long long)s->seed);
	if (!s->servers)
		return r;
	xasprintf(&r->root, "%s/fotasim-scn-XXXXXX", tmp && *tmp ? tmp :
	    "/tmp");
	if (mkdtemp(r->root) == NULL) {
		snprintf(err, errlen, "%s: %s", r->root, strerror(errno));
		free(r->root);
		r->root = NULL;
		goto fail;
	}
	if (scn_fill_root(r, model, image_size ? image_size :
	    FIRMWARE_DEFAULT_SIZE, err, errlen) != 0)
		goto fail;
	memset(&cfg, 0, sizeof cfg);
	cfg.root = r->root;
	cfg.faults_take = &s->faults;
	cfg.users = users;
	cfg.nusers = nitems(users);
	cfg.anonymous = 1;
	cfg.clock = clock;
	/* Making the HTTPS server's certificates is most of a short run's
	 * start-up: only when something can use it (an external host can). */
	if (!s->uses_https)
		cfg.https_port = FAKESERVER_OFF;
	fslog_set_sink(scn_server_log, log);
	if ((r->servers = fakeserver_start(clock_loop(clock), &cfg, &why)) ==
	    NULL) {
		snprintf(err, errlen, "servers: %s", why ? why : "cannot start");
		free(why);
		goto fail;
	}
	for (i = 0; i < nitems(services); i++) {
		if ((port = fakeserver_port(r->servers, services[i])) <= 0)
			continue;
		snprintf(r->vars.addr[i], sizeof r->vars.addr[i], "%s:%d",
		    fakeserver_address(r->servers), port);
		snprintf(r->vars.port[i], sizeof r->vars.port[i], "%d", port);
		if (out != NULL)
			fprintf(out, "%s %s\n", services[i], r->vars.addr[i]);
		translog_state(log, "server", "%s %s", services[i],
		    r->vars.addr[i]);
	}
	if (out != NULL && fakeserver_ca_file(r->servers) != NULL)
		fprintf(out, "ca %s\n", fakeserver_ca_file(r->servers));
	if (out != NULL)
		fflush(out);
	r->vars.root = r->root;
	return r;
fail:
	scn_run_free(r);
	return NULL;
}

const char *
scn_run_ca_file(const struct scn_run *r)
{
	if (!r->s->verify_https || r->servers == NULL)
		return NULL;
	return fakeserver_ca_file(r->servers);
}

/* The action of a fired line, on its own timer. */
static void
scn_act_cb(struct clock_timer *t, void *arg)
{
	struct scn_ev *v = arg;
	const struct scn_event *e = v->e;
	struct modem *m = v->run->m;
	enum net_action what;
	char spec[128], number[NET_NUMBER_MAX];
	double at;
	int cid;

	(void)t;
	translog_state(v->run->log, "scenario", "%s:%d: %s", e->at.file,
	    e->at.line, e->text);
	switch (e->action) {
	case SCN_DO_NET:
		snprintf(spec, sizeof spec, "T=0 %s", e->net);
		if (net_event_parse(spec, &at, &what, &cid, number, NULL, 0)
		    == 0)
			net_action_run(&m->net, what, cid, number);
		break;
	case SCN_DO_POWER_CUT:
		modem_power_cut(m, e->secs);
		break;
	case SCN_DO_REBOOT:
		modem_reboot(m);
		break;
	case SCN_DO_FAULT_ON:
		if (v->run->servers != NULL)
			fakeserver_faults(v->run->servers)->v[e->fault].off = 0;
		break;
	case SCN_DO_FAULTS_OFF:
		if (v->run->servers != NULL) {
			struct faults *fs = fakeserver_faults(v->run->servers);
			size_t i;

			for (i = 0; i < fs->n; i++)
				fs->v[i].off = 1;
		}
		break;
	}
}

/* A trigger holds: fire its line once. */
static void
scn_fire(struct scn_ev *v)
{
	if (v->fired)
		return;
	v->fired = 1;
	clock_timer_start(&v->act_t, 0);
}

static void
scn_at_cb(struct clock_timer *t, void *arg)
{
	(void)t;
	scn_fire(arg);
}

/* Hooks: what the modem did. */
static void
scn_hook_command(void *arg, const char *line, size_t len)
{
	struct scn_run *r = arg;
	char *copy = xstrndup(line, len);
	size_t i;

	for (i = 0; i < r->s->nevents; i++)
		if (r->s->events[i].trigger == SCN_ON_SEND &&
		    fnmatch(r->s->events[i].pattern, copy, 0) == 0)
			scn_fire(&r->ev[i]);
	free(copy);
}

static void
scn_hook_urc(void *arg, const char *line)
{
	struct scn_run *r = arg;
	char sh[128];
	size_t i;

	if (scenario_urc_short(line, sh, sizeof sh) == 0) {
		r->urcs = xreallocarray(r->urcs, r->nurcs + 1, sizeof *r->urcs);
		r->urcs[r->nurcs++] = xstrdup(sh);
	}
	for (i = 0; i < r->s->nevents; i++)
		if (r->s->events[i].trigger == SCN_ON_URC &&
		    fnmatch(r->s->events[i].pattern, line, 0) == 0)
			scn_fire(&r->ev[i]);
}

static void
scn_hook_download(void *arg, uint64_t got, uint64_t size)
{
	struct scn_run *r = arg;
	const struct scn_event *e;
	size_t i;

	for (i = 0; i < r->s->nevents; i++) {
		e = &r->s->events[i];
		if ((e->trigger == SCN_AT_DOWNLOAD_BYTE &&
		    (double)got >= e->value) ||
		    (e->trigger == SCN_AT_DOWNLOAD_PCT && size > 0 &&
		    (double)got * 100 >= e->value * (double)size))
			scn_fire(&r->ev[i]);
	}
}

static void
scn_hook_update(void *arg, int percent)
{
	struct scn_run *r = arg;
	size_t i;

	for (i = 0; i < r->s->nevents; i++)
		if (r->s->events[i].trigger == SCN_AT_UPDATE_PCT &&
		    percent >= r->s->events[i].value)
			scn_fire(&r->ev[i]);
}

/* The last moment the flash is open: [expect] flash. */
static void
scn_hook_off(void *arg)
{
	struct scn_run *r = arg;

	if (r->s->flash != NULL && r->m->fw != NULL)
		r->flash_match = firmware_slot_is_image(r->m->fw, r->s->flash);
}

/* --end-on-close: the host went away (while the modem is up) or came
 * back. */
static void
scn_hook_host(void *arg, int attached)
{
	struct scn_run *r = arg;

	if (r->end_on_close <= 0)
		return;
	if (attached)
		clock_timer_stop(&r->close_t);
	else if (r->m->power == MODEM_ON)
		clock_timer_start(&r->close_t, r->end_on_close);
}

static void
scn_close_cb(struct clock_timer *t, void *arg)
{
	struct scn_run *r = arg;

	(void)t;
	translog_state(r->log, "scenario", "the host closed the port %gs ago: "
	    "the run ends", r->end_on_close);
	modem_power_down(r->m, 1);
}

void
scn_run_end_on_close(struct scn_run *r, double secs)
{
	r->end_on_close = secs;
}

/* The built-in host is through: power down, which ends the run. */
static void
scn_host_done(void *arg, const char *why)
{
	struct scn_run *r = arg;

	r->host_done = 1;
	if (why != NULL)
		r->host_failed = xstrdup(why);
	translog_state(r->log, "scenario", "host %s%s", why ? "failed: " :
	    "done", why ? why : "");
	modem_power_down(r->m, 1);
}

int
scn_run_stage(struct scn_run *r, struct modem *m, char *err, size_t errlen)
{
	struct firmware_options opts;
	struct firmware_config cfg;
	struct firmware *fw;
	char *path = NULL, why[256];
	unsigned char *p = NULL;
	size_t len = 0;
	FILE *f;
	int rc = -1;

	if (r->s->staged == NULL)
		return 0;
	if (m->cfg.state_dir == NULL) {
		snprintf(err, errlen, "%s:%d: staged: no state dir",
		    r->s->staged_at.file, r->s->staged_at.line);
		return -1;
	}
	/* The flash as the factory left it, then the package: the chip's
	 * faults ([modem] flash-fault) are the module's, from its power-on. */
	firmware_config_default(&cfg);
	cfg.state_dir = m->cfg.state_dir;
	cfg.model = m->model_name;
	cfg.revision = m->revision;
	if (m->cfg.fw_opts != NULL) {
		opts = *m->cfg.fw_opts;
		opts.given &= ~(unsigned)FWOPT_FAULT;
		cfg.opts = &opts;
	}
	cfg.clock = r->clock;
	cfg.log = r->log;
	xasprintf(&path, "%s/%s", r->root, r->s->staged);
	if ((f = fopen(path, "rb")) != NULL) {
		struct stat st;

		if (fstat(fileno(f), &st) == 0) {
			len = (size_t)st.st_size;
			p = xmalloc(len ? len : 1);
			if (fread(p, 1, len, f) == len)
				rc = 0;
		}
		fclose(f);
	}
	if (rc != 0) {
		snprintf(err, errlen, "%s:%d: staged: cannot read /%s",
		    r->s->staged_at.file, r->s->staged_at.line, r->s->staged);
		goto out;
	}
	/* The modem's own boot (modem_init) is closed: power-on boots it
	 * again from this flash, with the package pending. */
	firmware_close(m->fw);
	m->fw = NULL;
	if (firmware_boot(&cfg, NULL, &fw, why, sizeof why) != 0) {
		snprintf(err, errlen, "staged: firmware: %s", why);
		rc = -1;
		goto out;
	}
	if ((rc = firmware_stage(fw, p, len)) != 0)
		snprintf(err, errlen, "%s:%d: staged: /%s does not fit the FOTA "
		    "area (%d)", r->s->staged_at.file, r->s->staged_at.line,
		    r->s->staged, rc);
	else
		translog_state(r->log, "scenario", "staged /%s (%zu bytes) in "
		    "the FOTA area", r->s->staged, len);
	firmware_close(fw);
	rc = rc != 0 ? -1 : 0;
out:
	free(p);
	free(path);
	return rc;
}

void
scn_run_attach(struct scn_run *r, struct modem *m, const char *link)
{
	size_t i;

	r->m = m;
	m->hooks.command = scn_hook_command;
	m->hooks.urc = scn_hook_urc;
	m->hooks.download = scn_hook_download;
	m->hooks.update = scn_hook_update;
	m->hooks.host = scn_hook_host;
	m->hooks.off = scn_hook_off;
	r->flash_match = -2;
	m->hooks.arg = r;
	clock_timer_init(&r->close_t, r->clock, scn_close_cb, r);
	r->ev = xcalloc(r->s->nevents ? r->s->nevents : 1, sizeof *r->ev);
	for (i = 0; i < r->s->nevents; i++) {
		r->ev[i].run = r;
		r->ev[i].e = &r->s->events[i];
		clock_timer_init(&r->ev[i].at_t, r->clock, scn_at_cb, &r->ev[i]);
		clock_timer_init(&r->ev[i].act_t, r->clock, scn_act_cb,
		    &r->ev[i]);
		if (r->s->events[i].trigger == SCN_AT_TIME)
			clock_timer_start(&r->ev[i].at_t, r->s->events[i].value);
	}
	if (r->s->host)
		r->host = scn_host_start(r->s, m, link, &r->vars, scn_host_done,
		    r);
}

/*
 * The expected and the actual FOTA URCs side by side, "<--" where they
 * disagree.  A pattern with '*' takes the run of URCs it matches, shown
 * as one row ("UPDATING,6 ... UPDATING,100 (17)").
 */
static void
scn_urc_diff(const struct scn_run *r, FILE *out)
{
	const struct scenario *s = r->s;
	size_t i = 0, j = 0, k;
	char run[256];

	fprintf(out, "  %-28s %s\n", "expected", "actual");
	while (i < s->nurcs || j < r->nurcs) {
		const char *w = i < s->nurcs ? s->urcs[i] : "";
		const char *g = j < r->nurcs ? r->urcs[j] : "";
		int bad;

		if (i < s->nurcs && strchr(w, '*') != NULL) {
			for (k = 0; j + k < r->nurcs &&
			    fnmatch(w, r->urcs[j + k], 0) == 0; k++)
				;
			if (k > 1)
				snprintf(run, sizeof run, "%s ... %s (%zu)", g,
				    r->urcs[j + k - 1], k);
			else
				snprintf(run, sizeof run, "%s", k ? g : "");
			fprintf(out, "  %-28s %s%s\n", w, run, k ? "" :
			    "   <--");
			i++;
			j += k;
			continue;
		}
		bad = i >= s->nurcs || j >= r->nurcs || strcmp(w, g) != 0;
		fprintf(out, "  %-28s %s%s\n", w, g, bad ? "   <--" : "");
		if (i < s->nurcs)
			i++;
		if (j < r->nurcs)
			j++;
	}
}

int
scn_run_check(struct scn_run *r, FILE *out)
{
	const struct scenario *s = r->s;
	unsigned long got;
	size_t i;
	int fails = 0;

	if (r->host_failed != NULL) {
		fprintf(out, "%s: FAIL: host: %s\n", s->path, r->host_failed);
		fails++;
	} else if (s->host && !r->host_done) {
		fprintf(out, "%s: FAIL: host: the run ended before the script "
		    "did\n", s->path);
		fails++;
	}
	if (s->revision != NULL && r->m != NULL &&
	    strcmp(s->revision, r->m->revision) != 0) {
		fprintf(out, "%s:%d:%d: FAIL: revision %s, expected %s\n",
		    s->revision_at.file, s->revision_at.line,
		    s->revision_at.col, r->m->revision, s->revision);
		fails++;
	}
	if (s->flash != NULL && r->flash_match != 1) {
		fprintf(out, "%s:%d:%d: FAIL: the booted slot %s the image of "
		    "%s\n", s->flash_at.file, s->flash_at.line, s->flash_at.col,
		    r->flash_match == 0 ? "is not" : r->flash_match == -1 ?
		    "could not be read to compare with" : "was not there at "
		    "power-down to compare with", s->flash);
		fails++;
	}
	if (s->has_urcs && !scenario_urcs_match((const char *const *)s->urcs,
	    s->nurcs, (const char *const *)r->urcs, r->nurcs)) {
		fprintf(out, "%s: FAIL: the FOTA URCs differ\n", s->path);
		scn_urc_diff(r, out);
		fails++;
	}
	for (i = 0; i < s->ndownloads; i++) {
		char *path;

		xasprintf(&path, "/%s", s->downloads[i].path);
		got = r->servers ? fakeserver_requests(r->servers, path) : 0;
		free(path);
		if (got != (unsigned long)s->downloads[i].n) {
			fprintf(out, "%s:%d:%d: FAIL: %lu download request%s "
			    "for /%s, expected %ld\n", s->downloads[i].at.file,
			    s->downloads[i].at.line, s->downloads[i].at.col,
			    got, got == 1 ? "" : "s", s->downloads[i].path,
			    s->downloads[i].n);
			fails++;
		}
	}
	translog_state(r->log, "scenario", "%s", fails ? "fail" : "pass");
	return fails ? 1 : 0;
}

void
scn_run_free(struct scn_run *r)
{
	size_t i;

	if (r == NULL)
		return;
	if (r->m != NULL)
		memset(&r->m->hooks, 0, sizeof r->m->hooks);
	scn_host_free(r->host);
	if (r->m != NULL)
		clock_timer_stop(&r->close_t);
	if (r->ev != NULL)
		for (i = 0; i < r->s->nevents; i++) {
			clock_timer_stop(&r->ev[i].at_t);
			clock_timer_stop(&r->ev[i].act_t);
		}
	free(r->ev);
	if (r->servers != NULL)
		fakeserver_stop(r->servers);
	fslog_set_sink(NULL, NULL);
	if (r->root != NULL) {
		nftw(r->root, scn_rm_cb, 8, FTW_DEPTH | FTW_PHYS);
		free(r->root);
	}
	for (i = 0; i < r->nurcs; i++)
		free(r->urcs[i]);
	free(r->urcs);
	free(r->host_failed);
	free(r);
}
