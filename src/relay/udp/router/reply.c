/* Router: sockets that answer LAN clients from the remote's address and port, so a LAN client
 * sees an ordinary UDP exchange. One per remote, shared by every session (an unconnected
 * socket can send to any LAN client), kept while used: bound with IP_TRANSPARENT to an address
 * that is not the router's. They never receive anything: TPROXY only steals packets for
 * *connected* sockets, so LAN datagrams to that remote still reach the relay's port. */
#include "udp/router/router.h"
#include "shared/util.h"
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef IP_TRANSPARENT
#define IP_TRANSPARENT 19
#endif
#ifndef IPV6_TRANSPARENT
#define IPV6_TRANSPARENT 75
#endif

#define REPLY_MAX 1024	     /* open reply sockets; the least recently used gives way */
#define REPLY_IDLE_MS 60000 /* closed after a minute without a datagram */

struct reply {
	struct hnode h;
	struct lnode lru;
	struct dest remote;
	int fd;
	int64_t last_ms;
};

int reply_init(struct udp_router *rt)
{
	return htab_init(&rt->replies, REPLY_MAX);
}

static int open_reply(const struct dest *remote)
{
	int v6 = remote->family == 6;
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	struct sockaddr_storage a;
	socklen_t len;
	dest_to_sockaddr(remote, &a, &len);
	/* SO_REUSEADDR: another relay (a restart overlapping the old one) may hold the same one. */
	if (setsockopt(fd, v6 ? SOL_IPV6 : SOL_IP, v6 ? IPV6_TRANSPARENT : IP_TRANSPARENT, &one, sizeof one) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 || bind(fd, (struct sockaddr *)&a, len) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void drop(struct udp_router *rt, struct reply *r)
{
	htab_remove(&rt->replies, &r->h);
	lru_remove(&rt->reply_lru, &r->lru);
	close(r->fd);
	free(r);
}

int reply_socket(struct udp_router *rt, const struct dest *remote)
{
	static int64_t logged_ms = -60000;
	uint32_t h = hash_dest(&rt->replies, remote);
	for (struct hnode *n = htab_chain(&rt->replies, h); n; n = n->next) {
		struct reply *r = CONTAINER(n, struct reply, h);
		if (n->hash == h && dest_equal(&r->remote, remote)) {
			r->last_ms = rt->u.now_ms;
			lru_touch(&rt->reply_lru, &r->lru, 1);
			return r->fd;
		}
	}
	if (rt->reply_lru.n >= REPLY_MAX)
		drop(rt, CONTAINER(rt->reply_lru.oldest, struct reply, lru));
	struct reply *r = calloc(1, sizeof *r);
	int fd = r ? open_reply(remote) : -1;
	if (fd < 0) {
		if (rt->u.now_ms - logged_ms >= 60000) {
			logmsg("udp: cannot answer a LAN client from the remote's address: %s", r ? strerror(errno) : "out of memory");
			logged_ms = rt->u.now_ms;
		}
		free(r);
		return -1;
	}
	r->remote = *remote, r->fd = fd, r->last_ms = rt->u.now_ms;
	htab_insert(&rt->replies, &r->h, h);
	lru_touch(&rt->reply_lru, &r->lru, 0);
	return fd;
}

void reply_expire(struct udp_router *rt)
{
	while (rt->reply_lru.oldest) {
		struct reply *r = CONTAINER(rt->reply_lru.oldest, struct reply, lru);
		if (rt->u.now_ms - r->last_ms < REPLY_IDLE_MS)
			return;
		drop(rt, r);
	}
}

void reply_cleanup(struct udp_router *rt)
{
	while (rt->reply_lru.oldest)
		drop(rt, CONTAINER(rt->reply_lru.oldest, struct reply, lru));
	htab_free(&rt->replies);
}
