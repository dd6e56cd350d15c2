/*
 * modem.c: power states, the boot chain, the URC queue and the glue between
 * the port and the AT engine.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/firmware.h"
#include "modem.h"
#include "translog.h"

/* Simulated seconds for the parts of a power cycle (docs/modem.md). */
#define MODEM_USB_ENUM_DELAY	1.0	/* power-on to the USB port appearing */
#define MODEM_SHUTDOWN_DELAY	0.5	/* port gone to power applied again */
#define MODEM_URC_QUEUE_MAX	16384	/* bytes of URCs held back at most */
#define MODEM_DRAIN_BOUND	5.0	/* wall seconds the host gets to read */

static const char *modem_power_names[MODEM_NPOWER] = {
	"off", "booting", "on", "resetting", "powering-down",
};

const char *
modem_power_name(enum modem_power p)
{
	return p < MODEM_NPOWER ? modem_power_names[p] : "?";
}

int
modem_flow_control(const struct modem *m)
{
	if (m->cfg.port_mode == MODEM_PORT_UART)
		return m->ifc_dce == 2 && m->ifc_dte == 2;
	return m->nv.usbifc_dce == 2 && m->nv.usbifc_dte == 2;
}

/* The only way to change the power state: it logs every transition. */
static void
modem_set_power(struct modem *m, enum modem_power p)
{
	if (m->power == p)
		return;
	translog_state(m->log, "power", "%s -> %s", modem_power_name(m->power),
	    modem_power_name(p));
	m->power = p;
}

const char *
modem_default_revision(enum modem_model model)
{
	return model == MODEM_UC200T ? "UC200TEMAAR02A02M16" :
	    "EC200TCNHAR02A14M16";
}

/* Firmware: the updater's URC, thinned out as AT+QFOTADL asked. */
static void
modem_fw_urc(void *arg, const char *line)
{
	struct modem *m = arg;
	int pct;

	if (m->hooks.update != NULL &&
	    sscanf(line, "+QIND: \"FOTA\",\"UPDATING\",%d", &pct) == 1)
		m->hooks.update(m->hooks.arg, pct);
	if (fota_job_updater_urc(&m->fota, line))
		modem_urc(m, "%s", line);
}

/* Network: a URC line to print (queued like every URC). */
static void
modem_cb_urc(void *arg, const char *line)
{
	modem_urc(arg, "%s", line);
}

/* Firmware: the update is done; reboot into the new image. */
static void
modem_fw_reboot(void *arg)
{
	modem_reboot(arg);
}

/* Power-on of the firmware half: boot from flash, take its revision. */
static int
modem_fw_boot(struct modem *m)
{
	struct firmware_cbs cbs = { modem_fw_urc, modem_fw_reboot, m };
	struct firmware_config cfg;
	char err[512];

	/* Without a state dir (unit tests, fuzzing) there is no flash. */
	if (m->cfg.state_dir == NULL)
		return 0;
	firmware_config_default(&cfg);
	cfg.state_dir = m->cfg.state_dir;
	cfg.model = m->model_name;
	cfg.revision = m->revision;
	cfg.opts = m->cfg.fw_opts;
	cfg.clock = m->clock;
	cfg.log = m->log;
	if (firmware_boot(&cfg, &cbs, &m->fw, err, sizeof err) != 0) {
		warnx_("firmware: %s", err);
		return -1;
	}
	/* The flash decides what runs; options only seed a fresh state dir. */
	if (strcmp(firmware_model(m->fw), m->model_name) != 0) {
		warnx_("%s: the flash holds %s firmware; cannot boot it as %s",
		    m->cfg.state_dir, firmware_model(m->fw), m->model_name);
		firmware_close(m->fw);
		m->fw = NULL;
		return -1;
	}
	if (m->cfg.revision != NULL && m->boots == 0 &&
	    strcmp(firmware_revision(m->fw), m->cfg.revision) != 0)
		warnx_("%s: the flash runs %s; --revision %s applies only to a "
		    "fresh state dir", m->cfg.state_dir, firmware_revision(m->fw),
		    m->cfg.revision);
	snprintf(m->revision, sizeof m->revision, "%s", firmware_revision(m->fw));
	return 0;
}

