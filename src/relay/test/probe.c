/* The probe's signed handshake (probe_key.c): made with the key file's key, for 127.0.0.1
 * port 9, a server with the same key verifies it; a key file others may read is refused. */
#include "probe.h"
#include "shared/keys.h"
#include "shared/sha256.h"
#include "test/check.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void key_file(char *path, const char *text, mode_t mode)
{
	int fd = mkstemp(path);
	CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text) && fchmod(fd, mode) == 0);
	close(fd);
}

void test_probe(void)
{
	static const char KEY[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
	struct hmac_key tcp, udp;
	CHECK(keys_from_hex(KEY, sizeof KEY - 1, &tcp, &udp) == 0);
	char path[] = "/tmp/mpwan-probe-key-XXXXXX";
	key_file(path, KEY, 0600);
	uint8_t hs[HS_MAX];
	size_t len = 0;
	CHECK(probe_handshake(path, hs, &len) == NULL && len == HS_LEN4);
	struct dest d;
	uint64_t t;
	size_t noff;
	CHECK(hs_verify(hs, len, &tcp, (int64_t)time(NULL), 60, &d, &t, &noff) == HS_OK);
	CHECK(d.family == 4 && d.port == 9 && !memcmp(d.addr, "\x7f\x00\x00\x01", 4));
	CHECK(hs_verify(hs, len, &udp, (int64_t)time(NULL), 60, &d, &t, &noff) == HS_BAD_MAC);
	uint8_t again[HS_MAX];
	CHECK(probe_handshake(path, again, &len) == NULL && memcmp(hs + 16, again + 16, NONCE_LEN) != 0);
	CHECK(chmod(path, 0644) == 0 && probe_handshake(path, hs, &len) != NULL);
	unlink(path);
	char bad[] = "/tmp/mpwan-probe-key-XXXXXX";
	key_file(bad, "not a key\n", 0600);
	CHECK(probe_handshake(bad, hs, &len) != NULL);
	unlink(bad);
	CHECK(probe_handshake("/nonexistent/key", hs, &len) != NULL);
}
