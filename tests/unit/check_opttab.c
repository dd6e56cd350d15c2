/*
 * check_opttab.c: unit tests for option tables: setting by name, parsing a
 * command line, and the generated --help.
 */
#include "config.h"

#include <check.h>
#include "check-run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opttab.h"
#include "util.h"

struct ctx {
	const char	*name;
	long		 count;
	int		 verbose;
	int		 calls;
};

/* --name NAME: kept as given. */
static int
set_name(void *p, const struct opt *o, const char *v, char *err, size_t len)
{
	struct ctx *c = p;

	c->name = v;
	c->calls++;
	return 0;
}

/* --count N: 1 to 9. */
static int
set_count(void *p, const struct opt *o, const char *v, char *err, size_t len)
{
	struct ctx *c = p;

	c->calls++;
	if (parse_long(v, 1, 9, &c->count) == 0)
		return 0;
	snprintf(err, len, "--count: expected 1 to 9, not '%s'", v);
	return -1;
}

/* -v, --verbose. */
static int
set_verbose(void *p, const struct opt *o, const char *v, char *err, size_t len)
{
	struct ctx *c = p;

	c->verbose = 1;
	c->calls++;
	return 0;
}

static const struct opt opts[] = {
	{ "name", 0, "NAME", "who is asking", set_name, 0, 0 },
	{ "count", 'c', "N", "how many times,\nfrom 1 to 9", set_count, 0, 0 },
	{ "verbose", 'v', NULL, "say more", set_verbose, 0, 0 },
	{ "version", 0, NULL, "print the version", NULL, 0, OPT_VERSION },
	{ "dry-run", 0, NULL, "command line only", set_verbose, 0, OPT_CLI },
	{ "help", 0, NULL, "print this help", NULL, 0, OPT_HELP },
};

static const struct opt_table table = {
	.usage = "usage: prog [options] FILE\n",
	.opts = opts,
	.nopts = nitems(opts),
	.footer = "The end.\n",
	.version = "prog 1.0",
};

/* Parse a NULL-terminated argument list. */
static int
parse(struct ctx *c, char *err, size_t len, ...)
{
	char *argv[16];
	va_list ap;
	int argc = 0;

	va_start(ap, len);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	return opt_parse(&table, c, argc, argv, err, len);
}

START_TEST(test_set_by_name)
{
	struct ctx c = { 0 };
	char err[128];

	ck_assert_int_eq(opt_set(&table, &c, "name", "ann", err, sizeof err), 0);
	ck_assert_str_eq(c.name, "ann");
	ck_assert_int_eq(opt_set(&table, &c, "count", "3", err, sizeof err), 0);
	ck_assert_int_eq(c.count, 3);
	ck_assert_int_eq(opt_set(&table, &c, "verbose", NULL, err, sizeof err), 0);
	ck_assert_int_eq(c.verbose, 1);

	ck_assert_int_eq(opt_set(&table, &c, "count", "12", err, sizeof err), -1);
	ck_assert_str_eq(err, "--count: expected 1 to 9, not '12'");
	ck_assert_int_eq(opt_set(&table, &c, "colour", "red", err, sizeof err), -1);
	ck_assert_str_eq(err, "unknown option \"colour\"");
	ck_assert_int_eq(opt_set(&table, &c, "count", NULL, err, sizeof err), -1);
	ck_assert_str_eq(err, "--count needs a value (N)");
	ck_assert_int_eq(opt_set(&table, &c, "verbose", "yes", err, sizeof err), -1);
	ck_assert_str_eq(err, "--verbose takes no value");
	ck_assert_int_eq(opt_set(&table, &c, "dry-run", NULL, err, sizeof err), -1);
	ck_assert_str_eq(err, "--dry-run: only on the command line");
	ck_assert_int_eq(opt_set(&table, &c, "version", NULL, err, sizeof err), -1);
	ck_assert_int_eq(opt_set(&table, &c, "help", NULL, err, sizeof err), -1);
	ck_assert_int_eq(c.calls, 4);
	ck_assert_ptr_eq(opt_find(&table, "count"), &opts[1]);
	ck_assert_ptr_null(opt_find(&table, "--count"));
}
END_TEST

START_TEST(test_parse)
{
	struct ctx c = { 0 };
	char err[128];

	ck_assert_int_eq(parse(&c, err, sizeof err, "prog", "--name", "bo", "-c",
	    "4", "-v", "file", NULL), 6);
	ck_assert_str_eq(c.name, "bo");
	ck_assert_int_eq(c.count, 4);
	ck_assert_int_eq(c.verbose, 1);

	/* getopt permutes: the operand moves to the end. */
	memset(&c, 0, sizeof c);
	ck_assert_int_eq(parse(&c, err, sizeof err, "prog", "file", "--count=2",
	    NULL), 2);
	ck_assert_int_eq(c.count, 2);

	/* The first failing setter stops the parse with its message. */
	memset(&c, 0, sizeof c);
	ck_assert_int_eq(parse(&c, err, sizeof err, "prog", "-c", "0", "-v",
	    NULL), -1);
	ck_assert_str_eq(err, "--count: expected 1 to 9, not '0'");
	ck_assert_int_eq(c.verbose, 0);
	ck_assert_int_eq(opt_parse_status(&table, -1, err), 2);

	/* --version is done: nothing after it runs. */
	memset(&c, 0, sizeof c);
	ck_assert_int_eq(parse(&c, err, sizeof err, "prog", "--version", "-c",
	    "0", NULL), 0);
	ck_assert_int_eq(c.calls, 0);
	ck_assert_int_eq(opt_parse_status(&table, 0, err), 0);
}
END_TEST

START_TEST(test_parse_getopt_errors)
{
	struct ctx c = { 0 };
	char err[128];

	ck_assert_int_eq(parse(&c, err, sizeof err, "prog", "--colour", NULL), -1);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(parse(&c, err, sizeof err, "prog", "--name", NULL), -1);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(parse(&c, err, sizeof err, "prog", "-x", NULL), -1);
	ck_assert_int_eq(parse(&c, err, sizeof err, "prog", "--verbose=1", NULL),
	    -1);
	ck_assert_int_eq(c.calls, 0);
}
END_TEST

START_TEST(test_usage)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	opt_usage(&table, f);
	fclose(f);
	ck_assert_str_eq(text,
	    "usage: prog [options] FILE\n"
	    "      --name NAME  who is asking\n"
	    "  -c, --count N    how many times,\n"
	    "                   from 1 to 9\n"
	    "  -v, --verbose    say more\n"
	    "      --version    print the version\n"
	    "      --dry-run    command line only\n"
	    "      --help       print this help\n"
	    "The end.\n");
	free(text);
}
END_TEST

static Suite *
opttab_suite(void)
{
	Suite *s = suite_create("opttab");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_set_by_name);
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_parse_getopt_errors);
	tcase_add_test(tc, test_usage);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run_suite(opttab_suite());
}
