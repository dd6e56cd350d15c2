/*
 * dialect.h: opt-in quirks of other modules' FOTA URCs (--dialect), so
 * host parsers can be hardened against what real devices print.  Each is a
 * bit; modem_urc_flush applies them to +QIND: "FOTA" lines as they go out.
 */
#ifndef FOTASIM_DIALECT_H
#define FOTASIM_DIALECT_H

#include <stddef.h>

enum dialect {
	DIALECT_HTTPS_WORDS	= 0x01,	/* "HTTPSSTART"/"HTTPSEND" over https:// */
	DIALECT_COMMA_SPACE	= 0x02,	/* a space after each comma */
	DIALECT_PERCENT		= 0x04,	/* "DOWNLOADING",57% */
	DIALECT_TWICE		= 0x08,	/* every +QIND line printed twice */
	DIALECT_UPDATING_BARE	= 0x10,	/* UPDATING without its leading CR LF */
	DIALECT_REBOOT_FIRST	= 0x20,	/* a reboot between HTTPEND,0 and START */
};

/* "https-words,percent,...": the bits, 0; or -1 with a message. */
int	dialect_parse(const char *, unsigned *bits, char *err, size_t errlen);
/*
 * A FOTA URC as the dialect spells it, into out: `https` says whether the
 * download is over HTTPS, `count` is download_URC_max (for the percent).
 */
void	dialect_apply(unsigned bits, const char *line, int https, int count,
	    char *out, size_t size);

#endif
