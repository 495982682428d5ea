/* Nonces of accepted handshakes, remembered while their time is inside the skew window. */
#ifndef MPWAN_REPLAY_H
#define MPWAN_REPLAY_H
#include <stdint.h>
#include "tcp/handshake.h"

enum replay_result { REPLAY_FRESH, REPLAY_SEEN, REPLAY_FULL };

/* `slots` (a power of two) fixes the memory: 20 bytes a slot, allocated once. */
int replay_init(uint32_t slots);
/* Remembers `nonce` until `expires` (Unix seconds); thread-safe. */
void replay_free(void);
enum replay_result replay_check(const uint8_t nonce[NONCE_LEN], int64_t expires, int64_t now);

#endif
