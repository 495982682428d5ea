/* Counters: each worker owns its slots (no shared cache lines on the data path); the main
 * thread sums them and rewrites the --stats file (PROTOCOL.md, "Statistics"). */
#ifndef MPWAN_STATS_H
#define MPWAN_STATS_H
#include <stdatomic.h>
#include <stdint.h>

enum ctr {
	C_ACCEPTED, C_ACTIVE, C_BYTES_UP, C_BYTES_DOWN, C_REFUSED,
	/* router */
	C_ANSWERED, C_REJECTED, C_FAILED, C_FALLBACK,
	/* server */
	C_AUTH_FAILED, C_REPLAYED, C_STALE, C_TIMED_OUT, C_REFUSED_DEST, C_CONNECT_FAILED, C_OVERFLOW,
	/* UDP (the UDP thread's own counters) */
	U_SESSIONS, U_ACTIVE, U_UP, U_DOWN, U_DUPLICATES, U_BAD, U_REPLAYED, U_REFUSED_DEST, U_OVERFLOW,
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

/* A path to the server for UDP, as the stats file shows it (router). */
struct path_stat {
	char name[32], source[48];
	int alive;
	int64_t rtt_us; /* -1: never answered */
	uint64_t bytes_up, bytes_down;
};

#define STATS_MAX 8192 /* the file's text: counters and up to 16 paths fit with room to spare */

struct stats_src {
	int server, udp; /* udp: write the "udp" object */
	struct counters *const *ctr;
	int n; /* counters: one per TCP worker, and the UDP thread's */
	uint64_t pending, refused_at; /* gauges from outside the counters */
	const struct path_stat *paths;
	int npaths;
};

/* Writes the JSON stats file if its text changed since the last call (or `force`). */
void stats_write(const char *path, const struct stats_src *src, int force);

#endif
