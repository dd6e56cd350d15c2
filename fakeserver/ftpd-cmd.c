/*
 * ftpd-cmd.c: the FTP commands.  The dispatcher in ftpd.c has already checked
 * login and argument presence from the table at the bottom of this file.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "faults.h"
#include "fslog.h"
#include "fsroot.h"
#include "ftpd-int.h"

/* Resolve a client path against the session's directory; replies on error. */
static char *
ftpd_cmd_vpath(struct ftpd_session *s, const char *arg)
{
	char *vpath, who[64];

	snprintf(who, sizeof who, "ftp[%lu]", s->id);
	if (fsroot_vpath(s->cwd, arg, &vpath, who) != FSROOT_OK) {
		ftpd_session_reply(s, 550, "Permission denied.");
		return NULL;
	}
	return vpath;
}

/* Whether name/pass is a configured user (or anonymous when allowed). */
static int
ftpd_cmd_check_user(const struct ftpd_config *cfg, const char *name,
    const char *pass)
{
	size_t i;

	if (cfg->anonymous && (strcmp(name, "anonymous") == 0 ||
	    strcmp(name, "ftp") == 0))
		return 1;
	for (i = 0; i < cfg->nusers; i++)
		if (strcmp(cfg->users[i].name, name) == 0 &&
		    strcmp(cfg->users[i].pass, pass) == 0)
			return 1;
	return 0;
}

/* USER name: remember it and ask for a password. */
static void
ftpd_cmd_user(struct ftpd_session *s, char *arg)
{
	if (s->state > FTPD_PASS) {
		ftpd_session_reply(s, 530, "Already logged in.");
		return;
	}
	free(s->user);
	s->user = xstrdup(arg);
	ftpd_session_set_state(s, FTPD_PASS);
	ftpd_session_reply(s, 331, "Please specify the password.");
}

/* PASS password: log in or refuse. */
static void
ftpd_cmd_pass(struct ftpd_session *s, char *arg)
{
	if (s->state != FTPD_PASS) {
		ftpd_session_reply(s, 503, "Login with USER first.");
		return;
	}
	if (!ftpd_cmd_check_user(&s->srv->cfg, s->user, arg)) {
		fslog(FSLOG_INFO, "ftp[%lu]: login refused for \"%s\"", s->id,
		    s->user);
		ftpd_session_set_state(s, FTPD_USER);
		ftpd_session_reply(s, 530, "Login incorrect.");
		return;
	}
	ftpd_session_set_state(s, FTPD_READY);
	ftpd_session_reply(s, 230, "Login successful.");
}

/* ACCT: no accounts are needed here. */
static void
ftpd_cmd_acct(struct ftpd_session *s, char *arg)
{
	ftpd_session_reply(s, 202, "ACCT not needed.");
}

/* SYST: the system type every client understands. */
static void
ftpd_cmd_syst(struct ftpd_session *s, char *arg)
{
	ftpd_session_reply(s, 215, "UNIX Type: L8");
}

/* FEAT: RFC 2389 feature list. */
static void
ftpd_cmd_feat(struct ftpd_session *s, char *arg)
{
	static const char feat[] = "211-Features:\r\n EPSV\r\n PASV\r\n"
	    " MDTM\r\n REST STREAM\r\n SIZE\r\n UTF8\r\n211 End\r\n";

	ftpd_session_send(s, feat, sizeof feat - 1);
}

/* OPTS: only UTF8 ON, which is what clients ask for. */
static void
ftpd_cmd_opts(struct ftpd_session *s, char *arg)
{
	if (strncasecmp(arg, "UTF8", 4) == 0)
		ftpd_session_reply(s, 200, "Always in UTF8 mode.");
	else
		ftpd_session_reply(s, 501, "Option not understood.");
}

/* PWD: the virtual working directory. */
static void
ftpd_cmd_pwd(struct ftpd_session *s, char *arg)
{
	ftpd_session_reply(s, 257, "\"%s\" is the current directory.", s->cwd);
}

/* CWD dir: change directory inside the root. */
static void
ftpd_cmd_cwd(struct ftpd_session *s, char *arg)
{
	char *vpath, who[64];

	if ((vpath = ftpd_cmd_vpath(s, arg)) == NULL)
		return;
	snprintf(who, sizeof who, "ftp[%lu]", s->id);
	if (fsroot_isdir(s->srv->cfg.root, vpath, who) != FSROOT_OK) {
		ftpd_session_reply(s, 550, "Failed to change directory.");
		free(vpath);
		return;
	}
	free(s->cwd);
	s->cwd = vpath;
	ftpd_session_reply(s, 250, "Directory successfully changed.");
}

