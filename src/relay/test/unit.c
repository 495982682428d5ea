/* C unit tests: SHA-256 (FIPS 180-4), HMAC-SHA256 (RFC 4231), the handshake of PROTOCOL.md
 * (its test vector, parser, every bit flip), destination policy, replay cache, addresses. */
#include "test/check.h"
#include "shared/addr.h"
#include "shared/keys.h"
#include "shared/policy.h"
#include "tcp/handshake.h"
#include "tcp/replay.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int failures, checks;

void hex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sscanf(s + 2 * i, "%2hhx", &out[i]);
}

static int digest_is(const uint8_t *d, const char *want, size_t n)
{
	uint8_t w[32];
	hex(want, w, n);
	return memcmp(d, w, n) == 0;
}

static void test_sha256(void)
{
	static const struct { const char *msg, *want; } v[] = {
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	};
	uint8_t d[32];
	struct sha256 s;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		sha256_init(&s);
		sha256_update(&s, v[i].msg, strlen(v[i].msg));
		sha256_final(&s, d);
		CHECK(digest_is(d, v[i].want, 32));
	}
	/* One million 'a', fed in uneven pieces to exercise the block buffer. */
	char a[997];
	memset(a, 'a', sizeof a);
	sha256_init(&s);
	for (size_t left = 1000000; left;) {
		size_t n = left < sizeof a ? left : sizeof a;
		sha256_update(&s, a, n);
		left -= n;
	}
	sha256_final(&s, d);
	CHECK(digest_is(d, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", 32));
}

static void test_hmac(void)
{
	uint8_t k20b[20], kaa20[20], k25[25], k0c[20], kaa131[131], dd[50], cd[50], d[32];
	memset(k20b, 0x0b, 20), memset(kaa20, 0xaa, 20), memset(k0c, 0x0c, 20), memset(kaa131, 0xaa, 131);
	memset(dd, 0xdd, 50), memset(cd, 0xcd, 50);
	for (int i = 0; i < 25; i++)
		k25[i] = (uint8_t)(i + 1);
	static const char *big = "This is a test using a larger than block-size key and a larger than block-size data. "
				 "The key needs to be hashed before being used by the HMAC algorithm.";
	const struct { const void *key; size_t kn; const void *msg; size_t mn; const char *want; size_t n; } v[] = {
		{ k20b, 20, "Hi There", 8, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", 32 },
		{ "Jefe", 4, "what do ya want for nothing?", 28, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", 32 },
		{ kaa20, 20, dd, 50, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe", 32 },
		{ k25, 25, cd, 50, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b", 32 },
		{ k0c, 20, "Test With Truncation", 20, "a3b6167473100ee06e0c796c2955552b", 16 },
		{ kaa131, 131, "Test Using Larger Than Block-Size Key - Hash Key First", 54,
		  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", 32 },
		{ kaa131, 131, big, strlen(big), "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2", 32 },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct hmac_key k;
		hmac_init(&k, v[i].key, v[i].kn);
		hmac(&k, v[i].msg, v[i].mn, d);
		CHECK(digest_is(d, v[i].want, v[i].n));
	}
	CHECK(ct_equal("abcd", "abcd", 4) && !ct_equal("abcd", "abce", 4));
}

/* PROTOCOL.md's test vector: key 00..1f, 198.51.100.10:443, time 1700000000, nonce a0..af. */
static const char VECTOR[] = "4d505731010401bbc633640a000000006553f100a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
			     "423979f0e19122ce6c7d374c8351394d51c640d54a928fffd019a4aa86ef2da2";

static void test_handshake(void)
{
	struct hmac_key tcp, udp;
	CHECK(keys_from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n", 65, &tcp, &udp) == 0);
	CHECK(keys_from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 64, &tcp, &udp) == 0);
	struct hmac_key junk;
	CHECK(keys_from_hex("000102030405060708090A0B0C0D0E0F101112131415161718191a1b1c1d1e1f", 64, &junk, &junk) < 0);
	CHECK(keys_from_hex("0001", 4, &junk, &junk) < 0);
	CHECK(keys_from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n\n", 66, &junk, &junk) < 0);

	struct dest d = { .family = 4, .port = 443, .addr = { 198, 51, 100, 10 } }, got;
	uint8_t nonce[NONCE_LEN], hs[HS_MAX], want[HS_LEN4];
	for (int i = 0; i < NONCE_LEN; i++)
		nonce[i] = (uint8_t)(0xa0 + i);
	hex(VECTOR, want, sizeof want);
	size_t n = hs_build(hs, HS_TYPE_CONNECT, &tcp, &d, 1700000000, nonce);
	CHECK(n == HS_LEN4 && memcmp(hs, want, n) == 0);

	uint64_t t;
	size_t noff;
	CHECK(hs_verify(hs, n, &tcp, 1700000030, 60, &got, &t, &noff) == HS_OK);
	CHECK(got.family == 4 && got.port == 443 && !memcmp(got.addr, d.addr, 4) && t == 1700000000 && noff == 20);
	CHECK(hs_verify(hs, n, &tcp, 1700000061, 60, &got, &t, &noff) == HS_STALE);
	CHECK(hs_verify(hs, n, &tcp, 1699999939, 60, &got, &t, &noff) == HS_STALE);
	CHECK(hs_verify(hs, n, &udp, 1700000000, 60, &got, &t, &noff) == HS_BAD_MAC);
	CHECK(hs_verify(hs, n - 1, &tcp, 1700000000, 60, &got, &t, &noff) == HS_MALFORMED);
	/* Every single bit flip is refused. */
	int refused = 0;
	for (size_t bit = 0; bit < n * 8; bit++) {
		hs[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		refused += hs_verify(hs, n, &tcp, 1700000000, 60, &got, &t, &noff) != HS_OK;
		hs[bit / 8] ^= (uint8_t)(1 << (bit % 8));
	}
	CHECK(refused == (int)n * 8);

	struct dest d6 = { .family = 6, .port = 80 };
	inet_pton(AF_INET6, "2001:db8::10", d6.addr);
	n = hs_build(hs, HS_TYPE_RECORDS, &tcp, &d6, 1700000000, nonce);
	CHECK(n == HS_LEN6 && hs_verify(hs, n, &tcp, 1700000000, 60, &got, &t, &noff) == HS_OK && got.family == 6);
	CHECK(hs_need(hs, 0) == HS_LEN4 && hs_need(hs, 5) == HS_LEN4 && hs_need(hs, 6) == HS_LEN6);
	CHECK(hs_need((const uint8_t *)"MPX", 3) == 0 && hs_need((const uint8_t *)"MPW1\x03", 5) == 0);
	CHECK(hs_need((const uint8_t *)"MPW1\x01\x05", 6) == 0);
	uint8_t huge[8] = { 'M', 'P', 'W', '1', 1, 4, 0, 80 };
	CHECK(hs_need(huge, 8) == HS_LEN4);
	/* A time past INT64_MAX, validly signed, is stale, not a wrap-around. */
	n = hs_build(hs, HS_TYPE_CONNECT, &tcp, &d, UINT64_MAX, nonce);
	CHECK(hs_verify(hs, n, &tcp, 1700000000, 60, &got, &t, &noff) == HS_STALE);
}

static int allowed(const char *addr, const struct prefix *allow, int nallow, const struct own_addrs *own)
{
	struct dest d = { 0 };
	if (inet_pton(AF_INET, addr, d.addr) == 1)
		d.family = 4;
	else if (inet_pton(AF_INET6, addr, d.addr) == 1)
		d.family = 6;
	return policy_allowed(&d, allow, nallow, own);
}

static void test_policy(void)
{
	static const char *refused[] = { "127.0.0.1", "127.1.2.3", "0.0.0.0", "10.1.2.3", "172.16.0.1", "172.31.255.255",
		"192.168.1.1", "100.64.0.1", "169.254.1.1", "224.0.0.1", "255.255.255.255", "198.18.0.1", "192.0.0.8",
		"::", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "fe80::1", "fc00::1", "fd12::1", "ff02::1",
		"64:ff9b::a00:1", "64:ff9b:1::1", "fe00::1", "4000::1", "2002:c0a8:101::1", "100::1", "2001::1" };
	static const char *ok[] = { "198.51.100.10", "192.0.2.1", "203.0.113.5", "1.1.1.1", "172.32.0.1", "100.128.0.1",
		"2001:db8::1", "2606:4700::1111", "::ffff:1.1.1.1", "64:ff9b::101:101", "2002:101:101::1" };
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		int r = allowed(refused[i], NULL, 0, NULL);
		CHECK(!r);
		if (r)
			fprintf(stderr, "  allowed: %s\n", refused[i]);
	}
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		int r = allowed(ok[i], NULL, 0, NULL);
		CHECK(r);
		if (!r)
			fprintf(stderr, "  refused: %s\n", ok[i]);
	}
	struct own_addrs *own = calloc(1, sizeof *own);
	own->n = 1;
	own->a[0].family = 4;
	inet_pton(AF_INET, "198.51.100.1", own->a[0].addr);
	CHECK(!allowed("198.51.100.1", NULL, 0, own) && !allowed("::ffff:198.51.100.1", NULL, 0, own));
	CHECK(allowed("198.51.100.2", NULL, 0, own));
	own->overflow = 1; /* too many addresses to know: refuse rather than guess */
	CHECK(!allowed("198.51.100.2", NULL, 0, own));
	own->overflow = 0;
	struct prefix allow[5];
	CHECK(prefix_parse("10.0.0.0/8", &allow[0]) == 0 && prefix_parse("fd00::/8", &allow[1]) == 0 &&
	      prefix_parse("198.51.100.1", &allow[2]) == 0 && prefix_parse("127.0.0.0/8", &allow[3]) == 0 &&
	      prefix_parse("::/0", &allow[4]) == 0);
	CHECK(allowed("10.9.9.9", allow, 3, own) && allowed("::ffff:10.9.9.9", allow, 3, own) && allowed("fd00::5", allow, 3, own));
	CHECK(allowed("11.0.0.1", allow, 1, own) && !allowed("fe00::1", allow, 3, own));
	/* No --allow opens the server itself: its own addresses, loopback, unspecified. */
	CHECK(!allowed("198.51.100.1", allow, 5, own) && !allowed("127.0.0.1", allow, 5, own) && !allowed("::1", allow, 5, own));
	CHECK(!allowed("::", allow, 5, own) && !allowed("0.0.0.0", allow, 5, own) && !allowed("::ffff:127.0.0.1", allow, 5, own));
	CHECK(allowed("fe80::1", allow, 5, own));
	struct prefix p;
	CHECK(prefix_parse("::ffff:10.0.0.0/104", &p) == 0 && p.family == 4 && p.len == 8);
	CHECK(prefix_parse("10.0.0.0/33", &p) < 0 && prefix_parse("10.0.0.0/", &p) < 0 && prefix_parse("x/8", &p) < 0);
	CHECK(prefix_parse("::ffff:0:0/95", &p) < 0 && prefix_parse("1.2.3.4/8x", &p) < 0 && prefix_parse("", &p) < 0);
	free(own);
}

static void test_replay(void)
{
	uint8_t a[NONCE_LEN] = { 1, 2, 3 }, b[NONCE_LEN] = { 1, 2, 3, 4 };
	CHECK(replay_init(1u << 10) == 0);
	CHECK(replay_check(a, 1060, 1000) == REPLAY_FRESH);
	CHECK(replay_check(a, 1060, 1010) == REPLAY_SEEN);
	CHECK(replay_check(b, 1060, 1010) == REPLAY_FRESH); /* same home slot, next one */
	CHECK(replay_check(b, 1070, 1060) == REPLAY_SEEN);
	CHECK(replay_check(a, 1200, 1061) == REPLAY_FRESH); /* expired: forgotten, may come again */
	/* Fill every slot with live nonces: new ones are refused, not silently forgotten. */
	int full = 0;
	for (uint32_t i = 0; i < 4096; i++) {
		uint8_t n[NONCE_LEN] = { 0 };
		memcpy(n, &i, sizeof i), n[8] = 9;
		full += replay_check(n, 5000, 1100) == REPLAY_FULL;
	}
	CHECK(full >= 4096 - 1024);
	replay_free();
}

static void test_addresses(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[80];
	CHECK(parse_hostport("10.99.0.1:8400", 0, &ss, &len) == 0 && ss.ss_family == AF_INET);
	CHECK(!strcmp(fmt_sockaddr(&ss, buf, sizeof buf), "10.99.0.1:8400"));
	CHECK(parse_hostport("[2001:db8::1]:443", 0, &ss, &len) == 0 && ss.ss_family == AF_INET6);
	CHECK(!strcmp(fmt_sockaddr(&ss, buf, sizeof buf), "[2001:db8::1]:443"));
	CHECK(parse_hostport("1100", 1, &ss, &len) == 0 && ss.ss_family == AF_INET6);
	CHECK(parse_hostport("1100", 0, &ss, &len) < 0 && parse_hostport("1.2.3.4:0", 0, &ss, &len) < 0);
	CHECK(parse_hostport("1.2.3.4:65536", 0, &ss, &len) < 0 && parse_hostport("host.example:80", 0, &ss, &len) < 0);
	CHECK(parse_hostport("2001:db8::1:80", 0, &ss, &len) < 0 && parse_hostport("[::1]80", 0, &ss, &len) < 0);
	CHECK(parse_hostport("1.2.3.4:", 0, &ss, &len) < 0 && parse_hostport("[]:80", 0, &ss, &len) < 0);
}

int main(void)
{
	test_sha256();
	test_hmac();
	test_handshake();
	test_policy();
	test_replay();
	test_addresses();
	test_udp();
	test_records();
	printf("mpwan-relay unit tests: %d checks, %d failed\n", checks, failures);
	return failures != 0;
}
