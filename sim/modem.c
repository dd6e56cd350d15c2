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
#include <strings.h>

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
	/* The update's URCs go where the job's went (after a reboot: the
	 * URC port). */
	if (fota_job_updater_urc(&m->fota, line))
		modem_urc_on(m, m->fota.iface, "%s", line);
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

/* Write bytes from an interface's AT engine to its port. */
static void
modem_at_out(void *arg, const void *p, size_t n)
{
	struct modem_iface *f = arg;

	port_write(&f->port, p, n);
}

struct modem_iface *
modem_req_iface(const struct at_req *r)
{
	return (struct modem_iface *)(void *)((char *)r->engine -
	    offsetof(struct modem_iface, at));
}

/* Network: an activation answered, a context or the radio went away. */
static void
modem_cb_net(void *arg, enum net_event ev, int cid)
{
	struct modem *m = arg;

	if (m->act_cid != 0 && m->act_cid == cid &&
	    (ev == NET_EV_PDP_UP || ev == NET_EV_PDP_FAILED)) {
		m->act_cid = 0;
		modem_at_finish(m->act_iface, ev == NET_EV_PDP_UP ? AT_RES_OK :
		    AT_RES_ERROR);
	}
	fota_job_net_event(&m->fota, ev, cid);
	qhttp_net_event(&m->http, ev, cid);
	qftp_net_event(&m->ftp, ev, cid);
}

/* One URC to the host, in the --dialect's spelling for FOTA lines. */
static void
modem_urc_out(struct modem_iface *f, const char *s)
{
	struct modem *m = f->m;
	unsigned d = m->cfg.dialect;
	char text[300];
	int i;

	if (d == 0 || strncmp(s, "+QIND: \"FOTA\",", 14) != 0) {
		at_urc(&f->at, s);
		return;
	}
	dialect_apply(d, s, m->fota.proto == DL_HTTPS && !m->fota.serial &&
	    !m->fota.local, m->fota.args.dl_urc_max, text, sizeof text);
	for (i = 0; i < ((d & DIALECT_TWICE) ? 2 : 1); i++) {
		if ((d & DIALECT_UPDATING_BARE) &&
		    strstr(text, "\"UPDATING\"") != NULL) {
			/* An EC200U bootloader: the line, then CR LF CR LF. */
			at_write(&f->at, text, strlen(text));
			at_write(&f->at, "\r\n\r\n", 4);
		} else
			at_urc(&f->at, text);
	}
}

/* Send an interface's queued URCs if its engine is between lines, in one
 * write(). */
static void
modem_urc_flush(struct modem_iface *f)
{
	struct modem *m = f->m;
	const char *s;

	if (f->busy || !at_frame_idle(&f->frame))
		return;
	port_cork(&f->port);
	while (buf_used(&f->urcs) > 0) {
		s = (const char *)buf_head(&f->urcs);
		modem_urc_out(f, s);
		if (m->hooks.urc != NULL)
			m->hooks.urc(m->hooks.arg, s);
		buf_drain(&f->urcs, strlen(s) + 1);
	}
	port_uncork(&f->port);
}

const char *
modem_iface_name(const struct modem *m, int i)
{
	if (m->cfg.port_mode == MODEM_PORT_UART)
		return i == 0 ? "uart1" : "usbat";
	return i == 0 ? "usbat" : "usbmodem";
}

const char *const modem_urcport_names[MODEM_URCPORT_N] = {
	"usbat", "usbmodem", "uart1"
};

int
modem_urcport_value(const char *name)
{
	int i;

	for (i = 0; i < MODEM_URCPORT_N; i++)
		if (strcasecmp(name, modem_urcport_names[i]) == 0)
			return i + 1;
	return 0;
}

const char *
modem_urcport_name(const struct modem *m)
{
	int v = m->nv.urcport;

	/* Unset: the first interface, which is where a host looks. */
	return v >= 1 && v <= MODEM_URCPORT_N ? modem_urcport_names[v - 1] :
	    modem_iface_name(m, 0);
}

