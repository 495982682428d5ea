/* SHA-256 with the CPU's own instructions (x86 SHA-NI, ARMv8 SHA2), when it has them: every
 * UDP datagram is MACed, and the portable code was ~40% of the relay's CPU under UDP load.
 * Only these functions are built for those instruction sets; which one runs is decided at
 * start from CPUID or the kernel's HWCAP, so one binary runs on any CPU of its architecture.
 * Checked against the portable code in test/unit.c (natively, and under qemu for aarch64). */
#include "shared/sha256.h"

extern const uint32_t sha256_k[64];

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>

__attribute__((target("sha,sse4.1,ssse3"))) static void blocks_shani(uint32_t h[8], const uint8_t *p, size_t n)
{
	const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)&h[0]), 0xb1); /* CDAB */
	__m128i s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)&h[4]), 0x1b); /* EFGH */
	__m128i s0 = _mm_alignr_epi8(t, s1, 8);	 /* ABEF: the order the instructions want */
	s1 = _mm_blend_epi16(s1, t, 0xf0);	 /* CDGH */
	for (; n; n--, p += 64) {
		__m128i abef = s0, cdgh = s1, m[4];
		for (int i = 0; i < 4; i++)
			m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i)), swap);
		for (int i = 0; i < 16; i++) { /* four rounds each */
			__m128i k = _mm_add_epi32(m[i & 3], _mm_loadu_si128((const __m128i *)(const void *)&sha256_k[4 * i]));
			s1 = _mm_sha256rnds2_epu32(s1, s0, k);
			s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(k, 0x0e));
			if (i < 12) { /* the schedule's next four words replace the four just used */
				__m128i w = _mm_sha256msg1_epu32(m[i & 3], m[(i + 1) & 3]);
				w = _mm_add_epi32(w, _mm_alignr_epi8(m[(i + 3) & 3], m[(i + 2) & 3], 4));
				m[i & 3] = _mm_sha256msg2_epu32(w, m[(i + 3) & 3]);
			}
		}
		s0 = _mm_add_epi32(s0, abef);
		s1 = _mm_add_epi32(s1, cdgh);
	}
	t = _mm_shuffle_epi32(s0, 0x1b);  /* FEBA */
	s1 = _mm_shuffle_epi32(s1, 0xb1); /* DCHG */
	_mm_storeu_si128((__m128i *)(void *)&h[0], _mm_blend_epi16(t, s1, 0xf0)); /* DCBA */
	_mm_storeu_si128((__m128i *)(void *)&h[4], _mm_alignr_epi8(s1, t, 8));	  /* HGFE */
}

sha256_blocks_fn *sha256_hw(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & (1u << 29))) /* SHA */
		return NULL;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 19)) || !(c & (1u << 9))) /* SSE4.1, SSSE3 */
		return NULL;
	return blocks_shani;
}

#elif defined(__aarch64__) && defined(__GNUC__)
#include <sys/auxv.h>
#pragma GCC push_options
#pragma GCC target("+crypto")
#include <arm_neon.h>

#ifndef HWCAP_SHA2
#define HWCAP_SHA2 (1 << 6)
#endif

static void blocks_armv8(uint32_t h[8], const uint8_t *p, size_t n)
{
	uint32x4_t s0 = vld1q_u32(&h[0]), s1 = vld1q_u32(&h[4]);
	for (; n; n--, p += 64) {
		uint32x4_t abcd = s0, efgh = s1, m[4];
		for (int i = 0; i < 4; i++)
			m[i] = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p + 16 * i)));
		for (int i = 0; i < 16; i++) { /* four rounds each */
			uint32x4_t k = vaddq_u32(m[i & 3], vld1q_u32(&sha256_k[4 * i])), a = s0;
			if (i < 12)
				m[i & 3] = vsha256su1q_u32(vsha256su0q_u32(m[i & 3], m[(i + 1) & 3]), m[(i + 2) & 3], m[(i + 3) & 3]);
			s0 = vsha256hq_u32(s0, s1, k);
			s1 = vsha256h2q_u32(s1, a, k);
		}
		s0 = vaddq_u32(s0, abcd);
		s1 = vaddq_u32(s1, efgh);
	}
	vst1q_u32(&h[0], s0);
	vst1q_u32(&h[4], s1);
}
#pragma GCC pop_options

sha256_blocks_fn *sha256_hw(void)
{
	return (getauxval(AT_HWCAP) & HWCAP_SHA2) ? blocks_armv8 : NULL;
}

#else
sha256_blocks_fn *sha256_hw(void)
{
	return NULL;
}
#endif
