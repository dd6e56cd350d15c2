/*
 * fota-job.h: one AT+QFOTADL from the command to the reboot.
 *
 * The job sits between at-fota.c and the module's two halves: it checks the
 * URL against the manual's limits, resolves the server through the
 * simulated DNS (net/), runs the download engine (net/download.c), streams
 * the body into the FOTA area (firmware/), reports FTPEND/HTTPEND with the
 * code from net/fota-codes.c, and hands over to the updater.
 */
#ifndef FOTASIM_FOTA_JOB_H
#define FOTASIM_FOTA_JOB_H

#include <stdint.h>

#include "clock.h"
#include "net/download.h"
#include "net/net.h"
#include "xfer.h"
#include "serial-rx.h"

struct modem;
struct modem_iface;

enum fota_state {
	FOTA_IDLE,
	FOTA_STARTING,		/* OK sent; the download begins next */
	FOTA_DOWNLOADING,
	FOTA_RECEIVING,		/* FILE:<length>: bytes over the AT port */
	FOTA_COPYING,		/* a UFS file into the FOTA area */
	FOTA_UPDATING,		/* the updater has the package */
	FOTA_NSTATES
};

#define FOTA_URL_MAX		XFER_URL_MAX
#define FOTA_UPDATE_URC_ALL	-1	/* update_URC_max omitted */

/* What AT+QFOTADL asked for. */
struct fota_args {
	char		 url[FOTA_URL_MAX + 1];
	int		 mode;		/* upgrade_mode: 1 at once, 0 after a boot */
	int		 dl_urc_max;	/* 0, or 5..100 DOWNLOADING URCs */
	int		 up_urc_max;	/* 0, 5..100, or FOTA_UPDATE_URC_ALL */
};

struct fota_job {
	struct modem		*m;
	struct modem_iface	*iface;		/* the interface that started
						   it: its URCs go there (NULL:
						   the URC port) */
	enum fota_state		 state;
	struct fota_args	 args;
	enum dl_proto		 proto;
	struct xfer		 xfer;		/* over the air: the stack */
	int			 reboot_first;	/* --dialect reboot-first: every
						   update after a reboot, as
						   upgrade_mode 0 */
	struct clock_timer	 start_t;
	int			 staging;	/* the FOTA area is being written */
	uint64_t		 size;		/* declared size (0: unknown) */
	uint64_t		 got;
	int			 dl_urcs;	/* DOWNLOADING URCs printed */
	int			 up_last;	/* last UPDATING percent printed */
	int			 up_urcs;
	/* FILE:<length> (fota-file.c) */
	int			 serial;	/* the package comes over the port */
	struct serial_rx	 rx;
	/* A package in the UFS (fota-local.c) */
	int			 local;
	char			 ufs_name[FOTA_URL_MAX + 1];
	struct clock_timer	 copy_t;	/* the next piece of the copy */
};

void	fota_job_init(struct fota_job *, struct modem *);
/*
 * Power going away (reboot, power-down, failure): stop a download, print
 * nothing.  A running update stays the job's until the updater's END.
 */
void	fota_job_cancel(struct fota_job *);
void	fota_job_free(struct fota_job *);
/* Whether a job runs (a second AT+QFOTADL is refused). */
int	fota_job_busy(const struct fota_job *);
/* "FILE:<length>": the length (> 0), or 0 if the text is not that form. */
uint64_t fota_file_length(const char *url);
/* Start a job after OK; the URL's scheme has been checked. */
void	fota_job_start(struct fota_job *, const struct fota_args *);
/*
 * A URC line from the updater: returns whether to print it
 * (update_URC_max thins out or silences UPDATING).
 */
int	fota_job_updater_urc(struct fota_job *, const char *line);
/* The network says something (net_cbs.event): a context came up or
 * failed, a context or the radio went away under a download. */
void	fota_job_net_event(struct fota_job *, enum net_event, int cid);
const char *fota_state_name(enum fota_state);

/* fota-file.c: AT+QFOTADL="FILE:<length>". */
/* Set up a job's serial reception (from fota_job_init). */
void	fota_file_init(struct fota_job *);
/* Start receiving after OK; flow says whether hardware flow control is on. */
void	fota_file_start(struct fota_job *, int flow);
/* Whether bytes from the host are the package's, not AT commands. */
int	fota_file_receiving(const struct fota_job *);
/* Bytes from the host; returns how many were taken (flow control: the
 * rest waits in the pty, and the host's write blocks). */
size_t	fota_file_input(struct fota_job *, const unsigned char *, size_t);
/* Stop receiving (power going away). */
void	fota_file_stop(struct fota_job *);
/* fota-local.c: AT+QFOTADL="/data/ufs/<name>" or "UFS:<name>". */
/* The UFS file name a URL names, or NULL if it is not a local path. */
const char *fota_local_name(const char *url);
void	fota_local_init(struct fota_job *);
/* Copy the file into the FOTA area after OK, then update. */
void	fota_local_start(struct fota_job *);
void	fota_local_stop(struct fota_job *);
/* Shared with fota-file.c: the DOWNLOADING URCs j->got of j->size earned. */
void	fota_progress(struct fota_job *);
/* Shared with fota-file.c: the transfer is over with `code`. */
void	fota_end(struct fota_job *, int code);
/* Shared with fota-file.c: the only way to change the job's state. */
void	fota_set_state(struct fota_job *, enum fota_state);

#endif
