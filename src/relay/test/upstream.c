/* The router's server file (shared/upstream.c): `<address>:<port> <key file>`, comments and
 * blank lines before it, everything else refused with why; a new server moves the generation,
 * the same one again does not. */
#include "shared/upstream.h"
#include "shared/keys.h"
#include "test/check.h"
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void write_file(char *path, const char *text, mode_t mode)
{
	int fd = mkstemp(path);
	CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text) && fchmod(fd, mode) == 0);
	close(fd);
}

static int load(const char *text, struct upstream *u, const char **why)
{
	char path[] = "/tmp/mpwan-server-file-XXXXXX";
	write_file(path, text, 0644);
	int r = upstream_load(path, u, why);
	unlink(path);
	return r;
}

void test_upstream(void)
{
	char key[] = "/tmp/mpwan-upstream-key-XXXXXX", other[] = "/tmp/mpwan-upstream-key-XXXXXX", open_key[] = "/tmp/mpwan-upstream-key-XXXXXX";
	write_file(key, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n", 0600);
	write_file(other, "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n", 0600);
	write_file(open_key, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n", 0644);
	char text[600];
	struct upstream a, b, c;
	const char *why = NULL;
	snprintf(text, sizeof text, "# the server new traffic goes to\n\n10.99.0.1:8400 %s\n", key);
	CHECK(load(text, &a, &why) == 0);
	CHECK(a.addr.ss_family == AF_INET && ntohs(((struct sockaddr_in *)&a.addr)->sin_port) == 8400);
	struct hmac_key tcp, udp;
	CHECK(keys_from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 64, &tcp, &udp) == 0);
	CHECK(!memcmp(&a.tcp, &tcp, sizeof tcp) && !memcmp(&a.udp, &udp, sizeof udp));
	snprintf(text, sizeof text, "[2001:db8::1]:443\t%s", other);
	CHECK(load(text, &b, &why) == 0 && b.addr.ss_family == AF_INET6);
	/* Each: what comes before the key file's path, and after it (NULL: no key file in it). */
	const char *bad[][2] = { { "10.99.0.1:8400\n", NULL }, { "vps.example:8400 ", "\n" }, { "10.99.0.1 ", "\n" },
				 { "10.99.0.1:8400 ", " extra\n" }, { "10.99.0.1:8400 /nonexistent/key\n", NULL }, { "", NULL } };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(text, sizeof text, "%s%s%s", bad[i][0], bad[i][1] ? key : "", bad[i][1] ? bad[i][1] : "");
		c = a;
		why = NULL;
		CHECK(load(text, &c, &why) < 0 && why && !memcmp(&c, &a, sizeof c));
	}
	snprintf(text, sizeof text, "10.99.0.1:8400 %s\n", open_key);
	CHECK(load(text, &c, &why) < 0 && strstr(why, "0600"));
	char *huge = malloc(5000);
	memset(huge, '#', 4999), huge[4999] = 0;
	CHECK(huge && load(huge, &c, &why) < 0 && !strcmp(why, "longer than 4 KB"));
	free(huge);
	unsigned g0 = upstream_generation();
	CHECK(upstream_set(&a) && upstream_generation() == g0 + 1);
	CHECK(!upstream_set(&a) && upstream_generation() == g0 + 1);
	CHECK(upstream_set(&b) && upstream_get(&c) == g0 + 2 && !memcmp(&c, &b, sizeof c));
	unlink(key), unlink(other), unlink(open_key);
}