/* AT engine: which declared preconditions hold now. */
static unsigned
modem_at_conditions(void *arg)
{
	const struct modem *m = arg;
	unsigned have = 0;

	if (m->net.sim_ready)
		have |= AT_NEED_SIM;
	if (m->net.cfun != 0)
		have |= AT_NEED_SIM_ON;
	if (net_registered(&m->net))
		have |= AT_NEED_REG;
	if (!fota_job_busy(&m->fota))
		have |= AT_NEED_FOTA_IDLE;
	return have;
}

/* Write bytes from the AT engine to the port. */
static void
modem_at_out(void *arg, const void *p, size_t n)
{
	struct modem *m = arg;

	port_write(&m->port, p, n);
}

/* Network: an activation answered, a context or the radio went away. */
static void
modem_cb_net(void *arg, enum net_event ev, int cid)
{
	struct modem *m = arg;

	if (m->act_cid != 0 && m->act_cid == cid &&
	    (ev == NET_EV_PDP_UP || ev == NET_EV_PDP_FAILED)) {
		m->act_cid = 0;
		modem_at_finish(m, ev == NET_EV_PDP_UP ? AT_RES_OK :
		    AT_RES_ERROR);
	}
	fota_job_net_event(&m->fota, ev, cid);
	qhttp_net_event(&m->http, ev, cid);
	qftp_net_event(&m->ftp, ev, cid);
}

/* Send queued URCs if the engine is between lines, in one write(). */
/* One URC to the host, in the --dialect's spelling for FOTA lines. */
static void
modem_urc_out(struct modem *m, const char *s)
{
	unsigned d = m->cfg.dialect;
	char text[300];
	int i;

	if (d == 0 || strncmp(s, "+QIND: \"FOTA\",", 14) != 0) {
		at_urc(&m->at, s);
		return;
	}
	dialect_apply(d, s, m->fota.proto == DL_HTTPS && !m->fota.serial &&
	    !m->fota.local, m->fota.args.dl_urc_max, text, sizeof text);
	for (i = 0; i < ((d & DIALECT_TWICE) ? 2 : 1); i++) {
		if ((d & DIALECT_UPDATING_BARE) &&
		    strstr(text, "\"UPDATING\"") != NULL) {
			/* An EC200U bootloader: the line, then CR LF CR LF. */
			at_write(&m->at, text, strlen(text));
			at_write(&m->at, "\r\n\r\n", 4);
		} else
			at_urc(&m->at, text);
	}
}

static void
modem_urc_flush(struct modem *m)
{
	const char *s;

	if (m->busy || !at_frame_idle(&m->frame))
		return;
	port_cork(&m->port);
	while (buf_used(&m->urcs) > 0) {
		s = (const char *)buf_head(&m->urcs);
		modem_urc_out(m, s);
		if (m->hooks.urc != NULL)
			m->hooks.urc(m->hooks.arg, s);
		buf_drain(&m->urcs, strlen(s) + 1);
	}
	port_uncork(&m->port);
}

void
modem_urc(struct modem *m, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		fatal("out of memory in modem_urc");
	va_end(ap);
	/* A host that never finishes its line cannot make the queue grow. */
	if (buf_used(&m->urcs) + strlen(text) + 1 > MODEM_URC_QUEUE_MAX)
		translog_state(m->log, "urc", "queue full, dropped: %s", text);
	else
		buf_add(&m->urcs, text, strlen(text) + 1);
	free(text);
	modem_urc_flush(m);
}

/* Framer: echo what the host typed, if echo is on. */
static void
modem_frame_echo(void *arg, const unsigned char *p, size_t n)
{
	struct modem *m = arg;

	if (m->at.set.echo)
		port_write(&m->port, p, n);
}

