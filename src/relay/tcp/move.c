/* Moving one chunk of a direction: by copy through the worker's scratch buffer or by splice
 * through a pipe, with the records the router writes and the server reads (record.c), and
 * writing what a half holds after a partial write. Nothing is held per connection unless a
 * write was partial. */
#include "tcp/tcp.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Writes what the half holds: h->buf first (a record header in front of a pipe's bytes is
 * there), then the pipe. 1: all written; 0: the destination is full; -1: error. */
int half_flush(struct worker *w, struct half *h, struct side *dst)
{
	while (h->buf || h->inpipe) {
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
			continue;
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
	}
	return 1;
}

/* Writes `n` bytes of the scratch buffer from `from` on; keeps what the destination did not take.
 * 0, or -1: errno says. */
static int send_keep(struct worker *w, struct half *h, struct side *dst, size_t from, size_t n)
{
	ssize_t k = send(dst->fd, w->scratch + from, n, MSG_NOSIGNAL);
	int full = 0;
	if (k < 0) {
		if (!again() && errno != EINTR)
			return -1;
		full = again(), k = 0;
	}
	if ((size_t)k < n) {
		h->buf = malloc(n - (size_t)k);
		if (!h->buf) {
			errno = ENOMEM;
			return -1;
		}
		memcpy(h->buf, w->scratch + from + k, n - (size_t)k);
		h->off = 0, h->len = (uint32_t)(n - (size_t)k);
		if (full || !dst->eagain_only)
			dst->wr = 0;
	}
	return 0;
}

/* Stream EOF in the middle of a record: the router's bytes were cut short. */
static ssize_t stream_end(const struct half *h, ssize_t n)
{
	if (n == 0 && h->rec_in && (h->rec_left || h->rec_have)) {
		errno = EPROTO;
		return -1;
	}
	return n;
}

ssize_t move_copy(struct worker *w, struct half *h, struct side *src, struct side *dst, uint32_t chunk, size_t *moved)
{
	size_t head = h->rec_out ? REC_HEAD : 0, want = h->rec_in ? rec_want(h, chunk) : chunk;
	ssize_t n = recv(src->fd, w->scratch + head, want, 0);
	if (n <= 0)
		return stream_end(h, n);
	if ((size_t)n < want && !src->rdhup && !src->eagain_only)
		src->rd = 0; /* drained: new data brings a new edge */
	ssize_t payload = h->rec_in ? rec_take(h, (const uint8_t *)w->scratch, (size_t)n) : n;
	if (payload < 0) {
		errno = EPROTO;
		return -1;
	}
	*moved = (size_t)payload;
	if (head)
		rec_head((uint8_t *)w->scratch, (uint32_t)n);
	return payload && send_keep(w, h, dst, 0, (size_t)payload + head) < 0 ? -1 : n;
}

/* Records through a pipe: a header is read on its own, a record's bytes at most to its end,
 * and a header written goes out before the bytes the pipe holds (what it cannot take waits in
 * h->buf, which flush writes first). */
static ssize_t rec_splice_head(struct half *h, struct side *src)
{
	uint8_t got[REC_HEAD];
	ssize_t n = recv(src->fd, got, REC_HEAD - h->rec_have, 0);
	if (n <= 0)
		return stream_end(h, n);
	if (rec_take(h, got, (size_t)n) < 0) {
		errno = EPROTO;
		return -1;
	}
	return n;
}

ssize_t move_splice(struct worker *w, struct half *h, struct side *src, struct side *dst, uint32_t chunk, size_t *moved)
{
	*moved = 0;
	if (h->rec_in && !h->rec_left)
		return rec_splice_head(h, src);
	size_t want = h->rec_in && h->rec_left < chunk ? h->rec_left : chunk;
	struct pipe_pair p;
	if (pipe_get(w, chunk, &p) < 0)
		return -1;
	ssize_t n = splice(src->fd, NULL, p.w, NULL, want, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (n <= 0) {
		int e = errno;
		pipe_put(w, p); /* still empty */
		errno = e;
		return stream_end(h, n);
	}
	if ((size_t)n < want && !src->rdhup && !src->eagain_only)
		src->rd = 0;
	if (h->rec_in)
		h->rec_left -= (uint32_t)n;
	*moved = (size_t)n;
	ssize_t k = 0;
	if (h->rec_out) {
		rec_head((uint8_t *)w->scratch, (uint32_t)n);
		if (send_keep(w, h, dst, 0, REC_HEAD) < 0) {
			close(p.r), close(p.w);
			return -1;
		}
	}
	if (!h->buf)
		k = splice(p.r, NULL, dst->fd, NULL, (size_t)n, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
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
