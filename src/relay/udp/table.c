/* Hash index and LRU list for the UDP sessions and the router's reply sockets. */
#include "udp/table.h"
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

int htab_init(struct htab *t, uint32_t n)
{
	uint32_t size = 16;
	while (size < n && size < (1u << 24))
		size <<= 1;
	t->b = calloc(size, sizeof *t->b);
	t->mask = size - 1;
	if (getrandom(&t->seed, sizeof t->seed, 0) != sizeof t->seed)
		t->seed = 0x9e3779b9u;
	return t->b ? 0 : -1;
}

void htab_free(struct htab *t)
{
	free(t->b);
	t->b = NULL;
}

void htab_insert(struct htab *t, struct hnode *n, uint32_t hash)
{
	struct hnode **head = &t->b[hash & t->mask];
	n->hash = hash;
	n->next = *head;
	*head = n;
}

void htab_remove(struct htab *t, struct hnode *n)
{
	for (struct hnode **p = &t->b[n->hash & t->mask]; *p; p = &(*p)->next) {
		if (*p == n) {
			*p = n->next;
			n->next = NULL;
			return;
		}
	}
}

/* A 32-bit mix (murmur3's finalizer) over the seeded value: cheap and well spread. */
static uint32_t mix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

uint32_t hash_u32(const struct htab *t, uint32_t v)
{
	return mix(v ^ t->seed);
}

uint32_t hash_dest(const struct htab *t, const struct dest *d)
{
	uint32_t h = t->seed ^ ((uint32_t)d->family << 16 | d->port);
	for (int i = 0; i < (d->family == 4 ? 4 : 16); i += 4) {
		uint32_t w;
		memcpy(&w, d->addr + i, 4);
		h = mix(h ^ w);
	}
	return mix(h);
}

void lru_remove(struct lru *l, struct lnode *n)
{
	if (n->older)
		n->older->newer = n->newer;
	else
		l->oldest = n->newer;
	if (n->newer)
		n->newer->older = n->older;
	else
		l->newest = n->older;
	n->older = n->newer = NULL;
	l->n--;
}

void lru_touch(struct lru *l, struct lnode *n, int present)
{
	if (present) {
		if (l->newest == n)
			return;
		lru_remove(l, n);
	}
	n->older = l->newest, n->newer = NULL;
	if (l->newest)
		l->newest->newer = n;
	else
		l->oldest = n;
	l->newest = n;
	l->n++;
}
