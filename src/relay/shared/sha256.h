/* SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), small and dependency-free. */
#ifndef MPWAN_SHA256_H
#define MPWAN_SHA256_H
#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len; /* bytes hashed so far */
	uint8_t buf[64];
};

void sha256_init(struct sha256 *s);
/* Compresses n 64-byte blocks into h. */
typedef void sha256_blocks_fn(uint32_t h[8], const uint8_t *p, size_t n);
/* The CPU's SHA-256 instructions (sha256_hw.c), or NULL without them. */
sha256_blocks_fn *sha256_hw(void);
/* Chooses the CPU's instructions (when it has them, the default) or the portable code;
 * returns whether the CPU has them. For the tests. */
int sha256_use_hw(int on);
void sha256_update(struct sha256 *s, const void *data, size_t n);
void sha256_final(struct sha256 *s, uint8_t out[32]);

/* An HMAC key as its two precomputed pad states: one MAC then costs two compressions less. */
struct hmac_key {
	struct sha256 inner, outer;
};

void hmac_init(struct hmac_key *k, const void *key, size_t n);
void hmac(const struct hmac_key *k, const void *data, size_t n, uint8_t out[32]);
/* Constant-time comparison: the time taken does not depend on where the bytes differ. */
int ct_equal(const void *a, const void *b, size_t n);
/* Wipes secrets in a way the compiler cannot drop. */
void wipe(void *p, size_t n);

#endif
