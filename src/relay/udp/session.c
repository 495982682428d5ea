/* UDP sessions, by their random 32-bit id, least recently active last. The router also finds
 * them by LAN client (router/role.c); the server by id only, since the router's address changes
 * with the path it uses. What else a session holds is its side's (role->end releases it). */
#include "udp/udp.h"
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

struct session *session_find(struct udp *u, uint32_t id)
{
	uint32_t h = hash_u32(&u->ids, id);
	for (struct hnode *n = htab_chain(&u->ids, h); n; n = n->next) {
		struct session *s = CONTAINER(n, struct session, by_id);
		if (n->hash == h && s->id == id)
			return s;
	}
	return NULL;
}

/* A random id, never 0, never one in use. */
static int fresh_id(struct udp *u, uint32_t *id)
{
	do {
		if (getrandom(id, sizeof *id, 0) != sizeof *id)
			return -1;
	} while (*id == 0 || session_find(u, *id));
	return 0;
}

struct session *session_new(struct udp *u, uint32_t id)
{
	struct session *s = calloc(1, u->role->session_size);
	if (!s || (!id && fresh_id(u, &id) < 0)) {
		free(s);
		return NULL;
	}
	s->id = id;
	s->last_ms = u->now_ms;
	htab_insert(&u->ids, &s->by_id, hash_u32(&u->ids, s->id));
	lru_touch(&u->sessions, &s->lru, 0);
	ctr_add(&u->ctr, U_SESSIONS, 1);
	ctr_add(&u->ctr, U_ACTIVE, 1);
	return s;
}

void session_renew(struct udp *u, struct session *s)
{
	uint32_t id;
	if (fresh_id(u, &id) < 0)
		return;
	htab_remove(&u->ids, &s->by_id);
	s->id = id, s->seq_out = 0;
	memset(&s->win, 0, sizeof s->win);
	htab_insert(&u->ids, &s->by_id, hash_u32(&u->ids, id));
}

void session_touch(struct udp *u, struct session *s)
{
	s->last_ms = u->now_ms;
	lru_touch(&u->sessions, &s->lru, 1);
}

enum win_result session_check(struct udp *u, struct session *s, const struct dg_head *h)
{
	enum win_result r = window_check(&s->win, h->seq, h->flags & DG_COPY);
	if (r == WIN_OTHER_COPY)
		ctr_add(&u->ctr, U_DUPLICATES, 1);
	else if (r == WIN_REPLAY)
		ctr_add(&u->ctr, u->role->replayed, 1);
	return r;
}

void session_free(struct udp *u, struct session *s)
{
	u->role->end(u, s);
	htab_remove(&u->ids, &s->by_id);
	lru_remove(&u->sessions, &s->lru);
	ctr_add(&u->ctr, U_ACTIVE, -1);
	free(s);
}

void session_expire(struct udp *u)
{
	while (u->sessions.oldest) {
		struct session *s = CONTAINER(u->sessions.oldest, struct session, lru);
		if (u->now_ms - s->last_ms < u->expiry_ms)
			return;
		session_free(u, s);
	}
}
