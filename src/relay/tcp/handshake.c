/* The TCP handshake: MPW1, type, family, port, address, time, nonce, HMAC (PROTOCOL.md). */
#include "tcp/handshake.h"
#include <string.h>

static size_t addr_len(uint8_t family)
{
	return family == 4 ? 4 : family == 6 ? 16 : 0;
}

size_t hs_build(uint8_t out[HS_MAX], uint8_t type, const struct hmac_key *k, const struct dest *d, uint64_t now,
		const uint8_t nonce[NONCE_LEN])
{
	size_t al = addr_len(d->family), p = 8 + al;
	memcpy(out, "MPW1", 4);
	out[4] = type;
	out[5] = d->family;
	out[6] = (uint8_t)(d->port >> 8);
	out[7] = (uint8_t)d->port;
	memcpy(out + 8, d->addr, al);
	for (int i = 0; i < 8; i++)
		out[p + i] = (uint8_t)(now >> (56 - 8 * i));
	memcpy(out + p + 8, nonce, NONCE_LEN);
	hmac(k, out, p + 24, out + p + 24);
	return p + 56;
}

size_t hs_need(const uint8_t *buf, size_t have)
{
	static const uint8_t magic[4] = { 'M', 'P', 'W', '1' };
	for (size_t i = 0; i < have && i < sizeof magic; i++)
		if (buf[i] != magic[i])
			return 0;
	if (have > 4 && buf[4] != HS_TYPE_CONNECT && buf[4] != HS_TYPE_RECORDS)
		return 0;
	if (have < 6)
		return HS_LEN4;
	return buf[5] == 4 ? HS_LEN4 : buf[5] == 6 ? HS_LEN6 : 0;
}

enum hs_result hs_verify(const uint8_t *buf, size_t len, const struct hmac_key *k, int64_t now,
			 int64_t max_skew, struct dest *d, uint64_t *time, size_t *nonce_off)
{
	uint8_t mac[32];
	if (len < 6 || hs_need(buf, len) != len)
		return HS_MALFORMED;
	size_t al = addr_len(buf[5]), p = 8 + al;
	hmac(k, buf, p + 24, mac);
	if (!ct_equal(mac, buf + p + 24, 32))
		return HS_BAD_MAC;
	uint64_t t = 0;
	for (int i = 0; i < 8; i++)
		t = t << 8 | buf[p + i];
	/* Compare in unsigned space first: a time past INT64_MAX is simply stale. */
	if (t > (uint64_t)INT64_MAX || (int64_t)t > now + max_skew || (int64_t)t < now - max_skew)
		return HS_STALE;
	d->family = buf[5];
	d->port = (uint16_t)(buf[6] << 8 | buf[7]);
	memset(d->addr, 0, sizeof d->addr);
	memcpy(d->addr, buf + 8, al);
	*time = t;
	*nonce_off = p + 8;
	return HS_OK;
}
