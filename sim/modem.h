/*
 * modem.h: one virtual EC200T/UC200T module.
 *
 * The modem ties the port, the AT engine and the simulated clock together.  It
 * owns the power state machine (off, booting, on, resetting, powering down),
 * the boot chain of URCs, the URC queue and the settings saved with AT&W.
 * Its network state (SIM, radio, registration, PDP) is a struct net
 * (sim/net/net.h), changed only through the net_set_* setters.
 */
#ifndef FOTASIM_MODEM_H
#define FOTASIM_MODEM_H

#include <ev.h>

#include "translog.h"

#include "at-cmd.h"
#include "at-frame.h"
#include "clock.h"
#include "at-file.h"
#include "at-ftp.h"
#include "at-http.h"
#include "dialect.h"
#include "fota-job.h"
#include "net/link.h"
#include "net/net.h"
#include "port.h"
#include "util.h"

enum modem_power {
	MODEM_OFF,
	MODEM_BOOTING,		/* powered, not yet answering (before RDY) */
	MODEM_ON,		/* answering AT commands */
	MODEM_RESETTING,	/* draining output before a reboot */
	MODEM_POWERING_DOWN,	/* draining output before power-off */
	MODEM_NPOWER
};

enum modem_port_mode {
	MODEM_PORT_USB,		/* reboot: the pty vanishes and comes back */
	MODEM_PORT_UART,	/* reboot: the same pty goes silent */
};

struct firmware_options;

enum modem_model {
	MODEM_EC200T,
	MODEM_UC200T,
};

struct modem_config {
	enum modem_model	 model;
	const char		*revision;	/* NULL: the model's default */
	const char		*link;
	const char		*link2;		/* --link2: the second AT
						   interface (NULL: none) */
	const char		*state_dir;
	enum modem_port_mode	 port_mode;
	const struct firmware_options *fw_opts;	/* flash options (NULL: defaults) */
	struct translog		*log;		/* its transcript (NULL: none);
						   the caller owns it */
	const char		*ca_file;	/* verify HTTPS against it (NULL:
						   no verification, as the module) */
	const struct dl_timeouts *fota_timeouts; /* NULL: the defaults */
	int			 fota_resumes;	/* --fota-resume (0: never) */
	unsigned		 dialect;	/* --dialect: enum dialect bits */
	const char *const	*dns;		/* --dns entries for the
						   simulated DNS */
	size_t			 ndns;
	double			 dns_timeout;	/* --dns-timeout; 0: default */
	const char *const	*reject_apn;	/* APNs the network rejects */
	size_t			 nreject_apn;
	const char *const	*net_events;	/* "T=5 coverage lost", ... */
	size_t			 nnet_events;
	double			 pdp_act_time;	/* 0 in a zeroed config: the
						   default */
	int			 rat_set;	/* --rat given: */
	enum net_rat		 rat;		/* the technology at boot */
	const struct net_link_override *link_override; /* --link-profile
						   (NULL: none) */
	const struct link_profile *link_shape;	/* --link-shape (NULL:
						   unshaped) */
	const struct link_faults *link_faults;	/* --link-fault (NULL: none) */
	int			 sockets_in_use; /* --sockets-in-use */
};

struct firmware;

#define MODEM_NIFACE	2	/* AT interfaces: --link and --link2 */

/*
 * Observers of what the modem does, for scenario timelines and checks
 * (sim/scenario/).  Each may be NULL.  They only watch: anything they want
 * to change runs later (a zero-delay clock timer), never from inside the
 * call.
 */
struct modem_hooks {
	/* The host's command line, as the framer delivered it. */
	void	(*command)(void *arg, const char *line, size_t len);
	/* A URC line going out to the host (without CR LF). */
	void	(*urc)(void *arg, const char *line);
	/* The download (or FILE upload) has `got` of `size` bytes (0: not
	 * declared). */
	void	(*download)(void *arg, uint64_t got, uint64_t size);
	/* The updater reports `percent` (before update_URC_max thins it). */
	void	(*update)(void *arg, int percent);
	/* A host opened (1) or closed (0) the port. */
	void	(*host)(void *arg, int attached);
	/* The modem is about to power down for good (m->fw still open). */
	void	(*off)(void *arg);
	void	 *arg;
};

/*
 * One AT interface of the module (docs/internals/modem.md): a pty of its
 * own, its own framer and engine (so ATE, ATV, ATQ, AT+CMEE and S3/S5 are
 * per interface, as on the module) and its own URC queue.  iface[0] is
 * --link, iface[1] --link2.  Everything else of the modem is shared.
 */
struct modem_iface {
	struct modem		*m;
	int			 num;		/* 1: --link, 2: --link2 */
	struct port		 port;
	struct at_frame		 frame;
	struct at_engine	 at;
	int			 busy;		/* a command line is running */
	struct buf		 urcs;		/* queued URC lines, NUL-ended */
	struct clock_timer	 uart_t;	/* UART: the next bytes' time */
	double			 uart_tokens;	/* bytes the line has delivered */
	double			 uart_last;	/* simulated time of the count */
};

struct modem_nv {
	struct at_settings	 at;
	int			 ifc_dce, ifc_dte;	/* AT+IFC */
	int			 usbifc_dce, usbifc_dte; /* AT+QCFG="usbifc" */
	int			 urcport;	/* AT+QURCCFG="urcport": 1 +
						   the name's index in
						   modem_urcport_names,
						   0: unset */
};

/* The ports AT+QURCCFG="urcport" names. */
#define MODEM_URCPORT_N		3
extern const char *const modem_urcport_names[MODEM_URCPORT_N];

