/* The event loop of a worker: epoll events to the connection's step (the data path once
 * relaying, else the role's), the ready list, the timers, and freeing closed connections only
 * after the batch of events that might still name them. */
#include "tcp/tcp.h"
#include "shared/util.h"
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

static void step(struct worker *w, struct conn *c)
{
	if (c->phase == PH_RELAY)
		relay_step(w, c);
	else if (c->phase != PH_DEAD)
		w->role->step(w, c);
}

static void dispatch(struct worker *w, const struct epoll_event *e)
{
	uint64_t tag = e->data.u64 & 3;
	if (tag == TAG_LISTEN) {
		w->role->accept(w);
		return;
	}
	if (tag == TAG_WAKE) {
		uint64_t v;
		if (read(w->wake_fd, &v, sizeof v) < 0) { /* woken for g_stop only */ }
		return;
	}
	struct conn *c = (struct conn *)(uintptr_t)(e->data.u64 & ~(uint64_t)3);
	if (c->phase == PH_DEAD)
		return;
	struct side *s = &c->s[tag];
	if (e->events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		s->rd = 1;
	if (e->events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
		s->wr = 1;
	if (e->events & (EPOLLRDHUP | EPOLLHUP))
		s->rdhup = 1; /* a FIN may follow data: keep reading until EOF */
	/* A reset while this side waits on the other one would go unseen by the data path. */
	if (c->phase == PH_RELAY && (e->events & EPOLLERR) && sock_error(s->fd)) {
		conn_close(w, c, 3);
		return;
	}
	step(w, c);
}

static int next_timeout(struct worker *w)
{
	int64_t best = -1;
	for (int k = 0; k < T_KINDS; k++) {
		struct tlink *first = w->timers[k].next;
		if (first == &w->timers[k])
			continue;
		int64_t d = first->deadline_ms - w->now_ms;
		if (d < 0)
			d = 0;
		if (best < 0 || d < best)
			best = d;
	}
	return best > 60000 ? 60000 : (int)best;
}

static void expire(struct worker *w)
{
	for (int k = 0; k < T_KINDS; k++) {
		struct tlink *head = &w->timers[k];
		while (head->next != head && head->next->deadline_ms <= w->now_ms) {
			struct conn *c = (struct conn *)(void *)((char *)head->next - offsetof(struct conn, timer));
			timer_disarm(c);
			w->role->expire(w, c);
		}
	}
}

void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct epoll_event ev[64];
	while (!atomic_load(&g_stop)) {
		w->now_ms = mono_ms();
		int n = epoll_wait(w->ep, ev, 64, w->ready ? 0 : next_timeout(w));
		if (n < 0 && errno != EINTR) {
			logmsg("worker %d: epoll_wait: %s", w->index, strerror(errno));
			break;
		}
		w->now_ms = mono_ms();
		for (int i = 0; i < n; i++)
			dispatch(w, &ev[i]);
		struct conn *list = w->ready;
		w->ready = NULL;
		while (list) {
			struct conn *c = list;
			list = c->ready_next;
			c->in_ready = 0;
			step(w, c);
		}
		expire(w);
		while (w->dead) {
			struct conn *c = w->dead;
			if (c->in_ready)
				break; /* still on the ready list: freed next round */
			w->dead = c->next;
			free(c);
		}
	}
	worker_cleanup(w);
	return NULL;
}
