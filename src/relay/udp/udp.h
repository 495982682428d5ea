/* The UDP half of mpwan-relay (PROTOCOL.md, "UDP"): one thread of its own with its own epoll
 * (thread.c), sessions (session.c), and the role table through which the router side
 * (router/: LAN sockets, paths to the server) and the server side (server/: its sockets,
 * one outbound socket per session) plug into that thread, as the TCP roles plug into a
 * worker. UDP needs no per-core spreading at the rates a home uplink carries, and one thread
 * keeps the session tables free of locks. */
#ifndef MPWAN_UDP_H
#define MPWAN_UDP_H
#include <pthread.h>
#include <stdint.h>
#include <sys/epoll.h>
#include "shared/config.h"
#include "shared/policy.h"
#include "shared/stats.h"
#include "udp/dgram.h"
#include "udp/table.h"

#define MAX_PATHS 16 /* router: paths to the server, at most */

/* epoll tags: the wake eventfd, then the role's own (below UT_FIXED), above that a pointer. */
enum { UT_WAKE = 1, UT_FIXED = 4096 };

/* What both sides keep. A side's own state is a struct that starts with this one. */
struct udp {
	const struct config *cfg;
	const struct udp_role *role;
	pthread_t thread;
	int ep, wake_fd;
	int64_t now_ms;
	uint32_t now_s;
	struct counters ctr;
	uint8_t *buf; /* DG_ROOM + 64 KB + DG_TAG: one datagram at a time */
	struct own_addrs *own;
	struct htab ids;
	struct lru sessions;
	int64_t expiry_ms;
};

/* A session as both sides keep it. A side's sessions are structs that start with this one. */
struct session {
	struct hnode by_id;
	struct lnode lru;
	uint32_t id, seq_out; /* seq_out: the last sequence number sent */
	struct window win;    /* what was received */
	int64_t last_ms;
};

/* A side of UDP, as the thread sees it (router/role.c, server/role.c). */
struct udp_role {
	size_t size;	     /* its state: a struct udp first */
	size_t session_size; /* its sessions: a struct session first */
	enum ctr replayed;   /* what a replayed datagram counts as */
	int (*init)(struct udp *u);
	void (*event)(struct udp *u, uint64_t tag); /* one of the role's descriptors is readable */
	/* Every wakeup, after the events (`second`: the once-a-second housekeeping is due);
	 * returns when it wants to run next (INT64_MAX: only on an event). */
	int64_t (*tick)(struct udp *u, int second);
	void (*end)(struct udp *u, struct session *s); /* releases what the side holds for a session */
	void (*cleanup)(struct udp *u);
	/* Router: the main thread re-reads the paths file (SIGHUP) and hands it over; the stats
	 * writer copies the paths. NULL on the server. */
	void (*reload)(struct udp *u);
	int (*path_stats)(struct udp *u, struct path_stat *out, int max);
};

extern const struct udp_role udp_router_role, udp_server_role;

/* thread.c: main.c's interface. */
struct udp *udp_start(const struct config *cfg, const struct udp_role *role);
void udp_reload(struct udp *u);
int udp_path_stats(struct udp *u, struct path_stat *out, int max);
void udp_stop(struct udp *u);

static inline int epoll_add(struct udp *u, int fd, uint64_t tag)
{
	struct epoll_event e = { .events = EPOLLIN, .data.u64 = tag };
	return epoll_ctl(u->ep, EPOLL_CTL_ADD, fd, &e);
}

/* session.c */
struct session *session_find(struct udp *u, uint32_t id);
/* A new session, the newest in the list; id 0: a fresh random one (the router's). */
struct session *session_new(struct udp *u, uint32_t id);
/* Router: the same LAN flow under a new id, before its sequence numbers would wrap. */
void session_renew(struct udp *u, struct session *s);
void session_touch(struct udp *u, struct session *s);
/* The replay window's verdict on a received datagram (now remembered); counts what it drops. */
enum win_result session_check(struct udp *u, struct session *s, const struct dg_head *h);
/* Frees sessions idle past the expiry, oldest first. */
void session_expire(struct udp *u);
/* The side releases what it holds (role->end), then the session is forgotten. */
void session_free(struct udp *u, struct session *s);

#endif
