/* The data path: moves bytes one direction at a time, by copy through the worker's scratch
 * buffer or by splice through a pipe (chosen per direction, see README.md). Nothing is held
 * per connection unless a write was partial. Readiness flags come from edge-triggered epoll;
 * a direction stops when its source has nothing or its destination is full, and a direction
 * that used up its budget is resumed from the worker's ready list (fairness). */
#include "tcp/tcp.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUDGET 16 /* reads per direction before other connections get their turn */

static const struct io_method *method_of(const struct worker *w, int i)
{
	/* h[0] runs from the accepted socket: on the router into MPTCP, on the server out of it. */
	int into_mptcp = w->cfg->server ? i == 1 : i == 0;
	return into_mptcp ? &w->cfg->io_in : &w->cfg->io_out;
}

static int again(void)
{
	return errno == EAGAIN || errno == EWOULDBLOCK;
}

static int pipe_get(struct worker *w, uint32_t chunk, struct pipe_pair *p)
{
	if (w->nspare) {
		*p = w->spare[--w->nspare];
		return 0;
	}
	int fds[2];
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	if (chunk > 65536)
		fcntl(fds[1], F_SETPIPE_SZ, (int)chunk);
	p->r = fds[0], p->w = fds[1];
	return 0;
}

static void pipe_put(struct worker *w, struct pipe_pair p)
{
	if (w->nspare < (int)(sizeof w->spare / sizeof w->spare[0]))
		w->spare[w->nspare++] = p;
	else
		close(p.r), close(p.w);
}

/* Writes what the half holds. 1: all written; 0: the destination is full; -1: error. */
static int flush(struct worker *w, struct half *h, struct side *dst)
{
	for (;;) {
		ssize_t k;
		if (h->buf)
			k = send(dst->fd, h->buf + h->off, h->len, MSG_NOSIGNAL);
		else
			k = splice(h->pipe_r, NULL, dst->fd, NULL, h->inpipe, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (!again())
				return -1;
			dst->wr = 0;
			return 0;
		}
		if (h->buf) {
			h->off += (uint32_t)k, h->len -= (uint32_t)k;
			if (h->len && dst->eagain_only)
				continue;
			if (h->len) {
				dst->wr = 0; /* a partial write means the send buffer is full */
				return 0;
			}
			free(h->buf);
			h->buf = NULL, h->off = 0;
			return 1;
		}
		h->inpipe -= (uint32_t)k;
		if (h->inpipe && dst->eagain_only)
			continue;
		if (h->inpipe) {
			dst->wr = 0;
			return 0;
		}
		pipe_put(w, (struct pipe_pair){ h->pipe_r, h->pipe_w });
		h->pipe_r = h->pipe_w = -1;
		return 1;
	}
}

/* Reads one chunk and writes it on. >0: bytes moved or kept; 0: EOF; -1: errno says. */
static ssize_t move_copy(struct worker *w, struct half *h, struct side *src, struct side *dst, uint32_t chunk)
{
	ssize_t n = recv(src->fd, w->scratch, chunk, 0);
	if (n <= 0)
		return n;
	if ((size_t)n < chunk && !src->rdhup && !src->eagain_only)
		src->rd = 0; /* drained: new data brings a new edge */
	ssize_t k = send(dst->fd, w->scratch, (size_t)n, MSG_NOSIGNAL);
	int full = 0;
	if (k < 0) {
		if (!again() && errno != EINTR)
			return -1;
		full = again(), k = 0;
	}
	if (k < n) {
		h->buf = malloc((size_t)(n - k));
		if (!h->buf) {
			errno = ENOMEM;
			return -1;
		}
		memcpy(h->buf, w->scratch + k, (size_t)(n - k));
		h->off = 0, h->len = (uint32_t)(n - k);
		if (full || !dst->eagain_only)
			dst->wr = 0;
	}
	return n;
}

static ssize_t move_splice(struct worker *w, struct half *h, struct side *src, struct side *dst, uint32_t chunk)
{
	struct pipe_pair p;
	if (pipe_get(w, chunk, &p) < 0)
		return -1;
	ssize_t n = splice(src->fd, NULL, p.w, NULL, chunk, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (n <= 0) {
		int e = errno;
		pipe_put(w, p); /* still empty */
		errno = e;
		return n;
	}
	if ((size_t)n < chunk && !src->rdhup && !src->eagain_only)
		src->rd = 0;
	ssize_t k = splice(p.r, NULL, dst->fd, NULL, (size_t)n, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	int full = 0;
	if (k < 0) {
		if (!again() && errno != EINTR) {
			int e = errno;
			close(p.r), close(p.w);
			errno = e;
			return -1;
		}
		full = again(), k = 0;
	}
	if (k == n) {
		pipe_put(w, p);
	} else {
		h->pipe_r = p.r, h->pipe_w = p.w, h->inpipe = (uint32_t)(n - k);
		if (full || !dst->eagain_only)
			dst->wr = 0;
	}
	return n;
}

enum pump_result pump(struct worker *w, struct conn *c, int i)
{
	struct half *h = &c->h[i];
	struct side *src = &c->s[i], *dst = &c->s[!i];
	const struct io_method *m = method_of(w, i);
	for (int round = 0; round < BUDGET; round++) {
		if (h->buf || h->inpipe) {
			if (!dst->wr)
				return PUMP_IDLE;
			int r = flush(w, h, dst);
			if (r <= 0)
				return r < 0 ? PUMP_ABORT : PUMP_IDLE;
		}
		if (h->shut)
			return PUMP_IDLE;
		if (h->eof) {
			/* Everything read has been written: pass the half-close on. */
			shutdown(dst->fd, SHUT_WR);
			h->shut = 1;
			return PUMP_IDLE;
		}
		if (!src->rd || !dst->wr)
			return PUMP_IDLE;
		ssize_t n = m->kind == IO_SPLICE ? move_splice(w, h, src, dst, m->chunk)
						 : move_copy(w, h, src, dst, m->chunk);
		if (n > 0) {
			ctr_add(&w->ctr, i == 0 ? C_BYTES_UP : C_BYTES_DOWN, n);
		} else if (n == 0) {
			h->eof = 1;
		} else if (again()) {
			src->rd = 0;
			return PUMP_IDLE;
		} else if (errno != EINTR) {
			return PUMP_ABORT;
		}
	}
	return PUMP_MORE;
}

void relay_step(struct worker *w, struct conn *c)
{
	enum pump_result up = pump(w, c, 0), down = up == PUMP_ABORT ? PUMP_ABORT : pump(w, c, 1);
	if (up == PUMP_ABORT || down == PUMP_ABORT) {
		conn_close(w, c, 3); /* a reset (or error) on one side becomes a reset on the other */
		return;
	}
	if (c->h[0].shut && c->h[1].shut) {
		conn_close(w, c, 0);
		return;
	}
	if (up == PUMP_MORE || down == PUMP_MORE)
		ready_push(w, c);
}

void relay_start(struct worker *w, struct conn *c)
{
	c->phase = PH_RELAY;
	timer_disarm(c);
	relay_step(w, c);
}
