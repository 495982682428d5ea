/* Addresses: `struct dest` (family, port, address), the form every part of the relay passes
 * around, and its conversions to and from socket addresses and text. */
#ifndef MPWAN_ADDR_H
#define MPWAN_ADDR_H
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* A destination: family 4 or 6, port, address in network order (4 or 16 bytes used). */
struct dest {
	uint8_t family;
	uint16_t port;
	uint8_t addr[16];
};

int dest_equal(const struct dest *a, const struct dest *b);
/* Maps ::ffff:a.b.c.d to family 4, so one set of IPv4 rules covers both spellings. */
void dest_normalize(struct dest *d);
void dest_to_sockaddr(const struct dest *d, struct sockaddr_storage *ss, socklen_t *len);
int sockaddr_to_dest(const struct sockaddr_storage *ss, struct dest *d);
/* ADDR:PORT, [ADDR6]:PORT, or (default_any) a bare PORT meaning [::]:PORT. */
int parse_hostport(const char *s, int default_any, struct sockaddr_storage *ss, socklen_t *len);
const char *fmt_sockaddr(const struct sockaddr_storage *ss, char *buf, size_t n);

#endif
