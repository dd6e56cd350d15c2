/*
 * dns.c: the operator's DNS as the module sees it: a table of names, each
 * with its addresses or a failure (NXDOMAIN, SERVFAIL, no answer), and
 * "answer the first N lookups, then fail".  See docs/network.md.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net.h"
#include "translog.h"
#include "util.h"

static const char *const net_dns_answer_names[NET_DNS_NANSWER] = {
	"address", "nxdomain", "servfail", "timeout",
};

const char *
net_dns_answer_name(enum net_dns_answer a)
{
	return a < NET_DNS_NANSWER ? net_dns_answer_names[a] : "?";
}

/* A failure's word: nxdomain, servfail or timeout; -1 if not one. */
static int
net_dns_failure(const char *s)
{
	int a;

	for (a = NET_DNS_NXDOMAIN; a < NET_DNS_NANSWER; a++)
		if (strcasecmp(s, net_dns_answer_names[a]) == 0)
			return a;
	return -1;
}

/* Whether a name is a host name: letters, digits, '-', '_', '.'. */
static int
net_dns_name_ok(const char *s)
{
	if (*s == '\0' || *s == '.')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' &&
		    *s != '.')
			return 0;
	return 1;
}

/* Whether text is an IPv4 or IPv6 address. */
static int
net_dns_addr_ok(const char *s)
{
	unsigned char bin[16];

	return inet_pton(AF_INET, s, bin) == 1 || inet_pton(AF_INET6, s, bin) == 1;
}

int
net_dns_parse(const char *spec, struct net_dns *d, char *err, size_t errlen)
{
	const char *eq = strchr(spec, '=');
	char buf[512], *item, *save = NULL;
	long v;
	int a, nitem = 0, seen_then = 0;

	memset(d, 0, sizeof *d);
	if (eq == NULL || eq == spec || eq[1] == '\0') {
		snprintf(err, errlen, "expected NAME=ADDR[,ADDR...][,first=N"
		    "[,then=FAILURE]] or NAME=nxdomain|servfail|timeout, not "
		    "'%s'", spec);
		return -1;
	}
	if ((size_t)(eq - spec) >= sizeof d->name) {
		snprintf(err, errlen, "name longer than %d bytes in '%s'",
		    NET_NAME_MAX - 1, spec);
		return -1;
	}
	memcpy(d->name, spec, (size_t)(eq - spec));
	d->name[eq - spec] = '\0';
	if (!net_dns_name_ok(d->name)) {
		snprintf(err, errlen, "'%s' is not a host name", d->name);
		return -1;
	}
	if (strlen(eq + 1) >= sizeof buf) {
		snprintf(err, errlen, "entry too long: '%s'", spec);
		return -1;
	}
	str_copy(buf, eq + 1, sizeof buf);
	d->answer = NET_DNS_OK;
	d->then = NET_DNS_SERVFAIL;
	for (item = strtok_r(buf, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save), nitem++) {
		if (nitem == 0 && (a = net_dns_failure(item)) >= 0) {
			d->answer = (enum net_dns_answer)a;
			continue;
		}
		if (strncasecmp(item, "first=", 6) == 0) {
			if (d->answer != NET_DNS_OK || d->naddr == 0 ||
			    d->first != 0) {
				snprintf(err, errlen, "first= goes once, after "
				    "the addresses, in '%s'", spec);
				return -1;
			}
			if (parse_long(item + 6, 1, 1000000, &v) != 0) {
				snprintf(err, errlen, "first=N: expected 1 to "
				    "1000000 lookups, not '%s'", item + 6);
				return -1;
			}
			d->first = (int)v;
			continue;
		}
		if (strncasecmp(item, "then=", 5) == 0) {
			if (d->first == 0 || seen_then) {
				snprintf(err, errlen, "then= goes once, after "
				    "first=N, in '%s'", spec);
				return -1;
			}
			if ((a = net_dns_failure(item + 5)) < 0) {
				snprintf(err, errlen, "then=: expected nxdomain, "
				    "servfail or timeout, not '%s'", item + 5);
				return -1;
			}
			d->then = (enum net_dns_answer)a;
			seen_then = 1;
			continue;
		}
		if (d->answer != NET_DNS_OK) {
			snprintf(err, errlen, "%s takes nothing after it, not "
			    "'%s'", net_dns_answer_name(d->answer), item);
			return -1;
		}
		if (d->first != 0) {
			snprintf(err, errlen, "addresses go before first=, in "
			    "'%s'", spec);
			return -1;
		}
		if (!net_dns_addr_ok(item)) {
			snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 "
			    "address (or nxdomain, servfail, timeout)", item);
			return -1;
		}
		if (d->naddr == NET_DNS_ADDRS) {
			snprintf(err, errlen, "at most %d addresses for %s",
			    NET_DNS_ADDRS, d->name);
			return -1;
		}
		str_copy(d->addr[d->naddr++], item, sizeof d->addr[0]);
	}
	if (d->answer == NET_DNS_OK && d->naddr == 0) {
		snprintf(err, errlen, "no address in '%s'", spec);
		return -1;
	}
	return 0;
}

