/*
 * scenario-run.h: playing a parsed scenario inside fotasim (--scenario).
 *
 *	scn_run_new()		before modem_init: build the servers' root
 *				(packages, files) and start the servers
 *	scn_run_stage()		after modem_init: [modem] staged
 *	scn_run_attach()	after modem_init, before power-on: hooks,
 *				timeline, the built-in host
 *	... ev_run ...		the run ends when the modem is off (SIGTERM,
 *				AT+QPOWD, or the built-in host finished)
 *	scn_run_check()		[expect] and the host's result; a report
 *	scn_run_free()
 */
#ifndef FOTASIM_SCENARIO_RUN_H
#define FOTASIM_SCENARIO_RUN_H

#include <stdint.h>
#include <stdio.h>

#include "scenario.h"

struct clock;
struct modem;
struct translog;
struct scn_run;
struct scn_host;

/*
 * Start a run of `s` (kept, not owned) on the clock's loop: packages for
 * `model` with images of `image_size` bytes.  Server addresses are printed
 * to `out` as --serve does.  NULL with a message in err.
 */
struct scn_run *scn_run_new(struct scenario *s, struct clock *,
	    struct translog *, const char *model, uint64_t image_size,
	    FILE *out, char *err, size_t errlen);
/* The CA file the modem verifies HTTPS against ([modem] verify-https), or
 * NULL. */
const char *scn_run_ca_file(const struct scn_run *);
/* [modem] staged: put the package into the fresh flash's FOTA area as a
 * finished download leaves it, before the first power-on (after
 * modem_init).  0, or -1 with a message in err. */
int	scn_run_stage(struct scn_run *, struct modem *, char *err,
	    size_t errlen);
/* Watch the modem (its hooks), schedule the timeline, start the host on
 * the modem's `link`.  `done` is called once the host has finished or
 * failed (it powers the modem down). */
void	scn_run_attach(struct scn_run *, struct modem *, const char *link);
/* End the run (power down in order) once the host has closed the port
 * and not opened it again for `secs` simulated seconds (--end-on-close). */
void	scn_run_end_on_close(struct scn_run *, double secs);
/* Check [expect] (and the host) at the end; report on `out`.  0 pass. */
int	scn_run_check(struct scn_run *, FILE *out);
void	scn_run_free(struct scn_run *);

/* The built-in host (scenario-host.c). */
struct scn_host_vars {
	char	 addr[3][64];	/* ${ftp}, ${http}, ${https}: ADDR:PORT */
	char	 port[3][16];	/* ${ftp-port}, ... */
	const char *root;	/* the servers' root: ${size:PATH}, send-file */
};

/* Start the host on the modem's port at `link`; `done(arg, why)` is
 * called once, why NULL when every step passed. */
struct scn_host *scn_host_start(const struct scenario *, struct modem *,
	    const char *link, const struct scn_host_vars *,
	    void (*done)(void *, const char *why), void *arg);
void	scn_host_free(struct scn_host *);

#endif
