/* Intrusive building blocks for the UDP tables: a chained hash index with a fixed number of
 * buckets, and a least-recently-used list. Entries embed the nodes; nothing allocates per
 * entry here. */
#ifndef MPWAN_TABLE_H
#define MPWAN_TABLE_H
#include <stddef.h>
#include <stdint.h>
#include "shared/addr.h"

#define CONTAINER(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

struct hnode {
	struct hnode *next;
	uint32_t hash;
};

struct htab {
	struct hnode **b;
	uint32_t mask, seed; /* seed: random, so LAN clients cannot aim at one bucket */
};

/* Buckets: the next power of two >= `n`. */
int htab_init(struct htab *t, uint32_t n);
void htab_free(struct htab *t);
void htab_insert(struct htab *t, struct hnode *n, uint32_t hash);
void htab_remove(struct htab *t, struct hnode *n);
/* The chain that `hash` falls in; compare `hash` and the key while walking it. */
static inline struct hnode *htab_chain(const struct htab *t, uint32_t hash)
{
	return t->b[hash & t->mask];
}

uint32_t hash_u32(const struct htab *t, uint32_t v);
uint32_t hash_dest(const struct htab *t, const struct dest *d);

struct lnode {
	struct lnode *older, *newer;
};

struct lru {
	struct lnode *newest, *oldest;
	uint32_t n;
};

/* Adds `n` as the newest entry, or moves it there. */
void lru_touch(struct lru *l, struct lnode *n, int present);
void lru_remove(struct lru *l, struct lnode *n);

#endif