/* The transfer the host's bytes belong to (FILE:, QFUPL, QHTTPURL), or
 * NULL. */
static struct serial_rx *
modem_raw_input(struct modem *m)
{
	if (fota_file_receiving(&m->fota))
		return &m->fota.rx;
	if (qfupl_receiving(&m->upl))
		return &m->upl.rx;
	if (qhttp_receiving(&m->http))
		return &m->http.rx;
	return NULL;
}

/* Framer: a complete command line. */
static void
modem_frame_line(void *arg, const char *line, size_t len)
{
	struct modem *m = arg;

	/* Input is paused while a command answers later; never run two. */
	if (m->at.pending)
		return;
	m->busy = 1;
	if (m->hooks.command != NULL)
		m->hooks.command(m->hooks.arg, line, len);
	at_dispatch(&m->at, line, len);
	if (m->at.pending) {
		/* Nothing is read and no URC goes out until it answers; a
		 * command in data mode (AT+QFUPL, AT+QHTTPURL) reads its
		 * data meanwhile. */
		if (modem_raw_input(m) == NULL)
			port_pause(&m->port, 1);
		m->frame.stop = 1;
		return;
	}
	m->busy = 0;
	/* A command may have changed S3/S5. */
	m->frame.s3 = m->at.set.s3;
	m->frame.s5 = m->at.set.s5;
	/* URCs held during the line follow its final result code. */
	modem_urc_flush(m);
	/* Take no more input while the host is not reading our answers, and
	 * none as AT commands once a FILE: upload has begun. */
	if (port_backlogged(&m->port) || modem_raw_input(m) != NULL)
		m->frame.stop = 1;
}

void
modem_at_finish(struct modem *m, int res)
{
	if (!m->at.pending)
		return;
	at_finish(&m->at, res);
	if (m->at.pending)
		return;
	m->busy = 0;
	m->frame.s3 = m->at.set.s3;
	m->frame.s5 = m->at.set.s5;
	modem_urc_flush(m);
	port_pause(&m->port, 0);
}

/* Framer: the line was too long. */
static void
modem_frame_overflow(void *arg)
{
	struct modem *m = arg;

	at_result(&m->at, AT_RES_ERROR);
}

#define MODEM_UART_FIFO		2048	/* bytes the UART driver holds */

/*
 * UART: bytes arrive no faster than the host's baud rate (10 bits a byte)
 * on the simulated clock; the line delivers into a small FIFO.  Returns how
 * many of n have arrived by now; the rest wait in the pty until uart_t.
 */
static size_t
modem_uart_arrived(struct modem *m, size_t n)
{
	double rate, now;
	size_t take;

	if (m->cfg.port_mode != MODEM_PORT_UART || m->port.baud == 0)
		return n;
	rate = m->port.baud / 10.0;
	now = clock_now(m->clock);
	m->uart_tokens += rate * (now - m->uart_last);
	if (m->uart_tokens > MODEM_UART_FIFO)
		m->uart_tokens = MODEM_UART_FIFO;
	m->uart_last = now;
	take = m->uart_tokens < (double)n ? (size_t)m->uart_tokens : n;
	m->uart_tokens -= (double)take;
	if (take < n && !clock_timer_active(&m->uart_t))
		clock_timer_start(&m->uart_t, (double)(n - take < MODEM_UART_FIFO ?
		    n - take : MODEM_UART_FIFO) / rate);
	return take;
}

/* UART: bytes that arrived but were not taken stay in the FIFO. */
static void
modem_uart_refund(struct modem *m, size_t n)
{
	if (m->cfg.port_mode == MODEM_PORT_UART && m->port.baud != 0)
		m->uart_tokens += (double)n;
}

/* UART: more bytes have come down the line: offer them again. */
static void
modem_uart_cb(struct clock_timer *t, void *arg)
{
	struct modem *m = arg;

	(void)t;
	port_pause(&m->port, 0);
}

