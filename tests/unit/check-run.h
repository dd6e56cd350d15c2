/*
 * check-run.h: the main() every Check unit test shares: run one suite with
 * CK_ENV verbosity (so CK_VERBOSITY works) and exit 0 only if all passed.
 */
#ifndef FOTASIM_CHECK_RUN_H
#define FOTASIM_CHECK_RUN_H

#include <check.h>
#include <stdlib.h>

/* Run a suite; returns the process exit status. */
static inline int
check_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
