/*
 * link.h: what the radio link gives a data connection.
 *
 * A link profile is the bandwidth each way, the round-trip latency and its
 * jitter of the radio access technology the module is on.  The radio side
 * (net.c: the technology and its default profile, --rat, --link-profile)
 * chooses it; the relay every TCP connection of the modem passes through
 * (link.c) applies it on the simulated clock.
 */
#ifndef FOTASIM_LINK_H
#define LINK_SNDBUF	16384	/* the module's TCP send buffer, bytes */
#define FOTASIM_LINK_H

/* Radio access technologies, as AT+COPS <AcT> and AT+QNWINFO know them. */
enum net_rat {
	NET_RAT_GSM,
	NET_RAT_GPRS,
	NET_RAT_EDGE,
	NET_RAT_WCDMA,
	NET_RAT_HSPA,		/* HSPA+ */
	NET_RAT_LTE,
	NET_NRAT
};

struct link_profile {
	double	down_bps;	/* bits per second, network to module */
	double	up_bps;		/* bits per second, module to network */
	double	rtt;		/* round-trip latency, simulated seconds */
	double	jitter;		/* +/- this much on each one-way delay */
};

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct clock;
struct translog;

/*
 * The module's socket table: AT+QIOPEN's <connectID> is 0-11 in Quectel's
 * TCP/IP application notes, so 12 sockets, shared by every socket the
 * module opens (docs/network.md).
 */
#define LINK_SOCKETS		12
#define LINK_FAULTS_MAX		16

/* A fault on the link (--link-fault), see docs/network.md. */
enum link_fault_kind {
	LINK_STALL,		/* bytes stop passing after `after` */
	LINK_BLACKHOLE,		/* the connect never completes */
	LINK_REFUSE,		/* the connect is refused */
	LINK_CLOSE,		/* the connection closes after `after` bytes */
	LINK_RESET,		/* ... is reset after `after` bytes */
	LINK_FLIP,		/* the byte at offset `at` is inverted */
	LINK_SLICE,		/* bytes pass in segments of `size`, `gap` apart */
	LINK_NKIND
};

enum link_dir {
	LINK_UP,		/* module to network */
	LINK_DOWN,		/* network to module */
	LINK_ANY,		/* both (or the connection itself) */
};

struct link_fault {
	enum link_fault_kind	 kind;
	enum link_dir		 dir;
	uint64_t		 after;		/* stall, close, reset */
	uint64_t		 at;		/* flip */
	size_t			 size;		/* slice */
	double			 gap;		/* slice, simulated seconds */
	int			 conn;		/* 0: every connection, else the
						   n-th of a transfer */
	double			 p;		/* probability it applies */
	uint64_t		 seed;
	char			 text[96];	/* as written, for the log */
};

struct link_faults {
	struct link_fault	 v[LINK_FAULTS_MAX];
	int			 n;
};

/*
 * Parse "SPEC[;SPEC...]" and append to `f` (docs/network.md):
 *   DIR KIND [after=N] [at=K] [size=N] [gap=S] [conn=N] [p=P] [seed=N]
 * 0, or -1 with a message in err.
 */
int	link_faults_parse(struct link_faults *f, const char *text, char *err,
	    size_t errlen);
/*
 * Parse a profile "down=BPS,up=BPS,rtt=S,jitter=S" (any subset; BPS takes
 * k and M suffixes; 0 bandwidth: unlimited) into p; 0, or -1 with a message.
 */
int	link_profile_parse(struct link_profile *p, const char *text, char *err,
	    size_t errlen);

/* The shaper's arithmetic, one direction (exposed for the unit test). */
struct link_shaper {
	double		 free_at;	/* the link is busy until then */
	double		 last_due;	/* bytes never overtake each other */
};
/*
 * `len` bytes ready at `now`, sent at `bps` (0: unlimited) and arriving
 * `delay` later: when their last byte arrives.
 */
double	link_shape(struct link_shaper *, double now, size_t len, double bps,
	    double delay);
/* A one-way delay: rtt/2 moved by up to +/- jitter by u in [0,1), >= 0. */
double	link_delay(const struct link_profile *, double u);
/* The seeded generator behind jitter and fault probabilities: [0,1). */
double	link_random(uint64_t *state);

struct link;

/* What the relay tells the download engine. */
struct link_cbs {
	/* The connection opened ahead of libcurl is up, or was refused. */
	void	(*ready)(void *arg);
	void	 *arg;
	int	 ftp;		/* the first connection carries FTP replies */
};

/* What link_open() did with a socket libcurl asked for. */
enum link_open {
	LINK_OPEN_RELAYED,	/* *fd is a fresh socket and the address the
				   relay's: the connection goes through it */
	LINK_OPEN_REFUSED,	/* *fd is a plain socket and the address now
				   one that refuses: libcurl's connect sees
				   the refusal */
	LINK_OPEN_NO_SOCKET,	/* the module's socket table is full */
	LINK_OPEN_FAILED,	/* the host's socket calls failed */
};

/* A relay on a clock's loop, logging to a modem's transcript. */
struct link	*link_new(struct clock *, struct translog *);
void		 link_free(struct link *);
/* The profile to apply; read at every step (NULL: unshaped). */
void		 link_set_profile(struct link *, const struct link_profile *);
/* The faults (copied; each one's generator starts from its seed). */
void		 link_set_faults(struct link *, const struct link_faults *);
/* Sockets of the module's table that other services hold. */
void		 link_set_sockets_in_use(struct link *, int n);
/* A transfer begins: connections are numbered from 1 again. */
void		 link_begin(struct link *, const struct link_cbs *);
/*
 * Open the transfer's first connection before libcurl asks for it, so the
 * connect (its round trip, a refusal, a blackhole) happens on the link;
 * cbs.ready says when it is decided.  0, or -1 (no socket: libcurl's own
 * request will find none either).
 */
int		 link_preconnect(struct link *, const struct sockaddr *,
		    socklen_t);
/* libcurl's opensocket: a socket for a connection to *addr. */
enum link_open	 link_open(struct link *, struct sockaddr *addr,
		    unsigned int *addrlen, int *fd);
/* libcurl closed one of the sockets it got from link_open. */
void		 link_closed(struct link *, int fd);
/* The transfer is over: every connection of it closes. */
void		 link_end(struct link *);
/*
 * A further transfer of a session that kept its connections (the host's
 * FTP session): the first connection (the control) stays, numbering goes
 * on, and its replies are followed afresh.
 */
void		 link_continue(struct link *, const struct link_cbs *);
/* What became of the first connection (a session's control). */
enum link_first_state {
	LINK_FIRST_OPEN,
	LINK_FIRST_CLOSED,	/* closed (a FIN toward the module), or gone */
	LINK_FIRST_RESET,	/* reset */
};
enum link_first_state link_first_state(const struct link *);
/*
 * Another relay whose connections count in this one's socket table (up to
 * LINK_OTHERS; NULL: none any more).
 */
#define LINK_OTHERS	4
void		 link_share_table(struct link *, const struct link *other);

#endif
