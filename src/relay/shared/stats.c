/* The --stats file: one JSON object, replaced atomically (temporary file, then rename), and
 * only when its text changed. */
#include "shared/stats.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { PENDING = C_COUNT, REFUSED_AT, FIELDS }; /* the gauges, after the counters */

struct field {
	const char *name;
	int ctr;
};

static const struct field ROUTER[] = {
	{ "accepted", C_ACCEPTED }, { "active", C_ACTIVE }, { "answered", C_ANSWERED },
	{ "rejected", C_REJECTED }, { "failed", C_FAILED }, { "bytes_up", C_BYTES_UP },
	{ "bytes_down", C_BYTES_DOWN }, { "tcp_fallback", C_FALLBACK }, { "refused", C_REFUSED }, { "refused_at", REFUSED_AT },
	{ NULL, 0 },
};
static const struct field SERVER[] = {
	{ "accepted", C_ACCEPTED }, { "active", C_ACTIVE }, { "auth_failed", C_AUTH_FAILED },
	{ "replayed", C_REPLAYED }, { "stale", C_STALE }, { "timed_out", C_TIMED_OUT },
	{ "refused_destination", C_REFUSED_DEST }, { "pending", PENDING }, { "connect_failed", C_CONNECT_FAILED },
	{ "overflow", C_OVERFLOW }, { "bytes_up", C_BYTES_UP }, { "bytes_down", C_BYTES_DOWN }, { "refused", C_REFUSED },
	{ "refused_at", REFUSED_AT }, { NULL, 0 },
};
static const struct field ROUTER_UDP[] = {
	{ "sessions", U_SESSIONS }, { "active", U_ACTIVE }, { "datagrams_up", U_UP }, { "datagrams_down", U_DOWN },
	{ "duplicates_dropped", U_DUPLICATES }, { "bad", U_BAD }, { NULL, 0 },
};
static const struct field SERVER_UDP[] = {
	{ "sessions", U_SESSIONS }, { "active", U_ACTIVE }, { "bad", U_BAD }, { "replayed", U_REPLAYED },
	{ "duplicates_dropped", U_DUPLICATES }, { "refused_destination", U_REFUSED_DEST }, { "overflow", U_OVERFLOW },
	{ NULL, 0 },
};

struct text {
	char b[STATS_MAX];
	size_t n;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(t->b + t->n, sizeof t->b - t->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		t->n = t->n + (size_t)k < sizeof t->b ? t->n + (size_t)k : sizeof t->b - 1;
}

static void object(struct text *t, const struct field *f, const uint64_t *sum)
{
	put(t, "{");
	for (const struct field *x = f; x->name; x++)
		put(t, "%s\"%s\": %llu", x == f ? "" : ", ", x->name, (unsigned long long)sum[x->ctr]);
}

void stats_write(const char *path, const struct stats_src *src, int force)
{
	static struct text last, now;
	static int written;
	uint64_t sum[FIELDS] = { 0 };
	for (int t = 0; t < src->n; t++)
		for (int i = 0; i < C_COUNT; i++)
			sum[i] += atomic_load_explicit(&src->ctr[t]->v[i], memory_order_relaxed);
	sum[PENDING] = src->pending, sum[REFUSED_AT] = src->refused_at;
	now.n = 0;
	put(&now, "{\"tcp\": ");
	object(&now, src->server ? SERVER : ROUTER, sum);
	if (src->udp) {
		put(&now, "}, \"udp\": ");
		object(&now, src->server ? SERVER_UDP : ROUTER_UDP, sum);
		if (!src->server) {
			put(&now, ", \"paths\": [");
			for (int i = 0; i < src->npaths; i++) {
				const struct path_stat *p = &src->paths[i];
				put(&now, "%s{\"name\": \"%s\", \"source\": \"%s\", \"alive\": %s, \"rtt_ms\": ", i ? ", " : "", p->name,
				    p->source, p->alive ? "true" : "false");
				if (p->rtt_us < 0)
					put(&now, "null");
				else
					put(&now, "%.1f", (double)p->rtt_us / 1000);
				put(&now, ", \"bytes_up\": %llu, \"bytes_down\": %llu}", (unsigned long long)p->bytes_up,
				    (unsigned long long)p->bytes_down);
			}
			put(&now, "]");
		}
	}
	put(&now, "}}\n");
	if (written && !force && now.n == last.n && memcmp(now.b, last.b, now.n) == 0)
		return;
	memcpy(last.b, now.b, now.n);
	last.n = now.n;
	written = 1;

	char tmp[4096 + 8];
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return;
	FILE *f = fopen(tmp, "w");
	if (!f)
		return;
	fwrite(now.b, 1, now.n, f);
	if (fclose(f) == 0)
		rename(tmp, path);
	else
		remove(tmp);
}
