/* The server side of UDP, as a role of the UDP thread: authenticated datagrams on the relay's
 * port (sockets.c), one session per router-chosen id with its own outbound socket (the
 * destination sees one address and port whatever uplink the router uses), replies only from
 * remotes the session sent to, back to the router address(es) the session's latest datagrams
 * came from. */
#include "udp/server/server.h"
#include "shared/util.h"
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REMOTES_MAX 64 /* remotes a session accepts replies from; the oldest gives way */
#define BOTH_MS 2000   /* datagrams from two router addresses this close: reply to both */

static int same_peer(const struct peer *a, const struct peer *b)
{
	struct dest x, y;
	return a->len && sockaddr_to_dest(&a->sa, &x) == 0 && sockaddr_to_dest(&b->sa, &y) == 0 && dest_equal(&x, &y);
}

static void note_peer(struct udp *u, struct server_session *s, const struct peer *p)
{
	if (!same_peer(&s->to[0], p)) {
		s->to[1] = s->to[0];
		s->to[0] = *p;
	}
	s->to[0].local = p->local, s->to[0].sock = p->sock, s->to[0].last_ms = u->now_ms;
}

static int knows(const struct server_session *s, const struct dest *d)
{
	for (int i = 0; i < s->nremote; i++)
		if (dest_equal(&s->remotes[i], d))
			return 1;
	return 0;
}

static void remember(struct server_session *s, const struct dest *d)
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

static struct server_session *open_session(struct udp *u, uint32_t id, uint8_t family)
{
	static int64_t logged_ms = -60000;
	struct server_session *s = NULL;
	int fd = -1;
	if ((int)u->sessions.n < u->cfg->max_sessions &&
	    (fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) >= 0 &&
	    (s = (struct server_session *)session_new(u, id)) != NULL) {
		s->fd = fd, s->family = family;
		if (epoll_add(u, fd, (uint64_t)(uintptr_t)s) == 0)
			return s;
		session_free(u, &s->s); /* closes fd */
		fd = -1;
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

/* A datagram for the destination. The other copy of a duplicated one is not sent on, but its
 * address counts: replies then go to both. A replay changes nothing (it repeats a copy byte
 * for byte, and the window remembers both copies). */
static void data(struct udp *u, const struct peer *from, const struct dg_head *h, const uint8_t *payload, size_t len)
{
	struct server_session *s = (struct server_session *)session_find(u, h->session);
	if (s && s->family != h->addr.family) {
		ctr_add(&u->ctr, U_BAD, 1);
		return;
	}
	enum win_result w = s ? session_check(u, &s->s, h) : WIN_NEW;
	if (w == WIN_REPLAY)
		return;
	if (w == WIN_NEW) {
		own_refresh(u->own, u->now_ms, 2000);
		if (!policy_allowed(&h->addr, u->cfg->allow, u->cfg->nallow, u->own)) {
			ctr_add(&u->ctr, U_REFUSED_DEST, 1);
			return;
		}
		if (!s && (!(s = open_session(u, h->session, h->addr.family)) || session_check(u, &s->s, h) != WIN_NEW))
			return;
	}
	note_peer(u, s, from);
	session_touch(u, &s->s);
	if (w == WIN_OTHER_COPY)
		return;
	remember(s, &h->addr);
	struct sockaddr_storage to;
	socklen_t tl;
	dest_to_sockaddr(&h->addr, &to, &tl);
	if (sendto(s->fd, payload, len, MSG_DONTWAIT, (struct sockaddr *)&to, tl) >= 0)
		ctr_add(&u->ctr, U_UP, 1);
}

/* Keepalives are answered without any state: same session (the router's id) and sequence. */
static void answer(struct udp *u, struct peer *to, const struct dg_head *h)
{
	uint8_t b[DG_ROOM + DG_TAG];
	struct dg_head a = { .type = DG_ANSWER, .session = h->session, .seq = h->seq, .time = u->now_s };
	size_t total;
	uint8_t *dg = dg_seal(b + DG_ROOM, 0, &a, &u->cfg->udp_key, &total);
	server_send(SERVER(u), to, dg, total);
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
		ssize_t n = recvmsg(SERVER(u)->main_fd[which], &m, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;
		from.len = m.msg_namelen;
		server_local(&m, &from.local);
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
static void read_session(struct udp *u, struct server_session *s)
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
		struct dg_head h = { .type = DG_TO_ROUTER, .session = s->s.id, .time = u->now_s };
		if (sockaddr_to_dest(&from, &h.addr) < 0 || !knows(s, &h.addr) || n > DG_MAX_PAYLOAD || s->s.seq_out == UINT32_MAX || !s->to[0].len)
			continue; /* unknown remote, too big to carry, or sequence numbers used up */
		h.seq = ++s->s.seq_out;
		size_t total;
		uint8_t *dg = dg_seal(payload, (size_t)n, &h, &u->cfg->udp_key, &total);
		server_send(SERVER(u), &s->to[0], dg, total);
		if (s->to[1].len && u->now_ms - s->to[1].last_ms < BOTH_MS && u->now_ms - s->to[0].last_ms < BOTH_MS) {
			dg_reflag(dg, total, DG_COPY, &u->cfg->udp_key);
			server_send(SERVER(u), &s->to[1], dg, total);
		}
		ctr_add(&u->ctr, U_DOWN, 1);
		session_touch(u, &s->s);
	}
}

static void event(struct udp *u, uint64_t tag)
{
	if (tag < UT_FIXED)
		read_main(u, (int)(tag - UT_MAIN));
	else
		read_session(u, (struct server_session *)(uintptr_t)tag);
}

static int64_t tick(struct udp *u, int second)
{
	(void)u, (void)second; /* sessions expire in the thread's housekeeping */
	return INT64_MAX;
}

static void end(struct udp *u, struct session *s)
{
	struct server_session *ss = (struct server_session *)s;
	(void)u;
	close(ss->fd); /* also takes it out of epoll */
	free(ss->remotes);
}

static int init(struct udp *u)
{
	struct udp_server *sv = SERVER(u);
	sv->main_fd[0] = sv->main_fd[1] = -1;
	return server_sockets_init(sv);
}

static void cleanup(struct udp *u)
{
	server_sockets_cleanup(SERVER(u));
}

const struct udp_role udp_server_role = {
	.size = sizeof(struct udp_server),
	.session_size = sizeof(struct server_session),
	.replayed = U_REPLAYED,
	.init = init,
	.event = event,
	.tick = tick,
	.end = end,
	.cleanup = cleanup,
};
