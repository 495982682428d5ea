/* The router side of UDP, as a role of the UDP thread: a session per LAN client address and
 * port; LAN datagrams go up sealed on the first healthy path (two with --duplicate), and what
 * the server sends back goes down to the session's LAN client from the remote's address. */
#include "udp/router/router.h"
#include "shared/util.h"
#include <stdlib.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

static int wants_copies(const struct config *cfg, const struct dest *orig, int dscp)
{
	if (cfg->dup_dscp >> dscp & 1)
		return 1;
	for (int i = 0; i < cfg->ndup_ports; i++)
		if (cfg->dup_ports[i] == orig->port)
			return 1;
	return 0;
}

static struct lan_session *client_session(struct udp_router *r, const struct dest *c)
{
	struct udp *u = &r->u;
	uint32_t h = hash_dest(&r->clients, c);
	for (struct hnode *n = htab_chain(&r->clients, h); n; n = n->next) {
		struct lan_session *s = CONTAINER(n, struct lan_session, by_client);
		if (n->hash == h && dest_equal(&s->client, c))
			return s;
	}
	/* Full: the least recently active LAN flow gives way. The router never creates a session
	 * from what the server sends, so this opens nothing to replays. */
	if ((int)u->sessions.n >= u->cfg->max_sessions && u->sessions.oldest)
		session_free(u, CONTAINER(u->sessions.oldest, struct session, lru));
	struct lan_session *s = (struct lan_session *)session_new(u, 0);
	if (s) {
		s->client = *c;
		htab_insert(&r->clients, &s->by_client, h);
	}
	return s;
}

/* One LAN datagram to the server: on the first path, and on the second too for --duplicate. */
static void up(struct udp_router *r, struct lan_dgram *d)
{
	struct udp *u = &r->u;
	struct lan_session *ls = client_session(r, &d->client);
	if (!ls)
		return;
	struct session *s = &ls->s;
	session_touch(u, s);
	if (s->seq_out == UINT32_MAX)
		session_renew(u, s);
	struct dg_head h = { .type = DG_TO_SERVER, .session = s->id, .seq = ++s->seq_out, .time = u->now_s, .addr = d->orig };
	size_t total;
	uint8_t *dg = dg_seal(d->payload, d->len, &h, &u->cfg->udp_key, &total);
	struct path *p[2];
	paths_activity(r);
	int n = paths_pick(r, p, wants_copies(u->cfg, &d->orig, d->dscp) ? 2 : 1);
	if (n == 0)
		return;
	paths_send(r, p[0], dg, total);
	if (n == 2) {
		dg_reflag(dg, total, DG_COPY, &u->cfg->udp_key);
		paths_send(r, p[1], dg, total);
	}
	ctr_add(&u->ctr, U_UP, 1);
}

/* A datagram from the server to its session's LAN client. */
static void down(struct udp_router *r, const struct dg_head *h, const uint8_t *payload, size_t len)
{
	struct udp *u = &r->u;
	struct lan_session *s = (struct lan_session *)session_find(u, h->session);
	if (!s)
		return; /* expired, or from before a restart: no LAN client to give it to */
	if (h->addr.family != s->client.family) {
		ctr_add(&u->ctr, U_BAD, 1);
		return;
	}
	if (session_check(u, &s->s, h) != WIN_NEW)
		return;
	int fd = reply_socket(r, &h->addr);
	struct sockaddr_storage to;
	socklen_t len_to;
	dest_to_sockaddr(&s->client, &to, &len_to);
	if (fd >= 0 && sendto(fd, payload, len, MSG_DONTWAIT, (struct sockaddr *)&to, len_to) >= 0)
		ctr_add(&u->ctr, U_DOWN, 1);
	session_touch(u, &s->s);
	paths_activity(r); /* keepalives go on while anything moves */
}

/* Up to 64 datagrams per socket per wakeup (epoll is level-triggered: it says so again). */
static void event(struct udp *u, uint64_t tag)
{
	struct udp_router *r = ROUTER(u);
	for (int i = 0; i < 64; i++) {
		if (tag >= UT_PATH) {
			struct dg_head h;
			const uint8_t *payload;
			size_t len;
			int got = paths_recv(r, (int)(tag - UT_PATH), &h, &payload, &len);
			if (got < 0)
				return;
			if (got)
				down(r, &h, payload, len);
		} else {
			struct lan_dgram d;
			int got = lan_recv(r, (int)(tag - UT_LAN), &d);
			if (got < 0)
				return;
			if (got)
				up(r, &d);
		}
	}
}

/* The paths file main read on SIGHUP, applied in the UDP thread. */
static void apply_reload(struct udp_router *r)
{
	if (!atomic_exchange(&r->reload, 0))
		return;
	pthread_mutex_lock(&r->lock);
	struct path_list *l = r->pending;
	r->pending = NULL;
	pthread_mutex_unlock(&r->lock);
	if (l)
		paths_apply(r, l);
	free(l);
}

static int64_t tick(struct udp *u, int second)
{
	struct udp_router *r = ROUTER(u);
	apply_reload(r);
	if (second)
		reply_expire(r);
	return paths_tick(r);
}

static void end(struct udp *u, struct session *s)
{
	htab_remove(&ROUTER(u)->clients, &((struct lan_session *)s)->by_client);
}

static int init(struct udp *u)
{
	struct udp_router *r = ROUTER(u);
	r->lan[0] = r->lan[1] = -1;
	pthread_mutex_init(&r->lock, NULL);
	if (htab_init(&r->clients, (uint32_t)u->cfg->max_sessions) < 0 || lan_init(r) < 0 || reply_init(r) < 0 ||
	    paths_init(r) < 0)
		return -1;
	return 0;
}

static void cleanup(struct udp *u)
{
	struct udp_router *r = ROUTER(u);
	lan_cleanup(r);
	reply_cleanup(r);
	paths_cleanup(r);
	htab_free(&r->clients);
	free(r->pending);
}

/* In the main thread: read the file, hand the result over; the thread applies it (tick). */
static void reload(struct udp *u)
{
	struct udp_router *r = ROUTER(u);
	struct path_list *l = calloc(1, sizeof *l);
	if (!l)
		return;
	paths_load(u->cfg->paths_file, r->server.ss_family == AF_INET ? 4 : 6, l);
	pthread_mutex_lock(&r->lock);
	free(r->pending);
	r->pending = l;
	pthread_mutex_unlock(&r->lock);
	atomic_store(&r->reload, 1);
}

static int path_stats(struct udp *u, struct path_stat *out, int max)
{
	struct udp_router *r = ROUTER(u);
	int n = 0;
	pthread_mutex_lock(&r->lock);
	for (int i = 0; !r->implicit && i < r->npaths && n < max; i++, n++) {
		struct path *p = &r->paths[i];
		memcpy(out[n].name, p->name, sizeof out[n].name);
		memcpy(out[n].source, p->source, sizeof out[n].source);
		out[n].alive = atomic_load(&p->alive);
		out[n].rtt_us = atomic_load(&p->rtt_us);
		out[n].bytes_up = atomic_load(&p->bytes_up);
		out[n].bytes_down = atomic_load(&p->bytes_down);
	}
	pthread_mutex_unlock(&r->lock);
	return n;
}

const struct udp_role udp_router_role = {
	.size = sizeof(struct udp_router),
	.session_size = sizeof(struct lan_session),
	.replayed = U_BAD, /* the router has no counter of its own for replays: they are bad there */
	.init = init,
	.event = event,
	.tick = tick,
	.end = end,
	.cleanup = cleanup,
	.reload = reload,
	.path_stats = path_stats,
};
