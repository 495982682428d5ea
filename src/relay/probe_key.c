/* mpwan-relay probe's signed handshake (probe.c): with the server's key, a handshake for
 * 127.0.0.1 port 9, which a server refuses with status 4 after a good MAC and never connects
 * to, so that its answer tells a right key from a wrong one. */
#include "probe.h"
#include "shared/keys.h"
#include "shared/sha256.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The server's key from its file (mode 0600 or stricter, 64 hex digits), as the relay reads
 * its own: the TCP key of the handshake. */
static const char *load_tcp_key(const char *path, struct hmac_key *tcp)
{
	char text[128];
	struct stat st;
	struct hmac_key udp;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return strerror(errno);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077)) {
		close(fd);
		return "not a regular file of mode 0600";
	}
	ssize_t n = read(fd, text, sizeof text);
	close(fd);
	int r = n < 0 ? -1 : keys_from_hex(text, (size_t)n, tcp, &udp);
	wipe(text, sizeof text);
	wipe(&udp, sizeof udp);
	return r < 0 ? "not 64 lower-case hex digits" : NULL;
}

static size_t signed_probe(uint8_t out[HS_MAX], const struct hmac_key *tcp)
{
	struct dest d = { .family = 4, .port = 9, .addr = { 127, 0, 0, 1 } };
	uint8_t nonce[NONCE_LEN];
	if (getrandom(nonce, sizeof nonce, 0) != sizeof nonce)
		return 0;
	return hs_build(out, tcp, &d, (uint64_t)time(NULL), nonce);
}

/* The handshake to send after connecting, signed with the key in `key_path`; NULL, or why not. */
const char *probe_handshake(const char *key_path, uint8_t out[HS_MAX], size_t *len)
{
	struct hmac_key tcp;
	const char *why = load_tcp_key(key_path, &tcp);
	if (!why && !(*len = signed_probe(out, &tcp)))
		why = "no random bytes";
	wipe(&tcp, sizeof tcp);
	return why;
}
