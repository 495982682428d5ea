/* UDP datagrams: type, flags, session, sequence, time, family, port, address, payload, tag
 * (PROTOCOL.md, "UDP"). Every length comes from the received size, checked before use. */
#include "udp/dgram.h"
#include <string.h>

static size_t addr_len(uint8_t family)
{
	return family == 4 ? 4 : family == 6 ? 16 : 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void sign(uint8_t *dg, size_t total, const struct hmac_key *k)
{
	uint8_t mac[32];
	hmac(k, dg, total - DG_TAG, mac);
	memcpy(dg + total - DG_TAG, mac, DG_TAG);
}

uint8_t *dg_seal(uint8_t *payload, size_t len, const struct dg_head *h, const struct hmac_key *k, size_t *total)
{
	size_t al = addr_len(h->addr.family);
	uint8_t *p = payload - DG_HEAD - al;
	p[0] = h->type, p[1] = h->flags;
	put32(p + 2, h->session);
	put32(p + 6, h->seq);
	put32(p + 10, h->time);
	p[14] = h->addr.family;
	p[15] = (uint8_t)(h->addr.port >> 8), p[16] = (uint8_t)h->addr.port;
	memcpy(p + DG_HEAD, h->addr.addr, al);
	*total = DG_HEAD + al + len + DG_TAG;
	sign(p, *total, k);
	return p;
}

void dg_reflag(uint8_t *dg, size_t total, uint8_t flags, const struct hmac_key *k)
{
	dg[1] = flags;
	sign(dg, total, k);
}

int dg_open(const uint8_t *b, size_t n, unsigned types, const struct hmac_key *k, uint32_t now, int max_skew,
	    struct dg_head *h, const uint8_t **payload, size_t *len)
{
	if (n < DG_HEAD + DG_TAG || b[0] < DG_TO_SERVER || b[0] > DG_ANSWER || !(types & DG_ACCEPT(b[0])))
		return -1;
	int keepalive = b[0] == DG_KEEPALIVE || b[0] == DG_ANSWER;
	/* Data carries an address; keepalives carry nothing at all. */
	if (keepalive ? (b[14] != 0 || n != DG_KEEPALIVE_LEN) : (b[14] != 4 && b[14] != 6))
		return -1;
	size_t al = addr_len(b[14]);
	if (n < DG_HEAD + al + DG_TAG)
		return -1;
	uint8_t mac[32];
	hmac(k, b, n - DG_TAG, mac);
	if (!ct_equal(mac, b + n - DG_TAG, DG_TAG))
		return -1;
	uint32_t t = get32(b + 10);
	int32_t skew = (int32_t)(t - now); /* low 32 bits of Unix time: the difference wraps correctly */
	if (skew > max_skew || skew < -max_skew)
		return -1;
	h->type = b[0], h->flags = b[1];
	h->session = get32(b + 2), h->seq = get32(b + 6), h->time = t;
	memset(&h->addr, 0, sizeof h->addr);
	h->addr.family = b[14];
	h->addr.port = (uint16_t)(b[15] << 8 | b[16]);
	memcpy(h->addr.addr, b + DG_HEAD, al);
	*payload = b + DG_HEAD + al;
	*len = n - DG_HEAD - al - DG_TAG;
	return 0;
}

enum win_result window_check(struct window *w, uint32_t seq, int copy)
{
	copy = !!copy;
	if (seq == 0)
		return WIN_REPLAY;
	if (seq > w->top) {
		uint32_t shift = seq - w->top;
		for (int i = 0; i < 2; i++)
			w->seen[i] = shift >= 64 ? 0 : w->seen[i] << shift;
		w->seen[copy] |= 1;
		w->top = seq;
		return WIN_NEW;
	}
	uint32_t back = w->top - seq;
	uint64_t bit = (uint64_t)1 << (back & 63);
	if (back >= 64 || (w->seen[copy] & bit))
		return WIN_REPLAY;
	w->seen[copy] |= bit;
	return (w->seen[!copy] & bit) ? WIN_OTHER_COPY : WIN_NEW;
}
