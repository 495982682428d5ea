/* Router: a path's keepalives, and their answers: the path's round trip and how long it
 * counts as alive (paths.c decides which paths get them). */
#include "udp/router/router.h"
#include "shared/util.h"

/* Silence that means a dead path: two lost answers in a row are not enough (a lossy LTE path
 * loses about one in a hundred), three are; a quarter of the round trip allows for the jitter
 * that comes with a longer path. The measurements are in README.md. */
static int64_t dead_after_ms(const struct path *p)
{
	int64_t ms = 3 * KA_EVERY_MS + p->srtt_us / 4000;
	return ms < DEAD_AFTER_MS ? ms : DEAD_AFTER_MS;
}

void ka_send(struct udp_router *r, struct path *p)
{
	uint8_t b[DG_ROOM + DG_TAG];
	if (++r->ka_seq == 0)
		r->ka_seq = 1;
	struct dg_head h = { .type = DG_KEEPALIVE, .session = r->router_id, .seq = r->ka_seq, .time = r->u.now_s };
	size_t total;
	uint8_t *dg = dg_seal(b + DG_ROOM, 0, &h, &r->key, &total);
	p->ka[p->ka_next].seq = h.seq, p->ka[p->ka_next].sent_us = mono_us();
	p->ka_next = (p->ka_next + 1) % KA_RING;
	paths_send(r, p, dg, total);
}

/* An answer to one of this path's recent keepalives, each counted once (a replay is not). */
void ka_answered(struct udp_router *r, struct path *p, const struct dg_head *h)
{
	for (int i = 0; h->session == r->router_id && i < KA_RING; i++) {
		if (p->ka[i].seq != h->seq || !h->seq)
			continue;
		int64_t rtt = mono_us() - p->ka[i].sent_us;
		p->ka[i].seq = 0;
		p->srtt_us = p->srtt_us ? (7 * p->srtt_us + rtt) / 8 : rtt;
		atomic_store(&p->rtt_us, p->srtt_us);
		p->last_answer_ms = r->u.now_ms;
		p->alive_until_ms = r->u.now_ms + dead_after_ms(p);
		p->frozen_alive = 1;
		return;
	}
}
