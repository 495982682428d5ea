/* Router: the ways to the server for UDP. One socket per path, bound to the path's source
 * address, so the daemon's `from <address> lookup <uplink table>` rule sends it out through
 * that uplink. While LAN UDP was active in the last 10 s, every path gets a keepalive every
 * 200 ms; a path whose last answer is 600 ms old is skipped (datagrams move to the next one
 * at once) until it answers again: a silent uplink failure costs well under a second. */
#include "udp.h"
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <unistd.h>

#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78
#endif

#define KA_EVERY_MS 200
#define DEAD_AFTER_MS 600
#define ACTIVE_MS 10000

static int path_socket(const struct udp *u, const struct dest *src)
{
	int family = u->server.ss_family;
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || !src->family)
		return fd;
	int one = 1;
	struct sockaddr_storage a;
	socklen_t len;
	dest_to_sockaddr(src, &a, &len); /* port 0: an ephemeral one */
	/* FREEBIND: the address may be gone for a moment (a PPP reconnect); sends fail until the
	 * daemon, seeing the uplink unhealthy, rewrites the file. */
	setsockopt(fd, family == AF_INET ? SOL_IP : SOL_IPV6, family == AF_INET ? IP_FREEBIND : IPV6_FREEBIND, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&a, len) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int alive(const struct udp *u, const struct path *p)
{
	return u->probing ? u->now_ms < p->alive_until_ms : p->frozen_alive;
}

/* Paths that stay (same source address) keep their socket, port and state: the server's
 * sessions keep their router address, and nothing restarts. */
void paths_apply(struct udp *u, const struct path_list *l)
{
	static struct path next[MAX_PATHS];
	static const struct dest none;
	int n = 0, count = l->n ? l->n : 1;
	char said[512] = "";
	for (int i = 0; i < count; i++) {
		const struct dest *src = l->n ? &l->p[i].src : &none;
		struct path *p = &next[n];
		int old = -1;
		for (int j = 0; j < u->npaths && old < 0; j++)
			if (u->paths[j].fd >= 0 && dest_equal(&u->paths[j].src, src))
				old = j;
		if (old >= 0) {
			memcpy(p, &u->paths[old], sizeof *p);
			u->paths[old].fd = -1; /* moved, not to be closed */
		} else {
			memset(p, 0, sizeof *p);
			p->src = *src;
			p->fd = path_socket(u, src);
			p->frozen_alive = 1, p->alive_until_ms = u->now_ms + DEAD_AFTER_MS; /* until proven dead */
			atomic_store(&p->alive, 1);
			atomic_store(&p->rtt_us, -1);
			if (src->family)
				inet_ntop(src->family == 4 ? AF_INET : AF_INET6, src->addr, p->source, sizeof p->source);
			if (p->fd < 0) {
				logmsg("udp path %s: cannot use %s: %s", l->p[i].name, p->source, strerror(errno));
				continue;
			}
		}
		memcpy(p->name, l->n ? l->p[i].name : "", sizeof p->name);
		size_t k = strlen(said);
		snprintf(said + k, sizeof said - k, "%s%s %s", n ? ", " : "", p->name, p->source);
		n++;
	}
	pthread_mutex_lock(&u->lock); /* the stats writer copies the array under it */
	for (int j = 0; j < u->npaths; j++)
		if (u->paths[j].fd >= 0)
			close(u->paths[j].fd);
	memcpy(u->paths, next, (size_t)n * sizeof next[0]);
	u->npaths = n, u->implicit = l->n == 0;
	pthread_mutex_unlock(&u->lock);
	for (int i = 0; i < n; i++) {
		struct epoll_event e = { .events = EPOLLIN, .data.u64 = UT_PATH + (uint64_t)i };
		if (epoll_ctl(u->ep, EPOLL_CTL_MOD, u->paths[i].fd, &e) < 0)
			epoll_ctl(u->ep, EPOLL_CTL_ADD, u->paths[i].fd, &e);
	}
	logmsg("udp paths: %s", l->n ? said : "none listed, the routing table chooses");
}

int paths_init(struct udp *u)
{
	const struct config *cfg = u->cfg;
	static struct path_list l;
	memcpy(&u->server, &cfg->upstream, sizeof u->server);
	u->server_len = cfg->upstream_len;
	if (getrandom(&u->router_id, sizeof u->router_id, 0) != sizeof u->router_id)
		return -1;
	paths_load(cfg->paths_file, u->server.ss_family == AF_INET ? 4 : 6, &l);
	paths_apply(u, &l);
	return 0;
}

void paths_cleanup(struct udp *u)
{
	for (int i = 0; i < u->npaths; i++)
		close(u->paths[i].fd);
	u->npaths = 0;
}

void paths_send(struct udp *u, struct path *p, const uint8_t *dg, size_t n)
{
	if (sendto(p->fd, dg, n, MSG_DONTWAIT, (const struct sockaddr *)&u->server, u->server_len) >= 0)
		atomic_fetch_add_explicit(&p->bytes_up, n, memory_order_relaxed);
}

