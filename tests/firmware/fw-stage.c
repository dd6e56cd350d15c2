/*
 * fw-stage.c: test helper.  Puts a package into the FOTA area of a state
 * dir's flash (creating the flash with the factory image if it is new), as a
 * finished download with "reboot then update" would leave it.  The next
 * fotasim power-on on that state dir applies it.
 *
 *   fw-stage STATE_DIR MODEL REVISION PACKAGE
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "firmware/firmware.h"
#include "util.h"

int
main(int argc, char **argv)
{
	struct firmware_config cfg;
	struct firmware *fw;
	struct buf b;
	char err[512], chunk[65536];
	FILE *f;
	size_t n;
	int rc;

	util_set_progname(argv[0]);
	if (argc != 5) {
		fprintf(stderr, "usage: fw-stage STATE_DIR MODEL REVISION PACKAGE\n");
		return 2;
	}
	if ((f = fopen(argv[4], "rb")) == NULL) {
		perror(argv[4]);
		return 1;
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	firmware_config_default(&cfg);
	cfg.state_dir = argv[1];
	cfg.model = argv[2];
	cfg.revision = argv[3];
	if (firmware_boot(&cfg, NULL, &fw, err, sizeof err) != 0) {
		warnx_("%s", err);
		return 1;
	}
	rc = firmware_stage(fw, b.data, b.len);
	if (rc != 0)
		warnx_("staging failed (%d)", rc);
	printf("%s: running %s, package staged\n", argv[1], firmware_revision(fw));
	firmware_close(fw);
	buf_free(&b);
	return rc ? 1 : 0;
}
