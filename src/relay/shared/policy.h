/* Which destinations the server may connect to (PROTOCOL.md, "the destination is not allowed"). */
#ifndef MPWAN_POLICY_H
#define MPWAN_POLICY_H
#include <stdint.h>
#include "shared/addr.h"

struct prefix {
	uint8_t family, len;
	uint8_t addr[16];
};

#define OWN_MAX 1024 /* addresses of the server remembered; more are all refused (fail closed) */

struct own_addrs {
	int n, overflow;
	int64_t refreshed_ms;
	struct dest a[OWN_MAX];
};

int prefix_parse(const char *s, struct prefix *p);
int prefix_match(const struct prefix *p, const struct dest *d);
/* Loopback, private, link-local, multicast and the other special-purpose ranges. */
int addr_special(const struct dest *d);
/* Re-reads the host's addresses (getifaddrs) at most every `every_ms`. */
void own_refresh(struct own_addrs *o, int64_t now_ms, int64_t every_ms);
/* Own addresses, loopback and unspecified never; else --allow, else not special. */
int policy_allowed(const struct dest *d, const struct prefix *allow, int nallow, const struct own_addrs *own);

#endif
