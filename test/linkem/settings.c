/* Settings text, the same on the command line and on the control socket:
 *   [up|down|both] rate 40mbit delay 45ms jitter 10ms loss 0.5% queue 100ms up rate 10mbit ...
 * A direction word applies to the keys after it (both directions until the first one). */
#include "linkem.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void settings_default(struct settings *s)
{
	/* The queue tbf gets in the namespace tests (latency 100ms); a delay that holds for 10 ms at
	 * a time, so bulk traffic sees the mean delay and a ping sees delay +- jitter. */
	*s = (struct settings){ .queue_ns = 100 * NS_PER_MS, .burst_len = 1, .jitter_every_ns = 10 * NS_PER_MS };
}

/* A number with a unit suffix from `units` (name, scale); no suffix is allowed only when
 * `bare` is non-zero (its scale). */
struct unit { const char *name; double scale; };

static bool number(const char *text, const struct unit *units, double bare, double *out)
{
	char *end;
	double v = strtod(text, &end);
	if (end == text || !isfinite(v) || v < 0)
		return false;
	if (*end == '\0') {
		*out = v * bare;
		return bare != 0 || v == 0;
	}
	for (const struct unit *u = units; u->name; u++) {
		if (strcasecmp(end, u->name) == 0) {
			*out = v * u->scale;
			return true;
		}
	}
	return false;
}

static const struct unit RATE[] = { { "bit", 1 }, { "kbit", 1e3 }, { "mbit", 1e6 }, { "gbit", 1e9 }, { NULL, 0 } };
static const struct unit TIME[] = { { "s", 1e9 }, { "ms", 1e6 }, { "us", 1e3 }, { NULL, 0 } };
static const struct unit BYTES[] = { { "b", 1 }, { "kb", 1024 }, { "mb", 1024 * 1024 }, { NULL, 0 } };
static const struct unit PERCENT[] = { { "%", 0.01 }, { NULL, 0 } };

static const char *apply(struct settings *s, const char *key, const char *val)
{
	double v;
	if (strcmp(key, "rate") == 0) {
		if (strcmp(val, "off") == 0)
			v = 0;
		else if (!number(val, RATE, 0, &v) || v > 1e11)
			return "rate: a number with bit, kbit, mbit or gbit (or 'off')";
		s->rate_bps = (uint64_t)llround(v);
	} else if (strcmp(key, "delay") == 0 || strcmp(key, "jitter") == 0 || strcmp(key, "jitter-every") == 0) {
		if (!number(val, TIME, 0, &v) || v > 60e9)
			return "a time with s, ms or us, at most 60 s";
		*(strcmp(key, "delay") == 0 ? &s->delay_ns : strcmp(key, "jitter") == 0 ? &s->jitter_ns : &s->jitter_every_ns) = (int64_t)llround(v);
	} else if (strcmp(key, "loss") == 0 || strcmp(key, "burst-loss") == 0) {
		if (!number(val, PERCENT, 0, &v) || v > 1)
			return "a share in percent, 0% to 100%";
		*(strcmp(key, "loss") == 0 ? &s->loss : &s->burst_loss) = v;
	} else if (strcmp(key, "burst-len") == 0) {
		if (number(val, TIME, 0, &v) && v >= 1e3 && v <= 60e9) {
			s->burst_ns = (int64_t)llround(v);
		} else if (number(val, NULL, 1, &v) && v >= 1 && v <= 1e6) {
			s->burst_len = v;
			s->burst_ns = 0;
		} else {
			return "burst-len: mean frames per burst (at least 1), or a mean time (ms, at least 1us)";
		}
	} else if (strcmp(key, "queue") == 0) {
		if (number(val, TIME, 0, &v) && v > 0 && v <= 60e9) {
			s->queue_ns = (int64_t)llround(v);
			s->queue_bytes = 0;
		} else if (number(val, BYTES, 0, &v) && v >= 1 && v <= (double)MAX_HELD) {
			s->queue_bytes = (uint64_t)llround(v);
		} else {
			return "queue: a time (ms) or a size (b, kb, mb), above 0";
		}
	} else if (strcmp(key, "reorder") == 0) {
		if (strcmp(val, "on") != 0 && strcmp(val, "off") != 0)
			return "reorder: on or off";
		s->reorder = strcmp(val, "on") == 0;
	} else if (strcmp(key, "overhead") == 0) {
		if (!number(val, NULL, 1, &v) || v > 256)
			return "overhead: bytes per frame, 0 to 256";
		s->overhead = (uint32_t)v;
	} else {
		return "unknown key (rate, delay, jitter, jitter-every, reorder, loss, burst-loss, burst-len, queue, overhead)";
	}
	return NULL;
}

const char *settings_parse(struct settings s[NDIRS], int argc, char **argv, char *err, size_t errlen)
{
	struct settings next[NDIRS] = { s[UP], s[DOWN] };
	bool up = true, down = true;
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		if (strcmp(w, "up") == 0 || strcmp(w, "down") == 0 || strcmp(w, "both") == 0) {
			up = w[0] != 'd';
			down = w[0] != 'u';
			continue;
		}
		if (i + 1 >= argc) {
			snprintf(err, errlen, "%s: needs a value", w);
			return err;
		}
		const char *val = argv[++i];
		for (int d = 0; d < NDIRS; d++) {
			if (!(d == UP ? up : down))
				continue;
			const char *why = apply(&next[d], w, val);
			if (why) {
				snprintf(err, errlen, "%s %s: %s", w, val, why);
				return err;
			}
		}
	}
	s[UP] = next[UP];
	s[DOWN] = next[DOWN];
	return NULL;
}

int settings_format(const struct settings *s, char *out, size_t len)
{
	char queue[32], burst[32];
	if (s->burst_ns)
		snprintf(burst, sizeof burst, "%.3fms", (double)s->burst_ns / 1e6);
	else
		snprintf(burst, sizeof burst, "%g", s->burst_len);
	if (s->queue_bytes)
		snprintf(queue, sizeof queue, "%llub", (unsigned long long)s->queue_bytes);
	else
		snprintf(queue, sizeof queue, "%.3fms", (double)s->queue_ns / 1e6);
	return snprintf(out, len,
			"rate %llubit delay %.3fms jitter %.3fms jitter-every %.3fms reorder %s loss %g%% burst-loss %g%% burst-len %s queue %s overhead %u",
			(unsigned long long)s->rate_bps, (double)s->delay_ns / 1e6, (double)s->jitter_ns / 1e6,
			(double)s->jitter_every_ns / 1e6, s->reorder ? "on" : "off", s->loss * 100, s->burst_loss * 100,
			burst, queue, s->overhead);
}
