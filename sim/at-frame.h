/*
 * at-frame.h: the AT byte framer.
 *
 * Turns the raw byte stream from the host into command lines.  It finds the
 * "AT" prefix, handles "A/" (repeat last line), backspace (S5), the line
 * terminator (S3) and the optional S4 after it, enforces a hard line limit,
 * and ignores NUL and garbage between lines without losing sync.
 */
#ifndef FOTASIM_AT_FRAME_H
#define FOTASIM_AT_FRAME_H

#include <stddef.h>

#define AT_LINE_MAX	1024	/* characters after "AT", as Quectel's buffer */

enum at_frame_state {
	AT_FRAME_IDLE,		/* between lines: waiting for 'A' */
	AT_FRAME_A,		/* saw 'A', waiting for 'T' or '/' */
	AT_FRAME_LINE,		/* inside a command line */
	AT_FRAME_OVERFLOW,	/* line too long: discarding to S3 */
	AT_FRAME_NSTATES
};

struct at_frame_cb {
	/* Echo these bytes back to the host (if echo is on). */
	void	(*echo)(void *, const unsigned char *, size_t);
	/* A complete command line; `line` excludes "AT" and S3. */
	void	(*line)(void *, const char *line, size_t len);
	/* The line was too long and has been discarded. */
	void	(*overflow)(void *);
};

struct at_frame {
	enum at_frame_state	 state;
	unsigned char		 s3;		/* line terminator, default CR */
	unsigned char		 s5;		/* backspace, default BS */
	char			 line[AT_LINE_MAX + 1];
	size_t			 len;
	char			 last[AT_LINE_MAX + 1];	/* for A/ */
	size_t			 last_len;
	int			 have_last;
	int			 stop;		/* set by a callback: stop here */
	struct at_frame_cb	 cb;
	void			*arg;
};

/* Reset a framer to idle with default S3/S5. */
void	at_frame_init(struct at_frame *, const struct at_frame_cb *, void *);
/*
 * Feed bytes from the host; callbacks fire as lines complete.  A callback
 * may set `stop` to end the call after the current byte.  Returns the
 * number of bytes taken.
 */
size_t	at_frame_input(struct at_frame *, const unsigned char *, size_t);
/* Whether the framer is between lines. */
int	at_frame_idle(const struct at_frame *);
/* Drop any partial line (power events). */
void	at_frame_reset(struct at_frame *);
/* Name of a framer state, for logs. */
const char *at_frame_state_name(enum at_frame_state);

#endif