/* CDUP: go to the parent, never above the root. */
static void
ftpd_cmd_cdup(struct ftpd_session *s, char *arg)
{
	char *slash = strrchr(s->cwd, '/');

	if (slash == s->cwd)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	ftpd_session_reply(s, 250, "Directory successfully changed.");
}

/* TYPE A|I [N|8]: ASCII is accepted but served as binary. */
static void
ftpd_cmd_type(struct ftpd_session *s, char *arg)
{
	if (strcasecmp(arg, "I") == 0 || strcasecmp(arg, "L 8") == 0) {
		s->type = 'I';
		ftpd_session_reply(s, 200, "Switching to Binary mode.");
	} else if (strcasecmp(arg, "A") == 0 || strcasecmp(arg, "A N") == 0) {
		s->type = 'A';
		ftpd_session_reply(s, 200, "Switching to ASCII mode.");
	} else
		ftpd_session_reply(s, 504, "Unsupported type.");
}

/* MODE S: stream mode only. */
static void
ftpd_cmd_mode(struct ftpd_session *s, char *arg)
{
	if (strcasecmp(arg, "S") == 0)
		ftpd_session_reply(s, 200, "Mode set to S.");
	else
		ftpd_session_reply(s, 504, "Bad MODE command.");
}

/* STRU F: file structure only. */
static void
ftpd_cmd_stru(struct ftpd_session *s, char *arg)
{
	if (strcasecmp(arg, "F") == 0)
		ftpd_session_reply(s, 200, "Structure set to F.");
	else
		ftpd_session_reply(s, 504, "Bad STRU command.");
}

/* Open a regular file named by a client path; replies 550 on failure. */
static int
ftpd_cmd_open(struct ftpd_session *s, const char *arg, struct stat *st,
    char **vpathp)
{
	char *vpath, who[64];
	int fd;

	if ((vpath = ftpd_cmd_vpath(s, arg)) == NULL)
		return -1;
	snprintf(who, sizeof who, "ftp[%lu]", s->id);
	switch (fsroot_open(s->srv->cfg.root, vpath, &fd, st, who)) {
	case FSROOT_OK:
		break;
	case FSROOT_REFUSED:
		ftpd_session_reply(s, 550, "Permission denied.");
		free(vpath);
		return -1;
	default:
		ftpd_session_reply(s, 550, "Failed to open file.");
		free(vpath);
		return -1;
	}
	if (vpathp != NULL)
		*vpathp = vpath;
	else
		free(vpath);
	return fd;
}

/* SIZE file: its size in bytes. */
static void
ftpd_cmd_size(struct ftpd_session *s, char *arg)
{
	struct stat st;
	int fd;

	if ((fd = ftpd_cmd_open(s, arg, &st, NULL)) == -1)
		return;
	close(fd);
	ftpd_session_reply(s, 213, "%lld", (long long)st.st_size);
}

/* MDTM file: modification time, UTC. */
static void
ftpd_cmd_mdtm(struct ftpd_session *s, char *arg)
{
	struct stat st;
	struct tm tm;
	char when[32];
	int fd;

	if ((fd = ftpd_cmd_open(s, arg, &st, NULL)) == -1)
		return;
	close(fd);
	gmtime_r(&st.st_mtime, &tm);
	strftime(when, sizeof when, "%Y%m%d%H%M%S", &tm);
	ftpd_session_reply(s, 213, "%s", when);
}

/* REST offset: where the next RETR starts. */
static void
ftpd_cmd_rest(struct ftpd_session *s, char *arg)
{
	long v;

	if (parse_long(arg, 0, __LONG_MAX__, &v) == -1) {
		ftpd_session_reply(s, 501, "Bad REST offset.");
		return;
	}
	s->rest = (off_t)v;
	ftpd_session_reply(s, 350, "Restart position accepted (%ld).", v);
}

/* Format a host address as "h1,h2,h3,h4" for PASV. */
static int
ftpd_cmd_pasv_host(const struct sockaddr_storage *ss, char *out, size_t len)
{
	const unsigned char *a;

	if (ss->ss_family != AF_INET)
		return -1;
	a = (const unsigned char *)&((const struct sockaddr_in *)ss)->sin_addr;
	snprintf(out, len, "%u,%u,%u,%u", a[0], a[1], a[2], a[3]);
	return 0;
}