/* Port: bytes from the host; returns how many were taken. */
static size_t
modem_port_input(void *arg, const unsigned char *p, size_t n)
{
	struct modem *m = arg;
	struct serial_rx *rx;
	size_t used;

	/* Before RDY, and once shutting down, nothing answers. */
	if (m->power != MODEM_ON || m->at.halt)
		return n;
	if ((n = modem_uart_arrived(m, n)) == 0)
		return 0;
	/* FILE:<length> or AT+QFUPL: the bytes are the transfer's. */
	if ((rx = modem_raw_input(m)) != NULL) {
		used = serial_rx_input(rx, p, n);
		modem_uart_refund(m, n - used);
		/* All of an upload is in: nothing more until its result. */
		if (!serial_rx_active(rx) && m->at.pending)
			port_pause(&m->port, 1);
		return used;
	}
	used = at_frame_input(&m->frame, p, n);
	modem_uart_refund(m, n - used);
	if (m->power != MODEM_ON || m->at.halt)
		return n;
	modem_urc_flush(m);
	return used;
}

/* Stop answering: the rest of the line and of the input is not run. */
static void
modem_halt(struct modem *m)
{
	m->at.halt = 1;
	m->frame.stop = 1;
}

/* The host has read our output (or gave up): finish the power event. */
static void
modem_drained(struct modem *m)
{
	if (m->power != MODEM_RESETTING && m->power != MODEM_POWERING_DOWN)
		return;
	if (m->cfg.port_mode == MODEM_PORT_USB || m->power == MODEM_POWERING_DOWN)
		port_close(&m->port);
	clock_timer_stop(&m->boot_t);
	net_stop(&m->net);
	clock_timer_stop(&m->down_t);
	fota_job_cancel(&m->fota);
	qfupl_cancel(&m->upl);
	qhttp_cancel(&m->http);
	qftp_cancel(&m->ftp);
	if (m->power == MODEM_POWERING_DOWN && m->hooks.off != NULL)
		m->hooks.off(m->hooks.arg);
	firmware_close(m->fw);
	m->fw = NULL;
	if (m->power == MODEM_POWERING_DOWN) {
		modem_set_power(m, MODEM_OFF);
		if (m->on_off != NULL)
			m->on_off(m);
		return;
	}
	modem_set_power(m, MODEM_OFF);
	clock_timer_start(&m->power_t, MODEM_SHUTDOWN_DELAY);
}

/* Power is gone at once (a failure, a cut): every timer, the network, the
 * FOTA job and the firmware stop, and nothing more is answered. */
static void
modem_stop_all(struct modem *m)
{
	clock_timer_stop(&m->boot_t);
	clock_timer_stop(&m->power_t);
	clock_timer_stop(&m->down_t);
	net_stop(&m->net);
	fota_job_cancel(&m->fota);
	qfupl_cancel(&m->upl);
	qhttp_cancel(&m->http);
	qftp_cancel(&m->ftp);
	firmware_close(m->fw);
	m->fw = NULL;
	modem_halt(m);
}

/*
 * Something the modem needs at run time is gone (its pty, its flash): log
 * why, stop everything and go OFF for good, reporting through on_off.  The
 * process and any other modem on the loop keep running.
 */
static void
modem_fail(struct modem *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->failed, sizeof m->failed, fmt, ap);
	va_end(ap);
	warnx_("%s: %s", m->cfg.link, m->failed);
	translog_state(m->log, "power", "failed: %s", m->failed);
	modem_stop_all(m);
	port_close(&m->port);
	modem_set_power(m, MODEM_OFF);
	if (m->on_off != NULL)
		m->on_off(m);
}