/* A name's entry, or NULL. */
static struct net_dns *
net_dns_find(struct net *n, const char *name)
{
	int i;

	for (i = 0; i < n->ndns; i++)
		if (strcasecmp(n->dns[i].name, name) == 0)
			return &n->dns[i];
	return NULL;
}

/* Addresses as "a,b,c" (CURLOPT_RESOLVE's form: IPv6 in brackets). */
static void
net_dns_join(const struct net_dns *d, char *buf, size_t size)
{
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < d->naddr && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len,
		    strchr(d->addr[i], ':') != NULL ? "%s[%s]" : "%s%s",
		    i > 0 ? "," : "", d->addr[i]);
}

int
net_dns_add(struct net *n, const char *spec, char *err, size_t errlen)
{
	struct net_dns d, *slot;
	char what[NET_DNS_ADDRS * NET_NAME_MAX + 64];
	size_t len;

	if (net_dns_parse(spec, &d, err, errlen) != 0)
		return -1;
	if ((slot = net_dns_find(n, d.name)) == NULL) {
		if (n->ndns == NET_DNS_MAX) {
			snprintf(err, errlen, "at most %d names", NET_DNS_MAX);
			return -1;
		}
		slot = &n->dns[n->ndns++];
	}
	*slot = d;
	if (d.answer == NET_DNS_OK)
		net_dns_join(&d, what, sizeof what);
	else
		str_copy(what, net_dns_answer_name(d.answer), sizeof what);
	len = strlen(what);
	if (d.first > 0)
		snprintf(what + len, sizeof what - len, " first=%d then=%s",
		    d.first, net_dns_answer_name(d.then));
	translog_state(n->log, "dns", "%s %s", d.name, what);
	return 0;
}

/* Whether a name is a loopback name (RFC 6761: localhost, *.localhost). */
static int
net_dns_loopback(const char *name)
{
	size_t len = strlen(name);

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 9 && strncasecmp(name, "localhost", 9) == 0)
		return 1;
	return len > 10 && strncasecmp(name + len - 10, ".localhost", 10) == 0;
}

enum net_dns_answer
net_dns_lookup(struct net *n, const char *name, char *addrs, size_t size)
{
	struct net_dns *d = net_dns_find(n, name);
	enum net_dns_answer a;

	if (size > 0)
		addrs[0] = '\0';
	if (d == NULL) {
		if (net_dns_loopback(name)) {
			str_copy(addrs, "127.0.0.1", size);
			translog_state(n->log, "dns", "lookup %s: %s (loopback)",
			    name, addrs);
			return NET_DNS_OK;
		}
		translog_state(n->log, "dns", "lookup %s: nxdomain (not in "
		    "the table)", name);
		return NET_DNS_NXDOMAIN;
	}
	d->lookups++;
	a = d->answer;
	if (d->first > 0 && d->lookups > d->first)
		a = d->then;
	if (a == NET_DNS_OK)
		net_dns_join(d, addrs, size);
	if (d->first > 0)
		translog_state(n->log, "dns", "lookup %s: %s (lookup %d, "
		    "first=%d)", name, a == NET_DNS_OK ? addrs :
		    net_dns_answer_name(a), d->lookups, d->first);
	else
		translog_state(n->log, "dns", "lookup %s: %s", name,
		    a == NET_DNS_OK ? addrs : net_dns_answer_name(a));
	return a;
}
