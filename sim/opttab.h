/*
 * opttab.h: a program's options as one table.  Each row is one option: long
 * name, short letter, argument name, help text and setter.  getopt_long's
 * struct option array, the --help text and setting an option by name (for
 * scenario files or a control API) are all made from the same rows, so an
 * option is added in one place.  docs/internals/options.md has the details.
 */
#ifndef FOTASIM_OPTTAB_H
#define FOTASIM_OPTTAB_H

#include <stddef.h>
#include <stdio.h>

struct opt;

/*
 * Apply an option to ctx.  value is its argument (NULL for an option that
 * takes none) and may be kept: it must live as long as ctx does.  Returns 0,
 * -1 with a message in err, or OPT_DONE when the option did the program's
 * whole job.
 */
typedef int (*opt_setter)(void *ctx, const struct opt *, const char *value,
    char *err, size_t errlen);

#define OPT_DONE	1

struct opt {
	const char	*name;		/* long name, without "--" */
	int		 letter;	/* short option letter, or 0 */
	const char	*arg;		/* argument name in --help; NULL: none */
	const char	*help;		/* --help text; '\n' continues it */
	opt_setter	 set;		/* NULL with OPT_HELP, OPT_VERSION */
	int		 key;		/* for a setter shared by several rows */
	int		 flags;
#define OPT_CLI		0x1	/* command line only: opt_set() refuses it */
#define OPT_HELP	0x2	/* print the table's help on stdout; done */
#define OPT_VERSION	0x4	/* print the table's version line; done */
};

struct opt_table {
	const char		*usage;		/* first lines of --help */
	const struct opt	*opts;
	size_t			 nopts;
	const char		*footer;	/* after the options, or NULL */
	const char		*version;	/* "prog 1.0" for OPT_VERSION */
};

/* The row named `name` (a long name without "--"), or NULL. */
const struct opt *opt_find(const struct opt_table *, const char *name);
/*
 * Set an option by its long name, as a scenario file or control API would:
 * 0, or -1 with a message in err (unknown name, a command-line-only option,
 * a missing or unexpected value, or the setter's own complaint).
 */
int	opt_set(const struct opt_table *, void *ctx, const char *name,
	    const char *value, char *err, size_t errlen);
/*
 * Parse argv with getopt_long, calling each option's setter in order.
 * Returns the index in argv of the first operand (>= 1); 0 when an option
 * finished the program (--help, --version); -1 on a bad command line, with
 * the setter's message in err, or err empty when getopt has already
 * complained (unknown option, missing argument).
 */
int	opt_parse(const struct opt_table *, void *ctx, int argc, char **argv,
	    char *err, size_t errlen);
/*
 * main()'s exit status after opt_parse() returned rc <= 0: 0 when done;
 * otherwise 2, after printing err on stderr (the usage when err is empty).
 */
int	opt_parse_status(const struct opt_table *, int rc, const char *err);
/* Print the --help text: usage lines, one row per option, footer. */
void	opt_usage(const struct opt_table *, FILE *);

#endif