struct modem {
	struct ev_loop		*loop;
	struct clock		*clock;		/* shared by all on the loop */
	struct translog		*log;
	struct modem_config	 cfg;
	const char		*model_name;
	char			 revision[64];
	enum modem_power	 power;
	int			 boot_step;
	int			 boots;		/* power-ons, including reboots */
	int			 down_urc;	/* QPOWD: say POWERED DOWN */

	struct modem_iface	 iface[MODEM_NIFACE];
	int			 niface;	/* 1, or 2 with --link2 */
	struct modem_iface	*cur;		/* the interface whose command
						   line runs (NULL: none) */
	int			 draining;	/* ports still draining */

	struct firmware		*fw;		/* flash, slots, updater */
	struct modem_nv		 nv;		/* saved profile (AT&W, QCFG) */
	struct modem_nv		 nv_ram;	/* ...when there is no flash */
	int			 nv_ram_saved;
	struct net		 net;		/* SIM, radio, registration, PDP */
	struct fota_job		 fota;		/* AT+QFOTADL */
	struct qfupl		 upl;		/* AT+QFUPL */
	struct qhttp		 http;		/* AT+QHTTP* */
	struct qftp		 ftp;		/* AT+QFTP* */
	int			 act_cid;	/* AT+QIACT or AT+CGACT=1 waits
						   for it (0: none) */
	struct modem_iface	*act_iface;	/* ...on this interface */
	struct link		*link;		/* the relay every TCP connection
						   passes through (net/link.c) */
	struct link_profile	 link_profile;	/* what it applies */
	int			 qind_all;	/* AT+QINDCFG="all" */
	int			 ifc_dce, ifc_dte; /* active AT+IFC (saved by AT&W) */

	struct clock_timer	 boot_t;
	struct clock_timer	 power_t;	/* power back on after reboot */
	struct clock_timer	 down_t;	/* QPOWD: OK, then power-down */
	struct modem_hooks	 hooks;		/* observers (zeroed: none) */

	char			 failed[256];	/* why it failed for good ("": it
						   did not) */
	/* Called once the modem is off for good: powered down, or failed
	 * (main ends the loop). */
	void			(*on_off)(struct modem *);
};

/*
 * Set up a modem on a clock (and the clock's loop); nothing happens until
 * modem_power_on.  Returns 0, or -1 with a message on stderr (bad revision,
 * a flash that does not boot).
 */
int	modem_init(struct modem *, struct clock *, const struct modem_config *);
/* Release everything. */
void	modem_free(struct modem *);
/* The final result of a command that answered AT_RES_PENDING on an
 * interface. */
void	modem_at_finish(struct modem_iface *, int res);
/* The interface a command runs on (it is the one its engine belongs to). */
struct modem_iface *modem_req_iface(const struct at_req *);
/*
 * Whether an interface other than `self` is in data mode: a CONNECT whose
 * data is still being typed (FILE:, AT+QFUPL, AT+QHTTPURL/POST) or still
 * going out to a host that has not read it (AT+QHTTPREAD, AT+QFTPGET "COM:").
 */
int	modem_other_in_data_mode(struct modem *,
	    const struct modem_iface *self);
/* Apply power: start the boot chain. */
void	modem_power_on(struct modem *);
/* Orderly power-down; with `urc`, announce "POWERED DOWN" first. */
void	modem_power_down(struct modem *, int urc);
/*
 * The power goes away at once: nothing is drained or announced, the flash
 * keeps what was programmed, a USB port vanishes.  Power comes back after
 * `on_after` simulated seconds (< 0: it stays off).
 */
void	modem_power_cut(struct modem *, double on_after);
/* Reboot as AT+CFUN=1,1 does (after the host has read the output). */
void	modem_reboot(struct modem *);
/* Queue an unsolicited result line for the URC port (the first
 * interface); sent when its AT engine is idle. */
void	modem_urc(struct modem *, const char *, ...) __attribute__((format(printf, 2, 3)));
/* The same for a given interface (NULL: the URC port): the URCs of a job
 * go to the interface that started it. */
void	modem_urc_on(struct modem *, struct modem_iface *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* Power down after `delay` simulated seconds (AT+QPOWD). */
void	modem_power_down_later(struct modem *, double delay, int urc);
/* Write the saved profile to the state dir; returns 0 or -1. */
int	modem_nv_save(struct modem *);
/* Read the saved profile (factory defaults if there is none). */
void	modem_nv_load(struct modem *);
/* The name of an interface as AT+QURCCFG="urcport" says it: "usbat" and
 * "usbmodem" with --port usb, "uart1" and "usbat" with --port uart. */
const char *modem_iface_name(const struct modem *, int i);
/* The URC port's name, and its interface (NULL: one fotasim does not
 * emulate, where URCs not tied to a command are lost). */
const char *modem_urcport_name(const struct modem *);
struct modem_iface *modem_urcport(struct modem *);
/* The value AT+QURCCFG saves for a port name (any case), or 0 if none. */
int	modem_urcport_value(const char *name);
/* Whether hardware flow control is on for the port in use (AT+IFC=2,2 on
 * the UART, AT+QCFG="usbifc",2,2 on USB). */
int	modem_flow_control(const struct modem *);
/* A relay for a service's connections (net/link.c): the module's profile,
 * --link-fault and --sockets-in-use. */
struct link *modem_relay_new(struct modem *);
/* Name of a power state. */
const char *modem_power_name(enum modem_power);
/* Default revision of a model. */
const char *modem_default_revision(enum modem_model);

/* The modem behind an AT request. */
#define at_req_modem(r) ((struct modem *)(r)->engine->ctx)

#endif
