/*
 * at-cmd.h: the AT command dispatcher.
 *
 * Commands are declared in tables, one file per family (at-basic.c,
 * at-info.c, at-network.c, at-port.c, at-fota.c).  Each entry declares the
 * forms it allows and its parameters; the dispatcher checks a request against
 * the declaration before the command's check and proceed functions run.
 */
#ifndef FOTASIM_AT_CMD_H
#define FOTASIM_AT_CMD_H

#include <stddef.h>

#include "util.h"

#define AT_MAX_ARGS	8
#define AT_STR_MAX	512
#define AT_REST_MAX	1024	/* a line after "AT" (AT_LINE_MAX) */

/* The forms of a command; an entry allows a set of them. */
enum at_form {
	AT_EXEC = 0x1,		/* AT+CMD, or basic ATE1 */
	AT_READ = 0x2,		/* AT+CMD? */
	AT_TEST = 0x4,		/* AT+CMD=? */
	AT_SET  = 0x8,		/* AT+CMD=... */
};

enum at_ptype {
	AT_P_END = 0,		/* terminates a parameter list */
	AT_P_INT,		/* decimal integer in [min, max] */
	AT_P_STR,		/* quoted string, length <= max */
	AT_P_ANY,		/* integer or quoted string; command checks */
};

struct at_param {
	enum at_ptype	 type;
	long		 min;
	long		 max;
};

/* Parameter declarations: AT_INT(0, 4), AT_STR(99), AT_ANY, AT_END. */
#define AT_INT(lo, hi)	{ .type = AT_P_INT, .min = (lo), .max = (hi) }
#define AT_STR(len)	{ .type = AT_P_STR, .min = 0, .max = (len) }
#define AT_ANY		{ .type = AT_P_ANY }
#define AT_END		{ .type = AT_P_END }

/*
 * Preconditions an entry may declare (.needs).  The dispatcher asks the
 * owner which hold (at_engine.conditions) and answers the first one that
 * does not, in this order, with its code, before the entry's check runs.
 */
enum at_need {
	AT_NEED_SIM	= 0x1,	/* the SIM has answered: else CME 14, SIM busy */
	AT_NEED_SIM_ON	= 0x2,	/* the SIM is powered (CFUN != 0): else 13 */
	AT_NEED_REG	= 0x4,	/* registered on a network: else 30 */
	AT_NEED_FOTA_IDLE = 0x8, /* no AT+QFOTADL running: else ERROR */
};

/* Result of a command: OK, plain ERROR, or a +CME ERROR code (> 0). */
#define AT_RES_OK	 0
#define AT_RES_ERROR	-1
/* The command answers later, through at_finish (AT+QIACT waits for the
 * network); the rest of its line runs then. */
#define AT_RES_PENDING	-2
/* V.250's NO CARRIER (numeric 3): ATA with no call to answer. */
#define AT_RES_NO_CARRIER	-3
/* V.250's CONNECT (numeric 1): AT+QFUPL before the data (not final). */
#define AT_RES_CONNECT		-4

/* CME error codes used by the command families. */
#define CME_NOT_ALLOWED		3
#define CME_NOT_SUPPORTED	4
#define CME_SIM_FAILURE		13
#define CME_SIM_BUSY		14
#define CME_NO_NETWORK		30
#define CME_BAD_PARAM		50
#define CME_UNKNOWN		100
/* Quectel's file-command codes (docs/at-commands.md, the UFS table). */
#define CME_FILE_INPUT		400	/* invalid input value */
#define CME_FILE_FULL		403	/* drive full */
#define CME_FILE_NOT_FOUND	405
#define CME_FILE_NAME		406	/* invalid file name */
#define CME_FILE_EXISTS		407
#define CME_FILE_WRITE		409	/* fail to write the file */
#define CME_FILE_NO_SPACE	420	/* no space (the directory is full) */
#define CME_FILE_TIMEOUT	421
#define CME_FILE_TOO_LARGE	423
#define CME_FILE_PARAM		425	/* invalid parameter */
#define CME_FILE_OPENED		426	/* file already opened (in use) */

struct at_arg {
	int		 present;
	enum at_ptype	 type;		/* AT_P_INT or AT_P_STR as parsed */
	long		 i;
	char		 s[AT_STR_MAX + 1];
};

