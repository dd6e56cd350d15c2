/*
 * faults.h: fault directives, the one small language shared by
 * fotasim-server --faults FILE and scenario files.  docs/fault-directives.md
 * is the reference.  A directive reads "SERVICE WHERE [WHEN...] ACTION [ARGS]",
 * one per line, for example
 *
 *	ftp  PASS                        reply 530 Login incorrect
 *	ftp  data  after 4096 bytes      close
 *	http /fw.bin first 2 times       status 503
 */
#ifndef FOTASIM_FAULTS_H
#define FOTASIM_FAULTS_H

#include <stddef.h>
#include <stdint.h>

#define FAULT_GARBAGE_MAX	4096	/* "garbage N": 1 <= N <= this */

enum fault_service {
	FAULT_FTP,
	FAULT_HTTP,		/* http and https requests */
	FAULT_TLS,		/* the https listener's handshake and close */
};

enum fault_action {
	FAULT_REPLY,		/* ftp: reply CODE [TEXT] */
	FAULT_STATUS,		/* http: status CODE */
	FAULT_REDIRECT,		/* http: redirect [CODE] URL */
	FAULT_DELAY,		/* answer after T */
	FAULT_HANG,		/* accept and never answer */
	FAULT_STALL,		/* stop sending for T, then go on */
	FAULT_THROTTLE,		/* at most RATE bytes per second */
	FAULT_CLOSE,		/* close the connection */
	FAULT_RESET,		/* close with RST (SO_LINGER 0) */
	FAULT_REFUSE,		/* ftp: refuse the data connection */
	FAULT_ADDRESS,		/* ftp PASV/EPSV: advertise ADDR [PORT] */
	FAULT_GARBAGE,		/* send N random bytes, then close */
	FAULT_FLIP,		/* invert one byte of the body */
	FAULT_LENGTH,		/* http: Content-Length off by +-N */
	FAULT_BADCHUNK,		/* http: malformed chunked encoding */
	FAULT_GZIPJUNK,		/* http: gzip Content-Encoding, junk body */
	FAULT_TLS_ABORT,	/* tls: abort the handshake */
	FAULT_TLS_UNTRUSTED,	/* tls: certificate from an unknown CA */
	FAULT_TLS_WRONGNAME,	/* tls: certificate for another host name */
	FAULT_TLS_EXPIRED,	/* tls: expired certificate */
	FAULT_TLS_NOCLOSE,	/* tls: close without close_notify */
};

struct fault {
	char			*file;
	int			 line;
	char			*source;	/* the directive text, for logs */
	enum fault_service	 svc;
	char			*where;		/* ftp stage, http path glob, tls "*" */

	/* When: every condition present must hold. */
	long			 first;		/* only the first N matches (0: all) */
	long			 nth;		/* only the Nth match (0: all) */
	long			 conn;		/* only connection number N (0: all) */
	double			 prob;		/* probability, seeded RNG */
	char			*path;		/* ftp: argument glob */
	long long		 after;		/* position in bytes, -1: none */
	double			 after_pct;	/* position in percent, -1: none */

	/* What. */
	enum fault_action	 action;
	long			 code;
	char			*text;		/* reply text, redirect URL, address */
	double			 secs;		/* delay/stall; < 0 forever */
	double			 rate;		/* throttle, bytes per second */
	long long		 count;		/* length delta, garbage bytes, port */

	unsigned long		 seen;		/* how often WHERE matched */
	int			 off;		/* switched off (a scenario's
						   timeline): neither counts nor
						   applies */
};

struct faults {
	struct fault		*v;
	size_t			 n;
	uint64_t		 rng;
};

/* Where a throttled body is: when its first byte went, and the bytes the
 * pause it is in (if any) waited for. */
struct fault_pace {
	double			 t0;		/* simulated seconds; < 0: not yet */
	size_t			 owed;
};

/* An empty directive set. */
void	faults_init(struct faults *);
/* Free every directive. */
void	faults_free(struct faults *);
/*
 * Parse the len bytes of directive text named `file`; on error returns -1
 * and sets *err to "file:line:col: message" (caller frees).  The text need
 * not end with a NUL: a NUL in it, like any byte that cannot be in the
 * language, is an error at its column.
 */
int	faults_parse(struct faults *, const char *file, const char *text,
	    size_t len, char **err);
/*
 * Parse one directive that a scenario file holds at file:line, its first
 * byte at column col: errors name the scenario's line and columns.  0, or
 * -1 with *err (caller frees).
 */
int	faults_parse_line(struct faults *, const char *file, int line, int col,
	    const char *text, size_t len, char **err);
/* A duration as directives write it: "250ms", "3s", "2m", "1h" (a bare
 * number is seconds); 0 or -1.  Scenario files use it too. */
int	faults_parse_time(const char *, double *);
/* Read and parse a directive file. */
int	faults_load(struct faults *, const char *path, char **err);
/*
 * Find the first directive for this service and place that applies now.
 * `where` is the ftp stage or the http path; `arg` the ftp argument (may be
 * NULL); conn the 1-based connection number.  Logs "applying: ...".
 */
const struct fault *faults_match(struct faults *, enum fault_service,
	    const char *where, const char *arg, unsigned long conn);
/* Byte position of a fault in a body of `size` bytes (-1 if none). */
long long fault_position(const struct fault *, long long size);
/* Whether an ftp place is a stage (greeting, control, data, final). */
int	faults_is_ftp_place(const char *);
/* The action's name as written in directives. */
const char *fault_action_name(enum fault_action);
/* Random bytes from the seeded generator. */
void	faults_random(struct faults *, void *, size_t);
/* A body that has not started yet. */
void	fault_pace_init(struct fault_pace *);
/*
 * A throttle's pacing, shared by the servers: of `want` bytes (> 0) after
 * `sent`, how many may go now at `rate` bytes per simulated second.  0
 * means none: the caller pauses for *wait simulated seconds, after which
 * the bytes of one slice (rate/20, at least 1) may go whatever the clock's
 * rounding says, so a pause always ends in progress.
 */
size_t	fault_pace(struct fault_pace *, double rate, double now,
	    unsigned long long sent, size_t want, double *wait);
/* Fill buf (FAULT_GARBAGE_MAX bytes) with a garbage fault's random bytes;
 * returns how many (its N, which the parser keeps in range). */
size_t	faults_garbage(struct faults *, const struct fault *, void *buf);

#endif
