/* Router side: LAN TCP from the nft redirect -> one MPTCP connection to the server each,
 * handshake first (with the client's first bytes in the same write), then the status byte. */
#include "tcp/tcp.h"
#include "shared/addr.h"
#include "shared/util.h"
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef SO_ORIGINAL_DST
#define SO_ORIGINAL_DST 80 /* linux/netfilter_ipv4.h */
#endif
#define IP6T_SO_ORIGINAL_DST 80 /* linux/netfilter_ipv6/ip6_tables.h */

/* Where the LAN client meant to go, before the redirect. */
static int original_dest(int fd, struct dest *d)
{
	struct sockaddr_storage local, orig;
	socklen_t ll = sizeof local, ol = sizeof orig;
	if (getsockname(fd, (struct sockaddr *)&local, &ll) < 0)
		return -1;
	struct dest me;
	sockaddr_to_dest(&local, &me);
	dest_normalize(&me);
	int r = me.family == 4 ? getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, &orig, &ol)
			       : getsockopt(fd, SOL_IPV6, IP6T_SO_ORIGINAL_DST, &orig, &ol);
	if (r < 0 || sockaddr_to_dest(&orig, d) < 0)
		return -1;
	dest_normalize(d);
	/* Not redirected (someone connected to the port itself): relaying would loop. */
	if (d->family == me.family && d->port == me.port && memcmp(d->addr, me.addr, 16) == 0)
		return -1;
	return 0;
}

static int open_upstream(struct worker *w, struct conn *c)
{
	static _Atomic int warned;
	const struct upstream *up = &w->up;
	int fd = socket(up->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_MPTCP);
	if (fd < 0 && (errno == EPROTONOSUPPORT || errno == ENOPROTOOPT || errno == EINVAL || errno == EPROTOTYPE)) {
		if (!atomic_exchange(&warned, 1))
			logmsg("the kernel refuses MPTCP sockets (%s): using TCP to the server", strerror(errno));
		ctr_add(&w->ctr, C_FALLBACK, 1);
		fd = socket(up->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	}
	if (fd < 0)
		return -1;
	set_nodelay(fd);
	set_congestion(fd, w->cfg->congestion);
	c->s[1].fd = fd;
	c->s[1].eagain_only = 1;
	if (connect(fd, (const struct sockaddr *)&up->addr, up->len) < 0 && errno != EINPROGRESS)
		return -1;
	return conn_watch(w, c, 1);
}

static void router_accept(struct worker *w)
{
	/* The server as main last set it: new connections go there, open ones stay where they are. */
	if (upstream_generation() != w->up_gen)
		w->up_gen = upstream_get(&w->up);
	for (int i = 0; i < 64; i++) {
		int fd = accept_next(w);
		if (fd < 0)
			return;
		ctr_add(&w->ctr, C_ACCEPTED, 1);
		struct dest d;
		uint8_t nonce[NONCE_LEN];
		struct conn *c;
		if (original_dest(fd, &d) < 0 || getrandom(nonce, sizeof nonce, 0) != sizeof nonce) {
			ctr_add(&w->ctr, C_FAILED, 1);
			close_reset(fd);
			continue;
		}
		if (!(c = conn_new(w, fd))) {
			refusal_note(w, ENOMEM);
			close_reset(fd);
			continue;
		}
		set_nodelay(fd);
		c->hs_len = (uint8_t)hs_build(c->hs, HS_TYPE_RECORDS, &w->up.tcp, &d, (uint64_t)time(NULL), nonce);
		c->h[0].rec_out = 1;
		c->phase = PH_CONNECTING;
		if (conn_watch(w, c, 0) < 0 || open_upstream(w, c) < 0) {
			/* No port left to the server (EADDRNOTAVAIL), no descriptor or memory: refused. */
			if (out_of_resources(errno))
				refusal_note(w, errno);
			else
				ctr_add(&w->ctr, C_FAILED, 1);
			conn_close(w, c, 1);
			continue;
		}
		timer_arm(w, c, T_STATUS);
	}
}

/* The handshake, with whatever the LAN client already sent behind it (a record), in one write. */
static int send_handshake(struct worker *w, struct conn *c)
{
	struct side *lan = &c->s[0];
	size_t n = c->hs_len, chunk = w->cfg->io_in.chunk;
	memcpy(w->scratch, c->hs, n);
	if (lan->rd) {
		ssize_t r = recv(lan->fd, w->scratch + n + REC_HEAD, chunk, 0);
		if (r > 0) {
			rec_head((uint8_t *)w->scratch + n, (uint32_t)r);
			n += REC_HEAD + (size_t)r;
			ctr_add(&w->ctr, C_BYTES_UP, r);
			if ((size_t)r < chunk && !lan->rdhup)
				lan->rd = 0;
		} else if (r == 0) {
			c->h[0].eof = 1;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			lan->rd = 0;
		} else {
			return -1;
		}
	}
	ssize_t k = send(c->s[1].fd, w->scratch, n, MSG_NOSIGNAL);
	if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
		return -1;
	if (k < 0)
		k = 0, c->s[1].wr = 0;
	if ((size_t)k < n) { /* the rest goes out with the first flush */
		struct half *h = &c->h[0];
		if (!(h->buf = malloc(n - (size_t)k)))
			return -1;
		memcpy(h->buf, w->scratch + k, n - (size_t)k);
		h->off = 0, h->len = (uint32_t)(n - (size_t)k);
	}
	return 0;
}

static void router_step(struct worker *w, struct conn *c)
{
	struct side *up = &c->s[1];
	if (c->phase == PH_CONNECTING) {
		if (!up->wr)
			return;
		if (sock_error(up->fd) || send_handshake(w, c) < 0) {
			ctr_add(&w->ctr, C_FAILED, 1);
			conn_close(w, c, 1);
			return;
		}
		c->phase = PH_STATUS;
	}
	if (up->rd) {
		uint8_t status;
		ssize_t r = recv(up->fd, &status, 1, 0);
		if (r == 1 && status == 0) {
			ctr_add(&w->ctr, C_ANSWERED, 1);
			relay_start(w, c);
			return;
		}
		if (r == 1 || r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
			/* A refusal, or a close before the status byte (wrong key, not a relay). */
			ctr_add(&w->ctr, r == 1 ? C_FAILED : C_REJECTED, 1);
			if (w->cfg->verbose)
				logmsg("server %s the connection (status %d)", r == 1 ? "refused" : "closed", r == 1 ? status : -1);
			conn_close(w, c, 1);
			return;
		}
		up->rd = 0;
	}
	/* The client's bytes may follow the handshake before the answer (no round trip). */
	enum pump_result p = pump(w, c, 0);
	if (p == PUMP_ABORT) {
		ctr_add(&w->ctr, C_REJECTED, 1);
		conn_close(w, c, 3);
	} else if (p == PUMP_MORE) {
		ready_push(w, c);
	}
}

static void router_expire(struct worker *w, struct conn *c)
{
	ctr_add(&w->ctr, C_FAILED, 1); /* no status byte within 20 s */
	conn_close(w, c, 1);
}

const struct role router_role = { router_accept, router_step, router_expire };