struct at_engine;
struct at_req;

/*
 * One command.  The dispatcher runs, in order: the form and parameter
 * declaration, the preconditions, `check`, then `proceed`.  Everything that
 * can refuse a request belongs in the first three, so that `proceed` only
 * acts (OpenSMTPD's smtp_check_* / smtp_proceed_*).
 */
struct at_cmd {
	const char		*name;	/* "+CSQ", "E", "&F", "S" */
	unsigned		 forms;
	const struct at_param	*params; /* for AT_SET (basic: AT_EXEC) */
	unsigned		 nreq;	 /* required parameters */
	unsigned		 needs;	 /* AT_NEED_* */
	unsigned		 need_forms; /* forms they apply to (0: all but
					    the test form) */
	int			 set_query; /* takes AT+CMD=<args>? (a query) */
	/* Optional: validate beyond the declaration; return a result code. */
	int			(*check)(struct at_req *);
	/* Act; write information with at_info().  Returns a result code. */
	int			(*proceed)(struct at_req *);
};

struct at_req {
	struct at_engine	*engine;
	const struct at_cmd	*cmd;
	enum at_form		 form;
	unsigned		 nargs;
	struct at_arg		 args[AT_MAX_ARGS];
	long			 sreg;	/* register number for "S" */
	int			 set_query; /* AT+CMD=<args>? */
	int			 info_lines;
};

/* Engine settings changed by V.250 commands (E, V, Q, &F, &W, +CMEE, S). */
struct at_settings {
	int		 echo;
	int		 verbose;
	int		 quiet;
	int		 cmee;
	unsigned char	 s3, s4, s5;
	int		 s0;
};

struct at_engine {
	struct at_settings	 set;
	/* Where response bytes go. */
	void			(*out)(void *, const void *, size_t);
	void			*out_arg;
	/* Owner context for command handlers (the modem). */
	void			*ctx;
	/* Which AT_NEED_* conditions hold now (NULL: all of them). */
	unsigned		(*conditions)(void *ctx);
	/* Set by a command that ends the module's answering (reboot, power
	 * down): the rest of the line does not run. */
	int			 halt;
	/* A command answers later (AT_RES_PENDING): the rest of its line. */
	int			 pending;
	char			 rest[AT_REST_MAX];
	size_t			 nrest;
};

/* Look up a command by name (case-insensitive) in every family. */
const struct at_cmd *at_cmd_find(const char *name);
/* Run one command line (the text after "AT"); writes the responses. */
void	at_dispatch(struct at_engine *, const char *line, size_t len);
/* The pending command's final result: write it, or run the rest of the
 * line if it is OK. */
void	at_finish(struct at_engine *, int res);
/* Forget a pending command (power going away). */
void	at_cancel(struct at_engine *);
/* Optional integer argument i in [lo, hi]: its value, or `def` when
 * omitted; -1 if it is not such a number. */
int	at_arg_int(const struct at_req *, unsigned i, long lo, long hi, long def,
	    long *v);
/* Write an information line for the current command. */
void	at_info(struct at_req *, const char *, ...) __attribute__((format(printf, 2, 3)));
/* Write a final result code (OK / ERROR / +CME ERROR) per V/Q/CMEE. */
void	at_result(struct at_engine *, int res);
/* Write an unsolicited line framed as the real module does. */
void	at_urc(struct at_engine *, const char *text);
/* Write raw bytes to the host. */
void	at_write(struct at_engine *, const void *, size_t);
/* Factory defaults (AT&F). */
void	at_settings_default(struct at_settings *);
/* Text of a CME error code. */
const char *at_cme_text(int code);

/* The command families (NULL-name terminated). */
extern const struct at_cmd at_basic_cmds[];
extern const struct at_cmd at_info_cmds[];
extern const struct at_cmd at_network_cmds[];
extern const struct at_cmd at_call_cmds[];
extern const struct at_cmd at_port_cmds[];
extern const struct at_cmd at_fota_cmds[];
extern const struct at_cmd at_file_cmds[];
extern const struct at_cmd at_http_cmds[];
extern const struct at_cmd at_ftp_cmds[];

#endif
