/*
 * at-file.h: the module's file commands on the UFS (AT+QFLDS, AT+QFLST,
 * AT+QFDEL, AT+QFUPL) and the upload AT+QFUPL keeps between CONNECT and
 * its final result.
 */
#ifndef FOTASIM_AT_FILE_H
#define FOTASIM_AT_FILE_H

#include <stdint.h>

#include "firmware/firmware.h"
#include "serial-rx.h"

#define QFUPL_ACK_EVERY		1024	/* ackmode 1: an 'A' per KiB stored */
#define QFUPL_SIZE_DEFAULT	10240	/* the manual's default <file_size> */
#define QFUPL_TIMEOUT_DEFAULT	5	/* seconds */

struct modem;

struct qfupl {
	struct modem		*m;
	struct serial_rx	 rx;
	char			 name[FIRMWARE_UFS_NAME_MAX + 1];
	int			 ackmode;
	uint64_t		 acks;		/* 'A's sent */
	uint16_t		 sum;		/* XOR of big-endian 16-bit words */
	uint64_t		 pos;		/* bytes summed */
};

void	qfupl_init(struct qfupl *, struct modem *);
/* Whether an upload is taking the host's bytes. */
int	qfupl_receiving(const struct qfupl *);
/* Power going away: the upload stops, no file is saved, nothing printed. */
void	qfupl_cancel(struct qfupl *);
/* A UFS file name as the commands take it: "UFS:name" or "name" (the
 * prefix is optional); the bare name, or NULL if it is not a valid one. */
const char *qfupl_ufs_name(const char *);
/*
 * Save a new file of the pieces given, in one go (AT+QHTTPREADFILE): 0, or
 * the file commands' +CME code (a bad name, the file exists, no room, a
 * busy upload, a flash that fails).  Nothing is left of a failed save.
 */
struct iovec;
int	at_file_save(struct modem *, const char *name, const struct iovec *,
	    int n);
/* The 16-bit XOR checksum of AT+QFUPL over n more bytes at *pos. */
uint16_t qfupl_checksum(uint16_t sum, uint64_t *pos, const unsigned char *,
	    size_t);

#endif
