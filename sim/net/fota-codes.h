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

#endif
