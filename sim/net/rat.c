/*
 * rat.c: the radio access technologies: what the module reports on each
 * (the 27.007 <AcT> of +CREG/+CGREG/+CEREG and +COPS, AT+QNWINFO, AT+CSQ),
 * the link profile each gives a data connection, and the parsers of --rat
 * and --link-profile.  docs/network.md says where each figure comes from.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net.h"
#include "util.h"

#define K	1e3
#define M	1e6

static const struct net_rat_info net_rats[NET_NRAT] = {
	/* GPRS CS-2, 4 down + 1 up slots of 13.4 kbit/s. */
	[NET_RAT_GSM] = { "gsm", "GSM", 0, "GSM", "GSM 900", 60, 20, 0, 1,
	    { 53.6 * K, 13.4 * K, 0.700, 0.150 } },
	/* GPRS CS-4, 4 + 1 slots of 21.4 kbit/s; a GPRS cell is AcT 0. */
	[NET_RAT_GPRS] = { "gprs", "GPRS", 0, "GPRS", "GSM 900", 60, 20, 0, 1,
	    { 85.6 * K, 21.4 * K, 0.500, 0.100 } },
	/* EGPRS MCS-9, 4 + 1 slots of 59.2 kbit/s. */
	[NET_RAT_EDGE] = { "edge", "EDGE", 3, "EDGE", "GSM 900", 60, 20, 0, 1,
	    { 236.8 * K, 59.2 * K, 0.300, 0.050 } },
	/* Release 99 DCH, 384 kbit/s each way. */
	[NET_RAT_WCDMA] = { "wcdma", "WCDMA", 2, "WCDMA", "WCDMA 2100", 10700,
	    24, 99, 0, { 384 * K, 384 * K, 0.150, 0.020 } },
	/* HSDPA category 14 (64QAM) and HSUPA category 6. */
	[NET_RAT_HSPA] = { "hspa+", "HSPA+", 6, "HSPA+", "WCDMA 2100", 10700,
	    24, 99, 0, { 21 * M, 5.76 * M, 0.060, 0.010 } },
	/* LTE UE category 4. */
	[NET_RAT_LTE] = { "lte", "LTE", 7, "FDD LTE", "LTE BAND 3", 1650,
	    24, 99, 0, { 150 * M, 50 * M, 0.050, 0.005 } },
};

/* The technologies' names, for messages: "gsm, gprs, ..., lte". */
static void
net_rat_names(int lte, char *buf, size_t size)
{
	size_t len = 0;
	int r;

	buf[0] = '\0';
	for (r = 0; r < NET_NRAT; r++) {
		if (r == NET_RAT_LTE && !lte)
			continue;
		len += (size_t)snprintf(buf + len, len < size ? size - len : 0,
		    "%s%s", len > 0 ? ", " : "", net_rats[r].name);
	}
}

const struct net_rat_info *
net_rat_info(enum net_rat r)
{
	return &net_rats[r < NET_NRAT ? r : NET_RAT_LTE];
}

enum net_rat
net_rat_default(int lte)
{
	return lte ? NET_RAT_LTE : NET_RAT_WCDMA;
}

int
net_rat_parse(const char *name, enum net_rat *rat, char *err, size_t errlen)
{
	char names[128];
	int r;

	for (r = 0; r < NET_NRAT; r++)
		if (strcasecmp(name, net_rats[r].name) == 0) {
			*rat = (enum net_rat)r;
			return 0;
		}
	net_rat_names(1, names, sizeof names);
	snprintf(err, errlen, "unknown technology '%s' (%s)", name, names);
	return -1;
}

int
net_rat_check(enum net_rat rat, int lte, char *err, size_t errlen)
{
	char names[128];

	if (rat != NET_RAT_LTE || lte)
		return 0;
	net_rat_names(0, names, sizeof names);
	snprintf(err, errlen, "the UC200T has no LTE (%s)", names);
	return -1;
}

/* Whether a value starts with a plain decimal number (digits, at most one
 * point): no sign, space, exponent, hex, inf or nan for strtod to take. */
static int
net_link_number(const char *v)
{
	size_t digits = strspn(v, "0123456789");

	if (v[digits] == '.')
		digits += 1 + strspn(v + digits + 1, "0123456789");
	return digits > 0 && (digits > 1 || v[0] != '.') &&
	    (v[digits] == '\0' || strchr("eExXpP", v[digits]) == NULL);
}

/* A bandwidth: a number of bits per second, optionally k, M or G. */
static int
net_link_rate(const char *v, double *out)
{
	char *end;
	double x;

	if (!net_link_number(v))
		return -1;
	x = strtod(v, &end);
	if (*end == 'k' || *end == 'K') {
		x *= K;
		end++;
	} else if (*end == 'M') {
		x *= M;
		end++;
	} else if (*end == 'G') {
		x *= 1e9;
		end++;
	}
	if (*end != '\0' || !(x >= 100 && x <= 10e9))
		return -1;
	*out = x;
	return 0;
}

