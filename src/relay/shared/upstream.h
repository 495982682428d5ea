/* The router's server: where new TCP connections and UDP sessions go, with its keys. main sets
 * it (from the command line, then from the --server-file on SIGHUP); the TCP workers and the
 * UDP thread take a copy whenever its generation moved, so a switch costs them one atomic load
 * per new connection or wakeup, and connections already open stay where they are. */
#ifndef MPWAN_UPSTREAM_H
#define MPWAN_UPSTREAM_H
#include <sys/socket.h>
#include "shared/sha256.h"

struct upstream {
	struct sockaddr_storage addr;
	socklen_t len;
	struct hmac_key tcp, udp;
};

/* Makes `u` the server; returns whether it differs from the one before (the generation moved). */
int upstream_set(const struct upstream *u);
/* Copies the current server into *out; returns its generation. */
unsigned upstream_get(struct upstream *out);
unsigned upstream_generation(void);
/* The --server-file: one line `<address>:<port> <key file>` (a `#` line is a comment), the
 * file at most 4 KB. 0, or -1 with why in *why (and *u left as it was). */
int upstream_load(const char *file, struct upstream *u, const char **why);

#endif
