/* The TCP half of mpwan-relay: connections (two sockets, two directions), workers (one
 * thread and epoll each), and the role table through which the router and the server side
 * (router.c, server.c) plug into the same event loop (loop.c), as the UDP roles plug into
 * the UDP thread. */
#ifndef MPWAN_TCP_H
#define MPWAN_TCP_H
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>
#include "shared/config.h"
#include "shared/policy.h"
#include "shared/stats.h"
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
	/* Records (record.c): the router writes its LAN client's bytes as records (rec_out) and
	 * the end record instead of a DATA_FIN (end_sent); the server reads them (rec_in): what
	 * is left of the current record, and the next header as far as it came. */
	uint8_t rec_out, rec_in, end_sent, rec_have;
	uint8_t rec_hd[4];
	uint32_t rec_left;
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

/* refusal.c: connections refused at once for want of ports, descriptors or memory */
extern _Atomic int64_t g_refused_at; /* Unix seconds of the last, 0: none */
int out_of_resources(int err);
void refusal_note(struct worker *w, int err);
/* Main thread, every second: logs the count refused since the last line, once a minute. */
void refusals_tick(int64_t now_ms);

/* record.c: the router's bytes as records (PROTOCOL.md, "Records") */
#define REC_HEAD 4
#define REC_MAX (1u << 20)
void rec_head(uint8_t *p, uint32_t len);
/* How much the reader may read now: at most the rest of the record and the next header. */
size_t rec_want(const struct half *h, size_t chunk);
/* Takes `n` bytes read (as rec_want allowed): the payload among them (at the start of `buf`),
 * or -1 for a record too long. The end record sets h->eof. */
ssize_t rec_take(struct half *h, const uint8_t *buf, size_t n);

/* move.c: one chunk of a direction; half_flush writes what a partial write left: 1 all
 * written, 0 the destination is full, -1 error. The movers return bytes read (of them
 * *moved are payload), 0 at EOF, -1 with errno. */
int half_flush(struct worker *w, struct half *h, struct side *dst);
ssize_t move_copy(struct worker *w, struct half *h, struct side *src, struct side *dst, uint32_t chunk, size_t *moved);
ssize_t move_splice(struct worker *w, struct half *h, struct side *src, struct side *dst, uint32_t chunk, size_t *moved);

/* pump.c: the data path */
enum pump_result { PUMP_IDLE, PUMP_MORE, PUMP_ABORT };
enum pump_result pump(struct worker *w, struct conn *c, int i);
void relay_step(struct worker *w, struct conn *c);
void relay_start(struct worker *w, struct conn *c);

/* router.c, server.c */
extern const struct role router_role, server_role;

#endif
