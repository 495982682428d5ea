/* The key file's 32 bytes, and the TCP and UDP keys derived from them (PROTOCOL.md, "The key"). */
#include "shared/keys.h"
#include <stdint.h>

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