/* A time: a number with ms or s, at most `max` seconds. */
static int
net_link_time(const char *v, double max, double *out)
{
	char *end;
	double x;

	if (!net_link_number(v))
		return -1;
	x = strtod(v, &end);
	if (strcmp(end, "ms") == 0)
		x /= 1000;
	else if (strcmp(end, "s") != 0)
		return -1;
	if (!(x >= 0 && x <= max))
		return -1;
	*out = x;
	return 0;
}

int
net_link_parse(const char *spec, struct net_link_override *o, char *err,
    size_t errlen)
{
	static const struct {
		const char	*key;
		unsigned	 bit;
		const char	*want;
	} keys[] = {
		{ "down", NET_LINK_DOWN, "bits per second from 100 to 10G "
		  "(a number, optionally with k, M or G: 40k, 2M)" },
		{ "up", NET_LINK_UP, "bits per second from 100 to 10G "
		  "(a number, optionally with k, M or G: 40k, 2M)" },
		{ "rtt", NET_LINK_RTT, "a time up to 60 s with ms or s "
		  "(300ms, 0.3s)" },
		{ "jitter", NET_LINK_JITTER, "a time up to 30 s with ms or s "
		  "(20ms)" },
	};
	char *copy = xstrdup(spec), *save = NULL, *tok, *eq;
	size_t i;
	int rc = 0;

	memset(o, 0, sizeof *o);
	if (spec[0] == '\0' || spec[strlen(spec) - 1] == ',' ||
	    strstr(spec, ",,") != NULL || spec[0] == ',') {
		snprintf(err, errlen, "'%s': expected KEY=VALUE[,...] with "
		    "keys down, up, rtt, jitter", spec);
		free(copy);
		return -1;
	}
	for (tok = strtok_r(copy, ",", &save); tok != NULL && rc == 0;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((eq = strchr(tok, '=')) == NULL) {
			snprintf(err, errlen, "'%s': expected KEY=VALUE, not "
			    "'%s'", spec, tok);
			rc = -1;
			break;
		}
		*eq++ = '\0';
		for (i = 0; i < nitems(keys); i++)
			if (strcmp(tok, keys[i].key) == 0)
				break;
		if (i == nitems(keys)) {
			snprintf(err, errlen, "'%s': unknown key '%s' (down, up, "
			    "rtt, jitter)", spec, tok);
			rc = -1;
		} else if (o->set & keys[i].bit) {
			snprintf(err, errlen, "'%s': %s given twice", spec, tok);
			rc = -1;
		} else if ((keys[i].bit == NET_LINK_DOWN &&
		    net_link_rate(eq, &o->p.down_bps) != 0) ||
		    (keys[i].bit == NET_LINK_UP &&
		    net_link_rate(eq, &o->p.up_bps) != 0) ||
		    (keys[i].bit == NET_LINK_RTT &&
		    net_link_time(eq, 60, &o->p.rtt) != 0) ||
		    (keys[i].bit == NET_LINK_JITTER &&
		    net_link_time(eq, 30, &o->p.jitter) != 0)) {
			snprintf(err, errlen, "'%s': %s wants %s, not '%s'", spec,
			    tok, keys[i].want, eq);
			rc = -1;
		} else
			o->set |= keys[i].bit;
	}
	free(copy);
	if (rc == 0 && (o->set & NET_LINK_RTT) && (o->set & NET_LINK_JITTER) &&
	    o->p.jitter > o->p.rtt / 2) {
		snprintf(err, errlen, "'%s': jitter is at most half the rtt (a "
		    "one-way delay never goes below zero)", spec);
		rc = -1;
	}
	if (rc != 0)
		memset(o, 0, sizeof *o);
	return rc;
}

/* A bandwidth as --link-profile spells it: 53.6k, 21M. */
static void
net_link_rate_text(double bps, char *buf, size_t size)
{
	if (bps >= M)
		snprintf(buf, size, "%gM", bps / M);
	else if (bps >= K)
		snprintf(buf, size, "%gk", bps / K);
	else
		snprintf(buf, size, "%g", bps);
}

void
net_link_text(const struct link_profile *p, char *buf, size_t size)
{
	char down[32], up[32];

	net_link_rate_text(p->down_bps, down, sizeof down);
	net_link_rate_text(p->up_bps, up, sizeof up);
	snprintf(buf, size, "down=%s,up=%s,rtt=%gms,jitter=%gms", down, up,
	    p->rtt * 1000, p->jitter * 1000);
}
