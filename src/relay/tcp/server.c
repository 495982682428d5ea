/* Server side: reads one handshake per MPTCP connection, checks it (PROTOCOL.md), connects to
 * the destination, answers the status byte, then relays. Refusals before a good MAC close
 * without a byte; after one, the status byte says why. */
#include "tcp/tcp.h"
#include "tcp/replay.h"
#include "shared/addr.h"
#include "shared/util.h"
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void fail(struct worker *w, struct conn *c, enum ctr why)
{
	ctr_add(&w->ctr, why, 1);
	conn_close(w, c, 0);
}

static void drain(struct worker *w, struct conn *c)
{
	for (int i = 0; i < 16; i++) {
		if (!c->s[0].rd)
			return;
		ssize_t n = recv(c->s[0].fd, w->scratch, w->scratch_len, 0);
		if (n > 0)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			c->s[0].rd = 0;
			return;
		}
		if (n < 0 && errno == EINTR)
			continue;
		conn_close(w, c, 0); /* the router closed after reading the status */
		return;
	}
	ready_push(w, c);
}

/* Answers a non-zero status, then waits (5 s at most) for the router to close first, so the
 * byte is not lost to a reset caused by unread payload. */
static void answer_error(struct worker *w, struct conn *c, uint8_t status)
{
	ctr_add(&w->ctr, status == 4 ? C_REFUSED_DEST : C_CONNECT_FAILED, 1);
	if (c->s[1].fd >= 0)
		close(c->s[1].fd);
	c->s[1].fd = -1;
	if (send(c->s[0].fd, &status, 1, MSG_NOSIGNAL) != 1) {
		conn_close(w, c, 0);
		return;
	}
	shutdown(c->s[0].fd, SHUT_WR);
	c->phase = PH_DRAIN;
	timer_arm(w, c, T_SHORT);
	drain(w, c);
}

static uint8_t status_of(int err)
{
	switch (err) {
	case ECONNREFUSED: return 1;
	case ENETUNREACH: case EHOSTUNREACH: case ENETDOWN: case EHOSTDOWN: return 2;
	case ETIMEDOUT: return 3;
	default: return 5;
	}
}

static void connected(struct worker *w, struct conn *c)
{
	int err = sock_error(c->s[1].fd);
	if (err) {
		answer_error(w, c, status_of(err));
		return;
	}
	static const uint8_t ok = 0;
	if (send(c->s[0].fd, &ok, 1, MSG_NOSIGNAL) != 1) {
		conn_close(w, c, 3);
		return;
	}
	relay_start(w, c);
}

static void connect_dest(struct worker *w, struct conn *c, const struct dest *d)
{
	struct sockaddr_storage ss;
	socklen_t len;
	dest_to_sockaddr(d, &ss, &len);
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		set_nodelay(fd);
		c->s[1].fd = fd;
	}
	/* Watched only once connecting: an unconnected socket polls as hung up. */
	if (fd < 0 || (connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS) || conn_watch(w, c, 1) < 0) {
		if (out_of_resources(errno)) /* no port left to the destination, no descriptor or memory */
			refusal_note(w, errno);
		answer_error(w, c, fd < 0 ? 5 : status_of(errno));
		return;
	}
	c->phase = PH_CONNECTING; /* the connect's EPOLLOUT edge (or an error) steps us on */
	timer_arm(w, c, T_CONNECT);
}

static void check(struct worker *w, struct conn *c)
{
	const struct config *cfg = w->cfg;
	struct dest d;
	uint64_t t;
	size_t nonce_off;
	int64_t now = (int64_t)time(NULL);
	atomic_fetch_sub(&g_pending, 1);
	c->pending = 0;
	switch (hs_verify(c->hs, c->hs_len, &cfg->tcp_key, now, cfg->max_skew, &d, &t, &nonce_off)) {
	case HS_MALFORMED:
	case HS_BAD_MAC: fail(w, c, C_AUTH_FAILED); return;
	case HS_STALE: fail(w, c, C_STALE); return;
	case HS_OK: break;
	}
	switch (replay_check(c->hs + nonce_off, (int64_t)t + cfg->max_skew, now)) {
	case REPLAY_SEEN: fail(w, c, C_REPLAYED); return;
	case REPLAY_FULL: fail(w, c, C_OVERFLOW); return;
	case REPLAY_FRESH: break;
	}
	c->h[0].rec_in = c->hs[4] == HS_TYPE_RECORDS;
	own_refresh(&w->own, w->now_ms, 2000);
	if (!policy_allowed(&d, cfg->allow, cfg->nallow, &w->own)) {
		if (cfg->verbose)
			logmsg("destination not allowed (port %u)", d.port);
		answer_error(w, c, 4);
		return;
	}
	connect_dest(w, c, &d);
}

static void read_handshake(struct worker *w, struct conn *c)
{
	for (;;) {
		size_t need = hs_need(c->hs, c->hs_len);
		if (need == 0) {
			fail(w, c, C_AUTH_FAILED);
			return;
		}
		if (c->hs_len == need) {
			check(w, c);
			return;
		}
		if (!c->s[0].rd)
			return;
		/* Never past the handshake: what follows is the client's payload. */
		ssize_t n = recv(c->s[0].fd, c->hs + c->hs_len, need - c->hs_len, 0);
		if (n > 0) {
			c->hs_len = (uint8_t)(c->hs_len + n);
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			c->s[0].rd = 0;
		} else if (n == 0 || errno != EINTR) {
			fail(w, c, C_AUTH_FAILED); /* closed or reset before a complete handshake */
			return;
		}
	}
}

static void server_accept(struct worker *w)
{
	for (int i = 0; i < 64; i++) {
		int fd = accept_next(w);
		if (fd < 0)
			return;
		ctr_add(&w->ctr, C_ACCEPTED, 1);
		if (atomic_fetch_add(&g_pending, 1) >= (uint64_t)w->cfg->max_pending) {
			atomic_fetch_sub(&g_pending, 1);
			ctr_add(&w->ctr, C_OVERFLOW, 1);
			close(fd);
			continue;
		}
		struct conn *c = conn_new(w, fd);
		if (!c) {
			atomic_fetch_sub(&g_pending, 1);
			refusal_note(w, ENOMEM);
			close(fd);
			continue;
		}
		c->pending = 1;
		c->phase = PH_HANDSHAKE;
		c->s[0].eagain_only = 1; /* the MPTCP side */
		set_nodelay(fd);
		if (conn_watch(w, c, 0) < 0) {
			conn_close(w, c, 0);
			continue;
		}
		timer_arm(w, c, T_SHORT);
		read_handshake(w, c); /* it often arrived with the connection */
	}
}

static void server_step(struct worker *w, struct conn *c)
{
	if (c->phase == PH_HANDSHAKE)
		read_handshake(w, c);
	else if (c->phase == PH_CONNECTING && c->s[1].wr)
		connected(w, c);
	else if (c->phase == PH_DRAIN)
		drain(w, c);
}

static void server_expire(struct worker *w, struct conn *c)
{
	if (c->phase == PH_HANDSHAKE)
		fail(w, c, C_TIMED_OUT);
	else if (c->phase == PH_CONNECTING)
		answer_error(w, c, 3);
	else
		conn_close(w, c, 0);
}

const struct role server_role = { server_accept, server_step, server_expire };
