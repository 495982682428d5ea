/* Server side of UDP, its sockets: the relay's port for each family, with IP_PKTINFO both
 * ways, so every answer leaves from the address the router sent to (a server with several
 * addresses, or behind a 1:1 NAT, still answers from the one the router knows). */
#include "udp/server/server.h"
#include "shared/util.h"
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

static int main_socket(const struct sockaddr_storage *a, socklen_t len)
{
	int v6 = a->ss_family == AF_INET6, one = 1;
	int fd = socket(a->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	burst_room(fd);
	if ((v6 ? setsockopt(fd, SOL_IPV6, IPV6_V6ONLY, &one, sizeof one) ||
			  setsockopt(fd, SOL_IPV6, IPV6_RECVPKTINFO, &one, sizeof one)
		: setsockopt(fd, SOL_IP, IP_PKTINFO, &one, sizeof one)) ||
	    bind(fd, (const struct sockaddr *)a, len) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* --listen [::]:P (the default) serves both families, each on its own socket. */
int server_sockets_init(struct udp_server *sv)
{
	const struct config *cfg = sv->u.cfg;
	const struct sockaddr_in6 *l6 = (const struct sockaddr_in6 *)&cfg->listen;
	if (cfg->listen.ss_family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&l6->sin6_addr)) {
		struct sockaddr_storage a4 = { .ss_family = AF_INET };
		((struct sockaddr_in *)&a4)->sin_port = l6->sin6_port;
		sv->main_fd[0] = main_socket(&a4, sizeof(struct sockaddr_in));
		sv->main_fd[1] = main_socket(&cfg->listen, cfg->listen_len);
		if (sv->main_fd[0] < 0 || (sv->main_fd[1] < 0 && errno != EAFNOSUPPORT))
			return -1;
	} else if ((sv->main_fd[cfg->listen.ss_family == AF_INET6] = main_socket(&cfg->listen, cfg->listen_len)) < 0) {
		return -1;
	}
	for (int i = 0; i < 2; i++)
		if (sv->main_fd[i] >= 0 && epoll_add(&sv->u, sv->main_fd[i], UT_MAIN + (uint64_t)i) < 0)
			return -1;
	return 0;
}

void server_sockets_cleanup(struct udp_server *sv)
{
	for (int i = 0; i < 2; i++)
		if (sv->main_fd[i] >= 0)
			close(sv->main_fd[i]);
}

/* Not const: sendmsg's iovec and name are not. */
void server_send(struct udp_server *sv, struct peer *p, uint8_t *dg, size_t n)
{
	union {
		char b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof ctl);
	struct iovec iov = { dg, n };
	struct msghdr m = { .msg_name = &p->sa, .msg_namelen = p->len, .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c = (struct cmsghdr *)(void *)ctl.b;
	if (p->local.family == 4) {
		struct in_pktinfo pi = { 0 };
		memcpy(&pi.ipi_spec_dst, p->local.addr, 4);
		c->cmsg_level = SOL_IP, c->cmsg_type = IP_PKTINFO, c->cmsg_len = CMSG_LEN(sizeof pi);
		memcpy(CMSG_DATA(c), &pi, sizeof pi);
		m.msg_control = ctl.b, m.msg_controllen = CMSG_SPACE(sizeof pi);
	} else if (p->local.family == 6) {
		struct in6_pktinfo pi = { 0 };
		memcpy(&pi.ipi6_addr, p->local.addr, 16);
		c->cmsg_level = SOL_IPV6, c->cmsg_type = IPV6_PKTINFO, c->cmsg_len = CMSG_LEN(sizeof pi);
		memcpy(CMSG_DATA(c), &pi, sizeof pi);
		m.msg_control = ctl.b, m.msg_controllen = CMSG_SPACE(sizeof pi);
	}
	if (sendmsg(sv->main_fd[p->sock], &m, MSG_DONTWAIT) < 0) { /* UDP: a full buffer drops it */ }
}

/* The local address a datagram was sent to. */
void server_local(struct msghdr *m, struct dest *d)
{
	memset(d, 0, sizeof *d);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_PKTINFO && c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			d->family = 4;
			memcpy(d->addr, &pi.ipi_addr, 4);
		} else if (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
			   c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			d->family = 6;
			memcpy(d->addr, &pi.ipi6_addr, 16);
		}
	}
}