/* Port: attach, detach, termios change, drained. */
static void
modem_port_event(void *arg, enum port_event ev)
{
	struct modem *m = arg;

	switch (ev) {
	case PORT_DETACH:
		/* A host that vanished mid-line leaves no half command. */
		at_frame_reset(&m->frame);
		modem_urc_flush(m);
		if (m->hooks.host != NULL)
			m->hooks.host(m->hooks.arg, 0);
		break;
	case PORT_DRAINED:
		modem_drained(m);
		break;
	case PORT_ATTACH:
		if (m->hooks.host != NULL)
			m->hooks.host(m->hooks.arg, 1);
		break;
	case PORT_TERMIOS:
		break;
	}
}

/* Power-off timer: apply power again after a reboot. */
static void
modem_power_cb(struct clock_timer *t, void *arg)
{
	(void)t;
	modem_power_on(arg);
}

/* Boot chain steps, in order; `at` is simulated seconds after power-on. */
struct modem_boot_step {
	double		 at;
	const char	*urc;
	void		(*fn)(struct modem *);
};

static void	modem_boot_port(struct modem *);
static void	modem_boot_ready(struct modem *);
static void	modem_boot_sim(struct modem *);
static void	modem_boot_cfun(struct modem *);

static const struct modem_boot_step modem_boot_chain[] = {
	{ MODEM_USB_ENUM_DELAY, NULL, modem_boot_port },
	{ 2.0, "RDY", modem_boot_ready },
	{ 2.5, "+CPIN: READY", modem_boot_sim },
	{ 2.55, "+QUSIM: 1", NULL },
	{ 2.6, "+CFUN: 1", modem_boot_cfun },
	{ 4.0, "+QIND: SMS DONE", NULL },
	{ 5.0, "+QIND: PB DONE", NULL },
};

/* The USB port appears (UART: it has been there all along). */
static void
modem_boot_port(struct modem *m)
{
	if (port_is_open(&m->port))
		return;
	if (port_open(&m->port) != 0)
		modem_fail(m, "cannot open a pty: %s", strerror(errno));
}

/* RDY: the AT interpreter runs from here on. */
static void
modem_boot_ready(struct modem *m)
{
	modem_set_power(m, MODEM_ON);
	firmware_run_pending(m->fw);
}

/* The SIM answers. */
static void
modem_boot_sim(struct modem *m)
{
	net_set_sim_ready(&m->net, 1);
}

/* Full functionality: start searching for a network. */
static void
modem_boot_cfun(struct modem *m)
{
	net_set_cfun(&m->net, 1);
}

/* Run the next boot step and schedule the one after it. */
static void
modem_boot_cb(struct clock_timer *t, void *arg)
{
	struct modem *m = arg;
	const struct modem_boot_step *s = &modem_boot_chain[m->boot_step++];

	(void)t;
	if (s->fn != NULL)
		s->fn(m);
	if (m->failed[0] != '\0')
		return;
	if (s->urc != NULL)
		modem_urc(m, "%s", s->urc);
	if ((size_t)m->boot_step < nitems(modem_boot_chain))
		clock_timer_start(&m->boot_t,
		    modem_boot_chain[m->boot_step].at - s->at);
	else
		translog_state(m->log, "power", "boot chain done");
}

void
modem_power_on(struct modem *m)
{
	if (m->power != MODEM_OFF)
		return;
	if (m->failed[0] != '\0')
		return;
	if (m->fw == NULL && m->cfg.state_dir != NULL && modem_fw_boot(m) != 0) {
		modem_fail(m, "the flash that booted before no longer boots");
		return;
	}
	m->boots++;
	modem_set_power(m, MODEM_BOOTING);
	/* Volatile state starts over; the saved profile comes back. */
	modem_nv_load(m);
	m->at.set = m->nv.at;
	m->ifc_dce = m->nv.ifc_dce;
	m->ifc_dte = m->nv.ifc_dte;
	at_frame_reset(&m->frame);
	m->at.halt = 0;
	at_cancel(&m->at);
	m->act_cid = 0;
	m->busy = 0;
	port_pause(&m->port, 0);
	m->frame.s3 = m->at.set.s3;
	m->frame.s5 = m->at.set.s5;
	buf_reset(&m->urcs);
	net_reset(&m->net);
	m->boot_step = 0;
	/* A UART port exists from the first power-on and stays. */
	if (m->cfg.port_mode == MODEM_PORT_UART)
		modem_boot_port(m);
	if (m->failed[0] != '\0')
		return;
	clock_timer_start(&m->boot_t, modem_boot_chain[0].at);
}