struct modem_iface *
modem_urcport(struct modem *m)
{
	const char *name = modem_urcport_name(m);
	int i;

	for (i = 0; i < m->niface; i++)
		if (strcmp(modem_iface_name(m, i), name) == 0)
			return &m->iface[i];
	return NULL;
}

static void
modem_urc_queue(struct modem *m, struct modem_iface *f, const char *fmt,
    va_list ap)
{
	char *text;

	if (vasprintf(&text, fmt, ap) < 0)
		fatal("out of memory in modem_urc");
	if (f == NULL && (f = modem_urcport(m)) == NULL) {
		/* AT+QURCCFG sent them to a port nobody here listens on. */
		translog_state(m->log, "urc", "to %s, not emulated: %s",
		    modem_urcport_name(m), text);
		free(text);
		return;
	}
	/* A host that never finishes its line cannot make the queue grow. */
	if (buf_used(&f->urcs) + strlen(text) + 1 > MODEM_URC_QUEUE_MAX)
		translog_state(m->log, "urc", "queue full, dropped: %s", text);
	else
		buf_add(&f->urcs, text, strlen(text) + 1);
	free(text);
	modem_urc_flush(f);
}

void
modem_urc(struct modem *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	modem_urc_queue(m, NULL, fmt, ap);
	va_end(ap);
}

void
modem_urc_on(struct modem *m, struct modem_iface *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	modem_urc_queue(m, f, fmt, ap);
	va_end(ap);
}

/* Framer: echo what the host typed, if this interface's echo is on. */
static void
modem_frame_echo(void *arg, const unsigned char *p, size_t n)
{
	struct modem_iface *f = arg;

	if (f->at.set.echo)
		port_write(&f->port, p, n);
}

/* The transfer an interface's bytes belong to (FILE:, QFUPL, QHTTPURL),
 * or NULL: each receiver takes the bytes of the interface that started
 * it. */
static struct serial_rx *
modem_raw_input(struct modem_iface *f)
{
	struct modem *m = f->m;

	if (fota_file_receiving(&m->fota) && m->fota.rx.iface == f)
		return &m->fota.rx;
	if (qfupl_receiving(&m->upl) && m->upl.rx.iface == f)
		return &m->upl.rx;
	if (qhttp_receiving(&m->http) && m->http.rx.iface == f)
		return &m->http.rx;
	return NULL;
}

int
modem_other_in_data_mode(struct modem *m, const struct modem_iface *self)
{
	struct modem_iface *f;
	int i;

	for (i = 0; i < m->niface; i++) {
		f = &m->iface[i];
		if (f == self)
			continue;
		if (modem_raw_input(f) != NULL)
			return 1;
		/* AT+QHTTPREAD's CONNECT: the body has not all reached the
		 * host yet (it is not reading, or the line is slow). */
		if (m->http.read_iface == f && port_backlogged(&f->port))
			return 1;
		/* AT+QFTPGET "COM:": the file's bytes go to that host. */
		if (qftp_com_on(&m->ftp, f))
			return 1;
	}
	return 0;
}

/* Framer: a complete command line. */
static void
modem_frame_line(void *arg, const char *line, size_t len)
{
	struct modem_iface *f = arg;
	struct modem *m = f->m;

	/* Input is paused while a command answers later; never run two. */
	if (f->at.pending)
		return;
	f->busy = 1;
	if (m->hooks.command != NULL)
		m->hooks.command(m->hooks.arg, line, len);
	m->cur = f;
	at_dispatch(&f->at, line, len);
	m->cur = NULL;
	if (f->at.pending) {
		/* Nothing is read and no URC goes out until it answers; a
		 * command in data mode (AT+QFUPL, AT+QHTTPURL) reads its
		 * data meanwhile. */
		if (modem_raw_input(f) == NULL)
			port_pause(&f->port, 1);
		f->frame.stop = 1;
		return;
	}
	f->busy = 0;
	/* A command may have changed S3/S5. */
	f->frame.s3 = f->at.set.s3;
	f->frame.s5 = f->at.set.s5;
	/* URCs held during the line follow its final result code. */
	modem_urc_flush(f);
	/* Take no more input while the host is not reading our answers, and
	 * none as AT commands once a FILE: upload has begun. */
	if (port_backlogged(&f->port) || modem_raw_input(f) != NULL)
		f->frame.stop = 1;
}

