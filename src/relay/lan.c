/* Router, LAN side of UDP: the nft TPROXY rule hands LAN datagrams to transparent sockets on
 * the relay's port, which learn where each was going (IP_ORIGDSTADDR) and its DSCP
 * (IP_RECVTOS); one session per LAN client address and port; what the server sends back is
 * delivered from the remote's address and port (reply.c). */
#include "udp.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>

#ifndef IP_TRANSPARENT
#define IP_TRANSPARENT 19
#endif
#ifndef IP_RECVORIGDSTADDR
#define IP_RECVORIGDSTADDR 20
#endif
#ifndef IPV6_TRANSPARENT
#define IPV6_TRANSPARENT 75
#endif
#ifndef IPV6_RECVORIGDSTADDR
#define IPV6_RECVORIGDSTADDR 74
#endif

static uint16_t listen_port(const struct config *cfg)
{
	const struct sockaddr_storage *a = &cfg->listen;
	return a->ss_family == AF_INET ? ((const struct sockaddr_in *)a)->sin_port : ((const struct sockaddr_in6 *)a)->sin6_port;
}

/* One socket per family (not one dual-stack socket): each then gets its own family's cmsgs. */
static int lan_socket(const struct config *cfg, int family)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1, ok;
	struct sockaddr_storage a = { .ss_family = (sa_family_t)family };
	socklen_t len;
	if (family == AF_INET) {
		ok = !setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof one) &&
		     !setsockopt(fd, SOL_IP, IP_RECVORIGDSTADDR, &one, sizeof one) &&
		     !setsockopt(fd, SOL_IP, IP_RECVTOS, &one, sizeof one);
		((struct sockaddr_in *)&a)->sin_port = listen_port(cfg);
		len = sizeof(struct sockaddr_in);
	} else {
		ok = !setsockopt(fd, SOL_IPV6, IPV6_V6ONLY, &one, sizeof one) &&
		     !setsockopt(fd, SOL_IPV6, IPV6_TRANSPARENT, &one, sizeof one) &&
		     !setsockopt(fd, SOL_IPV6, IPV6_RECVORIGDSTADDR, &one, sizeof one) &&
		     !setsockopt(fd, SOL_IPV6, IPV6_RECVTCLASS, &one, sizeof one);
		((struct sockaddr_in6 *)&a)->sin6_port = listen_port(cfg);
		len = sizeof(struct sockaddr_in6);
	}
	if (!ok || bind(fd, (struct sockaddr *)&a, len) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int lan_init(struct udp *u)
{
	u->lan[0] = lan_socket(u->cfg, AF_INET);
	u->lan[1] = lan_socket(u->cfg, AF_INET6);
	if (u->lan[0] < 0 || (u->lan[1] < 0 && errno != EAFNOSUPPORT))
		return -1; /* IPv6 may be missing from the kernel; anything else is an error */
	for (int i = 0; i < 2; i++)
		if (u->lan[i] >= 0 && epoll_add(u, u->lan[i], UT_LAN + (uint64_t)i) < 0)
			return -1;
	return 0;
}

void lan_cleanup(struct udp *u)
{
	for (int i = 0; i < 2; i++)
		if (u->lan[i] >= 0)
			close(u->lan[i]);
}

/* The original destination and DSCP. -1 without a destination (not from the TPROXY rule). */
static int ancillary(struct msghdr *m, struct dest *orig, int *dscp)
{
	int have = 0;
	*dscp = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		struct sockaddr_storage ss = { 0 };
		int tclass;
		if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_ORIGDSTADDR && c->cmsg_len >= CMSG_LEN(sizeof(struct sockaddr_in))) {
			memcpy(&ss, CMSG_DATA(c), sizeof(struct sockaddr_in));
			have = sockaddr_to_dest(&ss, orig) == 0;
		} else if (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_ORIGDSTADDR &&
			   c->cmsg_len >= CMSG_LEN(sizeof(struct sockaddr_in6))) {
			memcpy(&ss, CMSG_DATA(c), sizeof(struct sockaddr_in6));
			have = sockaddr_to_dest(&ss, orig) == 0;
		} else if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_TOS && c->cmsg_len >= CMSG_LEN(1)) {
			*dscp = CMSG_DATA(c)[0] >> 2;
		} else if (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_TCLASS && c->cmsg_len >= CMSG_LEN(sizeof tclass)) {
			memcpy(&tclass, CMSG_DATA(c), sizeof tclass);
			*dscp = (tclass >> 2) & 63;
		}
	}
	return have ? 0 : -1;
}

