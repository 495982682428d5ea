/* The --stats file: one JSON object, replaced atomically (temporary file, then rename). */
#include "stats.h"
#include <stdio.h>
#include <string.h>

struct field {
	const char *name;
	int ctr; /* -1: the global pending gauge */
};

static const struct field ROUTER[] = {
	{ "accepted", C_ACCEPTED }, { "active", C_ACTIVE }, { "answered", C_ANSWERED },
	{ "rejected", C_REJECTED }, { "failed", C_FAILED }, { "bytes_up", C_BYTES_UP },
	{ "bytes_down", C_BYTES_DOWN }, { "tcp_fallback", C_FALLBACK }, { NULL, 0 },
};
static const struct field SERVER[] = {
	{ "accepted", C_ACCEPTED }, { "active", C_ACTIVE }, { "auth_failed", C_AUTH_FAILED },
	{ "replayed", C_REPLAYED }, { "stale", C_STALE }, { "timed_out", C_TIMED_OUT },
	{ "refused_destination", C_REFUSED_DEST }, { "pending", -1 }, { "connect_failed", C_CONNECT_FAILED },
	{ "overflow", C_OVERFLOW }, { "bytes_up", C_BYTES_UP }, { "bytes_down", C_BYTES_DOWN }, { NULL, 0 },
};

void stats_write(const char *path, int server, struct counters *const *per_thread, int n,
		 uint64_t pending, int force)
{
	static uint64_t last[C_COUNT + 1];
	static int written;
	uint64_t sum[C_COUNT + 1] = { 0 };
	for (int t = 0; t < n; t++)
		for (int i = 0; i < C_COUNT; i++)
			sum[i] += atomic_load_explicit(&per_thread[t]->v[i], memory_order_relaxed);
	sum[C_COUNT] = pending;
	if (written && !force && memcmp(sum, last, sizeof sum) == 0)
		return;
	memcpy(last, sum, sizeof sum);
	written = 1;

	char tmp[4096 + 8];
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return;
	FILE *f = fopen(tmp, "w");
	if (!f)
		return;
	fputs("{\"tcp\": {", f);
	for (const struct field *x = server ? SERVER : ROUTER; x->name; x++)
		fprintf(f, "%s\"%s\": %llu", x == (server ? SERVER : ROUTER) ? "" : ", ", x->name,
			(unsigned long long)sum[x->ctr < 0 ? C_COUNT : x->ctr]);
	fputs("}}\n", f);
	if (fclose(f) == 0)
		rename(tmp, path);
	else
		remove(tmp);
}
