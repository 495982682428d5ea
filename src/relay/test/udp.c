/* C unit tests of UDP: PROTOCOL.md's datagram test vectors, the overhead, every bit flip and
 * truncation refused, the replay window, the paths file. */
#include "test/check.h"
#include "shared/keys.h"
#include "udp/router/router.h"
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T0 1700000000u

static const char KEY[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
/* PROTOCOL.md: session 01020304, sequence 1, time 1700000000, 198.51.100.10:443, "ping". */
static const char DATA[] = "210001020304000000016553f1000401bbc633640a70696e67dadaea34cd6f4bdf";
static const char KEEPALIVE[] = "23000a0b0c0d000000076553f100000000c782d14232b9132c";

static void test_vectors(const struct hmac_key *k)
{
	uint8_t buf[DG_ROOM + 64 + DG_TAG], want[64];
	struct dg_head h = { .type = DG_TO_SERVER, .session = 0x01020304, .seq = 1, .time = T0,
			     .addr = { .family = 4, .port = 443, .addr = { 198, 51, 100, 10 } } };
	memcpy(buf + DG_ROOM, "ping", 4);
	size_t total;
	uint8_t *dg = dg_seal(buf + DG_ROOM, 4, &h, k, &total);
	hex(DATA, want, sizeof DATA / 2);
	CHECK(total == sizeof DATA / 2 && memcmp(dg, want, total) == 0);
	CHECK(total - 4 == 29); /* the overhead with an IPv4 destination */

	struct dg_head ka = { .type = DG_KEEPALIVE, .session = 0x0a0b0c0d, .seq = 7, .time = T0 };
	dg = dg_seal(buf + DG_ROOM, 0, &ka, k, &total);
	hex(KEEPALIVE, want, sizeof KEEPALIVE / 2);
	CHECK(total == DG_KEEPALIVE_LEN && memcmp(dg, want, total) == 0);

	struct dg_head h6 = h, got;
	h6.addr.family = 6;
	inet_pton(AF_INET6, "2001:db8::10", h6.addr.addr);
	memcpy(buf + DG_ROOM, "ping", 4); /* the keepalive's tag went there */
	dg = dg_seal(buf + DG_ROOM, 4, &h6, k, &total);
	CHECK(total - 4 == 41); /* with an IPv6 destination */
	const uint8_t *payload;
	size_t len;
	CHECK(dg_open(dg, total, DG_ACCEPT(DG_TO_SERVER), k, T0 + 60, 60, &got, &payload, &len) == 0);
	CHECK(got.addr.family == 6 && got.addr.port == 443 && !memcmp(got.addr.addr, h6.addr.addr, 16) && len == 4 &&
	      !memcmp(payload, "ping", 4) && got.seq == 1 && got.session == 0x01020304 && got.flags == 0);
	dg_reflag(dg, total, DG_COPY, k);
	CHECK(dg_open(dg, total, DG_ACCEPT(DG_TO_SERVER), k, T0, 60, &got, &payload, &len) == 0 && got.flags == DG_COPY);
}

static void test_refusals(const struct hmac_key *k, const struct hmac_key *other)
{
	uint8_t buf[DG_ROOM + 64 + DG_TAG];
	struct dg_head h = { .type = DG_TO_SERVER, .session = 9, .seq = 5, .time = T0,
			     .addr = { .family = 4, .port = 53, .addr = { 192, 0, 2, 1 } } }, got;
	memcpy(buf + DG_ROOM, "payload!", 8);
	size_t total, len;
	const uint8_t *payload;
	uint8_t *dg = dg_seal(buf + DG_ROOM, 8, &h, k, &total);
	unsigned srv = DG_ACCEPT(DG_TO_SERVER) | DG_ACCEPT(DG_KEEPALIVE);
	CHECK(dg_open(dg, total, srv, k, T0, 60, &got, &payload, &len) == 0);
	CHECK(dg_open(dg, total, DG_ACCEPT(DG_TO_ROUTER) | DG_ACCEPT(DG_ANSWER), k, T0, 60, &got, &payload, &len) < 0);
	CHECK(dg_open(dg, total, srv, other, T0, 60, &got, &payload, &len) < 0);
	CHECK(dg_open(dg, total, srv, k, T0 + 61, 60, &got, &payload, &len) < 0);
	CHECK(dg_open(dg, total, srv, k, T0 - 61, 60, &got, &payload, &len) < 0);
	/* The time is the low 32 bits of Unix time: its wrap-around is no skew. */
	h.time = 0xfffffff0u;
	dg = dg_seal(buf + DG_ROOM, 8, &h, k, &total);
	CHECK(dg_open(dg, total, srv, k, 0x10, 60, &got, &payload, &len) == 0);
	int refused = 0, cut = 0;
	for (size_t bit = 0; bit < total * 8; bit++) {
		dg[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		refused += dg_open(dg, total, srv, k, 0x10, 60, &got, &payload, &len) < 0;
		dg[bit / 8] ^= (uint8_t)(1 << (bit % 8));
	}
	CHECK(refused == (int)total * 8);
	for (size_t n = 0; n < total; n++)
		cut += dg_open(dg, n, srv, k, 0x10, 60, &got, &payload, &len) < 0;
	CHECK(cut == (int)total);
	/* A keepalive never carries an address or payload; data always carries an address. */
	struct dg_head ka = { .type = DG_KEEPALIVE, .session = 1, .seq = 1, .time = T0 };
	dg = dg_seal(buf + DG_ROOM, 8, &ka, k, &total);
	CHECK(dg_open(dg, total, srv, k, T0, 60, &got, &payload, &len) < 0);
	h.addr.family = 0, h.time = T0;
	dg = dg_seal(buf + DG_ROOM, 8, &h, k, &total);
	CHECK(dg_open(dg, total, srv, k, T0, 60, &got, &payload, &len) < 0);
	dg[0] = 0x20;
	CHECK(dg_open(dg, total, 0xffffffffu, k, T0, 60, &got, &payload, &len) < 0);
}

static void test_window(void)
{
	struct window w = { 0 };
	CHECK(window_check(&w, 0, 0) == WIN_REPLAY && window_check(&w, 1, 0) == WIN_NEW);
	CHECK(window_check(&w, 1, 0) == WIN_REPLAY);
	CHECK(window_check(&w, 1, 1) == WIN_OTHER_COPY && window_check(&w, 1, 1) == WIN_REPLAY);
	CHECK(window_check(&w, 70, 1) == WIN_NEW); /* a jump: 2..69 were lost or are late; the copy came first */
	CHECK(window_check(&w, 70, 0) == WIN_OTHER_COPY && window_check(&w, 70, 0) == WIN_REPLAY);
	CHECK(window_check(&w, 6, 0) == WIN_REPLAY && window_check(&w, 1, 0) == WIN_REPLAY); /* too old */
	CHECK(window_check(&w, 7, 0) == WIN_NEW && window_check(&w, 7, 0) == WIN_REPLAY && window_check(&w, 69, 1) == WIN_NEW);
	CHECK(window_check(&w, 200, 0) == WIN_NEW && window_check(&w, 136, 0) == WIN_REPLAY && window_check(&w, 137, 1) == WIN_NEW);
	CHECK(window_check(&w, 137, 1) == WIN_REPLAY && window_check(&w, 137, 0) == WIN_OTHER_COPY);
	CHECK(window_check(&w, UINT32_MAX, 0) == WIN_NEW && window_check(&w, UINT32_MAX - 64, 0) == WIN_REPLAY);
	CHECK(window_check(&w, UINT32_MAX - 63, 0) == WIN_NEW && w.top == UINT32_MAX);
	CHECK(window_check(&w, 5, 0) == WIN_REPLAY && w.top == UINT32_MAX && w.seen[0] == (1 | (uint64_t)1 << 63) && w.seen[1] == 0);
	/* In order, the copy flag a duplicate's second copy carries: each once. */
	struct window v = { 0 };
	int news = 0, copies = 0;
	for (uint32_t i = 1; i <= 1000; i++)
		for (int c = 0; c < 2; c++) {
			enum win_result r = window_check(&v, i, (int)(i % 2) ^ c); /* either copy may come first */
			news += r == WIN_NEW, copies += r == WIN_OTHER_COPY;
		}
	CHECK(news == 1000 && copies == 1000);
}

static void test_paths_file(void)
{
	char name[] = "/tmp/mpwan-relay-paths-XXXXXX";
	int fd = mkstemp(name);
	static const char text[] = "wan 192.0.2.1\n"
				   "lte 2001:db8::1\n"	     /* another family than the server: ignored */
				   "bad 192.0.2.300\n"	     /* not an address */
				   "x\"y 192.0.2.3\n"	     /* a name that would break the JSON */
				   "dup 192.0.2.1\n"	     /* the same source twice */
				   "wan2 ::ffff:192.0.2.2\r\n" /* IPv4-mapped: that IPv4 address */
				   "extra 192.0.2.4 junk\n"
				   "lte4 192.0.2.5 metered\n" /* data costs: kept quiet while not needed */
				   "lte5 192.0.2.6 metered junk\n"
				   "\n# comment\n";
	CHECK(fd >= 0 && write(fd, text, sizeof text - 1) == (ssize_t)(sizeof text - 1));
	close(fd);
	struct path_list l;
	CHECK(paths_load(name, 4, &l) == 3);
	CHECK(!strcmp(l.p[0].name, "wan") && l.p[0].src.family == 4 && l.p[0].src.addr[3] == 1 && !l.p[0].metered);
	CHECK(!strcmp(l.p[1].name, "wan2") && l.p[1].src.family == 4 && l.p[1].src.addr[3] == 2 && !l.p[1].metered);
	CHECK(!strcmp(l.p[2].name, "lte4") && l.p[2].src.addr[3] == 5 && l.p[2].metered);
	CHECK(paths_load(name, 6, &l) == 1 && !strcmp(l.p[0].name, "lte"));
	unlink(name);
	CHECK(paths_load(name, 4, &l) == 0 && paths_load(NULL, 4, &l) == 0);
}

/* The CPU's SHA-256 instructions give what the portable code gives, at every length. */
static void test_sha256_hw(void)
{
	static uint8_t msg[1300];
	uint8_t a[32], b[32];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof msg; i++)
		msg[i] = (uint8_t)((x = x * 1103515245u + 12345u) >> 16);
	int hw = sha256_use_hw(1), same = 0;
	printf("sha256: %s\n", hw ? "the CPU's SHA instructions (checked against the portable code)" : "portable code only");
	for (size_t n = 0; n <= sizeof msg; n += n < 200 ? 1 : 37) {
		struct sha256 s;
		sha256_use_hw(0);
		sha256_init(&s), sha256_update(&s, msg, n), sha256_final(&s, a);
		sha256_use_hw(1);
		sha256_init(&s), sha256_update(&s, msg, n / 3), sha256_update(&s, msg + n / 3, n - n / 3), sha256_final(&s, b);
		same += !memcmp(a, b, 32);
	}
	CHECK(same == 200 + (int)((sizeof msg - 200) / 37) + 1);
}

void test_udp(void)
{
	test_sha256_hw();
	struct hmac_key tcp, udp, other;
	CHECK(keys_from_hex(KEY, 64, &tcp, &udp) == 0);
	uint8_t k[32];
	hex("92029c0d3df86b325ee307f05ec6b8b462a7963b2d8214cc3fcdd248e3e03364", k, 32); /* udp_key */
	uint8_t a[32], b[32];
	hmac_init(&other, k, 32);
	hmac(&other, "x", 1, a), hmac(&udp, "x", 1, b);
	CHECK(!memcmp(a, b, 32));
	hmac_init(&other, "not the key", 11);
	test_vectors(&udp);
	test_refusals(&udp, &other);
	test_window();
	test_paths_file();
}
