/*
 * convert-fuzzer.c: fuzz target for the log converter (fotasim-run
 * --convert, tools/scn-convert.c).  The first byte picks the format
 * (fotasim, timestamped, plain, minicom), the rest is the log; it must convert or
 * fail with one "fuzz.log:LINE: message", and never crash.  A skeleton
 * from a timestamped or plain capture is also parsed as a scenario: what
 * it copies from such a log is only the host's commands, the modem's
 * lines (as globs) and revisions, so it must always parse.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario.h"
#include "tools/scn-convert.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cv_opts o = { CV_FOTASIM, NULL, NULL, NULL, 0 };
	struct scenario s;
	struct buf out;
	char *err = NULL, *perr = NULL;

	if (size == 0)
		return 0;
	o.format = (enum cv_format)(data[0] % 4);
	buf_init(&out);
	if (cv_convert("fuzz.log", (const char *)data + 1, size - 1, &o, &out,
	    &err) != 0) {
		if (err == NULL || strncmp(err, "fuzz.log:", 9) != 0)
			abort();
		free(err);
		buf_free(&out);
		return 0;
	}
	if (o.format != CV_FOTASIM) {
		if (scenario_parse(&s, "fuzz.scn", (const char *)buf_head(&out),
		    buf_used(&out), NULL, NULL, &perr) != 0) {
			fprintf(stderr, "%s\n--\n%.*s\n", perr,
			    (int)buf_used(&out), (const char *)buf_head(&out));
			abort();
		}
		scenario_free(&s);
	}
	buf_free(&out);
	return 0;
}
