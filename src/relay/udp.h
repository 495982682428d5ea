/* The UDP side of mpwan-relay (PROTOCOL.md, "UDP"): one thread of its own with its own epoll
 * (udp.c), sessions (session.c), and either the router's LAN sockets and paths to the server
 * (lan.c, reply.c, paths.c) or the server's sockets and per-session outbound sockets
 * (udp_server.c). UDP needs no per-core spreading at the rates a home uplink carries, and one
 * thread keeps the session tables free of locks. */
#ifndef MPWAN_UDP_H
#define MPWAN_UDP_H
#include "dgram.h"
#include "relay.h"
#include "table.h"

#define MAX_PATHS 16
#define KA_RING 16 /* keepalives remembered per path: answers up to 3.2 s late still count */

/* The paths file as read: names and sources, best first. */
struct path_list {
	int n;
	struct {
		char name[32];
		struct dest src;
	} p[MAX_PATHS];
};

/* main.c's interface. */
int udp_start(const struct config *cfg);
struct counters *udp_counters(void);
void udp_reload(void); /* router: --paths-file changed (SIGHUP) */
void udp_stop(void);
int udp_path_stats(struct path_stat *out, int max);

/* A router address of a server session, as the server saw it. */
struct peer {
	struct sockaddr_storage sa;
	socklen_t len;
	struct dest local; /* the server address it sent to: replies leave from there */
	int sock;	   /* which of the server's sockets it came in on */
	int64_t last_ms;
};

struct session {
	struct hnode by_id, by_client;
	struct lnode lru;
	uint32_t id, seq_out; /* seq_out: the last sequence number sent */
	struct window win;    /* what was received */
	int64_t last_ms, dup_until_ms;
	struct dest client; /* router: the LAN client */
	/* server */
	int fd;
	uint8_t family;
	struct peer to[2]; /* [0]: where the latest datagram came from, [1]: the one before */
	struct dest *remotes;
	uint16_t nremote, cap, replace;
};

struct path {
	char name[32], source[48];
	struct dest src; /* family 0: no paths file, the routing table chooses */
	int fd;
	int64_t alive_until_ms, last_answer_ms;
	uint8_t frozen_alive; /* the verdict when probing stopped */
	struct {
		uint32_t seq;
		int64_t sent_us;
	} ka[KA_RING];
	int ka_next;
	int64_t srtt_us;
	_Atomic int alive;
	_Atomic int64_t rtt_us;
	_Atomic uint64_t bytes_up, bytes_down;
};

enum { UT_WAKE = 1, UT_LAN = 2, UT_MAIN = 4, UT_PATH = 16, UT_FIXED = 4096 }; /* epoll tags; above: a session */

struct udp {
	const struct config *cfg;
	pthread_t thread;
	int ep, wake_fd;
	int64_t now_ms;
	uint32_t now_s;
	struct counters ctr;
	uint8_t *buf; /* DG_ROOM + 64 KB + DG_TAG: one datagram at a time */
	struct own_addrs *own;
	struct htab ids, clients;
	struct lru sessions;
	int64_t expiry_ms;
	/* router */
	int lan[2];
	struct sockaddr_storage server;
	socklen_t server_len;
	struct path paths[MAX_PATHS];
	int npaths, implicit; /* implicit: no paths file, one path the routing table picks */
	uint32_t router_id, ka_seq;
	int64_t active_ms, next_ka_ms;
	int probing;
	struct htab replies;
	struct lru reply_lru;
	/* server */
	int main_fd[2];
	/* SIGHUP: main parses the file into `pending`; the UDP thread applies it. */
	pthread_mutex_t lock; /* `pending`, and the path array while stats copy it */
	struct path_list *pending;
	_Atomic int reload;
};

int epoll_add(struct udp *u, int fd, uint64_t tag);
int64_t mono_us(void);

/* session.c */
struct session *session_find(struct udp *u, uint32_t id);
/* A new session, the newest in the list; id 0: a fresh random one (the router's). */
struct session *session_new(struct udp *u, uint32_t id);
/* Router: the same LAN flow under a new id, before its sequence numbers would wrap. */
void session_renew(struct udp *u, struct session *s);
void session_touch(struct udp *u, struct session *s);
/* The window check of a received datagram; counts what it drops. 1: fresh, now marked. */
int session_fresh(struct udp *u, struct session *s, const struct dg_head *h);
/* Frees sessions idle past the expiry, oldest first, after `end` released what the side holds. */
void session_expire(struct udp *u, void (*end)(struct udp *, struct session *));
void session_free(struct udp *u, struct session *s);

/* lan.c (router) */
int lan_init(struct udp *u);
void lan_read(struct udp *u, int which);
void lan_deliver(struct udp *u, const struct dg_head *h, const uint8_t *payload, size_t len);
void lan_cleanup(struct udp *u);

/* reply.c (router): transparent sockets that answer LAN clients from the remote's address */
int reply_init(struct udp *u);
int reply_socket(struct udp *u, const struct dest *remote);
void reply_expire(struct udp *u);
void reply_cleanup(struct udp *u);

/* paths.c (router) */
int paths_load(const char *file, int family, struct path_list *out);
int paths_init(struct udp *u);
void paths_apply(struct udp *u, const struct path_list *l);
void paths_read(struct udp *u, int index);
/* The first `want` paths to send on (alive ones, best first); at least one. */
int paths_pick(struct udp *u, struct path **out, int want);
void paths_send(struct udp *u, struct path *p, const uint8_t *dg, size_t n);
void paths_activity(struct udp *u);
int64_t paths_tick(struct udp *u);
void paths_cleanup(struct udp *u);

/* udp_server.c */
int server_udp_init(struct udp *u);
void server_udp_event(struct udp *u, uint64_t tag);
void server_udp_tick(struct udp *u);
void server_udp_cleanup(struct udp *u);

#endif
