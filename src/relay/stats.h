/* Counters: each worker owns its slots (no shared cache lines on the data path); the main
 * thread sums them and rewrites the --stats file (PROTOCOL.md, "Statistics"). */
#ifndef MPWAN_STATS_H
#define MPWAN_STATS_H
#include <stdatomic.h>
#include <stdint.h>

enum ctr {
	C_ACCEPTED, C_ACTIVE, C_BYTES_UP, C_BYTES_DOWN,
	/* router */
	C_ANSWERED, C_REJECTED, C_FAILED, C_FALLBACK,
	/* server */
	C_AUTH_FAILED, C_REPLAYED, C_STALE, C_TIMED_OUT, C_REFUSED_DEST, C_CONNECT_FAILED, C_OVERFLOW,
	C_COUNT
};

struct counters {
	_Atomic uint64_t v[C_COUNT];
};

/* Only the owning thread writes its counters: a relaxed load and store, no locked add. */
static inline void ctr_add(struct counters *c, enum ctr i, int64_t n)
{
	atomic_store_explicit(&c->v[i], atomic_load_explicit(&c->v[i], memory_order_relaxed) + (uint64_t)n,
			      memory_order_relaxed);
}

/* Writes the JSON stats file if anything changed since the last call (or `force`). */
void stats_write(const char *path, int server, struct counters *const *per_thread, int n,
		 uint64_t pending, int force);

#endif