/* Stop answering and wait for the host to read what was sent. */
static void
modem_shutdown(struct modem *m, enum modem_power next)
{
	clock_timer_stop(&m->boot_t);
	net_stop(&m->net);
	modem_set_power(m, next);
	/* A half-typed line is lost; URCs it held back still go out. */
	at_frame_reset(&m->frame);
	modem_urc_flush(m);
	modem_halt(m);
	if (port_is_open(&m->port))
		port_drain(&m->port, MODEM_DRAIN_BOUND);
	else
		modem_drained(m);
}

void
modem_power_cut(struct modem *m, double on_after)
{
	if (m->failed[0] != '\0')
		return;
	translog_state(m->log, "power", "cut%s", on_after >= 0 ? "" :
	    ", stays off");
	modem_stop_all(m);
	buf_reset(&m->urcs);
	/* USB: the port goes with the power.  A UART's pty stays, silent. */
	if (m->cfg.port_mode == MODEM_PORT_USB)
		port_close(&m->port);
	modem_set_power(m, MODEM_OFF);
	if (on_after >= 0)
		clock_timer_start(&m->power_t, on_after);
}

void
modem_reboot(struct modem *m)
{
	if (m->power == MODEM_RESETTING || m->power == MODEM_POWERING_DOWN)
		return;
	modem_shutdown(m, MODEM_RESETTING);
}

void
modem_power_down(struct modem *m, int urc)
{
	if (m->power == MODEM_POWERING_DOWN)
		return;
	if (m->power == MODEM_OFF) {
		modem_set_power(m, MODEM_POWERING_DOWN);
		modem_drained(m);
		return;
	}
	if (urc) {
		/* Power-down does not wait for a half-typed line. */
		at_frame_reset(&m->frame);
		m->busy = 0;
		modem_urc(m, "POWERED DOWN");
	}
	modem_shutdown(m, MODEM_POWERING_DOWN);
}

/* QPOWD's delay between OK and POWERED DOWN. */
static void
modem_qpowd_cb(struct clock_timer *t, void *arg)
{
	struct modem *m = arg;

	(void)t;
	modem_power_down(m, m->down_urc);
}

