/* Records: how the router's bytes travel to the server on a connection of handshake type 2
 * (PROTOCOL.md, "Records"): a 4-byte length, then that many bytes; length 0 says that the LAN
 * client closed its sending side. The router then sends no DATA_FIN until the server has sent
 * its own: the side that sends the first DATA_FIN ends with the subflows in TIME_WAIT, and
 * that must be the server, not the router, whose ports it would hold for a minute. */
#include "tcp/tcp.h"

void rec_head(uint8_t *p, uint32_t len)
{
	p[0] = (uint8_t)(len >> 24), p[1] = (uint8_t)(len >> 16), p[2] = (uint8_t)(len >> 8), p[3] = (uint8_t)len;
}

size_t rec_want(const struct half *h, size_t chunk)
{
	if (!h->rec_left)
		return REC_HEAD - h->rec_have;
	return h->rec_left + REC_HEAD < chunk ? h->rec_left + REC_HEAD : chunk;
}

ssize_t rec_take(struct half *h, const uint8_t *buf, size_t n)
{
	size_t payload = n < h->rec_left ? n : h->rec_left;
	h->rec_left -= (uint32_t)payload;
	for (size_t i = payload; i < n && h->rec_have < REC_HEAD; i++)
		h->rec_hd[h->rec_have++] = buf[i];
	if (h->rec_have == REC_HEAD) {
		uint32_t len = (uint32_t)h->rec_hd[0] << 24 | (uint32_t)h->rec_hd[1] << 16 | (uint32_t)h->rec_hd[2] << 8 | h->rec_hd[3];
		h->rec_have = 0;
		if (len > REC_MAX)
			return -1;
		if (len == 0)
			h->eof = 1; /* the end record */
		h->rec_left = len;
	}
	return (ssize_t)payload;
}
