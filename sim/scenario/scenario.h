/*
 * scenario.h: scenario files (docs/scenario-format.md, fotasim-scenario(5)).
 *
 * scenario_load() reads a file (and what it includes) into a struct
 * scenario, or fails with "file:line:col: message" and leaves nothing
 * behind.  The modem and network keys are fotasim options: the parser
 * hands each to the caller's check() (fotasim passes opt_set on its option
 * table), so a bad value is reported at its column like any other error.
 * The fault directives of [servers] go through the fault parser
 * (faults_parse_line), so they are exactly fotasim-server's language.
 * scenario-run.c plays a parsed scenario in fotasim; scenario-host.c is the
 * built-in host.
 */
#ifndef FOTASIM_SCENARIO_H
#define FOTASIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "faults.h"

#define SCN_INCLUDE_DEPTH	8	/* includes nest at most this deep */
#define SCN_SIZE_MAX		(1 << 20)	/* a scenario file's bytes */
#define SCN_HOST_TIMEOUT	300.0	/* an expect without "within" */

/* Where something was written. */
struct scn_where {
	const char	*file;		/* one of scenario.files */
	int		 line;
	int		 col;
};

/* A [modem] or [network] key: the fotasim option it sets. */
struct scn_option {
	const char	*name;		/* the option's long name */
	char		*value;
	struct scn_where at;
};

/* A package the servers serve, built from two revisions' images. */
struct scn_package {
	char		*name;		/* its path under the servers' root */
	char		*from, *to;	/* revisions */
	int		 delta;		/* a delta package, else full */
	struct scn_where at;
};

/* A file the servers serve, copied from next to the scenario. */
struct scn_file {
	char		*name;
	char		*path;		/* resolved against the scenario's dir */
	struct scn_where at;
};

enum scn_trigger {
	SCN_AT_TIME,		/* simulated seconds after power-on */
	SCN_AT_DOWNLOAD_BYTE,	/* the download reached byte N */
	SCN_AT_DOWNLOAD_PCT,	/* ... N percent of its declared size */
	SCN_AT_UPDATE_PCT,	/* the updater reported N percent */
	SCN_ON_SEND,		/* the host sent a command line matching */
	SCN_ON_URC,		/* the modem printed a URC matching */
};

enum scn_action {
	SCN_DO_NET,		/* a network event (the --net-event words) */
	SCN_DO_POWER_CUT,	/* power gone; back after `secs` (< 0: never) */
	SCN_DO_REBOOT,		/* the module reboots (as AT+CFUN=1,1) */
	SCN_DO_FAULT_ON,	/* the directive `fault` (faults.v[]) is on */
	SCN_DO_FAULTS_OFF,	/* every directive is off: healthy servers */
};

struct scn_event {
	enum scn_trigger trigger;
	double		 value;		/* seconds, byte, percent */
	char		*pattern;	/* SCN_ON_*: an fnmatch glob */
	enum scn_action	 action;
	char		*net;		/* SCN_DO_NET: "coverage lost", ... */
	double		 secs;
	size_t		 fault;		/* SCN_DO_FAULT_ON: its index */
	char		*text;		/* the line as written, for the log */
	struct scn_where at;
};

enum scn_step_kind {
	SCN_SEND,		/* write text and CR */
	SCN_SEND_DATA,		/* write text alone (data mode input) */
	SCN_EXPECT,		/* a line matching text within secs */
	SCN_REOPEN,		/* the port goes away and comes back: reopen */
	SCN_SLEEP,		/* secs of simulated time */
	SCN_SEND_FILE,		/* write a served file's bytes (FILE mode) */
	SCN_RETRY,		/* a block: a failed step starts it again */
	SCN_RETRY_END,		/* the end of that block */
};

/* One step of the built-in host ([host]). */
struct scn_step {
	enum scn_step_kind kind;
	char		*text;		/* may hold ${ftp}, ${http}, ${https};
					   SCN_SEND_FILE: the server path */
	double		 secs;
	int		 count;		/* SCN_RETRY: tries in all */
	struct scn_where at;
	int		 port2;		/* send2, expect2: on the second
					   interface */
};

/* [expect] downloads PATH N. */
struct scn_downloads {
	char		*path;
	long		 n;
	struct scn_where at;
};

struct scenario {
	char		*path;		/* the file given to scenario_load */
	char		**files;	/* every file read (wheres point here) */
	size_t		 nfiles;
	uint64_t	 seed;		/* 1 unless set */
	int		 seeded;

	struct scn_option *opts;	/* [modem], [network], in order */
	size_t		 nopts;
	int		 verify_https;	/* [modem] verify-https yes */
	char		*staged;	/* [modem] staged PATH: served path, no "/" */
	struct scn_where staged_at;
	int		 second_port;	/* [modem] second-port yes */
	int		 uses_https;	/* ${https...}, a tls fault, verify-https */

	int		 servers;	/* a [servers] section was given */
	struct scn_package *pkgs;
	size_t		 npkgs;
	struct scn_file	*sfiles;
	size_t		 nsfiles;
	struct faults	 faults;	/* [servers] fault ... */

	struct scn_event *events;	/* [timeline] */
	size_t		 nevents;

	int		 host;		/* a [host] section was given */
	struct scn_step	*steps;
	size_t		 nsteps;

	/* [expect] */
	char		**urcs;		/* FOTA URC short forms; globs */
	size_t		 nurcs;
	int		 has_urcs;
	char		*revision;
	struct scn_where revision_at;
	char		*flash;		/* the booted slot is this image */
	struct scn_where flash_at;
	struct scn_downloads *downloads;
	size_t		 ndownloads;
};

/*
 * Check a [modem]/[network] value as fotasim option `name` would take it:
 * 0, or -1 with a message in err (its "--name: " prefix is dropped).
 */
typedef int (*scn_check_fn)(void *arg, const char *name, const char *value,
    char *err, size_t errlen);

/*
 * Parse the scenario in `path`; 0, or -1 with *err ("file:line:col:
 * message", caller frees) and nothing kept.  check may be NULL (values of
 * option keys are then taken as they are).
 */
int	scenario_load(struct scenario *, const char *path, scn_check_fn check,
	    void *arg, char **err);
/* The same from memory: `name` stands for the file in messages; includes
 * are resolved against the current directory. */
int	scenario_parse(struct scenario *, const char *name, const char *text,
	    size_t len, scn_check_fn check, void *arg, char **err);
void	scenario_free(struct scenario *);

/*
 * A FOTA URC's short form for [expect] urcs: +QIND: "FOTA","HTTPEND",0 is
 * HTTPEND,0.  Returns 0 and fills out, or -1 if the line is not a FOTA URC.
 */
int	scenario_urc_short(const char *line, char *out, size_t size);
/*
 * Match the short forms got[0..ngot) against the expected patterns: a
 * pattern without '*' matches one URC exactly, one with '*' a run of one or
 * more URCs it matches (fnmatch).  1 on a match, else 0.
 */
int	scenario_urcs_match(const char *const *want, size_t nwant,
	    const char *const *got, size_t ngot);
/* The '}' that closes the "${" at v (nested ${...} counted), or NULL. */
const char *scenario_var_end(const char *v);
/* A duration "250ms", "3s", "2m", "1h" (a bare number is seconds); 0 or -1. */
int	scenario_parse_secs(const char *, double *);

#endif
