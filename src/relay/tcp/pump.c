/* The data path: moves bytes one direction at a time (move.c: by copy or by splice, chosen per
 * direction, see README.md). Readiness flags come from edge-triggered epoll; a direction stops
 * when its source has nothing or its destination is full, and a direction that used up its
 * budget is resumed from the worker's ready list (fairness). */
#include "tcp/tcp.h"
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#define BUDGET 16 /* reads per direction before other connections get their turn */

static const struct io_method *method_of(const struct worker *w, int i)
{
	/* h[0] runs from the accepted socket: on the router into MPTCP, on the server out of it. */
	int into_mptcp = w->cfg->server ? i == 1 : i == 0;
	return into_mptcp ? &w->cfg->io_in : &w->cfg->io_out;
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
			int r = half_flush(w, h, dst);
			if (r <= 0)
				return r < 0 ? PUMP_ABORT : PUMP_IDLE;
		}
		if (h->shut)
			return PUMP_IDLE;
		if (h->eof && h->rec_out && !h->end_sent) {
			/* The end record instead of a DATA_FIN (record.c says why): written as any bytes. */
			if (!(h->buf = calloc(1, REC_HEAD)))
				return PUMP_ABORT;
			h->off = 0, h->len = REC_HEAD, h->end_sent = 1;
			continue;
		}
		if (h->eof) {
			/* Everything read has been written: pass the half-close on. */
			if (!h->end_sent)
				shutdown(dst->fd, SHUT_WR);
			h->shut = 1;
			return PUMP_IDLE;
		}
		if (!src->rd || !dst->wr)
			return PUMP_IDLE;
		size_t moved;
		ssize_t n = m->kind == IO_SPLICE ? move_splice(w, h, src, dst, m->chunk, &moved)
						 : move_copy(w, h, src, dst, m->chunk, &moved);
		if (n > 0) {
			ctr_add(&w->ctr, i == 0 ? C_BYTES_UP : C_BYTES_DOWN, (int64_t)moved);
		} else if (n == 0) {
			h->eof = 1;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
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
