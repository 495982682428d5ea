/* The router side of UDP: LAN datagrams come in on the TPROXY sockets (lan.c), become a
 * session per LAN client (role.c) and go to the server over the first healthy path
 * (paths.c, from the daemon's paths file: pathsfile.c); what comes back is checked and
 * handed to the LAN client from the remote's address (reply.c). */
#ifndef MPWAN_UDP_ROUTER_H
#define MPWAN_UDP_ROUTER_H
#include "udp/udp.h"

#define KA_EVERY_MS 100
#define DEAD_AFTER_MS 600 /* the most a path may stay silent, and the trust a new path gets */
#define KA_RING 32 /* keepalives remembered per path: answers up to 3.2 s late still count */

enum { UT_LAN = 2, UT_PATH = 16 }; /* epoll tags: + the family's / path's index */

/* The paths file as read: names and sources, best first. */
struct path_list {
	int n;
	struct {
		char name[32];
		struct dest src;
		uint8_t metered; /* `metered` after the address: kept quiet while it carries nothing */
	} p[MAX_PATHS];
};

struct path {
	char name[32], source[48];
	struct dest src; /* family 0: no paths file, the routing table chooses */
	int fd;
	int64_t alive_until_ms, last_answer_ms;
	uint8_t frozen_alive; /* the verdict when probing stopped */
	uint8_t metered, standby; /* standby: metered, and enough paths before it answer */
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

struct udp_router {
	struct udp u;
	int lan[2];
	struct htab clients; /* sessions by LAN client */
	struct sockaddr_storage server; /* the server as of generation up_gen (shared/upstream.h) */
	socklen_t server_len;
	struct hmac_key key; /* its UDP key */
	unsigned up_gen;
	struct path paths[MAX_PATHS];
	int npaths, implicit; /* implicit: no paths file, one path the routing table picks */
	uint32_t router_id, ka_seq;
	int64_t active_ms, next_ka_ms;
	int probing;
	struct htab replies;
	struct lru reply_lru;
	/* SIGHUP: main parses the file into `pending`; the UDP thread applies it. */
	pthread_mutex_t lock; /* `pending`, and the path array while stats copy it */
	struct path_list *pending;
	_Atomic int reload;
};

struct lan_session {
	struct session s;
	struct hnode by_client;
	struct dest client;
};

#define ROUTER(u) CONTAINER(u, struct udp_router, u)

/* One datagram from the LAN, as lan_recv gives it. */
struct lan_dgram {
	struct dest client, orig; /* orig: where it was going */
	int dscp;
	uint8_t *payload; /* in u->buf, behind DG_ROOM bytes of room for the header */
	size_t len;
};

/* lan.c */
int lan_init(struct udp_router *r);
/* 1: a datagram to relay in *d; 0: none to relay (not one of ours, or interrupted); -1: drained. */
int lan_recv(struct udp_router *r, int which, struct lan_dgram *d);
void lan_cleanup(struct udp_router *r);

/* reply.c: transparent sockets that answer LAN clients from the remote's address */
int reply_init(struct udp_router *r);
int reply_socket(struct udp_router *r, const struct dest *remote);
void reply_expire(struct udp_router *r);
void reply_cleanup(struct udp_router *r);

/* pathsfile.c */
int paths_load(const char *file, int family, struct path_list *out);

/* paths.c */
int paths_init(struct udp_router *r);
/* A new server: every path gets the benefit of the doubt with it; keepalives go out at once. */
void paths_reset(struct udp_router *r);
void paths_apply(struct udp_router *r, const struct path_list *l);
/* 1: a datagram for a LAN client in *h, *payload, *len; 0: none (a keepalive's answer, a bad
 * datagram, interrupted); -1: drained. */
int paths_recv(struct udp_router *r, int index, struct dg_head *h, const uint8_t **payload, size_t *len);
/* The first `want` paths to send on (alive ones, best first); at least one. */
int paths_pick(struct udp_router *r, struct path **out, int want);
void paths_send(struct udp_router *r, struct path *p, const uint8_t *dg, size_t n);
void paths_activity(struct udp_router *r);
int64_t paths_tick(struct udp_router *r);
void paths_cleanup(struct udp_router *r);

/* keepalive.c */
void ka_send(struct udp_router *r, struct path *p);
/* An answer to one of the path's recent keepalives (each counted once): its round trip, and alive for longer. */
void ka_answered(struct udp_router *r, struct path *p, const struct dg_head *h);

#endif
