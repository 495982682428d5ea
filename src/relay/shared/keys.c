/* The key file's 32 bytes, and the TCP and UDP keys derived from them (PROTOCOL.md, "The key"). */
#include "shared/keys.h"
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1; /* the key file is lower-case hex, nothing else */
}

int keys_from_hex(const char *text, size_t n, struct hmac_key *tcp, struct hmac_key *udp)
{
	uint8_t key[32], derived[32];
	if (n == 65 && text[64] == '\n')
		n = 64;
	if (n != 64)
		return -1;
	for (int i = 0; i < 32; i++) {
		int hi = hexval(text[2 * i]), lo = hexval(text[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			wipe(key, sizeof key);
			return -1;
		}
		key[i] = (uint8_t)(hi << 4 | lo);
	}
	struct hmac_key master;
	hmac_init(&master, key, sizeof key);
	hmac(&master, "mpwan tcp v1", 12, derived);
	hmac_init(tcp, derived, 32);
	hmac(&master, "mpwan udp v1", 12, derived);
	hmac_init(udp, derived, 32);
	wipe(key, sizeof key);
	wipe(derived, sizeof derived);
	wipe(&master, sizeof master);
	return 0;
}

const char *keys_from_file(const char *path, struct hmac_key *tcp, struct hmac_key *udp)
{
	char text[128];
	struct stat st;
	struct hmac_key t, u;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return strerror(errno);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077)) {
		close(fd);
		return "must be a regular file of mode 0600 or stricter";
	}
	ssize_t n = read(fd, text, sizeof text);
	close(fd);
	int r = n < 0 ? -1 : keys_from_hex(text, (size_t)n, &t, &u);
	wipe(text, sizeof text);
	if (r == 0)
		*tcp = t, *udp = u;
	wipe(&t, sizeof t);
	wipe(&u, sizeof u);
	return r < 0 ? "expected 64 lower-case hex digits" : NULL;
}
