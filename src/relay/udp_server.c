/* Server side of UDP: authenticated datagrams on the relay's port (IP_PKTINFO, so every answer
 * leaves from the address the router sent to), one session per router-chosen id with its own
 * outbound socket (the destination sees one address and port whatever uplink the router
 * uses), replies only from remotes the session sent to, back to the router address(es) the
 * session's latest datagrams came from. */
#include "udp.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REMOTES_MAX 64 /* remotes a session accepts replies from; the oldest gives way */
#define BOTH_MS 2000   /* datagrams from two router addresses this close: reply to both */

static int main_socket(const struct sockaddr_storage *a, socklen_t len)
{
	int v6 = a->ss_family == AF_INET6, one = 1;
	int fd = socket(a->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if ((v6 ? setsockopt(fd, SOL_IPV6, IPV6_V6ONLY, &one, sizeof one) ||
			  setsockopt(fd, SOL_IPV6, IPV6_RECVPKTINFO, &one, sizeof one)
		: setsockopt(fd, SOL_IP, IP_PKTINFO, &one, sizeof one)) ||
	    bind(fd, (const struct sockaddr *)a, len) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* --listen [::]:P (the default) serves both families, each on its own socket. */
int server_udp_init(struct udp *u)
{
	const struct config *cfg = u->cfg;
	const struct sockaddr_in6 *l6 = (const struct sockaddr_in6 *)&cfg->listen;
	if (cfg->listen.ss_family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&l6->sin6_addr)) {
		struct sockaddr_storage a4 = { .ss_family = AF_INET };
		((struct sockaddr_in *)&a4)->sin_port = l6->sin6_port;
		u->main_fd[0] = main_socket(&a4, sizeof(struct sockaddr_in));
		u->main_fd[1] = main_socket(&cfg->listen, cfg->listen_len);
		if (u->main_fd[0] < 0 || (u->main_fd[1] < 0 && errno != EAFNOSUPPORT))
			return -1;
	} else if ((u->main_fd[cfg->listen.ss_family == AF_INET6] = main_socket(&cfg->listen, cfg->listen_len)) < 0) {
		return -1;
	}
	for (int i = 0; i < 2; i++)
		if (u->main_fd[i] >= 0 && epoll_add(u, u->main_fd[i], UT_MAIN + (uint64_t)i) < 0)
			return -1;
	return 0;
}

void server_udp_cleanup(struct udp *u)
{
	for (int i = 0; i < 2; i++)
		if (u->main_fd[i] >= 0)
			close(u->main_fd[i]);
}

/* Not const: sendmsg's iovec and name are not. */
static void send_to(struct udp *u, struct peer *p, uint8_t *dg, size_t n)
{
	union {
		char b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof ctl);
	struct iovec iov = { dg, n };
	struct msghdr m = { .msg_name = &p->sa, .msg_namelen = p->len, .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c = (struct cmsghdr *)(void *)ctl.b;
	if (p->local.family == 4) {
		struct in_pktinfo pi = { 0 };
		memcpy(&pi.ipi_spec_dst, p->local.addr, 4);
		c->cmsg_level = SOL_IP, c->cmsg_type = IP_PKTINFO, c->cmsg_len = CMSG_LEN(sizeof pi);
		memcpy(CMSG_DATA(c), &pi, sizeof pi);
		m.msg_control = ctl.b, m.msg_controllen = CMSG_SPACE(sizeof pi);
	} else if (p->local.family == 6) {
		struct in6_pktinfo pi = { 0 };
		memcpy(&pi.ipi6_addr, p->local.addr, 16);
		c->cmsg_level = SOL_IPV6, c->cmsg_type = IPV6_PKTINFO, c->cmsg_len = CMSG_LEN(sizeof pi);
		memcpy(CMSG_DATA(c), &pi, sizeof pi);
		m.msg_control = ctl.b, m.msg_controllen = CMSG_SPACE(sizeof pi);
	}
	if (sendmsg(u->main_fd[p->sock], &m, MSG_DONTWAIT) < 0) { /* UDP: a full buffer drops it */ }
}

/* The local address a datagram was sent to. */
static void local_of(struct msghdr *m, struct dest *d)
{
	memset(d, 0, sizeof *d);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_PKTINFO && c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			d->family = 4;
			memcpy(d->addr, &pi.ipi_addr, 4);
		} else if (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
			   c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			d->family = 6;
			memcpy(d->addr, &pi.ipi6_addr, 16);
		}
	}
}

static int same_peer(const struct peer *a, const struct peer *b)
{
	struct dest x, y;
	return a->len && sockaddr_to_dest(&a->sa, &x) == 0 && sockaddr_to_dest(&b->sa, &y) == 0 && dest_equal(&x, &y);
}

static void note_peer(struct udp *u, struct session *s, const struct peer *p)
{
	if (!same_peer(&s->to[0], p)) {
		s->to[1] = s->to[0];
		s->to[0] = *p;
	}
	s->to[0].local = p->local, s->to[0].sock = p->sock, s->to[0].last_ms = u->now_ms;
}

static int knows(const struct session *s, const struct dest *d)
{
	for (int i = 0; i < s->nremote; i++)
		if (dest_equal(&s->remotes[i], d))
			return 1;
	return 0;
}

static void remember(struct session *s, const struct dest *d)
{
	if (knows(s, d))
		return;
	if (s->nremote == s->cap && s->cap < REMOTES_MAX) {
		uint16_t cap = s->cap ? (uint16_t)(s->cap * 2) : 4;
		struct dest *r = realloc(s->remotes, cap * sizeof *r);
		if (r)
			s->remotes = r, s->cap = cap;
	}
	if (s->nremote < s->cap) {
		s->remotes[s->nremote++] = *d;
	} else if (s->cap) {
		s->remotes[s->replace] = *d;
		s->replace = (uint16_t)((s->replace + 1) % s->cap);
	}
}

static struct session *open_session(struct udp *u, uint32_t id, uint8_t family)
{
	static int64_t logged_ms = -60000;
	struct session *s = NULL;
	int fd = -1;
	if ((int)u->sessions.n < u->cfg->max_sessions &&
	    (fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) >= 0 &&
	    (s = session_new(u, id)) != NULL) {
		s->fd = fd, s->family = family;
		if (epoll_add(u, fd, (uint64_t)(uintptr_t)s) == 0)
			return s;
		session_free(u, s);
	}
	if (fd >= 0)
		close(fd);
	ctr_add(&u->ctr, U_OVERFLOW, 1);
	if (u->now_ms - logged_ms >= 60000) {
		logmsg("udp: new sessions refused: %d open (--max-sessions), or %s", (int)u->sessions.n, strerror(errno));
		logged_ms = u->now_ms;
	}
	return NULL;
}

static void data(struct udp *u, const struct peer *from, const struct dg_head *h, const uint8_t *payload, size_t len)
{
	struct session *s = session_find(u, h->session);
	if (s && s->family != h->addr.family) {
		ctr_add(&u->ctr, U_BAD, 1);
		return;
	}
	if (s && !session_fresh(u, s, h))
		return;
	own_refresh(u->own, u->now_ms, 2000);
	if (!policy_allowed(&h->addr, u->cfg->allow, u->cfg->nallow, u->own)) {
		ctr_add(&u->ctr, U_REFUSED_DEST, 1);
		return;
	}
	if (!s && (!(s = open_session(u, h->session, h->addr.family)) || !session_fresh(u, s, h)))
		return;
	note_peer(u, s, from);
	remember(s, &h->addr);
	struct sockaddr_storage to;
	socklen_t tl;
	dest_to_sockaddr(&h->addr, &to, &tl);
	if (sendto(s->fd, payload, len, MSG_DONTWAIT, (struct sockaddr *)&to, tl) >= 0)
		ctr_add(&u->ctr, U_UP, 1);
	session_touch(u, s);
}

/* Keepalives are answered without any state: same session (the router's id) and sequence. */
static void answer(struct udp *u, struct peer *to, const struct dg_head *h)
{
	uint8_t b[DG_ROOM + DG_TAG];
	struct dg_head a = { .type = DG_ANSWER, .session = h->session, .seq = h->seq, .time = u->now_s };
	size_t total;
	uint8_t *dg = dg_seal(b + DG_ROOM, 0, &a, &u->cfg->udp_key, &total);
	send_to(u, to, dg, total);
}

static void read_main(struct udp *u, int which)
{
	for (int i = 0; i < 64; i++) {
		struct peer from = { .len = sizeof from.sa, .sock = which };
		union {
			char b[256];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = { u->buf, DG_ROOM + 65536 };
		struct msghdr m = { .msg_name = &from.sa, .msg_namelen = from.len, .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = ctl.b, .msg_controllen = sizeof ctl.b };
		ssize_t n = recvmsg(u->main_fd[which], &m, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;
		from.len = m.msg_namelen;
		local_of(&m, &from.local);
		struct dg_head h;
		const uint8_t *payload;
		size_t len;
		if ((m.msg_flags & MSG_TRUNC) ||
		    dg_open(u->buf, (size_t)n, DG_ACCEPT(DG_TO_SERVER) | DG_ACCEPT(DG_KEEPALIVE), &u->cfg->udp_key, u->now_s,
			    u->cfg->max_skew, &h, &payload, &len) < 0) {
			ctr_add(&u->ctr, U_BAD, 1);
			continue;
		}
		if (h.type == DG_KEEPALIVE)
			answer(u, &from, &h);
		else
			data(u, &from, &h, payload, len);
	}
}

/* What a remote sends to a session's socket goes back to the router, if the session sent to it. */
static void read_session(struct udp *u, struct session *s)
{
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof from;
		uint8_t *payload = u->buf + DG_ROOM;
		ssize_t n = recvfrom(s->fd, payload, DG_MAX_PAYLOAD + 1, MSG_DONTWAIT | MSG_TRUNC, (struct sockaddr *)&from, &fl);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;
		struct dg_head h = { .type = DG_TO_ROUTER, .session = s->id, .time = u->now_s };
		if (sockaddr_to_dest(&from, &h.addr) < 0 || !knows(s, &h.addr) || n > DG_MAX_PAYLOAD || s->seq_out == UINT32_MAX || !s->to[0].len)
			continue; /* unknown remote, too big to carry, or sequence numbers used up */
		h.seq = ++s->seq_out;
		size_t total;
		uint8_t *dg = dg_seal(payload, (size_t)n, &h, &u->cfg->udp_key, &total);
		send_to(u, &s->to[0], dg, total);
		if (s->to[1].len && u->now_ms - s->to[1].last_ms < BOTH_MS && u->now_ms - s->to[0].last_ms < BOTH_MS) {
			dg_reflag(dg, total, DG_COPY, &u->cfg->udp_key);
			send_to(u, &s->to[1], dg, total);
		}
		ctr_add(&u->ctr, U_DOWN, 1);
		session_touch(u, s);
	}
}

void server_udp_event(struct udp *u, uint64_t tag)
{
	if (tag < UT_FIXED)
		read_main(u, (int)(tag - UT_MAIN));
	else
		read_session(u, (struct session *)(uintptr_t)tag);
}

static void end_session(struct udp *u, struct session *s)
{
	(void)u;
	close(s->fd); /* also takes it out of epoll */
}

void server_udp_tick(struct udp *u)
{
	session_expire(u, end_session);
}
