/* mpwan-relay probe's signed handshake (probe.c): with the server's key, a handshake for
 * 127.0.0.1 port 9, which a server refuses with status 4 after a good MAC and never connects
 * to, so that its answer tells a right key from a wrong one. */
#include "probe.h"
#include "shared/keys.h"
#include "shared/sha256.h"
#include <sys/random.h>
#include <time.h>

static size_t signed_probe(uint8_t out[HS_MAX], const struct hmac_key *tcp)
{
	struct dest d = { .family = 4, .port = 9, .addr = { 127, 0, 0, 1 } };
	uint8_t nonce[NONCE_LEN];
	if (getrandom(nonce, sizeof nonce, 0) != sizeof nonce)
		return 0;
	return hs_build(out, HS_TYPE_CONNECT, tcp, &d, (uint64_t)time(NULL), nonce);
}

/* The handshake to send after connecting, signed with the key in `key_path`; NULL, or why not. */
const char *probe_handshake(const char *key_path, uint8_t out[HS_MAX], size_t *len)
{
	struct hmac_key tcp, udp;
	const char *why = keys_from_file(key_path, &tcp, &udp);
	if (!why && !(*len = signed_probe(out, &tcp)))
		why = "no random bytes";
	wipe(&tcp, sizeof tcp);
	wipe(&udp, sizeof udp);
	return why;
}
