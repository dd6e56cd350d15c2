/*
 * ftpd-int.h: the FTP server's internals, shared by ftpd.c (sessions and
 * dispatch), ftpd-cmd.c (commands) and ftpd-data.c (data connections).
 */
#ifndef FOTASIM_FTPD_INT_H
#define FOTASIM_FTPD_INT_H

#include <sys/socket.h>
#include <sys/types.h>

#include "clock.h"
#include "faults.h"
#include "fsnet.h"
#include "ftpd.h"
#include "util.h"

#define FTPD_LINE_MAX	512	/* RFC 959 has no limit; vsftpd uses 4k */

enum ftpd_state {
	FTPD_GREETING,		/* greeting delayed or withheld by a fault */
	FTPD_USER,		/* waiting for USER */
	FTPD_PASS,		/* waiting for PASS */
	FTPD_READY,		/* logged in */
	FTPD_TRANSFER,		/* a data transfer is running */
	FTPD_HUNG,		/* a fault says: never answer again */
	FTPD_CLOSING,		/* flushing the last reply, then close */
	FTPD_NSTATES
};

enum ftpd_data_kind {
	FTPD_DATA_NONE,
	FTPD_DATA_FILE,
	FTPD_DATA_LIST,
};

/* One passive data connection and the transfer on it. */
struct ftpd_data {
	int			 lfd;		/* passive listener, -1 */
	ev_io			 lio;
	int			 fd;		/* accepted connection, -1 */
	ev_io			 wio;
	enum ftpd_data_kind	 kind;		/* what to send once connected */
	int			 file;		/* RETR source, -1 */
	off_t			 off;		/* next file offset */
	off_t			 end;
	off_t			 start;		/* REST offset */
	struct buf		 list;		/* LIST/NLST text */
	unsigned long long	 sent;
	char			*vpath;
	const struct fault	*fault;		/* "ftp data" directive */
	long long		 fault_at;	/* bytes sent before it acts */
	struct clock_timer	 pause;		/* throttle and stall */
	struct fault_pace	 pace;		/* throttle */
	int			 paused;
};

struct ftpd_session {
	struct ftpd		*srv;
	unsigned long		 id;		/* 1-based connection number */
	int			 fd;
	ev_io			 rio;
	ev_io			 wio;
	struct buf		 in;
	struct buf		 out;
	int			 skipping;	/* dropping an over-long line */
	enum ftpd_state		 state;
	struct clock_timer	 idle;
	struct clock_timer	 delay;		/* a delayed reply */
	char			*delayed;	/* the delayed command line */
	const struct fault	*ctl_fault;	/* "ftp control" directive */
	unsigned long long	 ctl_sent;
	char			*user;
	char			*cwd;
	char			 type;		/* 'A' or 'I' */
	off_t			 rest;
	struct sockaddr_storage	 local;
	struct sockaddr_storage	 peer;
	struct ftpd_data	 data;
	const struct fault	*fault;		/* applies to the running command */
	struct ftpd_session	*prev, *next;
};

struct ftpd {
	struct ev_loop		*loop;
	struct ftpd_config	 cfg;
	struct fsnet_listener	 lis;		/* the cap: lis.open sessions */
	int			 port;
	unsigned long		 nconn;
	struct ftpd_session	*sessions;
};

/* The only way to change a session's state; logs the transition. */
void	ftpd_session_set_state(struct ftpd_session *, enum ftpd_state);
/* Queue a one-line reply "CODE text". */
void	ftpd_session_reply(struct ftpd_session *, int code, const char *fmt,
	    ...) __attribute__((format(printf, 3, 4)));
/* Queue raw control bytes (multi-line replies, garbage). */
void	ftpd_session_send(struct ftpd_session *, const void *, size_t);
/* Close after the queued output is written. */
void	ftpd_session_close_later(struct ftpd_session *);
/* Close now; with `reset`, send RST instead of FIN. */
void	ftpd_session_close(struct ftpd_session *, int reset);
/* Run one command line (no fault lookup when `nofault`). */
void	ftpd_session_dispatch(struct ftpd_session *, char *line, int nofault);
/* Send a "reply CODE" fault's reply; closes after 421, or after a negative
 * reply in place of the greeting, and then returns 1 (see ftpd.c). */
int	ftpd_session_fault_reply(struct ftpd_session *, const struct fault *);
/* Take a session-level fault (close, reset, hang, garbage); 1 if taken. */
int	ftpd_session_apply_fault(struct ftpd_session *, const struct fault *);

/* Set an fd's SO_LINGER to 0 so that close() sends RST. */
void	ftpd_socket_set_reset(int fd);
/* Open a passive listener; returns its port or -1. */
int	ftpd_data_listen(struct ftpd_session *);
/* Prepare a RETR of vpath (file open, REST applied) and start if possible. */
void	ftpd_data_start_file(struct ftpd_session *, int fd, off_t size,
	    const char *vpath);
/* Prepare a LIST or NLST text transfer. */
void	ftpd_data_start_list(struct ftpd_session *, struct buf *text);
/* Whether a passive listener or connection is ready for a transfer. */
int	ftpd_data_ready(const struct ftpd_session *);
/* Abort any transfer and close data sockets. */
void	ftpd_data_close(struct ftpd_session *);

/* The command handlers' dispatch: declared syntax, then the handler. */
struct ftpd_cmd {
	const char	*name;
	int		 flags;
#define FTPD_CMD_LOGIN	0x1	/* needs a logged-in user */
#define FTPD_CMD_ARG	0x2	/* needs an argument */
#define FTPD_CMD_NOARG	0x4	/* takes no argument */
	void		(*fn)(struct ftpd_session *, char *arg);
};

/* Look up a command by name (case-insensitive); NULL if unknown. */
const struct ftpd_cmd *ftpd_cmd_find(const char *name);

#endif
