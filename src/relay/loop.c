/* The event loop of a worker. Connections are edge-triggered (registered once, never
 * modified); timers are FIFO lists, one per fixed duration, so arming and expiring are O(1).
 * Closed connections are freed only after the batch of events that might still name them. */
#include "relay.h"
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

_Atomic int g_stop;
_Atomic uint64_t g_pending;

static const int TIMER_MS[T_KINDS] = { 5000, 10000, 20000 };

struct conn *conn_new(struct worker *w, int fd)
{
	struct conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->s[0].fd = fd, c->s[1].fd = -1;
	c->s[0].rd = c->s[0].wr = 1; /* an accepted socket: try it once before any edge */
	for (int i = 0; i < 2; i++)
		c->h[i].pipe_r = c->h[i].pipe_w = -1;
	c->next = w->conns;
	if (w->conns)
		w->conns->prev = c;
	w->conns = c;
	ctr_add(&w->ctr, C_ACTIVE, 1);
	return c;
}

int conn_watch(struct worker *w, struct conn *c, int side)
{
	struct epoll_event e = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
				 .data.u64 = (uint64_t)(uintptr_t)c | (uint64_t)side };
	return epoll_ctl(w->ep, EPOLL_CTL_ADD, c->s[side].fd, &e);
}

void timer_disarm(struct conn *c)
{
	if (!c->timer.next)
		return;
	c->timer.prev->next = c->timer.next;
	c->timer.next->prev = c->timer.prev;
	c->timer.prev = c->timer.next = NULL;
}

void timer_arm(struct worker *w, struct conn *c, enum timer_kind k)
{
	struct tlink *head = &w->timers[k];
	timer_disarm(c);
	c->timer.deadline_ms = w->now_ms + TIMER_MS[k];
	c->timer.next = head, c->timer.prev = head->prev;
	head->prev->next = &c->timer;
	head->prev = &c->timer;
}

void ready_push(struct worker *w, struct conn *c)
{
	if (c->in_ready)
		return;
	c->in_ready = 1;
	c->ready_next = w->ready;
	w->ready = c;
}

static void pipe_close(int *r, int *wr)
{
	if (*r >= 0)
		close(*r), close(*wr);
	*r = *wr = -1;
}

void conn_close(struct worker *w, struct conn *c, int reset_mask)
{
	for (int i = 0; i < 2; i++) {
		if (c->s[i].fd >= 0) {
			if (reset_mask & (1 << i))
				close_reset(c->s[i].fd);
			else
				close(c->s[i].fd);
		}
		c->s[i].fd = -1;
		free(c->h[i].buf);
		c->h[i].buf = NULL;
		pipe_close(&c->h[i].pipe_r, &c->h[i].pipe_w);
	}
	if (c->pending)
		atomic_fetch_sub(&g_pending, 1);
	c->pending = 0;
	timer_disarm(c);
	if (c->prev)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->phase = PH_DEAD;
	c->next = w->dead; /* freed after this batch: later events may still point at it */
	w->dead = c;
	ctr_add(&w->ctr, C_ACTIVE, -1);
}

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
