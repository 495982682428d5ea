/* Shared types of mpwan-relay: configuration, connections, workers (one epoll each). */
#ifndef MPWAN_RELAY_H
#define MPWAN_RELAY_H
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include "handshake.h"
#include "policy.h"
#include "stats.h"

#define MAX_ALLOW 64
#define MAX_THREADS 64
#define MAX_DUP_PORTS 64

enum io_kind { IO_COPY, IO_SPLICE };
struct io_method {
	uint8_t kind;
	uint32_t chunk; /* bytes moved per read */
};

struct config {
	int server; /* 0: router side, 1: server side */
	struct sockaddr_storage listen, upstream; /* upstream: the router's server */
	socklen_t listen_len, upstream_len;
	int threads, verbose, max_skew, max_pending, nallow;
	const char *stats;
	struct hmac_key tcp_key, udp_key;
	struct prefix allow[MAX_ALLOW];
	/* "in": bytes written into the MPTCP socket; "out": bytes read from it. */
	struct io_method io_in, io_out;
	/* UDP (router: with --udp; server: always) */
	int udp, max_sessions;
	const char *paths_file;
	uint64_t dup_dscp; /* bit n: DSCP n is duplicated */
	uint16_t dup_ports[MAX_DUP_PORTS];
	int ndup_ports;
};

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
};

extern _Atomic int g_stop;
extern _Atomic uint64_t g_pending; /* server: handshakes not yet authenticated */

/* loop.c */
enum { TAG_LISTEN = 2, TAG_WAKE = 3 }; /* epoll data of the non-connection descriptors */

/* worker.c */
/* mpwan-relay probe (probe.c): TCP connects on request for the daemon's health probes. */
int probe_main(void);
/* probe_key.c: the signed handshake of a key check; NULL, or why there is none. */
const char *probe_handshake(const char *key_path, uint8_t out[HS_MAX], size_t *len);
int worker_init(struct worker *w, const struct config *cfg, const struct role *role, int index);
int accept_next(struct worker *w);
void worker_cleanup(struct worker *w);

void *worker_run(void *arg);
struct conn *conn_new(struct worker *w, int fd);
int conn_watch(struct worker *w, struct conn *c, int side);
void conn_close(struct worker *w, struct conn *c, int reset_mask);
void timer_arm(struct worker *w, struct conn *c, enum timer_kind k);
void timer_disarm(struct conn *c);
void ready_push(struct worker *w, struct conn *c);

/* pump.c */
enum pump_result { PUMP_IDLE, PUMP_MORE, PUMP_ABORT };
enum pump_result pump(struct worker *w, struct conn *c, int i);
void relay_step(struct worker *w, struct conn *c);
void relay_start(struct worker *w, struct conn *c);

/* util.c */
void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int64_t mono_ms(void);
int sock_error(int fd);
void set_nodelay(int fd);
void close_reset(int fd);
int parse_hostport(const char *s, int default_any, struct sockaddr_storage *ss, socklen_t *len);
void dest_to_sockaddr(const struct dest *d, struct sockaddr_storage *ss, socklen_t *len);
int sockaddr_to_dest(const struct sockaddr_storage *ss, struct dest *d);
const char *fmt_sockaddr(const struct sockaddr_storage *ss, char *buf, size_t n);

extern const struct role router_role, server_role;

#endif
