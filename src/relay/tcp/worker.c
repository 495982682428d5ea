/* A worker: one thread with its own epoll, SO_REUSEPORT listener, scratch buffer and spare
 * pipes, so workers share nothing on the data path. */
#include "tcp/tcp.h"
#include "shared/util.h"
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

static int listener(const struct config *cfg)
{
	static int warned;
	struct sockaddr_storage a = cfg->listen;
	socklen_t len = cfg->listen_len;
	int fd = socket(a.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, cfg->server ? IPPROTO_MPTCP : 0);
	if (fd < 0 && cfg->server) {
		if (!warned++)
			logmsg("this kernel refuses MPTCP listeners (%s): listening with TCP", strerror(errno));
		fd = socket(a.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	}
	if (fd < 0)
		return -1;
	if (cfg->server) /* the router's connections (and their subflows) inherit it */
		set_congestion(fd, cfg->congestion);
	int one = 1, zero = 0;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0 ||
	    (a.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) < 0) ||
	    bind(fd, (struct sockaddr *)&a, len) < 0 || listen(fd, 4096) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int worker_init(struct worker *w, const struct config *cfg, const struct role *role, int index)
{
	memset(w, 0, sizeof *w);
	w->cfg = cfg, w->role = role, w->index = index, w->lfd = w->wake_fd = w->reserve_fd = -1;
	for (int k = 0; k < T_KINDS; k++)
		w->timers[k].prev = w->timers[k].next = &w->timers[k];
	uint32_t chunk = cfg->io_in.chunk > cfg->io_out.chunk ? cfg->io_in.chunk : cfg->io_out.chunk;
	w->scratch_len = HS_MAX + REC_HEAD + chunk; /* the router's handshake and first record in one write */
	w->scratch = malloc(w->scratch_len);
	w->ep = epoll_create1(EPOLL_CLOEXEC);
	w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w->lfd = listener(cfg);
	if (!w->scratch || w->ep < 0 || w->wake_fd < 0 || w->lfd < 0)
		return -1;
	struct epoll_event l = { .events = EPOLLIN, .data.u64 = TAG_LISTEN };
	struct epoll_event k = { .events = EPOLLIN, .data.u64 = TAG_WAKE };
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, w->lfd, &l) < 0 || epoll_ctl(w->ep, EPOLL_CTL_ADD, w->wake_fd, &k) < 0)
		return -1;
	w->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return 0;
}

int accept_next(struct worker *w)
{
	for (;;) {
		int fd = accept4(w->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0 || errno == EAGAIN || errno == EWOULDBLOCK)
			return fd;
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if ((errno != EMFILE && errno != ENFILE) || w->reserve_fd < 0)
			return -1;
		/* Out of descriptors: the level-triggered listener would spin on the same connection.
		 * A spare descriptor makes room to take it and refuse it. */
		int err = errno;
		close(w->reserve_fd);
		fd = accept4(w->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0) {
			close_reset(fd);
			refusal_note(w, err);
		}
		w->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
}

void worker_cleanup(struct worker *w)
{
	while (w->conns)
		conn_close(w, w->conns, 0);
	while (w->dead) {
		struct conn *c = w->dead;
		w->dead = c->next;
		free(c);
	}
	for (int i = 0; i < w->nspare; i++)
		close(w->spare[i].r), close(w->spare[i].w);
	close(w->lfd);
	close(w->ep);
	if (w->reserve_fd >= 0)
		close(w->reserve_fd);
	free(w->scratch);
}
