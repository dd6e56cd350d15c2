/*
 * fota-codes.h: how a download ended, as the manual's <ftp_err> or
 * <http_err>.  One table (fota-codes.c) holds the whole mapping;
 * docs/error-codes.md is its documentation.
 */
#ifndef FOTASIM_FOTA_CODES_H
#define FOTASIM_FOTA_CODES_H

#include "download.h"

/* The code for a finished transfer: 0 on success, else 6xx or 7xx. */
int	fota_code(const struct dl_result *);
/*
 * The code for an end that no transfer reached: one of the module's
 * services in the way, a URL it cannot send, the module's own stop after
 * `bytes` (the same table).
 */
int	fota_code_state(enum dl_proto, enum dl_svc, enum dl_url, enum dl_stop,
	    uint64_t bytes);

#endif
