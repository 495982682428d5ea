/* The UDP thread: its own epoll, its clock, the once-a-second housekeeping, and the side's
 * role for everything else. Nothing is shared with the TCP workers; the main thread only
 * starts and stops it, hands the router a re-read paths file (through the role, under the
 * role's lock) and reads the counters. */
#include "udp/udp.h"
#include "shared/util.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static void clock_now(struct udp *u)
{
	u->now_ms = mono_ms();
	u->now_s = (uint32_t)time(NULL); /* the datagrams' time field: low 32 bits */
}

/* Runs what is due; returns how long epoll may sleep. */
static int tick(struct udp *u, int64_t *house_ms)
{
	int second = u->now_ms >= *house_ms;
	if (second) {
		*house_ms = u->now_ms + 1000;
		session_expire(u);
	}
	int64_t next = u->role->tick(u, second);
	if (next > *house_ms)
		next = *house_ms;
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
		for (int i = 0; i < n; i++) {
			eventfd_t v;
			if (ev[i].data.u64 != UT_WAKE)
				u->role->event(u, ev[i].data.u64);
			else if (eventfd_read(u->wake_fd, &v) < 0) { /* woken for g_stop or a reload only */ }
		}
		wait = tick(u, &house_ms);
	}
	return NULL;
}

struct udp *udp_start(const struct config *cfg, const struct udp_role *role)
{
	struct udp *u = calloc(1, role->size);
	if (!u)
		return NULL;
	u->cfg = cfg, u->role = role;
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
	    epoll_add(u, u->wake_fd, UT_WAKE) < 0 || role->init(u) < 0 || pthread_create(&u->thread, NULL, run, u) != 0)
		return NULL;
	return u;
}

void udp_reload(struct udp *u)
{
	if (!u->role->reload)
		return;
	u->role->reload(u);
	if (eventfd_write(u->wake_fd, 1) < 0) { /* the thread sees the reload at its next wakeup anyway */ }
}

int udp_path_stats(struct udp *u, struct path_stat *out, int max)
{
	return u->role->path_stats ? u->role->path_stats(u, out, max) : 0;
}

void udp_stop(struct udp *u)
{
	if (eventfd_write(u->wake_fd, 1) < 0) { /* it sees g_stop at its next tick anyway */ }
	pthread_join(u->thread, NULL);
	while (u->sessions.oldest)
		session_free(u, CONTAINER(u->sessions.oldest, struct session, lru));
	u->role->cleanup(u);
	htab_free(&u->ids);
	close(u->ep);
	close(u->wake_fd);
	free(u->buf);
	free(u->own);
	free(u);
}