/* PASV and EPSV: open a listener and advertise it (or what a fault says). */
static void
ftpd_cmd_passive(struct ftpd_session *s, int extended)
{
	const struct fault *f = s->fault;
	char host[32];
	int port;

	if (!extended && s->local.ss_family != AF_INET) {
		ftpd_session_reply(s, 522, "Use EPSV on IPv6.");
		return;
	}
	if ((port = ftpd_data_listen(s)) == -1) {
		ftpd_session_reply(s, 425, "Cannot open passive connection.");
		return;
	}
	if (f != NULL && f->action == FAULT_ADDRESS && f->count > 0)
		port = (int)f->count;
	if (extended) {
		ftpd_session_reply(s, 229, "Entering Extended Passive Mode (|||%d|)",
		    port);
	} else {
		ftpd_cmd_pasv_host(&s->local, host, sizeof host);
		if (f != NULL && f->action == FAULT_ADDRESS && f->text != NULL) {
			snprintf(host, sizeof host, "%s", f->text);
			for (char *p = host; *p != '\0'; p++)
				if (*p == '.')
					*p = ',';
		}
		ftpd_session_reply(s, 227, "Entering Passive Mode (%s,%d,%d).",
		    host, port >> 8, port & 0xff);
	}
	if (f != NULL && f->action == FAULT_REFUSE)
		ftpd_data_close(s);
}

/* PASV. */
static void
ftpd_cmd_pasv(struct ftpd_session *s, char *arg)
{
	ftpd_cmd_passive(s, 0);
}

/* EPSV [ALL|1|2]. */
static void
ftpd_cmd_epsv(struct ftpd_session *s, char *arg)
{
	if (strcasecmp(arg, "ALL") == 0) {
		ftpd_session_reply(s, 200, "EPSV ALL ok.");
		return;
	}
	ftpd_cmd_passive(s, 1);
}

/* PORT and EPRT: active mode is not offered. */
static void
ftpd_cmd_active(struct ftpd_session *s, char *arg)
{
	ftpd_session_reply(s, 502, "Active mode not implemented; use PASV.");
}

/* A transfer needs a passive connection and no other transfer going on;
 * replies and returns -1 if that is not so. */
static int
ftpd_cmd_check_data(struct ftpd_session *s)
{
	if (s->state == FTPD_TRANSFER) {
		ftpd_session_reply(s, 450, "Transfer already in progress.");
		return -1;
	}
	if (!ftpd_data_ready(s)) {
		ftpd_session_reply(s, 425, "Use PASV or EPSV first.");
		return -1;
	}
	return 0;
}

/* RETR file: send it on the passive connection. */
static void
ftpd_cmd_retr(struct ftpd_session *s, char *arg)
{
	struct stat st;
	char *vpath;
	int fd;

	if (ftpd_cmd_check_data(s) == -1)
		return;
	if ((fd = ftpd_cmd_open(s, arg, &st, &vpath)) == -1) {
		ftpd_data_close(s);
		return;
	}
	ftpd_data_start_file(s, fd, st.st_size, vpath);
	free(vpath);
}

/* Append one listing line for a directory entry. */
static void
ftpd_cmd_list_entry(struct buf *b, const char *name, const struct stat *st,
    int names_only)
{
	struct tm tm;
	char when[32];

	if (names_only) {
		buf_addf(b, "%s\r\n", name);
		return;
	}
	gmtime_r(&st->st_mtime, &tm);
	strftime(when, sizeof when, "%b %e %H:%M", &tm);
	buf_addf(b, "%crw-r--r-- 1 ftp ftp %12lld %s %s\r\n",
	    S_ISDIR(st->st_mode) ? 'd' : '-', (long long)st->st_size, when, name);
}

/* LIST and NLST: a directory (or one file) on the data connection. */
static void
ftpd_cmd_listing(struct ftpd_session *s, char *arg, int names_only)
{
	struct dirent *de;
	struct stat st;
	struct buf text;
	char *vpath, *real = NULL, who[64];
	DIR *d;

	while (*arg == '-') {		/* "LIST -la": options are ignored */
		arg += strcspn(arg, " ");
		arg += strspn(arg, " ");
	}
	if (ftpd_cmd_check_data(s) == -1)
		return;
	if ((vpath = ftpd_cmd_vpath(s, *arg ? arg : ".")) == NULL) {
		ftpd_data_close(s);
		return;
	}
	snprintf(who, sizeof who, "ftp[%lu]", s->id);
	if (fsroot_real(s->srv->cfg.root, vpath, &real, who) != FSROOT_OK ||
	    stat(real, &st) == -1) {
		free(real);
		free(vpath);
		ftpd_data_close(s);
		ftpd_session_reply(s, 550, "No such file or directory.");
		return;
	}
	buf_init(&text);
	if (!S_ISDIR(st.st_mode)) {
		const char *base = strrchr(vpath, '/') + 1;
		ftpd_cmd_list_entry(&text, base, &st, names_only);
	} else if ((d = opendir(real)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			if (fstatat(dirfd(d), de->d_name, &st, 0) == -1)
				continue;
			ftpd_cmd_list_entry(&text, de->d_name, &st, names_only);
		}
		closedir(d);
	}
	free(real);
	free(vpath);
	ftpd_data_start_list(s, &text);
}

