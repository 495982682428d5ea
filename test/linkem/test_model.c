/* Unit tests of the link model and the settings parser (pure: no sockets, no clock). */
#include "linkem.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(cond, ...) do { if (!(cond)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

static struct dir fresh(const char *text)
{
	struct dir d;
	dir_init(&d, 42);
	struct settings s[NDIRS] = { d.s, d.s };
	char buf[512], err[256], *argv[64];
	int argc = 0;
	snprintf(buf, sizeof buf, "%s", text);
	for (char *save = NULL, *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	const char *e = settings_parse(s, argc, argv, err, sizeof err);
	CHECK(!e, "%s: %s", text, e ? e : "");
	d.s = s[UP];
	return d;
}

static void test_rate_and_delay(void)
{
	/* 1500-byte frames at 12 Mbit/s take 1 ms each; the link is busy back to back. */
	struct dir d = fresh("rate 12mbit delay 10ms queue 1s");
	for (int i = 0; i < 10; i++) {
		int64_t due = dir_admit(&d, 0, 1500);
		CHECK(due == (i + 1) * NS_PER_MS + 10 * NS_PER_MS, "frame %d due %lld", i, (long long)due);
	}
	/* Idle link: a frame leaves after its own serialization and the delay. */
	CHECK(dir_admit(&d, NS_PER_S, 1500) == NS_PER_S + 11 * NS_PER_MS, "idle link");
	struct dir o = fresh("rate 12mbit overhead 24");
	CHECK(dir_admit(&o, 0, 1476) == NS_PER_MS, "overhead counts towards the rate");
}

static void test_queue(void)
{
	struct dir d = fresh("rate 12mbit queue 5ms"); /* 5 frames may wait */
	int dropped = 0;
	for (int i = 0; i < 20; i++)
		dropped += dir_admit(&d, 0, 1500) < 0;
	CHECK(dropped == 14 && d.c.queue_drops == 14, "time limit: %d dropped", dropped);
	struct dir b = fresh("rate 12mbit queue 4500b");
	dropped = 0;
	for (int i = 0; i < 20; i++)
		dropped += dir_admit(&b, 0, 1500) < 0;
	CHECK(dropped == 17, "byte limit: %d dropped", dropped);
}

static void test_loss(void)
{
	struct dir d = fresh("loss 1%");
	int lost = 0;
	for (int i = 0; i < 1000000; i++)
		lost += dir_admit(&d, i, 100) < 0;
	CHECK(fabs(lost / 1e6 - 0.01) < 0.0005, "random loss %d per million", lost);
	struct dir g = fresh("burst-loss 1% burst-len 10");
	int glost = 0, bursts = 0, prev = 0;
	for (int i = 0; i < 1000000; i++) {
		int l = dir_admit(&g, i, 100) < 0;
		glost += l;
		bursts += l && !prev;
		prev = l;
	}
	CHECK(fabs(glost / 1e6 - 0.01) < 0.001, "burst loss %d per million", glost);
	CHECK(fabs((double)glost / bursts - 10) < 1, "mean burst %.2f frames", (double)glost / bursts);
	/* In time: 1% of the time in outages of 40 ms on average, one frame every 0.1 ms. */
	struct dir t = fresh("burst-loss 1% burst-len 40ms");
	int tlost = 0, outages = 0;
	prev = 0;
	for (int64_t i = 0; i < 100000000; i++) { /* 10,000 s */
		int l = dir_admit(&t, i * 100 * 1000, 100) < 0;
		tlost += l;
		outages += l && !prev;
		prev = l;
	}
	CHECK(fabs(tlost / 1e8 - 0.01) < 0.001, "time bursts: %d per hundred million", tlost);
	CHECK(fabs((double)tlost / outages / 400 - 1) < 0.1, "mean outage %.1f ms", (double)tlost / outages / 10);
}

static void test_jitter_keeps_order(void)
{
	struct dir d = fresh("delay 45ms jitter 10ms jitter-every 0ms");
	int64_t last = 0, lo = INT64_MAX, hi = 0;
	for (int i = 0; i < 10000; i++) {
		int64_t t = (int64_t)i * 100 * 1000; /* one frame per 0.1 ms */
		int64_t due = dir_admit(&d, t, 100);
		CHECK(due >= last, "frame %d overtook", i);
		last = due;
		lo = due - t < lo ? due - t : lo;
		hi = due - t > hi ? due - t : hi;
	}
	CHECK(lo >= 35 * NS_PER_MS && hi <= 55 * NS_PER_MS + 100 * 1000, "delays %lld..%lld", (long long)lo, (long long)hi);
	/* Sparse frames (a ping a second) see the whole range, mean at the delay. */
	struct dir p = fresh("delay 45ms jitter 10ms");
	double sum = 0;
	for (int i = 0; i < 10000; i++)
		sum += (double)(dir_admit(&p, (int64_t)i * NS_PER_S, 100) - (int64_t)i * NS_PER_S);
	CHECK(fabs(sum / 10000 / 1e6 - 45) < 0.3, "mean delay %.2f ms", sum / 10000 / 1e6);
	struct dir r = fresh("delay 45ms jitter 10ms jitter-every 0ms reorder on");
	int overtaken = 0;
	last = 0;
	for (int i = 0; i < 1000; i++) {
		int64_t due = dir_admit(&r, (int64_t)i * 100 * 1000, 100);
		overtaken += due < last;
		last = due;
	}
	CHECK(overtaken > 100, "reorder on: %d overtaken", overtaken);
}

static void test_queue_order(void)
{
	struct dir d;
	dir_init(&d, 1);
	int64_t dues[] = { 5, 3, 9, 3, 1 };
	for (int i = 0; i < 5; i++) {
		struct frame *f = calloc(1, sizeof *f);
		f->due = dues[i];
		f->len = 1;
		dir_insert(&d, f);
	}
	int64_t prev = -1;
	for (struct frame *f; (f = dir_pop_due(&d, 100)); free(f)) {
		CHECK(f->due >= prev, "popped %lld after %lld", (long long)f->due, (long long)prev);
		prev = f->due;
	}
	CHECK(!d.head && !d.tail && d.held == 0, "queue empty");
}

static void test_settings(void)
{
	struct settings s[NDIRS];
	settings_default(&s[UP]);
	settings_default(&s[DOWN]);
	char err[256];
	char *ok[] = { "rate", "100mbit", "delay", "5ms", "up", "rate", "40mbit", "down", "loss", "0.5%", "both", "queue", "64kb" };
	CHECK(!settings_parse(s, 13, ok, err, sizeof err), "valid text: %s", err);
	CHECK(s[UP].rate_bps == 40000000 && s[DOWN].rate_bps == 100000000, "per direction rate");
	CHECK(s[UP].delay_ns == 5 * NS_PER_MS && s[DOWN].loss == 0.005 && s[UP].loss == 0, "delay and loss");
	CHECK(s[UP].queue_bytes == 65536 && s[DOWN].queue_bytes == 65536, "queue in bytes");
	struct settings before = s[UP];
	char *bad[][2] = { { "rate", "fast" }, { "delay", "5" }, { "loss", "0.5" }, { "loss", "101%" }, { "queue", "0ms" }, { "colour", "red" }, { "burst-len", "0.5" } };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *argv[] = { "delay", "99ms", bad[i][0], bad[i][1] };
		CHECK(settings_parse(s, 4, argv, err, sizeof err) != NULL, "%s %s accepted", bad[i][0], bad[i][1]);
	}
	CHECK(memcmp(&before, &s[UP], sizeof before) == 0, "nothing changed by an invalid text");
	char *dangling[] = { "delay" };
	CHECK(settings_parse(s, 1, dangling, err, sizeof err) != NULL, "a key without a value");
}

int main(void)
{
	test_rate_and_delay();
	test_queue();
	test_loss();
	test_jitter_keeps_order();
	test_queue_order();
	test_settings();
	if (failures)
		printf("%d failures\n", failures);
	else
		printf("linkem model: all tests passed\n");
	return failures != 0;
}