int
modem_init(struct modem *m, struct clock *clock, const struct modem_config *cfg)
{
	static const struct port_cb pcb = { modem_port_input, modem_port_event };
	const struct net_cbs ncb = { modem_cb_urc, modem_cb_net, m };
	char err[256];
	static const struct at_frame_cb fcb = {
		modem_frame_echo, modem_frame_line, modem_frame_overflow,
	};
	const char *rev;
	size_t i;

	memset(m, 0, sizeof *m);
	m->loop = clock_loop(clock);
	m->clock = clock;
	m->log = cfg->log;
	m->cfg = *cfg;
	m->model_name = cfg->model == MODEM_UC200T ? "UC200T" : "EC200T";
	rev = cfg->revision != NULL ? cfg->revision :
	    modem_default_revision(cfg->model);
	if (strlen(rev) >= sizeof m->revision)
		return -1;
	strcpy(m->revision, rev);
	/* m->power is MODEM_OFF (zero): only modem_set_power changes it. */
	port_init(&m->port, m->loop, cfg->link, &pcb, m);
	m->port.log = m->log;
	at_frame_init(&m->frame, &fcb, m);
	m->at.out = modem_at_out;
	m->at.out_arg = m;
	m->at.ctx = m;
	m->at.conditions = modem_at_conditions;
	buf_init(&m->urcs);
	clock_timer_init(&m->boot_t, clock, modem_boot_cb, m);
	net_init(&m->net, clock, m->log, cfg->model == MODEM_EC200T, &ncb);
	fota_job_init(&m->fota, m);
	qfupl_init(&m->upl, m);
	qhttp_init(&m->http, m);
	m->fota.xfer.ca_file = cfg->ca_file;
	m->link = link_new(clock, m->log);
	/* The radio technology's profile in force (net_link(), kept current
	 * by the radio side); --link-shape replaces it outright, unshaped
	 * included, for tests and benchmarks. */
	if (cfg->link_shape != NULL) {
		m->link_profile = *cfg->link_shape;
		link_set_profile(m->link, &m->link_profile);
	} else
		link_set_profile(m->link, net_link(&m->net));
	if (cfg->link_faults != NULL)
		link_set_faults(m->link, cfg->link_faults);
	if (cfg->sockets_in_use > 0)
		link_set_sockets_in_use(m->link, cfg->sockets_in_use);
	qftp_init(&m->ftp, m);
	if (cfg->fota_timeouts != NULL)
		m->fota.xfer.timeouts = *cfg->fota_timeouts;
	m->fota.xfer.resumes = cfg->fota_resumes;
	m->fota.reboot_first = (cfg->dialect & DIALECT_REBOOT_FIRST) != 0;
	for (i = 0; i < cfg->ndns; i++)
		if (net_dns_add(&m->net, cfg->dns[i], err, sizeof err) != 0) {
			warnx_("--dns: %s", err);
			return -1;
		}
	if (cfg->dns_timeout > 0)
		m->net.dns_timeout = cfg->dns_timeout;
	for (i = 0; i < cfg->nreject_apn; i++)
		if (net_reject_apn(&m->net, cfg->reject_apn[i]) != 0) {
			warnx_("--reject-apn: cannot add '%s' (at most %d, %zu "
			    "bytes each)", cfg->reject_apn[i], NET_REJECT_MAX,
			    sizeof m->net.reject[0] - 1);
			return -1;
		}
	for (i = 0; i < cfg->nnet_events; i++)
		if (net_event_add(&m->net, cfg->net_events[i], err,
		    sizeof err) != 0) {
			warnx_("--net-event: %s", err);
			return -1;
		}
	if (cfg->pdp_act_time > 0)
		m->net.act_time = cfg->pdp_act_time;
	if (cfg->rat_set && net_set_rat(&m->net, cfg->rat, "--rat") != 0) {
		warnx_("--rat: the %s has no %s", m->model_name,
		    net_rat_info(cfg->rat)->label);
		return -1;
	}
	if (cfg->link_override != NULL && cfg->link_override->set != 0)
		net_set_link(&m->net, cfg->link_override);
	m->qind_all = 1;
	clock_timer_init(&m->power_t, clock, modem_power_cb, m);
	clock_timer_init(&m->down_t, clock, modem_qpowd_cb, m);
	clock_timer_init(&m->uart_t, clock, modem_uart_cb, m);
	m->uart_tokens = MODEM_UART_FIFO;
	return modem_fw_boot(m);
}

void
modem_power_down_later(struct modem *m, double delay, int urc)
{
	m->down_urc = urc;
	clock_timer_start(&m->down_t, delay);
	modem_halt(m);
}

void
modem_free(struct modem *m)
{
	clock_timer_stop(&m->boot_t);
	net_free(&m->net);
	clock_timer_stop(&m->power_t);
	clock_timer_stop(&m->down_t);
	clock_timer_stop(&m->uart_t);
	fota_job_free(&m->fota);
	qfupl_cancel(&m->upl);
	qhttp_free(&m->http);
	qftp_free(&m->ftp);
	link_free(m->link);
	m->link = NULL;
	firmware_close(m->fw);
	m->fw = NULL;
	port_free(&m->port);
	buf_free(&m->urcs);
}