/* Sent to one of the router's own addresses (to the relay's port itself): relaying would loop. */
static int to_router(struct udp *u, const struct dest *d)
{
	own_refresh(u->own, u->now_ms, 2000);
	for (int i = 0; i < u->own->n; i++)
		if (u->own->a[i].family == d->family && memcmp(u->own->a[i].addr, d->addr, 16) == 0)
			return 1;
	return d->port == 0;
}

static int wants_copies(const struct config *cfg, const struct dest *orig, int dscp)
{
	if (cfg->dup_dscp >> dscp & 1)
		return 1;
	for (int i = 0; i < cfg->ndup_ports; i++)
		if (cfg->dup_ports[i] == orig->port)
			return 1;
	return 0;
}

static struct session *client_session(struct udp *u, const struct dest *c)
{
	uint32_t h = hash_dest(&u->clients, c);
	for (struct hnode *n = htab_chain(&u->clients, h); n; n = n->next) {
		struct session *s = CONTAINER(n, struct session, by_client);
		if (n->hash == h && dest_equal(&s->client, c))
			return s;
	}
	/* Full: the least recently active LAN flow gives way. The router never creates a session
	 * from what the server sends, so this opens nothing to replays. */
	if ((int)u->sessions.n >= u->cfg->max_sessions && u->sessions.oldest) {
		struct session *old = CONTAINER(u->sessions.oldest, struct session, lru);
		htab_remove(&u->clients, &old->by_client);
		session_free(u, old);
	}
	struct session *s = session_new(u, 0);
	if (s) {
		s->client = *c;
		htab_insert(&u->clients, &s->by_client, h);
	}
	return s;
}

/* One LAN datagram to the server: on the first path, and on the second too for --duplicate. */
static void relay_up(struct udp *u, struct session *s, const struct dest *orig, uint8_t *payload, size_t len, int copies)
{
	if (s->seq_out == UINT32_MAX)
		session_renew(u, s);
	struct dg_head h = { .type = DG_TO_SERVER, .session = s->id, .seq = ++s->seq_out, .time = u->now_s, .addr = *orig };
	size_t total;
	uint8_t *dg = dg_seal(payload, len, &h, &u->cfg->udp_key, &total);
	struct path *p[2];
	paths_activity(u);
	int n = paths_pick(u, p, copies ? 2 : 1);
	if (n == 0)
		return;
	paths_send(u, p[0], dg, total);
	if (n == 2) {
		dg_reflag(dg, total, DG_COPY, &u->cfg->udp_key);
		paths_send(u, p[1], dg, total);
	}
	ctr_add(&u->ctr, U_UP, 1);
}

void lan_read(struct udp *u, int which)
{
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage from;
		union {
			char b[256];
			struct cmsghdr align;
		} ctl;
		uint8_t *payload = u->buf + DG_ROOM;
		struct iovec iov = { payload, DG_MAX_PAYLOAD + 1 };
		struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = ctl.b, .msg_controllen = sizeof ctl.b };
		ssize_t n = recvmsg(u->lan[which], &m, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return; /* drained (epoll is level-triggered: it says so again if not) */
		struct dest client, orig;
		int dscp;
		if ((m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || n > DG_MAX_PAYLOAD || ancillary(&m, &orig, &dscp) < 0 ||
		    sockaddr_to_dest(&from, &client) < 0 || client.family != orig.family || to_router(u, &orig))
			continue;
		struct session *s = client_session(u, &client);
		if (!s)
			continue;
		session_touch(u, s);
		relay_up(u, s, &orig, payload, (size_t)n, wants_copies(u->cfg, &orig, dscp));
	}
}

void lan_deliver(struct udp *u, const struct dg_head *h, const uint8_t *payload, size_t len)
{
	struct session *s = session_find(u, h->session);
	if (!s)
		return; /* expired, or from before a restart: no LAN client to give it to */
	if (h->addr.family != s->client.family) {
		ctr_add(&u->ctr, U_BAD, 1);
		return;
	}
	if (!session_fresh(u, s, h))
		return;
	int fd = reply_socket(u, &h->addr);
	struct sockaddr_storage to;
	socklen_t len_to;
	dest_to_sockaddr(&s->client, &to, &len_to);
	if (fd >= 0 && sendto(fd, payload, len, MSG_DONTWAIT, (struct sockaddr *)&to, len_to) >= 0)
		ctr_add(&u->ctr, U_DOWN, 1);
	session_touch(u, s);
	u->active_ms = u->now_ms;
}
