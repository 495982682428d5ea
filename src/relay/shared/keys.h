/* The relay's keys: one shared secret, one derived key for TCP handshakes, one for UDP. */
#ifndef MPWAN_KEYS_H
#define MPWAN_KEYS_H
#include <stddef.h>
#include "shared/sha256.h"

/* Parses a 64-hex-digit key (optionally newline-terminated) and derives the tcp/udp keys. */
int keys_from_hex(const char *text, size_t n, struct hmac_key *tcp, struct hmac_key *udp);

#endif
