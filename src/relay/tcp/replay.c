/* Replay cache: open addressing over a fixed table; a slot whose time is past is free again.
 * Only authenticated nonces get here, so an attacker without the key cannot fill it; when it
 * is full of live nonces anyway, handshakes are refused (fail closed) rather than forgotten. */
#include "tcp/replay.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define PROBE 64 /* slots searched from the home slot */

struct slot {
	uint8_t nonce[NONCE_LEN];
	uint32_t expires; /* Unix seconds; 0 = never used */
};

static struct slot *table;
static uint32_t mask;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int replay_init(uint32_t slots)
{
	table = calloc(slots, sizeof *table); /* untouched pages cost no RSS until used */
	mask = slots - 1;
	return table ? 0 : -1;
}

enum replay_result replay_check(const uint8_t nonce[NONCE_LEN], int64_t expires, int64_t now)
{
	uint32_t home;
	memcpy(&home, nonce, sizeof home); /* the nonce is random: its bytes are the hash */
	enum replay_result r = REPLAY_FULL;
	struct slot *free_slot = NULL;
	pthread_mutex_lock(&lock);
	for (uint32_t i = 0; i < PROBE; i++) {
		struct slot *s = &table[(home + i) & mask];
		if ((int64_t)s->expires < now) {
			if (!free_slot)
				free_slot = s;
			if (s->expires == 0)
				break; /* never used: nothing was ever placed past it */
			continue;
		}
		if (memcmp(s->nonce, nonce, NONCE_LEN) == 0) {
			r = REPLAY_SEEN;
			goto out;
		}
	}
	if (free_slot) {
		memcpy(free_slot->nonce, nonce, NONCE_LEN);
		free_slot->expires = (uint32_t)expires;
		r = REPLAY_FRESH;
	}
out:
	pthread_mutex_unlock(&lock);
	return r;
}

void replay_free(void)
{
	free(table);
	table = NULL;
}
