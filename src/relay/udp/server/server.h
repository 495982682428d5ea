/* The server side of UDP: authenticated datagrams on the relay's port (sockets.c), one
 * session per router-chosen id with its own outbound socket (role.c). */
#ifndef MPWAN_UDP_SERVER_H
#define MPWAN_UDP_SERVER_H
#include "udp/udp.h"

enum { UT_MAIN = 4 }; /* epoll tag: + the family's index; above UT_FIXED: a session */

struct udp_server {
	struct udp u;
	int main_fd[2]; /* the relay's port, IPv4 and IPv6 */
};

/* A router address of a session, as the server saw it. */
struct peer {
	struct sockaddr_storage sa;
	socklen_t len;
	struct dest local; /* the server address it sent to: replies leave from there */
	int sock;	   /* which of the server's sockets it came in on */
	int64_t last_ms;
};

struct server_session {
	struct session s;
	int fd; /* its own socket: the destination sees one address and port */
	uint8_t family;
	struct peer to[2]; /* [0]: where the latest datagram came from, [1]: the one before */
	struct dest *remotes;
	uint16_t nremote, cap, replace;
};

#define SERVER(u) CONTAINER(u, struct udp_server, u)

/* sockets.c */
int server_sockets_init(struct udp_server *sv);
void server_sockets_cleanup(struct udp_server *sv);
/* Sends from the local address the peer last sent to. */
void server_send(struct udp_server *sv, struct peer *p, uint8_t *dg, size_t n);
/* The local address a received datagram was sent to (IP_PKTINFO). */
void server_local(struct msghdr *m, struct dest *d);

#endif
