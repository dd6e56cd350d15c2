/*
 * scenario-fuzzer.c: fuzz target for the scenario parser.  Each input is a
 * scenario's text; it must parse or fail with one "file:line:col: message"
 * naming the input, and a parsed scenario's URC patterns are matched
 * against a fixed run.  Built for libFuzzer with --enable-fuzzing, and
 * always as a standalone runner (fuzz-main.c) that make check drives with
 * scenario.dict.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const run[] = { "HTTPSTART", "HTTPEND,0", "START",
	    "UPDATING,1", "UPDATING,50", "UPDATING,100", "END,0" };
	struct scenario s;
	char *err = NULL;

	/* Includes are relative to the current directory: refuse them all by
	 * running where no file exists (make check runs in the build dir;
	 * an include of an existing file is fine too). */
	if (scenario_parse(&s, "fuzz.scn", (const char *)data, size, NULL,
	    NULL, &err) == 0) {
		if (s.nurcs <= 16)
			(void)scenario_urcs_match((const char *const *)s.urcs,
			    s.nurcs, run,
			    sizeof run / sizeof run[0]);
		scenario_free(&s);
		return 0;
	}
	/* An error always names the input and a line and column. */
	if (err == NULL || strncmp(err, "fuzz.scn:", 9) != 0)
		if (err == NULL || strstr(err, ".scn:") == NULL)
			abort();
	free(err);
	return 0;
}
