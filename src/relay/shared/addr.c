/* Addresses: comparing, normalizing, converting to and from socket addresses and text. */
#include "shared/addr.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dest_equal(const struct dest *a, const struct dest *b)
{
	return a->family == b->family && a->port == b->port && memcmp(a->addr, b->addr, 16) == 0;
}

void dest_normalize(struct dest *d)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (d->family == 6 && memcmp(d->addr, mapped, 12) == 0) {
		memmove(d->addr, d->addr + 12, 4);
		memset(d->addr + 4, 0, 12);
		d->family = 4;
	}
}

static int parse_port(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	return (*s && !*end && v > 0 && v < 65536) ? (int)v : -1;
}

int parse_hostport(const char *s, int default_any, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[64];
	const char *port;
	memset(ss, 0, sizeof *ss);
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof host)
			return -1;
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = 0;
		port = close + 2;
	} else if (strchr(s, ':')) {
		const char *colon = strrchr(s, ':');
		if ((size_t)(colon - s) >= sizeof host || strchr(s, ':') != colon)
			return -1;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = 0;
		port = colon + 1;
	} else if (default_any) {
		strcpy(host, "::");
		port = s;
	} else {
		return -1;
	}
	int p = parse_port(port);
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	if (p < 0)
		return -1;
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET, a4->sin_port = htons((uint16_t)p), *len = sizeof *a4;
	} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6, a6->sin6_port = htons((uint16_t)p), *len = sizeof *a6;
	} else {
		return -1;
	}
	return 0;
}

void dest_to_sockaddr(const struct dest *d, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof *ss);
	if (d->family == 4) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET, a->sin_port = htons(d->port);
		memcpy(&a->sin_addr, d->addr, 4);
		*len = sizeof *a;
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6, a->sin6_port = htons(d->port);
		memcpy(&a->sin6_addr, d->addr, 16);
		*len = sizeof *a;
	}
}

int sockaddr_to_dest(const struct sockaddr_storage *ss, struct dest *d)
{
	memset(d, 0, sizeof *d);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
		d->family = 4, d->port = ntohs(a->sin_port);
		memcpy(d->addr, &a->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
		d->family = 6, d->port = ntohs(a->sin6_port);
		memcpy(d->addr, &a->sin6_addr, 16);
	} else {
		return -1;
	}
	return 0;
}

const char *fmt_sockaddr(const struct sockaddr_storage *ss, char *buf, size_t n)
{
	struct dest d;
	char a[INET6_ADDRSTRLEN] = "?";
	if (sockaddr_to_dest(ss, &d) == 0)
		inet_ntop(d.family == 4 ? AF_INET : AF_INET6, d.addr, a, sizeof a);
	snprintf(buf, n, d.family == 6 ? "[%s]:%u" : "%s:%u", a, d.port);
	return buf;
}
