/*
 * at-frame.c: the table-driven AT byte framer.
 *
 * Each byte is first sorted into a class (depending on the current S3/S5),
 * then the table below gives, for the current state and that class, the
 * action to take and the next state.  There is no other control flow: every
 * framing rule is one row of the table.
 */
#include "config.h"

#include <string.h>

#include "at-frame.h"
#include "util.h"

enum at_frame_class {
	C_A,		/* 'A' or 'a' */
	C_T,		/* 'T' or 't' */
	C_SLASH,	/* '/' */
	C_S3,		/* line terminator (S3, default CR) */
	C_LF,		/* line feed: S4 after S3, or noise */
	C_BS,		/* backspace (S5, default BS) */
	C_NUL,		/* NUL and other control bytes: ignored */
	C_TEXT,		/* printable text (and 8-bit bytes inside a line) */
	C_NCLASSES
};

enum at_frame_action {
	A_NONE,		/* drop the byte */
	A_START,	/* 'A' seen: echo it */
	A_BEGIN,	/* 'T' after 'A': echo, start an empty line */
	A_REPEAT,	/* '/' after 'A': echo, re-run the last line */
	A_RESTART,	/* another 'A' while waiting for 'T': echo it */
	A_APPEND,	/* add to the line (or overflow) */
	A_ERASE,	/* backspace within the line */
	A_END,		/* S3: echo, deliver the line */
	A_OVER_END,	/* S3 while overflowing: echo, report overflow */
};

struct at_frame_rule {
	enum at_frame_action	action;
	enum at_frame_state	next;
};

#define R(a, n) { A_##a, AT_FRAME_##n }
static const struct at_frame_rule at_frame_table[AT_FRAME_NSTATES][C_NCLASSES] = {
	/*		   A              T              /               S3               LF             BS             NUL            TEXT */
	[AT_FRAME_IDLE] = { R(START, A),  R(NONE, IDLE), R(NONE, IDLE),  R(NONE, IDLE),   R(NONE, IDLE), R(NONE, IDLE), R(NONE, IDLE), R(NONE, IDLE) },
	[AT_FRAME_A] =    { R(RESTART, A),R(BEGIN, LINE),R(REPEAT, IDLE),R(NONE, IDLE),   R(NONE, IDLE), R(NONE, IDLE), R(NONE, A),    R(NONE, IDLE) },
	[AT_FRAME_LINE] = { R(APPEND, LINE),R(APPEND, LINE),R(APPEND, LINE),R(END, IDLE), R(NONE, LINE), R(ERASE, LINE),R(NONE, LINE), R(APPEND, LINE) },
	[AT_FRAME_OVERFLOW] = { R(NONE, OVERFLOW),R(NONE, OVERFLOW),R(NONE, OVERFLOW),R(OVER_END, IDLE),R(NONE, OVERFLOW),R(NONE, OVERFLOW),R(NONE, OVERFLOW),R(NONE, OVERFLOW) },
};
#undef R

static const char *const at_frame_state_names[AT_FRAME_NSTATES] = {
	"idle", "a", "line", "overflow",
};

const char *
at_frame_state_name(enum at_frame_state s)
{
	return s < AT_FRAME_NSTATES ? at_frame_state_names[s] : "?";
}

/* Sort a byte into its class under the current S3/S5. */
static enum at_frame_class
at_frame_classify(const struct at_frame *f, unsigned char c)
{
	if (c == f->s3)
		return C_S3;
	if (c == f->s5)
		return C_BS;
	switch (c) {
	case 'A': case 'a':
		return C_A;
	case 'T': case 't':
		return C_T;
	case '/':
		return C_SLASH;
	case '\n':
		return C_LF;
	}
	if (c < 0x20 || c == 0x7f)
		return C_NUL;
	return C_TEXT;
}

void
at_frame_init(struct at_frame *f, const struct at_frame_cb *cb, void *arg)
{
	memset(f, 0, sizeof *f);
	f->state = AT_FRAME_IDLE;
	f->s3 = '\r';
	f->s5 = '\b';
	f->cb = *cb;
	f->arg = arg;
}

void
at_frame_reset(struct at_frame *f)
{
	f->state = AT_FRAME_IDLE;
	f->len = 0;
}

int
at_frame_idle(const struct at_frame *f)
{
	return f->state == AT_FRAME_IDLE;
}

/* Echo one byte through the callback. */
static void
at_frame_echo(struct at_frame *f, unsigned char c)
{
	if (f->cb.echo != NULL)
		f->cb.echo(f->arg, &c, 1);
}

/* Carry out one table action for byte c. */
static void
at_frame_act(struct at_frame *f, enum at_frame_action a, unsigned char c)
{
	switch (a) {
	case A_NONE:
		break;
	case A_START:
	case A_RESTART:
		at_frame_echo(f, c);
		break;
	case A_BEGIN:
		at_frame_echo(f, c);
		f->len = 0;
		break;
	case A_REPEAT:
		at_frame_echo(f, c);
		if (f->have_last && f->cb.line != NULL)
			f->cb.line(f->arg, f->last, f->last_len);
		break;
	case A_APPEND:
		if (f->len == AT_LINE_MAX) {
			f->state = AT_FRAME_OVERFLOW;
			break;
		}
		at_frame_echo(f, c);
		f->line[f->len++] = (char)c;
		break;
	case A_ERASE:
		at_frame_echo(f, c);
		if (f->len > 0)
			f->len--;
		break;
	case A_END:
		at_frame_echo(f, c);
		f->line[f->len] = '\0';
		memcpy(f->last, f->line, f->len + 1);
		f->last_len = f->len;
		f->have_last = 1;
		if (f->cb.line != NULL)
			f->cb.line(f->arg, f->line, f->len);
		f->len = 0;
		break;
	case A_OVER_END:
		at_frame_echo(f, c);
		f->len = 0;
		if (f->cb.overflow != NULL)
			f->cb.overflow(f->arg);
		break;
	}
}

size_t
at_frame_input(struct at_frame *f, const unsigned char *p, size_t n)
{
	size_t i;

	f->stop = 0;
	for (i = 0; i < n && !f->stop; i++) {
		const struct at_frame_rule *r;

		r = &at_frame_table[f->state][at_frame_classify(f, p[i])];
		/* Set the state first: an action may override it (overflow). */
		f->state = r->next;
		at_frame_act(f, r->action, p[i]);
	}
	f->stop = 0;
	return i;
}
