/* Destination policy: special-purpose ranges, the server's own addresses, --allow prefixes. */
#include "shared/policy.h"
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int prefix_parse(const char *s, struct prefix *p)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	memset(p, 0, sizeof *p);
	if (inet_pton(AF_INET, buf, p->addr) == 1)
		p->family = 4;
	else if (inet_pton(AF_INET6, buf, p->addr) == 1)
		p->family = 6;
	else
		return -1;
	int max = p->family == 4 ? 32 : 128, len = max;
	if (slash) {
		char *end;
		long v = strtol(slash + 1, &end, 10);
		if (!slash[1] || *end || v < 0 || v > max)
			return -1;
		len = (int)v;
	}
	p->len = (uint8_t)len;
	struct dest d = { .family = p->family };
	memcpy(d.addr, p->addr, 16);
	dest_normalize(&d); /* an --allow ::ffff:10.0.0.0/104 means 10.0.0.0/8 */
	if (d.family != p->family) {
		if (p->len < 96)
			return -1;
		p->family = 4, p->len = (uint8_t)(p->len - 96);
		memcpy(p->addr, d.addr, 16);
	}
	return 0;
}

int prefix_match(const struct prefix *p, const struct dest *d)
{
	if (p->family != d->family)
		return 0;
	int full = p->len / 8, rest = p->len % 8;
	if (memcmp(p->addr, d->addr, (size_t)full) != 0)
		return 0;
	if (!rest)
		return 1;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (p->addr[full] & mask) == (d->addr[full] & mask);
}

struct range {
	uint8_t family, len, addr[16];
};

/* IANA special-purpose registry (and the nft bypass sets of src/proxy/nft.ts), minus the
 * documentation ranges, which tests use as "the internet". IPv6 outside 2000::/3 (global
 * unicast) is refused as a whole: loopback, ULA, link-local, multicast, discard, local NAT64. */
static const struct range SPECIAL[] = {
	{ 4, 8, { 0 } },		/* this network */
	{ 4, 8, { 10 } },		/* RFC 1918 */
	{ 4, 10, { 100, 64 } },		/* RFC 6598 shared */
	{ 4, 8, { 127 } },		/* loopback */
	{ 4, 16, { 169, 254 } },	/* link-local */
	{ 4, 12, { 172, 16 } },		/* RFC 1918 */
	{ 4, 24, { 192, 0, 0 } },	/* IETF protocol assignments */
	{ 4, 16, { 192, 168 } },	/* RFC 1918 */
	{ 4, 15, { 198, 18 } },		/* benchmarking */
	{ 4, 4, { 224 } },		/* multicast */
	{ 4, 4, { 240 } },		/* reserved, broadcast */
	{ 6, 23, { 0x20, 0x01 } },	/* IETF protocol assignments (Teredo, ORCHID) */
};

int addr_special(const struct dest *in)
{
	struct dest d = *in;
	dest_normalize(&d);
	/* NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address: judge that one. */
	static const uint8_t nat64[12] = { 0, 0x64, 0xff, 0x9b };
	if (d.family == 6 && memcmp(d.addr, nat64, 12) == 0) {
		struct dest v4 = { .family = 4 };
		memcpy(v4.addr, d.addr + 12, 4);
		return addr_special(&v4);
	}
	if (d.family == 6 && d.addr[0] == 0x20 && d.addr[1] == 0x02) {
		struct dest v4 = { .family = 4 };
		memcpy(v4.addr, d.addr + 2, 4);
		return addr_special(&v4);
	}
	if (d.family == 6 && (d.addr[0] & 0xe0) != 0x20)
		return 1;
	for (size_t i = 0; i < sizeof SPECIAL / sizeof SPECIAL[0]; i++) {
		struct prefix p = { .family = SPECIAL[i].family, .len = SPECIAL[i].len };
		memcpy(p.addr, SPECIAL[i].addr, 16);
		if (prefix_match(&p, &d))
			return 1;
	}
	return 0;
}

void own_refresh(struct own_addrs *o, int64_t now_ms, int64_t every_ms)
{
	if (o->refreshed_ms && now_ms - o->refreshed_ms < every_ms)
		return;
	struct ifaddrs *list;
	if (getifaddrs(&list) != 0)
		return; /* keep the last list; addresses rarely change */
	o->n = 0, o->overflow = 0, o->refreshed_ms = now_ms;
	for (struct ifaddrs *i = list; i; i = i->ifa_next) {
		if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
			continue;
		if (o->n == OWN_MAX) {
			o->overflow = 1;
			break;
		}
		struct dest *d = &o->a[o->n++];
		memset(d, 0, sizeof *d);
		if (i->ifa_addr->sa_family == AF_INET) {
			d->family = 4;
			memcpy(d->addr, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, 4);
		} else {
			d->family = 6;
			memcpy(d->addr, &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr, 16);
		}
	}
	freeifaddrs(list);
}

/* Loopback and "this host": what no --allow may open, since they reach the server itself. */
static int addr_self(const struct dest *d)
{
	static const uint8_t loop6[16] = { [15] = 1 }, any6[16] = { 0 };
	if (d->family == 4)
		return d->addr[0] == 127 || d->addr[0] == 0;
	return !memcmp(d->addr, loop6, 16) || !memcmp(d->addr, any6, 16);
}

int policy_allowed(const struct dest *in, const struct prefix *allow, int nallow, const struct own_addrs *own)
{
	struct dest d = *in;
	dest_normalize(&d);
	if (addr_self(&d) || (own && own->overflow))
		return 0;
	for (int i = 0; own && i < own->n; i++)
		if (own->a[i].family == d.family && memcmp(own->a[i].addr, d.addr, 16) == 0)
			return 0;
	for (int i = 0; i < nallow; i++)
		if (prefix_match(&allow[i], &d))
			return 1;
	return !addr_special(&d);
}