void
modem_at_finish(struct modem_iface *f, int res)
{
	if (f == NULL || !f->at.pending)
		return;
	f->m->cur = f;
	at_finish(&f->at, res);
	f->m->cur = NULL;
	if (f->at.pending)
		return;
	f->busy = 0;
	f->frame.s3 = f->at.set.s3;
	f->frame.s5 = f->at.set.s5;
	modem_urc_flush(f);
	port_pause(&f->port, 0);
}

/* Framer: the line was too long. */
static void
modem_frame_overflow(void *arg)
{
	struct modem_iface *f = arg;

	at_result(&f->at, AT_RES_ERROR);
}

#define MODEM_UART_FIFO		2048	/* bytes the UART driver holds */

/*
 * UART: bytes arrive no faster than the host's baud rate (10 bits a byte)
 * on the simulated clock; the line delivers into a small FIFO.  Returns how
 * many of n have arrived by now; the rest wait in the pty until uart_t.
 */
static size_t
modem_uart_arrived(struct modem_iface *f, size_t n)
{
	struct modem *m = f->m;
	double rate, now;
	size_t take;

	if (m->cfg.port_mode != MODEM_PORT_UART || f->port.baud == 0)
		return n;
	rate = f->port.baud / 10.0;
	now = clock_now(m->clock);
	f->uart_tokens += rate * (now - f->uart_last);
	if (f->uart_tokens > MODEM_UART_FIFO)
		f->uart_tokens = MODEM_UART_FIFO;
	f->uart_last = now;
	take = f->uart_tokens < (double)n ? (size_t)f->uart_tokens : n;
	f->uart_tokens -= (double)take;
	if (take < n && !clock_timer_active(&f->uart_t))
		clock_timer_start(&f->uart_t, (double)(n - take <
		    MODEM_UART_FIFO ? n - take : MODEM_UART_FIFO) / rate);
	return take;
}

/* UART: bytes that arrived but were not taken stay in the FIFO. */
static void
modem_uart_refund(struct modem_iface *f, size_t n)
{
	if (f->m->cfg.port_mode == MODEM_PORT_UART && f->port.baud != 0)
		f->uart_tokens += (double)n;
}

/* UART: more bytes have come down the line: offer them again. */
static void
modem_uart_cb(struct clock_timer *t, void *arg)
{
	struct modem_iface *f = arg;

	(void)t;
	port_pause(&f->port, 0);
}

/* Port: bytes from the host; returns how many were taken. */
static size_t
modem_port_input(void *arg, const unsigned char *p, size_t n)
{
	struct modem_iface *f = arg;
	struct modem *m = f->m;
	struct serial_rx *rx;
	size_t used;

	/* Before RDY, and once shutting down, nothing answers. */
	if (m->power != MODEM_ON || f->at.halt)
		return n;
	if ((n = modem_uart_arrived(f, n)) == 0)
		return 0;
	/* FILE:<length> or AT+QFUPL: the bytes are the transfer's. */
	if ((rx = modem_raw_input(f)) != NULL) {
		used = serial_rx_input(rx, p, n);
		modem_uart_refund(f, n - used);
		/* All of an upload is in: nothing more until its result. */
		if (!serial_rx_active(rx) && f->at.pending)
			port_pause(&f->port, 1);
		return used;
	}
	used = at_frame_input(&f->frame, p, n);
	modem_uart_refund(f, n - used);
	if (m->power != MODEM_ON || f->at.halt)
		return n;
	modem_urc_flush(f);
	return used;
}

/* Stop answering: the rest of the line and of the input is not run, on
 * every interface. */
static void
modem_halt(struct modem *m)
{
	int i;

	for (i = 0; i < m->niface; i++) {
		m->iface[i].at.halt = 1;
		m->iface[i].frame.stop = 1;
	}
}

/* Every interface's port goes (USB) or is closed for good. */
static void
modem_close_ports(struct modem *m)
{
	int i;

	for (i = 0; i < m->niface; i++)
		port_close(&m->iface[i].port);
}

