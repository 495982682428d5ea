/* The UDP datagrams of PROTOCOL.md: building and checking them, and the per-session replay
 * window. Pure: no sockets, no clock. */
#ifndef MPWAN_DGRAM_H
#define MPWAN_DGRAM_H
#include <stddef.h>
#include <stdint.h>
#include "shared/addr.h"
#include "shared/sha256.h"

enum dg_type { DG_TO_SERVER = 0x21, DG_TO_ROUTER = 0x22, DG_KEEPALIVE = 0x23, DG_ANSWER = 0x24 };
#define DG_COPY 0x01 /* flags: the second copy of a duplicated datagram */

#define DG_HEAD 17 /* type .. port */
#define DG_TAG 8
#define DG_ROOM (DG_HEAD + 16) /* header room a payload needs in front of it */
#define DG_KEEPALIVE_LEN (DG_HEAD + DG_TAG)
/* The largest payload whose datagram (IPv6 address inside) fits one IPv4 UDP datagram. */
#define DG_MAX_PAYLOAD (65507 - DG_ROOM - DG_TAG)

struct dg_head {
	uint8_t type, flags;
	uint32_t session, seq, time;
	struct dest addr; /* family 0: no address (keepalives) */
};

/* Writes the header in front of `payload` (which needs DG_ROOM bytes of room before it) and
 * the tag after it; returns where the datagram starts, its length in *total. */
uint8_t *dg_seal(uint8_t *payload, size_t len, const struct dg_head *h, const struct hmac_key *k, size_t *total);
/* Sets the flags of a sealed datagram and signs it again (the duplicate's second copy). */
void dg_reflag(uint8_t *dg, size_t total, uint8_t flags, const struct hmac_key *k);

/* Checks a received datagram: length, a type in `types` (a bit per type - 0x21), family and
 * address length, tag (constant time), time within max_skew of `now` (Unix seconds). 0 and
 * *h, *payload, *len filled, or -1: drop it. */
#define DG_ACCEPT(t) (1u << ((t) - DG_TO_SERVER))
int dg_open(const uint8_t *b, size_t n, unsigned types, const struct hmac_key *k, uint32_t now, int max_skew,
	    struct dg_head *h, const uint8_t **payload, size_t *len);

/* The 64-number replay window of one session and direction (RFC 4303 style), remembering
 * for each number which of a duplicated datagram's two copies came (the copy flag is under the
 * tag, so the two copies differ, while a replay repeats one byte for byte). */
struct window {
	uint32_t top;	   /* highest sequence number seen; 0: none yet */
	uint64_t seen[2]; /* [copy flag]: bit i set when top - i came with that flag */
};
enum win_result {
	WIN_NEW,	/* first of its number: deliver it */
	WIN_OTHER_COPY, /* the other copy of a duplicated datagram: the sender's address counts */
	WIN_REPLAY,	/* seen before, too old, or 0: drop it, nothing about it counts */
};
/* Checks a received sequence number and copy flag, and remembers them unless WIN_REPLAY. */
enum win_result window_check(struct window *w, uint32_t seq, int copy);

#endif
