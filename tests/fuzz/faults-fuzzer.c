/*
 * faults-fuzzer.c: fuzz target for the fault-directive parser and matcher.
 * Each input is directive text; if it parses, a few events of every
 * service are matched against it and a random body position is asked for.
 * Built for libFuzzer with --enable-fuzzing, and always as a standalone
 * runner (fuzz-main.c) that make check drives with faults.dict.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "faults.h"
#include "fslog.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Drop "applying:" lines. */
static void
fuzz_quiet(enum fslog_level l, const char *line, void *arg)
{
	(void)l; (void)line; (void)arg;
}

/* Match a handful of typical events against a parsed set. */
static void
fuzz_match(struct faults *fs)
{
	static const char *ftp[] = { "greeting", "USER", "PASS", "RETR",
	    "data", "final", "control" };
	const struct fault *f;
	unsigned char junk[16];
	unsigned long conn;
	size_t i;

	for (conn = 1; conn <= 3; conn++) {
		for (i = 0; i < sizeof ftp / sizeof ftp[0]; i++)
			if ((f = faults_match(fs, FAULT_FTP, ftp[i], "dir/fw.bin",
			    conn)) != NULL)
				(void)fault_position(f, 1000000);
		if ((f = faults_match(fs, FAULT_HTTP, "/fw/a.bin", "/fw/a.bin",
		    conn)) != NULL)
			(void)fault_position(f, 12345);
		(void)faults_match(fs, FAULT_TLS, "*", NULL, conn);
	}
	faults_random(fs, junk, sizeof junk);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct faults fs;
	char *err = NULL;

	fslog_set_sink(fuzz_quiet, NULL);
	faults_init(&fs);
	/* The bytes as they are, NULs included: no terminator is added. */
	if (faults_parse(&fs, "fuzz", (const char *)data, size, &err) == 0)
		fuzz_match(&fs);
	else if (err == NULL || strncmp(err, "fuzz:", 5) != 0)
		abort();	/* every error is "file:line:col: message" */
	free(err);
	faults_free(&fs);
	return 0;
}
