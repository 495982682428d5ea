/* Router, LAN side of UDP: the nft TPROXY rule hands LAN datagrams to transparent sockets on
 * the relay's port, which learn where each was going (IP_ORIGDSTADDR) and its DSCP
 * (IP_RECVTOS). What the server sends back is delivered from the remote's address and port
 * (reply.c). */
#include "udp/router/router.h"
#include "shared/util.h"
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#ifndef IP_TRANSPARENT
#define IP_TRANSPARENT 19
#endif
#ifndef IP_RECVORIGDSTADDR
#define IP_RECVORIGDSTADDR 20
#endif
#ifndef IPV6_TRANSPARENT
#define IPV6_TRANSPARENT 75
#endif
#ifndef IPV6_RECVORIGDSTADDR
#define IPV6_RECVORIGDSTADDR 74
#endif

static uint16_t listen_port(const struct config *cfg)
{
	const struct sockaddr_storage *a = &cfg->listen;
	return a->ss_family == AF_INET ? ((const struct sockaddr_in *)a)->sin_port : ((const struct sockaddr_in6 *)a)->sin6_port;
}

/* One socket per family (not one dual-stack socket): each then gets its own family's cmsgs. */
static int lan_socket(const struct config *cfg, int family)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1, ok;
	struct sockaddr_storage a = { .ss_family = (sa_family_t)family };
	socklen_t len;
	burst_room(fd);
	if (family == AF_INET) {
		ok = !setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof one) &&
		     !setsockopt(fd, SOL_IP, IP_RECVORIGDSTADDR, &one, sizeof one) &&
		     !setsockopt(fd, SOL_IP, IP_RECVTOS, &one, sizeof one);
		((struct sockaddr_in *)&a)->sin_port = listen_port(cfg);
		len = sizeof(struct sockaddr_in);
	} else {
		ok = !setsockopt(fd, SOL_IPV6, IPV6_V6ONLY, &one, sizeof one) &&
		     !setsockopt(fd, SOL_IPV6, IPV6_TRANSPARENT, &one, sizeof one) &&
		     !setsockopt(fd, SOL_IPV6, IPV6_RECVORIGDSTADDR, &one, sizeof one) &&
		     !setsockopt(fd, SOL_IPV6, IPV6_RECVTCLASS, &one, sizeof one);
		((struct sockaddr_in6 *)&a)->sin6_port = listen_port(cfg);
		len = sizeof(struct sockaddr_in6);
	}
	if (!ok || bind(fd, (struct sockaddr *)&a, len) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int lan_init(struct udp_router *r)
{
	r->lan[0] = lan_socket(r->u.cfg, AF_INET);
	r->lan[1] = lan_socket(r->u.cfg, AF_INET6);
	if (r->lan[0] < 0 || (r->lan[1] < 0 && errno != EAFNOSUPPORT))
		return -1; /* IPv6 may be missing from the kernel; anything else is an error */
	for (int i = 0; i < 2; i++)
		if (r->lan[i] >= 0 && epoll_add(&r->u, r->lan[i], UT_LAN + (uint64_t)i) < 0)
			return -1;
	return 0;
}

void lan_cleanup(struct udp_router *r)
{
	for (int i = 0; i < 2; i++)
		if (r->lan[i] >= 0)
			close(r->lan[i]);
}

/* The original destination and DSCP. -1 without a destination (not from the TPROXY rule). */
static int ancillary(struct msghdr *m, struct dest *orig, int *dscp)
{
	int have = 0;
	*dscp = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		struct sockaddr_storage ss = { 0 };
		int tclass;
		if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_ORIGDSTADDR && c->cmsg_len >= CMSG_LEN(sizeof(struct sockaddr_in))) {
			memcpy(&ss, CMSG_DATA(c), sizeof(struct sockaddr_in));
			have = sockaddr_to_dest(&ss, orig) == 0;
		} else if (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_ORIGDSTADDR &&
			   c->cmsg_len >= CMSG_LEN(sizeof(struct sockaddr_in6))) {
			memcpy(&ss, CMSG_DATA(c), sizeof(struct sockaddr_in6));
			have = sockaddr_to_dest(&ss, orig) == 0;
		} else if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_TOS && c->cmsg_len >= CMSG_LEN(1)) {
			*dscp = CMSG_DATA(c)[0] >> 2;
		} else if (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_TCLASS && c->cmsg_len >= CMSG_LEN(sizeof tclass)) {
			memcpy(&tclass, CMSG_DATA(c), sizeof tclass);
			*dscp = (tclass >> 2) & 63;
		}
	}
	return have ? 0 : -1;
}

/* Sent to one of the router's own addresses (to the relay's port itself): relaying would loop. */
static int to_router(struct udp *u, const struct dest *d)
{
	own_refresh(u->own, u->now_ms, 2000);
	for (int i = 0; i < u->own->n; i++)
		if (u->own->a[i].family == d->family && memcmp(u->own->a[i].addr, d->addr, 16) == 0)
			return 1;
	return d->port == 0;
}

int lan_recv(struct udp_router *r, int which, struct lan_dgram *d)
{
	struct sockaddr_storage from;
	union {
		char b[256];
		struct cmsghdr align;
	} ctl;
	d->payload = r->u.buf + DG_ROOM;
	struct iovec iov = { d->payload, DG_MAX_PAYLOAD + 1 };
	struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl.b, .msg_controllen = sizeof ctl.b };
	ssize_t n = recvmsg(r->lan[which], &m, MSG_DONTWAIT);
	if (n < 0)
		return errno == EINTR ? 0 : -1; /* -1: drained (epoll is level-triggered: it says so again if not) */
	if ((m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || n > DG_MAX_PAYLOAD || ancillary(&m, &d->orig, &d->dscp) < 0 ||
	    sockaddr_to_dest(&from, &d->client) < 0 || d->client.family != d->orig.family || to_router(&r->u, &d->orig))
		return 0;
	d->len = (size_t)n;
	return 1;
}
