/* The TCP handshake of PROTOCOL.md: building it (router) and checking it (server). Pure. */
#ifndef MPWAN_HANDSHAKE_H
#define MPWAN_HANDSHAKE_H
#include <stdint.h>
#include <stddef.h>
#include "shared/addr.h"
#include "shared/sha256.h"

#define HS_LEN4 68
#define HS_LEN6 80
#define HS_MAX HS_LEN6
#define HS_TYPE_CONNECT 0x01 /* the router's bytes raw, its EOF a DATA_FIN */
#define HS_TYPE_RECORDS 0x02 /* the router's bytes in records (tcp/record.c) */
#define NONCE_LEN 16

enum hs_result { HS_OK, HS_MALFORMED, HS_BAD_MAC, HS_STALE };

size_t hs_build(uint8_t out[HS_MAX], uint8_t type, const struct hmac_key *k, const struct dest *d, uint64_t now,
		const uint8_t nonce[NONCE_LEN]);
/* Bytes the handshake needs given the first `have` bytes: HS_LEN4 until the family is known;
 * 0 once the bytes seen so far cannot start a handshake (wrong magic, type or family). The
 * type is buf[4]. */
size_t hs_need(const uint8_t *buf, size_t have);
/* Checks a complete handshake; on HS_OK fills *d, *time and the nonce's offset in buf. */
enum hs_result hs_verify(const uint8_t *buf, size_t len, const struct hmac_key *k, int64_t now,
			 int64_t max_skew, struct dest *d, uint64_t *time, size_t *nonce_off);

#endif
