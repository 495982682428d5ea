/* The TCP half of mpwan-relay: connections (two sockets, two directions), workers (one
 * thread and epoll each), and the role table through which the router and the server side
 * (router.c, server.c) plug into the same event loop (loop.c), as the UDP roles plug into
 * the UDP thread. */
#ifndef MPWAN_TCP_H
#define MPWAN_TCP_H
#include <pthread.h>
#include <stdint.h>
#include "shared/config.h"
#include "shared/policy.h"
#include "shared/stats.h"
#include "shared/upstream.h"
#include "tcp/handshake.h"

/* One socket of a connection and the readiness edge-triggered epoll reported since the last
 * EAGAIN: the data path only makes the syscalls that can succeed. A short read or write on a
 * TCP socket proves it drained or full (epoll(7)); on an MPTCP socket it does not (data can
 * wait in a subflow without a new edge), so there only EAGAIN counts: `eagain_only`. */
struct side {
	int fd;
	uint8_t rd, wr, rdhup, eagain_only;
};

/* One direction: bytes read from s[i] and not yet written to s[!i]. */
struct half {
	char *buf; /* copy: the unwritten rest of a read, allocated only while a write is partial */
	uint32_t off, len;
	int pipe_r, pipe_w; /* splice: a pipe still holding `inpipe` bytes, else -1 */
	uint32_t inpipe;
	uint8_t eof, shut;
};

enum phase {
	PH_CONNECTING, /* s[1] connecting (router: to the server; server: to the destination) */
	PH_STATUS,     /* router: handshake sent, waiting for the status byte */
	PH_HANDSHAKE,  /* server: reading the handshake */
	PH_DRAIN,      /* server: non-zero status sent, discarding until the router closes */
	PH_RELAY,
	PH_DEAD,       /* closed; freed after the current batch of events */
};

enum timer_kind { T_SHORT, T_CONNECT, T_STATUS, T_KINDS }; /* 5 s, 10 s, 20 s */

struct tlink {
	struct tlink *prev, *next;
	int64_t deadline_ms;
};

struct conn {
	struct side s[2]; /* 0: accepted (LAN client or router), 1: opened (server or destination) */
	struct half h[2]; /* h[0]: s[0] -> s[1] ("up"), h[1]: s[1] -> s[0] ("down") */
	struct tlink timer;
	struct conn *prev, *next; /* the worker's connections */
	struct conn *ready_next;  /* work left over when a pump used up its budget */
	uint8_t phase, in_ready, pending, hs_len;
	uint8_t hs[HS_MAX]; /* router: the handshake to send; server: the one being read */
};

struct worker;
struct role {
	void (*accept)(struct worker *w);
	void (*step)(struct worker *w, struct conn *c); /* progress outside PH_RELAY */
	void (*expire)(struct worker *w, struct conn *c);
};

struct pipe_pair {
	int r, w;
};

struct worker {
	const struct config *cfg;
	const struct role *role;
	int index, ep, lfd, wake_fd, reserve_fd;
	pthread_t thread;
	int64_t now_ms;
	struct conn *conns, *ready, *dead;
	struct tlink timers[T_KINDS];
	char *scratch;
	size_t scratch_len;
	struct pipe_pair spare[8]; /* empty pipes ready for splice */
	int nspare;
	struct counters ctr;
	struct own_addrs own; /* server: its own addresses, refreshed every few seconds */
	struct upstream up;   /* router: its server as of generation up_gen (shared/upstream.h) */
	unsigned up_gen;
};

extern _Atomic uint64_t g_pending; /* server: handshakes not yet authenticated */

/* epoll data of the non-connection descriptors (a connection's is its address | side) */
enum { TAG_LISTEN = 2, TAG_WAKE = 3 };

/* worker.c: a worker's descriptors and buffers, its listener and accept */
int worker_init(struct worker *w, const struct config *cfg, const struct role *role, int index);
int accept_next(struct worker *w);
void worker_cleanup(struct worker *w);

/* loop.c: the worker's thread */
void *worker_run(void *arg);

/* conn.c: a connection's lifetime, its timer and its place on the ready list */
struct conn *conn_new(struct worker *w, int fd);
int conn_watch(struct worker *w, struct conn *c, int side);
/* Closes both sockets (reset_mask bit i: with a reset) and frees the connection after the
 * current batch of events. */
void conn_close(struct worker *w, struct conn *c, int reset_mask);
void timer_arm(struct worker *w, struct conn *c, enum timer_kind k);
void timer_disarm(struct conn *c);
void ready_push(struct worker *w, struct conn *c);

/* pump.c: the data path */
enum pump_result { PUMP_IDLE, PUMP_MORE, PUMP_ABORT };
enum pump_result pump(struct worker *w, struct conn *c, int i);
void relay_step(struct worker *w, struct conn *c);
void relay_start(struct worker *w, struct conn *c);

/* router.c, server.c */
extern const struct role router_role, server_role;

#endif
