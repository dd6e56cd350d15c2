/*
 * at-ftp.h: the module's own FTP client for the host (AT+QFTPCFG,
 * AT+QFTPOPEN, AT+QFTPCWD, AT+QFTPPWD, AT+QFTPSIZE, AT+QFTPGET,
 * AT+QFTPCLOSE, AT+QFTPSTAT): its settings and the one session it keeps
 * open between commands, on its own relay of the module's socket table.
 */
#ifndef FOTASIM_AT_FTP_H
#define FOTASIM_AT_FTP_H

#include <stdint.h>

#include "firmware/firmware.h"
#include "xfer.h"

#define QFTP_ACCOUNT_MAX	XFER_PART_MAX	/* user, password */
#define QFTP_NAME_MAX		XFER_URL_MAX	/* a file or directory */
#define QFTP_RSPTIMEOUT_DEFAULT	90		/* seconds */

struct modem;
struct link;

/* AT+QFTPSTAT's words, in this order. */
enum qftp_state {
	QFTP_IDLE,		/* no session */
	QFTP_OPENING,		/* AT+QFTPOPEN runs */
	QFTP_OPENED,		/* logged in, nothing running */
	QFTP_WORKING,		/* a command (CWD, PWD, SIZE) runs */
	QFTP_TRANSFER,		/* AT+QFTPGET runs */
	QFTP_CLOSING,		/* AT+QFTPCLOSE runs */
	QFTP_NSTATES
};

struct qftp {
	struct modem		*m;
	struct xfer		 xfer;		/* the session, on the stack */
	struct link		*link;		/* its relay */
	/* AT+QFTPCFG */
	char			 user[QFTP_ACCOUNT_MAX + 1];
	char			 pass[QFTP_ACCOUNT_MAX + 1];
	int			 filetype;	/* 0 binary, 1 ASCII */
	int			 transmode;	/* 1 passive (0, active: refused) */
	int			 rsptimeout;
	int			 ssltype;	/* 0 plain FTP only */
	int			 sslctxid;
	/* The session */
	struct modem_iface	*iface;		/* the interface of the command
						   running (its answers, URCs) */
	enum qftp_state		 state;
	const char		*op;		/* the result's word: "OPEN"... */
	char			 host[XFER_PART_MAX + 3];
	int			 port;
	char			*url;		/* the session's (the server) */
	char			*file_url;	/* AT+QFTPGET's file on it */
	char			 cmd[QFTP_NAME_MAX + 8];
	/* AT+QFTPGET */
	int			 to_com;	/* "COM:": the bytes to the port */
	int			 connected;	/* CONNECT printed */
	char			 ufs[FIRMWARE_UFS_NAME_MAX + 1];
	int			 ufs_open;	/* the UFS file is being written */
	uint64_t		 got;
};

/* Whether interface f is in AT+QFTPGET "COM:"'s data mode. */
int	qftp_com_on(const struct qftp *, const struct modem_iface *);
/* Set up after the modem's relay exists (its profile, faults, table). */
void	qftp_init(struct qftp *, struct modem *);
void	qftp_free(struct qftp *);
/* Power going away: the session and a transfer go, nothing printed. */
void	qftp_cancel(struct qftp *);
/*
 * What the host's FTP service means to another user of the module's one
 * FTP session (a FOTA download over FTP): DL_SVC_OK (nothing),
 * DL_SVC_BLOCKED (a session is held: 602), DL_SVC_BUSY (its transfer
 * runs: 603).
 */
enum dl_svc qftp_svc(const struct qftp *);
/* The network says something (net_cbs.event). */
void	qftp_net_event(struct qftp *, enum net_event, int cid);
const char *qftp_state_name(enum qftp_state);

#endif
