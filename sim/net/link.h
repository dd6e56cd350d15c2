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

#endif
