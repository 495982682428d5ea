/* SHA-256 and HMAC-SHA256; checked against FIPS 180-4 and RFC 4231 vectors in test/unit.c.
 * Blocks go through the CPU's SHA instructions where it has them (sha256_hw.c). */
#include "shared/sha256.h"
#include <stdatomic.h>
#include <string.h>

const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

#define K sha256_k

static void compress(uint32_t h[8], const uint8_t p[64])
{
	uint32_t w[64], a, b, c, d, e, f, g, k, t1, t2;
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
	for (int i = 0; i < 64; i++) {
		t1 = k + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		k = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

static void blocks_portable(uint32_t h[8], const uint8_t *p, size_t n)
{
	for (; n; n--, p += 64)
		compress(h, p);
}

static sha256_blocks_fn *_Atomic blocks_impl;

int sha256_use_hw(int on)
{
	sha256_blocks_fn *hw = sha256_hw();
	atomic_store_explicit(&blocks_impl, on && hw ? hw : blocks_portable, memory_order_relaxed);
	return hw != NULL;
}

static void blocks(uint32_t h[8], const uint8_t *p, size_t n)
{
	sha256_blocks_fn *f = atomic_load_explicit(&blocks_impl, memory_order_relaxed);
	if (!f) {
		sha256_use_hw(1);
		f = atomic_load_explicit(&blocks_impl, memory_order_relaxed);
	}
	f(h, p, n);
}

void sha256_init(struct sha256 *s)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	memcpy(s->h, iv, sizeof iv);
	s->len = 0;
}

void sha256_update(struct sha256 *s, const void *data, size_t n)
{
	const uint8_t *p = data;
	size_t used = s->len % 64;
	s->len += n;
	if (used) {
		size_t take = 64 - used < n ? 64 - used : n;
		memcpy(s->buf + used, p, take);
		p += take, n -= take;
		if (used + take < 64)
			return;
		blocks(s->h, s->buf, 1);
	}
	blocks(s->h, p, n / 64);
	p += n / 64 * 64, n %= 64;
	memcpy(s->buf, p, n);
}

void sha256_final(struct sha256 *s, uint8_t out[32])
{
	uint64_t bits = s->len * 8;
	size_t used = s->len % 64;
	s->buf[used++] = 0x80;
	if (used > 56) {
		memset(s->buf + used, 0, 64 - used);
		blocks(s->h, s->buf, 1);
		used = 0;
	}
	memset(s->buf + used, 0, 56 - used);
	for (int i = 0; i < 8; i++)
		s->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	blocks(s->h, s->buf, 1);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24), out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8), out[4 * i + 3] = (uint8_t)s->h[i];
	}
}

void hmac_init(struct hmac_key *k, const void *key, size_t n)
{
	uint8_t pad[64] = { 0 };
	if (n > 64) {
		struct sha256 s;
		sha256_init(&s);
		sha256_update(&s, key, n);
		sha256_final(&s, pad);
	} else {
		memcpy(pad, key, n);
	}
	for (int i = 0; i < 64; i++)
		pad[i] ^= 0x36;
	sha256_init(&k->inner);
	sha256_update(&k->inner, pad, 64);
	for (int i = 0; i < 64; i++)
		pad[i] ^= 0x36 ^ 0x5c;
	sha256_init(&k->outer);
	sha256_update(&k->outer, pad, 64);
	wipe(pad, sizeof pad);
}

void hmac(const struct hmac_key *k, const void *data, size_t n, uint8_t out[32])
{
	struct sha256 s = k->inner;
	uint8_t inner[32];
	sha256_update(&s, data, n);
	sha256_final(&s, inner);
	s = k->outer;
	sha256_update(&s, inner, 32);
	sha256_final(&s, out);
	wipe(&s, sizeof s);
}

int ct_equal(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t d = 0;
	for (size_t i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

void wipe(void *p, size_t n)
{
	volatile uint8_t *v = p;
	while (n--)
		*v++ = 0;
}