int paths_pick(struct udp *u, struct path **out, int want)
{
	int n = 0;
	for (int i = 0; i < u->npaths && n < want; i++)
		if (alive(u, &u->paths[i]))
			out[n++] = &u->paths[i];
	if (n == 0 && u->npaths > 0) { /* none answers: the one heard from last is the best guess */
		out[0] = &u->paths[0];
		for (int i = 1; i < u->npaths; i++)
			if (u->paths[i].last_answer_ms > out[0]->last_answer_ms)
				out[0] = &u->paths[i];
		n = 1;
	}
	return n;
}

void paths_activity(struct udp *u)
{
	u->active_ms = u->now_ms;
	if (u->probing)
		return;
	/* Probing again after a quiet spell: paths last known alive get the benefit of the doubt
	 * until their first keepalives could have been answered. */
	u->probing = 1;
	for (int i = 0; i < u->npaths; i++)
		if (u->paths[i].frozen_alive && u->paths[i].alive_until_ms < u->now_ms + DEAD_AFTER_MS)
			u->paths[i].alive_until_ms = u->now_ms + DEAD_AFTER_MS;
	u->next_ka_ms = u->now_ms;
}

static void keepalive(struct udp *u, struct path *p)
{
	uint8_t b[DG_ROOM + DG_TAG];
	if (++u->ka_seq == 0)
		u->ka_seq = 1;
	struct dg_head h = { .type = DG_KEEPALIVE, .session = u->router_id, .seq = u->ka_seq, .time = u->now_s };
	size_t total;
	uint8_t *dg = dg_seal(b + DG_ROOM, 0, &h, &u->cfg->udp_key, &total);
	p->ka[p->ka_next].seq = h.seq, p->ka[p->ka_next].sent_us = mono_us();
	p->ka_next = (p->ka_next + 1) % KA_RING;
	paths_send(u, p, dg, total);
}

int64_t paths_tick(struct udp *u)
{
	if (u->probing && u->now_ms - u->active_ms >= ACTIVE_MS) {
		u->probing = 0;
		for (int i = 0; i < u->npaths; i++)
			u->paths[i].frozen_alive = u->now_ms < u->paths[i].alive_until_ms;
	}
	for (int i = 0; i < u->npaths; i++)
		atomic_store(&u->paths[i].alive, alive(u, &u->paths[i]));
	if (!u->probing)
		return INT64_MAX;
	if (u->now_ms >= u->next_ka_ms) {
		for (int i = 0; i < u->npaths; i++)
			keepalive(u, &u->paths[i]);
		u->next_ka_ms += KA_EVERY_MS;
		if (u->next_ka_ms <= u->now_ms)
			u->next_ka_ms = u->now_ms + KA_EVERY_MS;
	}
	return u->next_ka_ms;
}

/* An answer to one of this path's recent keepalives, each counted once (a replay is not). */
static void answered(struct udp *u, struct path *p, const struct dg_head *h)
{
	for (int i = 0; h->session == u->router_id && i < KA_RING; i++) {
		if (p->ka[i].seq != h->seq || !h->seq)
			continue;
		int64_t rtt = mono_us() - p->ka[i].sent_us;
		p->ka[i].seq = 0;
		p->srtt_us = p->srtt_us ? (7 * p->srtt_us + rtt) / 8 : rtt;
		atomic_store(&p->rtt_us, p->srtt_us);
		p->last_answer_ms = u->now_ms;
		p->alive_until_ms = u->now_ms + DEAD_AFTER_MS;
		p->frozen_alive = 1;
		return;
	}
}

static int from_server(const struct udp *u, const struct sockaddr_storage *a)
{
	struct dest x, y;
	return sockaddr_to_dest(a, &x) == 0 && sockaddr_to_dest(&u->server, &y) == 0 && dest_equal(&x, &y);
}

void paths_read(struct udp *u, int index)
{
	if (index >= u->npaths)
		return;
	struct path *p = &u->paths[index];
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof from;
		ssize_t n = recvfrom(p->fd, u->buf, DG_ROOM + 65536, MSG_DONTWAIT | MSG_TRUNC, (struct sockaddr *)&from, &fl);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;
		struct dg_head h;
		const uint8_t *payload;
		size_t len;
		atomic_fetch_add_explicit(&p->bytes_down, (uint64_t)n, memory_order_relaxed);
		if (n > DG_ROOM + 65536 || !from_server(u, &from) ||
		    dg_open(u->buf, (size_t)n, DG_ACCEPT(DG_TO_ROUTER) | DG_ACCEPT(DG_ANSWER), &u->cfg->udp_key, u->now_s,
			    u->cfg->max_skew, &h, &payload, &len) < 0) {
			ctr_add(&u->ctr, U_BAD, 1);
			continue;
		}
		if (h.type == DG_ANSWER)
			answered(u, p, &h);
		else
			lan_deliver(u, &h, payload, len);
	}
}