/* LIST [path]. */
static void
ftpd_cmd_list(struct ftpd_session *s, char *arg)
{
	ftpd_cmd_listing(s, arg, 0);
}

/* NLST [path]. */
static void
ftpd_cmd_nlst(struct ftpd_session *s, char *arg)
{
	ftpd_cmd_listing(s, arg, 1);
}

/* NOOP. */
static void
ftpd_cmd_noop(struct ftpd_session *s, char *arg)
{
	ftpd_session_reply(s, 200, "NOOP ok.");
}

/* ABOR: stop any transfer. */
static void
ftpd_cmd_abor(struct ftpd_session *s, char *arg)
{
	if (s->state == FTPD_TRANSFER) {
		ftpd_data_close(s);
		ftpd_session_set_state(s, FTPD_READY);
		ftpd_session_reply(s, 426, "Transfer aborted.");
	} else
		ftpd_data_close(s);
	ftpd_session_reply(s, 226, "ABOR successful.");
}

/* QUIT. */
static void
ftpd_cmd_quit(struct ftpd_session *s, char *arg)
{
	ftpd_session_reply(s, 221, "Goodbye.");
	ftpd_session_close_later(s);
}

static const struct ftpd_cmd ftpd_cmds[] = {
	{ "ABOR", FTPD_CMD_NOARG, ftpd_cmd_abor },
	{ "ACCT", FTPD_CMD_ARG, ftpd_cmd_acct },
	{ "CDUP", FTPD_CMD_LOGIN | FTPD_CMD_NOARG, ftpd_cmd_cdup },
	{ "CWD", FTPD_CMD_LOGIN | FTPD_CMD_ARG, ftpd_cmd_cwd },
	{ "EPRT", FTPD_CMD_LOGIN, ftpd_cmd_active },
	{ "EPSV", FTPD_CMD_LOGIN, ftpd_cmd_epsv },
	{ "FEAT", FTPD_CMD_NOARG, ftpd_cmd_feat },
	{ "LIST", FTPD_CMD_LOGIN, ftpd_cmd_list },
	{ "MDTM", FTPD_CMD_LOGIN | FTPD_CMD_ARG, ftpd_cmd_mdtm },
	{ "MODE", FTPD_CMD_LOGIN | FTPD_CMD_ARG, ftpd_cmd_mode },
	{ "NLST", FTPD_CMD_LOGIN, ftpd_cmd_nlst },
	{ "NOOP", FTPD_CMD_NOARG, ftpd_cmd_noop },
	{ "OPTS", FTPD_CMD_ARG, ftpd_cmd_opts },
	{ "PASS", 0, ftpd_cmd_pass },
	{ "PASV", FTPD_CMD_LOGIN | FTPD_CMD_NOARG, ftpd_cmd_pasv },
	{ "PORT", FTPD_CMD_LOGIN, ftpd_cmd_active },
	{ "PWD", FTPD_CMD_LOGIN | FTPD_CMD_NOARG, ftpd_cmd_pwd },
	{ "QUIT", 0, ftpd_cmd_quit },
	{ "REST", FTPD_CMD_LOGIN | FTPD_CMD_ARG, ftpd_cmd_rest },
	{ "RETR", FTPD_CMD_LOGIN | FTPD_CMD_ARG, ftpd_cmd_retr },
	{ "SIZE", FTPD_CMD_LOGIN | FTPD_CMD_ARG, ftpd_cmd_size },
	{ "STRU", FTPD_CMD_LOGIN | FTPD_CMD_ARG, ftpd_cmd_stru },
	{ "SYST", FTPD_CMD_NOARG, ftpd_cmd_syst },
	{ "TYPE", FTPD_CMD_LOGIN | FTPD_CMD_ARG, ftpd_cmd_type },
	{ "USER", FTPD_CMD_ARG, ftpd_cmd_user },
	{ "XPWD", FTPD_CMD_LOGIN | FTPD_CMD_NOARG, ftpd_cmd_pwd },
};

const struct ftpd_cmd *
ftpd_cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < nitems(ftpd_cmds); i++)
		if (strcasecmp(ftpd_cmds[i].name, name) == 0)
			return &ftpd_cmds[i];
	return NULL;
}
