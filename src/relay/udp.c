/* The UDP thread: its own epoll, a housekeeping tick, and the paths file that main re-reads
 * on SIGHUP handed over under a lock. Nothing else is shared with the TCP workers. */
#include "udp.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static struct udp *g_udp;

int epoll_add(struct udp *u, int fd, uint64_t tag)
{
	struct epoll_event e = { .events = EPOLLIN, .data.u64 = tag };
	return epoll_ctl(u->ep, EPOLL_CTL_ADD, fd, &e);
}

int64_t mono_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void clock_now(struct udp *u)
{
	u->now_ms = mono_ms();
	u->now_s = (uint32_t)time(NULL); /* the datagrams' time field: low 32 bits */
}

static void lan_forget_session(struct udp *u, struct session *s)
{
	htab_remove(&u->clients, &s->by_client);
}

static void event(struct udp *u, uint64_t tag)
{
	if (tag == UT_WAKE) {
		eventfd_t v;
		if (eventfd_read(u->wake_fd, &v) < 0) { /* woken for g_stop or a reload only */ }
	} else if (u->cfg->server) {
		server_udp_event(u, tag);
	} else if (tag >= UT_PATH) {
		paths_read(u, (int)(tag - UT_PATH));
	} else {
		lan_read(u, (int)(tag - UT_LAN));
	}
}

/* Timers; returns how long epoll may sleep. Keepalives need 200 ms steps, the rest 1 s. */
static int tick(struct udp *u, int64_t *house_ms)
{
	int64_t next = *house_ms;
	if (u->now_ms >= *house_ms) {
		*house_ms = u->now_ms + 1000;
		next = *house_ms;
		if (u->cfg->server) {
			server_udp_tick(u);
		} else {
			session_expire(u, lan_forget_session);
			reply_expire(u);
		}
	}
	if (!u->cfg->server) {
		int64_t ka = paths_tick(u);
		if (ka < next)
			next = ka;
	}
	return next <= u->now_ms ? 0 : (int)(next - u->now_ms);
}

static void *run(void *arg)
{
	struct udp *u = arg;
	struct epoll_event ev[64];
	int64_t house_ms = 0;
	int wait = 0;
	while (!atomic_load(&g_stop)) {
		int n = epoll_wait(u->ep, ev, 64, wait);
		if (n < 0 && errno != EINTR) {
			logmsg("udp: epoll_wait: %s", strerror(errno));
			break;
		}
		clock_now(u);
		for (int i = 0; i < n; i++)
			event(u, ev[i].data.u64);
		if (atomic_exchange(&u->reload, 0)) {
			pthread_mutex_lock(&u->lock);
			struct path_list *l = u->pending;
			u->pending = NULL;
			pthread_mutex_unlock(&u->lock);
			if (l)
				paths_apply(u, l);
			free(l);
		}
		wait = tick(u, &house_ms);
	}
	return NULL;
}

int udp_start(const struct config *cfg)
{
	struct udp *u = calloc(1, sizeof *u);
	if (!u)
		return -1;
	g_udp = u;
	u->cfg = cfg;
	u->lan[0] = u->lan[1] = u->main_fd[0] = u->main_fd[1] = -1;
	pthread_mutex_init(&u->lock, NULL);
	/* Captured datagrams stay valid for 2 x max-skew: a session must outlive that, or its
	 * replays could start it again with a fresh window. */
	u->expiry_ms = 2000LL * cfg->max_skew + 10000;
	if (u->expiry_ms < 120000)
		u->expiry_ms = 120000;
	u->buf = malloc(DG_ROOM + 65536 + DG_TAG);
	u->own = calloc(1, sizeof *u->own);
	u->ep = epoll_create1(EPOLL_CLOEXEC);
	u->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	clock_now(u);
	if (!u->buf || !u->own || u->ep < 0 || u->wake_fd < 0 || htab_init(&u->ids, (uint32_t)cfg->max_sessions) < 0 ||
	    epoll_add(u, u->wake_fd, UT_WAKE) < 0)
		return -1;
	if (cfg->server ? server_udp_init(u) < 0
			: (htab_init(&u->clients, (uint32_t)cfg->max_sessions) < 0 || lan_init(u) < 0 || reply_init(u) < 0 ||
			   paths_init(u) < 0))
		return -1;
	if (pthread_create(&u->thread, NULL, run, u) != 0)
		return -1;
	return 0;
}

struct counters *udp_counters(void)
{
	return &g_udp->ctr;
}

void udp_reload(void)
{
	struct udp *u = g_udp;
	struct path_list *l = calloc(1, sizeof *l);
	if (!u || u->cfg->server || !l) {
		free(l);
		return;
	}
	paths_load(u->cfg->paths_file, u->server.ss_family == AF_INET ? 4 : 6, l);
	pthread_mutex_lock(&u->lock);
	free(u->pending);
	u->pending = l;
	pthread_mutex_unlock(&u->lock);
	atomic_store(&u->reload, 1);
	if (eventfd_write(u->wake_fd, 1) < 0) { /* the thread sees `reload` at its next wakeup anyway */ }
}

int udp_path_stats(struct path_stat *out, int max)
{
	struct udp *u = g_udp;
	int n = 0;
	pthread_mutex_lock(&u->lock);
	for (int i = 0; !u->implicit && i < u->npaths && n < max; i++, n++) {
		struct path *p = &u->paths[i];
		memcpy(out[n].name, p->name, sizeof out[n].name);
		memcpy(out[n].source, p->source, sizeof out[n].source);
		out[n].alive = atomic_load(&p->alive);
		out[n].rtt_us = atomic_load(&p->rtt_us);
		out[n].bytes_up = atomic_load(&p->bytes_up);
		out[n].bytes_down = atomic_load(&p->bytes_down);
	}
	pthread_mutex_unlock(&u->lock);
	return n;
}

void udp_stop(void)
{
	struct udp *u = g_udp;
	if (!u)
		return;
	if (eventfd_write(u->wake_fd, 1) < 0) { /* it sees g_stop at its next tick anyway */ }
	pthread_join(u->thread, NULL);
	while (u->sessions.oldest) {
		struct session *s = CONTAINER(u->sessions.oldest, struct session, lru);
		if (u->cfg->server)
			close(s->fd);
		else
			lan_forget_session(u, s);
		session_free(u, s);
	}
	if (u->cfg->server) {
		server_udp_cleanup(u);
	} else {
		lan_cleanup(u);
		reply_cleanup(u);
		paths_cleanup(u);
		htab_free(&u->clients);
	}
	htab_free(&u->ids);
	close(u->ep);
	close(u->wake_fd);
	free(u->pending);
	free(u->buf);
	free(u->own);
	free(u);
	g_udp = NULL;
}
