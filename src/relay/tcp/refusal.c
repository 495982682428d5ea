/* Connections refused at once for want of ports, descriptors or memory: each is counted (the
 * worker's C_REFUSED, the time of the last in g_refused_at) and the LAN client (or the router)
 * gets a reset at once instead of a hang. The log says so when it starts, then at most once a
 * minute with how many were refused since, so a flood costs one line a minute. */
#include "tcp/tcp.h"
#include "shared/util.h"
#include <errno.h>
#include <string.h>
#include <time.h>

#define LOG_EVERY_MS 60000

_Atomic int64_t g_refused_at;

static _Atomic uint64_t unlogged;
static _Atomic int64_t logged_ms = -LOG_EVERY_MS;
static _Atomic int last_err;

int out_of_resources(int err)
{
	return err == EADDRNOTAVAIL || err == EAGAIN || err == EMFILE || err == ENFILE || err == ENOMEM || err == ENOBUFS;
}

static void say(int64_t now_ms)
{
	int64_t last = atomic_load(&logged_ms);
	if (now_ms - last < LOG_EVERY_MS || !atomic_compare_exchange_strong(&logged_ms, &last, now_ms))
		return;
	uint64_t n = atomic_exchange(&unlogged, 0);
	if (n)
		logmsg("out of ports, descriptors or memory: %llu connection%s refused in the last minute (the last: %s)",
		       (unsigned long long)n, n == 1 ? "" : "s", strerror(atomic_load(&last_err)));
}

void refusal_note(struct worker *w, int err)
{
	ctr_add(&w->ctr, C_REFUSED, 1);
	atomic_store(&g_refused_at, (int64_t)time(NULL));
	atomic_store(&last_err, err);
	atomic_fetch_add(&unlogged, 1);
	say(w->now_ms);
}

void refusals_tick(int64_t now_ms)
{
	if (atomic_load(&unlogged))
		say(now_ms);
}