/* The host has read our output (or gave up): finish the power event. */
static void
modem_drained(struct modem *m)
{
	if (m->power != MODEM_RESETTING && m->power != MODEM_POWERING_DOWN)
		return;
	if (m->cfg.port_mode == MODEM_PORT_USB || m->power == MODEM_POWERING_DOWN)
		modem_close_ports(m);
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
	modem_close_ports(m);
	modem_set_power(m, MODEM_OFF);
	if (m->on_off != NULL)
		m->on_off(m);
}

/* Port: attach, detach, termios change, drained.  The host hooks watch
 * the first interface. */
static void
modem_port_event(void *arg, enum port_event ev)
{
	struct modem_iface *f = arg;
	struct modem *m = f->m;

	switch (ev) {
	case PORT_DETACH:
		/* A host that vanished mid-line leaves no half command. */
		at_frame_reset(&f->frame);
		modem_urc_flush(f);
		if (m->hooks.host != NULL && f->num == 1)
			m->hooks.host(m->hooks.arg, 0);
		break;
	case PORT_DRAINED:
		/* The power event goes on once every port has drained. */
		if (m->draining > 0 && --m->draining == 0)
			modem_drained(m);
		break;
	case PORT_ATTACH:
		if (m->hooks.host != NULL && f->num == 1)
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

static void	modem_relays_share(struct modem *, int);
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

/* The USB ports appear together (UART: they have been there all along). */
static void
modem_boot_port(struct modem *m)
{
	int i;

	for (i = 0; i < m->niface; i++) {
		if (port_is_open(&m->iface[i].port))
			continue;
		if (port_open(&m->iface[i].port) != 0) {
			modem_fail(m, "cannot open a pty: %s", strerror(errno));
			return;
		}
	}
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
	struct modem_iface *f;
	int i;

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
	m->ifc_dce = m->nv.ifc_dce;
	m->ifc_dte = m->nv.ifc_dte;
	/* Every interface starts from the saved profile. */
	for (i = 0; i < m->niface; i++) {
		f = &m->iface[i];
		f->at.set = m->nv.at;
		at_frame_reset(&f->frame);
		f->at.halt = 0;
		at_cancel(&f->at);
		f->busy = 0;
		port_pause(&f->port, 0);
		f->frame.s3 = f->at.set.s3;
		f->frame.s5 = f->at.set.s5;
		buf_reset(&f->urcs);
	}
	m->act_cid = 0;
	m->act_iface = NULL;
	m->fota.iface = NULL;
	m->draining = 0;
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
	int i;

	clock_timer_stop(&m->boot_t);
	net_stop(&m->net);
	modem_set_power(m, next);
	/* A half-typed line is lost; URCs it held back still go out. */
	for (i = 0; i < m->niface; i++) {
		at_frame_reset(&m->iface[i].frame);
		modem_urc_flush(&m->iface[i]);
	}
	modem_halt(m);
	/* Every open port drains (PORT_DRAINED counts them down). */
	m->draining = 0;
	for (i = 0; i < m->niface; i++)
		if (port_is_open(&m->iface[i].port))
			m->draining++;
	if (m->draining == 0) {
		modem_drained(m);
		return;
	}
	for (i = 0; i < m->niface; i++)
		if (port_is_open(&m->iface[i].port))
			port_drain(&m->iface[i].port, MODEM_DRAIN_BOUND);
}

void
modem_power_cut(struct modem *m, double on_after)
{
	int i;

	if (m->failed[0] != '\0')
		return;
	translog_state(m->log, "power", "cut%s", on_after >= 0 ? "" :
	    ", stays off");
	modem_stop_all(m);
	for (i = 0; i < m->niface; i++)
		buf_reset(&m->iface[i].urcs);
	/* USB: the ports go with the power.  A UART's ptys stay, silent. */
	if (m->cfg.port_mode == MODEM_PORT_USB)
		modem_close_ports(m);
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
	int i;

	if (m->power == MODEM_POWERING_DOWN)
		return;
	if (m->power == MODEM_OFF) {
		modem_set_power(m, MODEM_POWERING_DOWN);
		modem_drained(m);
		return;
	}
	if (urc) {
		/* Power-down does not wait for a half-typed line. */
		for (i = 0; i < m->niface; i++) {
			at_frame_reset(&m->iface[i].frame);
			m->iface[i].busy = 0;
		}
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
	struct modem_iface *f;
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
	m->niface = cfg->link2 != NULL ? 2 : 1;
	for (i = 0; i < (size_t)m->niface; i++) {
		f = &m->iface[i];
		f->m = m;
		f->num = (int)i + 1;
		port_init(&f->port, m->loop, i == 0 ? cfg->link : cfg->link2,
		    &pcb, f);
		f->port.log = m->log;
		if (i > 0) {
			f->port.comp = "port2";
			f->port.tl_host = TRANSLOG_HOST2;
			f->port.tl_modem = TRANSLOG_MODEM2;
		}
		at_frame_init(&f->frame, &fcb, f);
		f->at.out = modem_at_out;
		f->at.out_arg = f;
		f->at.ctx = m;
		f->at.conditions = modem_at_conditions;
		buf_init(&f->urcs);
		clock_timer_init(&f->uart_t, clock, modem_uart_cb, f);
		f->uart_tokens = MODEM_UART_FIFO;
	}
	clock_timer_init(&m->boot_t, clock, modem_boot_cb, m);
	net_init(&m->net, clock, m->log, cfg->model == MODEM_EC200T, &ncb);
	fota_job_init(&m->fota, m);
	qfupl_init(&m->upl, m);
	qhttp_init(&m->http, m);
	m->fota.xfer.ca_file = cfg->ca_file;
	if (cfg->link_shape != NULL)
		m->link_profile = *cfg->link_shape;
	m->link = modem_relay_new(m);
	qftp_init(&m->ftp, m);
	/* The HTTP client's own relay: the FOTA job's transfers and its own
	 * may run together (FTP and HTTP), and each relay ends its own. */
	m->http.link = modem_relay_new(m);
	m->http.xfer.link = m->http.link;
	modem_relays_share(m, 1);
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
	return modem_fw_boot(m);
}

void
modem_power_down_later(struct modem *m, double delay, int urc)
{
	m->down_urc = urc;
	clock_timer_start(&m->down_t, delay);
	modem_halt(m);
}

struct link *
modem_relay_new(struct modem *m)
{
	const struct modem_config *cfg = &m->cfg;
	struct link *l = link_new(m->clock, m->log);

	/* The radio technology's profile in force (net_link(), kept current
	 * by the radio side); --link-shape replaces it outright, unshaped
	 * included, for tests and benchmarks. */
	link_set_profile(l, cfg->link_shape != NULL ? &m->link_profile :
	    net_link(&m->net));
	if (cfg->link_faults != NULL)
		link_set_faults(l, cfg->link_faults);
	if (cfg->sockets_in_use > 0)
		link_set_sockets_in_use(l, cfg->sockets_in_use);
	return l;
}

/* The module's relays share one socket table (on), or stop (off). */
static void
modem_relays_share(struct modem *m, int on)
{
	struct link *r[] = { m->link, m->ftp.link, m->http.link };
	size_t i, j;

	for (i = 0; i < nitems(r); i++) {
		if (r[i] == NULL)
			continue;
		link_share_table(r[i], NULL);
		for (j = 0; on && j < nitems(r); j++)
			if (j != i && r[j] != NULL)
				link_share_table(r[i], r[j]);
	}
}

void
modem_free(struct modem *m)
{
	int i;

	clock_timer_stop(&m->boot_t);
	net_free(&m->net);
	clock_timer_stop(&m->power_t);
	clock_timer_stop(&m->down_t);
	fota_job_free(&m->fota);
	qfupl_cancel(&m->upl);
	modem_relays_share(m, 0);
	qhttp_free(&m->http);
	link_free(m->http.link);
	m->http.link = NULL;
	qftp_free(&m->ftp);
	link_free(m->link);
	m->link = NULL;
	firmware_close(m->fw);
	m->fw = NULL;
	for (i = 0; i < m->niface; i++) {
		clock_timer_stop(&m->iface[i].uart_t);
		port_free(&m->iface[i].port);
		buf_free(&m->iface[i].urcs);
	}
}
