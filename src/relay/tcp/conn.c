/* A connection's lifetime: made on accept, its sockets watched edge-triggered (registered
 * once, never modified), its one timer (FIFO lists, one per fixed duration, so arming and
 * expiring are O(1)), its place on the ready list, and closing. */
#include "tcp/tcp.h"
#include "shared/util.h"
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

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
