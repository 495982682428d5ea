/* The link model of one direction, pure: what happens to a frame that arrives at `now`.
 *
 *   serializer: a frame starts when the link is free (FIFO) and takes (len + overhead) * 8 / rate;
 *               a frame that would wait more than the queue limit is dropped (tail drop);
 *   loss:       decided after serializing (a lost frame used the link's time, as on a radio);
 *   delay:      departure = end of serialization + delay + jitter, where jitter is drawn
 *               uniformly from [-jitter, +jitter] every jitter_every (0: per frame);
 *               without `reorder` a frame never leaves before the one ahead of it (real
 *               access links keep order), so a drop in delay shows as a short burst. */
#include "linkem.h"
#include <math.h>

/* splitmix64: small, fast, and good enough for loss and jitter draws. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double rng_unit(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) * 0x1.0p-53;
}

void dir_init(struct dir *d, uint64_t seed)
{
	*d = (struct dir){ .rng = seed, .link_free = 0, .last_due = 0 };
	settings_default(&d->s);
}

/* Gilbert-Elliott with a bad state that loses every frame. In frames: from the long-run loss
 * share and the mean burst length, P(good -> bad) = share / (len * (1 - share)) and
 * P(bad -> good) = 1 / len per frame. In time: bad and good spells last exponentially
 * distributed times of mean burst and burst * (1 - share) / share, whatever the traffic. */
static bool burst_lost(struct dir *d, int64_t now)
{
	double share = d->s.burst_loss;
	if (share <= 0) {
		d->bad = false;
		d->bad_switch = 0;
		return false;
	}
	if (d->s.burst_ns > 0) {
		double bad = (double)d->s.burst_ns, good = bad * (1 - share) / share;
		if (share >= 1)
			return d->bad = true;
		if (d->bad_switch == 0) { /* start in a good spell */
			d->bad = false;
			d->bad_switch = now + 1 + (int64_t)(-good * log(1 - rng_unit(&d->rng)));
		}
		while (now >= d->bad_switch) {
			d->bad = !d->bad;
			d->bad_switch += 1 + (int64_t)(-(d->bad ? bad : good) * log(1 - rng_unit(&d->rng)));
		}
		return d->bad;
	}
	double len = d->s.burst_len < 1 ? 1 : d->s.burst_len;
	double to_good = 1 / len, to_bad = share >= 1 ? 1 : share / (len * (1 - share));
	double u = rng_unit(&d->rng);
	d->bad = d->bad ? u >= to_good : u < to_bad;
	return d->bad;
}

static int64_t jitter(struct dir *d, int64_t now)
{
	if (d->s.jitter_ns <= 0)
		return 0;
	if (d->s.jitter_every_ns <= 0 || now >= d->jitter_next) {
		d->jitter_now = (int64_t)llround((rng_unit(&d->rng) * 2 - 1) * (double)d->s.jitter_ns);
		d->jitter_next = now + d->s.jitter_every_ns;
	}
	return d->jitter_now;
}

int64_t dir_admit(struct dir *d, int64_t now, uint32_t len)
{
	d->c.frames++;
	d->c.bytes += len;
	if (len > MAX_FRAME) {
		d->c.oversize++;
		return -1;
	}
	if (d->held + len > MAX_HELD) {
		d->c.overflow++;
		return -1;
	}
	int64_t sent = now; /* end of serialization */
	if (d->s.rate_bps > 0) {
		int64_t start = d->link_free > now ? d->link_free : now;
		int64_t wait = start - now;
		if (d->s.queue_bytes > 0 ? (uint64_t)((double)wait * (double)d->s.rate_bps / 8e9) + len > d->s.queue_bytes
					 : wait > d->s.queue_ns) {
			d->c.queue_drops++;
			return -1;
		}
		uint64_t bits = (uint64_t)(len + d->s.overhead) * 8;
		sent = start + (int64_t)((bits * (uint64_t)NS_PER_S + d->s.rate_bps / 2) / d->s.rate_bps);
		d->link_free = sent;
	}
	if (burst_lost(d, now)) {
		d->c.burst_lost++;
		return -1;
	}
	if (d->s.loss > 0 && rng_unit(&d->rng) < d->s.loss) {
		d->c.lost++;
		return -1;
	}
	int64_t delay = d->s.delay_ns + jitter(d, now);
	int64_t due = sent + (delay > 0 ? delay : 0);
	if (!d->s.reorder && due < d->last_due)
		due = d->last_due;
	if (due > d->last_due)
		d->last_due = due;
	return due;
}

/* Keeps the queue ordered by departure; frames mostly arrive in order, so look from the tail. */
void dir_insert(struct dir *d, struct frame *f)
{
	struct frame *after = d->tail;
	while (after && after->due > f->due)
		after = after->prev;
	f->prev = after;
	f->next = after ? after->next : d->head;
	if (f->next)
		f->next->prev = f;
	else
		d->tail = f;
	if (after)
		after->next = f;
	else
		d->head = f;
	d->held += f->len;
}

struct frame *dir_pop_due(struct dir *d, int64_t until)
{
	struct frame *f = d->head;
	if (!f || f->due > until)
		return NULL;
	d->head = f->next;
	if (d->head)
		d->head->prev = NULL;
	else
		d->tail = NULL;
	d->held -= f->len;
	return f;
}
