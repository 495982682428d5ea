/* Router: the ways to the server for UDP. One socket per path, bound to the path's source
 * address, so the daemon's `from <address> lookup <uplink table>` rule sends it out through
 * that uplink. While LAN UDP was active in the last 10 s, every path gets a keepalive every
 * 100 ms; a path that has not answered for three of them and a quarter of its round trip
 * (at most 600 ms) is skipped (datagrams move to the next one at once) until it answers
 * again: a silent uplink failure costs about a third of a second. A metered path behind
 * enough answering ones (one, two when the relay duplicates) gets no keepalives: it would
 * carry nothing but them (10 a second both ways, about 3.8 MB an hour), and the daemon's own
 * probes vouch for it; it is trusted until it is needed, then probed like any other. */
#include "udp/router/router.h"
#include "shared/util.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <unistd.h>

#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78
#endif

#define ACTIVE_MS 10000

static int path_socket(const struct udp_router *r, const struct dest *src)
{
	int family = r->server.ss_family;
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		burst_room(fd); /* every session's replies come in here */
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

static int alive(const struct udp_router *r, const struct path *p)
{
	return r->probing ? r->u.now_ms < p->alive_until_ms : p->frozen_alive;
}

/* Paths that stay (same source address) keep their socket, port and state: the server's
 * sessions keep their router address, and nothing restarts. */
void paths_apply(struct udp_router *r, const struct path_list *l)
{
	static struct path next[MAX_PATHS];
	static const struct dest none;
	int n = 0, count = l->n ? l->n : 1;
	char said[512] = "";
	for (int i = 0; i < count; i++) {
		const struct dest *src = l->n ? &l->p[i].src : &none;
		struct path *p = &next[n];
		int old = -1;
		for (int j = 0; j < r->npaths && old < 0; j++)
			if (r->paths[j].fd >= 0 && dest_equal(&r->paths[j].src, src))
				old = j;
		if (old >= 0) {
			memcpy(p, &r->paths[old], sizeof *p);
			r->paths[old].fd = -1; /* moved, not to be closed */
		} else {
			memset(p, 0, sizeof *p);
			p->src = *src;
			p->fd = path_socket(r, src);
			p->frozen_alive = 1, p->alive_until_ms = r->u.now_ms + DEAD_AFTER_MS; /* until proven dead */
			atomic_store(&p->alive, 1);
			atomic_store(&p->rtt_us, -1);
			if (src->family)
				inet_ntop(src->family == 4 ? AF_INET : AF_INET6, src->addr, p->source, sizeof p->source);
			if (p->fd < 0) {
				logmsg("udp path %s: cannot use %s: %s", l->p[i].name, p->source, strerror(errno));
				continue;
			}
		}
		snprintf(p->name, sizeof p->name, "%s", l->n ? l->p[i].name : "");
		p->metered = l->n ? l->p[i].metered : 0;
		size_t k = strlen(said);
		snprintf(said + k, sizeof said - k, "%s%s %s%s", n ? ", " : "", p->name, p->source, p->metered ? " (metered)" : "");
		n++;
	}
	pthread_mutex_lock(&r->lock); /* the stats writer copies the array under it */
	for (int j = 0; j < r->npaths; j++)
		if (r->paths[j].fd >= 0)
			close(r->paths[j].fd);
	memcpy(r->paths, next, (size_t)n * sizeof next[0]);
	r->npaths = n, r->implicit = l->n == 0;
	pthread_mutex_unlock(&r->lock);
	for (int i = 0; i < n; i++) {
		struct epoll_event e = { .events = EPOLLIN, .data.u64 = UT_PATH + (uint64_t)i };
		if (epoll_ctl(r->u.ep, EPOLL_CTL_MOD, r->paths[i].fd, &e) < 0)
			epoll_ctl(r->u.ep, EPOLL_CTL_ADD, r->paths[i].fd, &e);
	}
	logmsg("udp paths: %s", l->n ? said : "none listed, the routing table chooses");
}

int paths_init(struct udp_router *r)
{
	const struct config *cfg = r->u.cfg;
	static struct path_list l;
	if (getrandom(&r->router_id, sizeof r->router_id, 0) != sizeof r->router_id)
		return -1;
	paths_load(cfg->paths_file, r->server.ss_family == AF_INET ? 4 : 6, &l);
	paths_apply(r, &l);
	return 0;
}

void paths_reset(struct udp_router *r)
{
	for (int i = 0; i < r->npaths; i++) { /* answers to the old server's keepalives count no more */
		r->paths[i].alive_until_ms = r->u.now_ms + DEAD_AFTER_MS, r->paths[i].frozen_alive = 1;
		memset(r->paths[i].ka, 0, sizeof r->paths[i].ka);
	}
	r->next_ka_ms = r->u.now_ms;
}

void paths_cleanup(struct udp_router *r)
{
	for (int i = 0; i < r->npaths; i++)
		close(r->paths[i].fd);
	r->npaths = 0;
}

void paths_send(struct udp_router *r, struct path *p, const uint8_t *dg, size_t n)
{
	if (sendto(p->fd, dg, n, MSG_DONTWAIT, (const struct sockaddr *)&r->server, r->server_len) >= 0)
		atomic_fetch_add_explicit(&p->bytes_up, n, memory_order_relaxed);
}

int paths_pick(struct udp_router *r, struct path **out, int want)
{
	int n = 0;
	for (int i = 0; i < r->npaths && n < want; i++)
		if (alive(r, &r->paths[i]))
			out[n++] = &r->paths[i];
	if (n == 0 && r->npaths > 0) { /* none answers: the one heard from last is the best guess */
		out[0] = &r->paths[0];
		for (int i = 1; i < r->npaths; i++)
			if (r->paths[i].last_answer_ms > out[0]->last_answer_ms)
				out[0] = &r->paths[i];
		n = 1;
	}
	return n;
}

void paths_activity(struct udp_router *r)
{
	r->active_ms = r->u.now_ms;
	if (r->probing)
		return;
	/* Probing again after a quiet spell: paths last known alive get the benefit of the doubt
	 * until their first keepalives could have been answered. */
	r->probing = 1;
	for (int i = 0; i < r->npaths; i++)
		if (r->paths[i].frozen_alive && r->paths[i].alive_until_ms < r->u.now_ms + DEAD_AFTER_MS)
			r->paths[i].alive_until_ms = r->u.now_ms + DEAD_AFTER_MS;
	r->next_ka_ms = r->u.now_ms;
}

/* Metered paths that would carry nothing: behind `need` paths that answer. Trusted meanwhile,
 * so that when they are needed datagrams go at once, and keepalives start. */
static void mark_standby(struct udp_router *r)
{
	const struct config *cfg = r->u.cfg;
	int need = cfg->dup_dscp || cfg->ndup_ports ? 2 : 1, ahead = 0;
	for (int i = 0; i < r->npaths; i++) {
		struct path *p = &r->paths[i];
		int was = p->standby;
		p->standby = p->metered && ahead >= need;
		if (p->standby || was)
			p->alive_until_ms = r->u.now_ms + DEAD_AFTER_MS, p->frozen_alive = 1;
		if (!p->standby && alive(r, p))
			ahead++;
	}
}

int64_t paths_tick(struct udp_router *r)
{
	if (r->probing && r->u.now_ms - r->active_ms >= ACTIVE_MS) {
		r->probing = 0;
		for (int i = 0; i < r->npaths; i++)
			r->paths[i].frozen_alive = r->u.now_ms < r->paths[i].alive_until_ms;
	}
	if (r->probing)
		mark_standby(r);
	for (int i = 0; i < r->npaths; i++)
		atomic_store(&r->paths[i].alive, alive(r, &r->paths[i]));
	if (!r->probing)
		return INT64_MAX;
	if (r->u.now_ms >= r->next_ka_ms) {
		for (int i = 0; i < r->npaths; i++)
			if (!r->paths[i].standby)
				ka_send(r, &r->paths[i]);
		r->next_ka_ms += KA_EVERY_MS;
		if (r->next_ka_ms <= r->u.now_ms)
			r->next_ka_ms = r->u.now_ms + KA_EVERY_MS;
	}
	return r->next_ka_ms;
}

static int from_server(const struct udp_router *r, const struct sockaddr_storage *a)
{
	struct dest x, y;
	return sockaddr_to_dest(a, &x) == 0 && sockaddr_to_dest(&r->server, &y) == 0 && dest_equal(&x, &y);
}

int paths_recv(struct udp_router *r, int index, struct dg_head *h, const uint8_t **payload, size_t *len)
{
	if (index >= r->npaths)
		return -1;
	struct path *p = &r->paths[index];
	struct sockaddr_storage from;
	socklen_t fl = sizeof from;
	ssize_t n = recvfrom(p->fd, r->u.buf, DG_ROOM + 65536, MSG_DONTWAIT | MSG_TRUNC, (struct sockaddr *)&from, &fl);
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	atomic_fetch_add_explicit(&p->bytes_down, (uint64_t)n, memory_order_relaxed);
	if (n > DG_ROOM + 65536 || !from_server(r, &from) ||
	    dg_open(r->u.buf, (size_t)n, DG_ACCEPT(DG_TO_ROUTER) | DG_ACCEPT(DG_ANSWER), &r->key, r->u.now_s,
		    r->u.cfg->max_skew, h, payload, len) < 0) {
		ctr_add(&r->u.ctr, U_BAD, 1);
		return 0;
	}
	if (h->type != DG_ANSWER)
		return 1;
	ka_answered(r, p, h);
	return 0;
}
