/* linkem run: bridges two devices through the link model, one loop for both directions.
 * linkem ctl: changes a running linkem's settings, or reads its counters.
 *
 *   linkem run --a DEV --b DEV [--ctl PATH] [--seed N] [--tick US] [SETTINGS...]
 *   linkem ctl PATH set SETTINGS... | show | stats
 *
 * The loop sleeps until the next departure, but at least a tick, or until a ring has frames;
 * it admits every frame that arrived (with its kernel arrival time) and sends every frame due
 * within half a tick. A lone frame leaves on time; in a stream, frames leave within +-tick/2
 * of their time (reorder on: a frame that overtakes the queue's head may leave up to a tick
 * late). The tick bounds the wakeups, which are most of what linkem costs. */
#include "linkem.h"
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORDS 64
#define CTL_MAX 4096
/* What a wakeup and a send take here: a lone frame's wakeup is set this much before its time. */
#define WAKE_EARLY (100 * 1000)
/* Longest sleep without watching a ring (a full ring would drop frames). */
#define UNPOLLED_MAX (5 * NS_PER_MS)

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

struct link {
	struct port port[NDIRS]; /* port[UP] reads --a (frames going up), port[DOWN] reads --b */
	struct dir dir[NDIRS];
	struct frame *spare;     /* freed frames, reused */
	int64_t half_tick;
	int ctl;
};

static int usage(void)
{
	fputs("usage: linkem run --a DEV --b DEV [--ctl PATH] [--seed N] [--tick US] [SETTINGS...]\n"
	      "       linkem ctl PATH set SETTINGS... | show | stats\n"
	      "SETTINGS: [up|down|both] rate 40mbit delay 45ms jitter 10ms jitter-every 10ms reorder off\n"
	      "          loss 0.5% burst-loss 1% burst-len 10 queue 100ms|64kb overhead 0\n", stderr);
	return 2;
}

static struct frame *frame_new(struct link *l, uint32_t len)
{
	struct frame *f = l->spare;
	if (f)
		l->spare = f->next;
	else if (!(f = malloc(sizeof *f + MAX_FRAME)))
		return NULL;
	f->len = len;
	return f;
}

struct arrival { struct link *l; int d; };

static void on_frame(void *arg, const unsigned char *data, uint32_t len, uint32_t wire_len, int64_t at)
{
	struct arrival *a = arg;
	struct dir *d = &a->l->dir[a->d];
	if (wire_len != len) { /* truncated by the ring: a GSO frame larger than a ring frame */
		d->c.frames++;
		d->c.oversize++;
		return;
	}
	int64_t lag = mono_ns() - at;
	if (lag > d->c.read_lag_max_ns)
		d->c.read_lag_max_ns = lag;
	int64_t due = dir_admit(d, at, len);
	if (due < 0)
		return;
	struct frame *f = frame_new(a->l, len);
	if (!f) {
		d->c.overflow++;
		return;
	}
	memcpy(f->data, data, len);
	f->due = due;
	dir_insert(d, f);
}

static void release(struct link *l, struct dir *d, int64_t until)
{
	struct frame *f = dir_pop_due(d, until);
	int64_t late = until - l->half_tick - f->due;
	if (late > d->c.late_max_ns)
		d->c.late_max_ns = late;
	f->next = l->spare;
	l->spare = f;
}

/* Sends every frame due by `until`, PORT_BATCH to a syscall. A receiving veth whose queue is
 * full (its NAPI ring holds 256 frames) refuses with ENOBUFS: the frame stays first in line for
 * the next tick, as on a link whose far end pushes back; any other refusal (the device is
 * down) loses the frame. */
static void send_due(struct link *l, int dir, int64_t until)
{
	struct dir *d = &l->dir[dir];
	struct port *out = &l->port[!dir];
	for (;;) {
		const unsigned char *data[PORT_BATCH];
		uint32_t len[PORT_BATCH];
		int n = 0;
		for (struct frame *f = d->head; f && f->due <= until && n < PORT_BATCH; f = f->next) {
			data[n] = f->data;
			len[n++] = f->len;
		}
		if (n == 0)
			return;
		int e = 0, sent = port_send(out, data, len, n, &e);
		for (int i = 0; i < sent; i++) {
			d->c.sent++;
			d->c.sent_bytes += d->head->len;
			release(l, d, until);
		}
		if (sent > 0)
			continue; /* all went, or the next call says why one did not */
		if (e == ENOBUFS || e == EAGAIN) {
			d->c.tx_busy++;
			return;
		}
		d->c.tx_errors++;
		release(l, d, until);
	}
}

static int format_stats(const struct link *l, char *out, size_t len)
{
	int n = 0;
	for (int i = 0; i < NDIRS && n >= 0 && (size_t)n < len; i++) {
		const struct counters *c = &l->dir[i].c;
		n += snprintf(out + n, len - (size_t)n,
			      "%s frames %" PRIu64 " bytes %" PRIu64 " sent %" PRIu64 " sent_bytes %" PRIu64 " lost %" PRIu64
			      " burst_lost %" PRIu64 " queue_drops %" PRIu64 " oversize %" PRIu64 " overflow %" PRIu64
			      " tx_errors %" PRIu64 " tx_busy %" PRIu64 " held %" PRIu64 " late_max_us %" PRId64 " read_lag_max_us %" PRId64 "\n",
			      i == UP ? "up" : "down", c->frames, c->bytes, c->sent, c->sent_bytes, c->lost, c->burst_lost,
			      c->queue_drops, c->oversize, c->overflow, c->tx_errors, c->tx_busy, l->dir[i].held, c->late_max_ns / 1000,
			      c->read_lag_max_ns / 1000);
	}
	return n;
}

/* Splits a control message into words (in place). */
static int split(char *text, char **words)
{
	int n = 0;
	for (char *save = NULL, *w = strtok_r(text, " \t\n", &save); w && n < MAX_WORDS; w = strtok_r(NULL, " \t\n", &save))
		words[n++] = w;
	return n;
}

static void serve_ctl(struct link *l)
{
	char msg[CTL_MAX + 1], reply[CTL_MAX], *words[MAX_WORDS];
	struct sockaddr_un from;
	for (;;) {
		socklen_t fl = sizeof from;
		ssize_t n = recvfrom(l->ctl, msg, CTL_MAX, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		msg[n] = '\0';
		int nw = split(msg, words);
		int r = 0;
		if (nw >= 1 && strcmp(words[0], "set") == 0) {
			struct settings s[NDIRS] = { l->dir[UP].s, l->dir[DOWN].s };
			const char *e = settings_parse(s, nw - 1, words + 1, reply + 7, sizeof reply - 7);
			if (e) {
				memcpy(reply, "error: ", 7);
				r = (int)strlen(reply);
			} else {
				l->dir[UP].s = s[UP];
				l->dir[DOWN].s = s[DOWN];
				r = snprintf(reply, sizeof reply, "ok\n");
			}
		} else if (nw == 1 && strcmp(words[0], "show") == 0) {
			r = snprintf(reply, sizeof reply, "up ");
			r += settings_format(&l->dir[UP].s, reply + r, sizeof reply - (size_t)r);
			r += snprintf(reply + r, sizeof reply - (size_t)r, "\ndown ");
			r += settings_format(&l->dir[DOWN].s, reply + r, sizeof reply - (size_t)r);
			r += snprintf(reply + r, sizeof reply - (size_t)r, "\n");
		} else if (nw == 1 && strcmp(words[0], "stats") == 0) {
			r = format_stats(l, reply, sizeof reply);
		} else {
			r = snprintf(reply, sizeof reply, "error: commands: set SETTINGS..., show, stats");
		}
		if (r > (int)sizeof reply)
			r = (int)sizeof reply;
		sendto(l->ctl, reply, (size_t)r, MSG_DONTWAIT, (struct sockaddr *)&from, fl);
	}
}

static int open_ctl(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof a.sun_path)
		return -1;
	strcpy(a.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
		return -1;
	return fd;
}

static int64_t next_due(const struct link *l)
{
	int64_t next = INT64_MAX;
	for (int i = 0; i < NDIRS; i++)
		if (l->dir[i].head && l->dir[i].head->due < next)
			next = l->dir[i].head->due;
	return next;
}

static int run(int argc, char **argv)
{
	const char *dev[NDIRS] = { NULL, NULL }, *ctl = NULL;
	uint64_t seed = (uint64_t)mono_ns() ^ ((uint64_t)getpid() << 32);
	int64_t tick = 1000 * 1000;
	int i = 0;
	for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (strcmp(argv[i], "--a") == 0) dev[UP] = argv[i + 1];
		else if (strcmp(argv[i], "--b") == 0) dev[DOWN] = argv[i + 1];
		else if (strcmp(argv[i], "--ctl") == 0) ctl = argv[i + 1];
		else if (strcmp(argv[i], "--seed") == 0) seed = strtoull(argv[i + 1], NULL, 0);
		else if (strcmp(argv[i], "--tick") == 0) tick = strtoll(argv[i + 1], NULL, 10) * 1000;
		else return usage();
	}
	if (!dev[UP] || !dev[DOWN] || tick < 10000 || tick > 10 * NS_PER_MS)
		return usage();
	static struct link l;
	char err[256];
	dir_init(&l.dir[UP], seed);
	dir_init(&l.dir[DOWN], seed ^ 0x5bd1e995);
	struct settings s[NDIRS] = { l.dir[UP].s, l.dir[DOWN].s };
	if (settings_parse(s, argc - i, argv + i, err, sizeof err)) {
		fprintf(stderr, "linkem: %s\n", err);
		return 2;
	}
	l.dir[UP].s = s[UP];
	l.dir[DOWN].s = s[DOWN];
	l.ctl = -1;
	l.half_tick = tick / 2;
	for (int d = 0; d < NDIRS; d++) {
		if (port_open(&l.port[d], dev[d], err, sizeof err) < 0) {
			fprintf(stderr, "linkem: %s\n", err);
			return 1;
		}
	}
	if (ctl && (l.ctl = open_ctl(ctl)) < 0) {
		fprintf(stderr, "linkem: %s: cannot listen: %s\n", ctl, strerror(errno));
		return 1;
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	prctl(PR_SET_TIMERSLACK, 1000UL); /* 1 us: the tick is the granularity, not the timer slack */
	/* A link does not wait for the CPU: on a busy machine a normal process wakes milliseconds
	 * late now and then. Real-time priority where allowed (root), else as it is. */
	struct sched_param sp = { .sched_priority = 10 };
	if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0)
		fprintf(stderr, "linkem: no real-time priority (%s): timing is as good as the load allows\n", strerror(errno));
	struct pollfd pfd[3] = { { .fd = l.port[UP].fd, .events = POLLIN }, { .fd = l.port[DOWN].fd, .events = POLLIN }, { .fd = l.ctl, .events = POLLIN } };
	struct arrival arr[NDIRS] = { { &l, UP }, { &l, DOWN } };
	while (!stop) {
		for (int d = 0; d < NDIRS; d++)
			port_drain(&l.port[d], on_frame, &arr[d]);
		int64_t now = mono_ns();
		for (int d = 0; d < NDIRS; d++)
			send_due(&l, d, now + l.half_tick);
		if (l.ctl >= 0)
			serve_ctl(&l);
		/* Wake once a tick at most. A direction with frames queued needs no wakeup for new
		 * ones (they queue behind, their arrival time is in the ring), so its ring is not
		 * polled while the next departure is near: under load the tick is the only wakeup. */
		int64_t next = next_due(&l), wait = -1;
		if (next != INT64_MAX)
			wait = next - WAKE_EARLY - now > tick ? next - WAKE_EARLY - now : tick;
		for (int d = 0; d < NDIRS; d++)
			pfd[d].fd = l.dir[d].head && wait <= UNPOLLED_MAX ? -1 : l.port[d].fd;
		struct timespec ts = { .tv_sec = wait / NS_PER_S, .tv_nsec = wait % NS_PER_S };
		if (ppoll(pfd, l.ctl >= 0 ? 3 : 2, wait < 0 ? NULL : &ts, NULL) < 0 && errno != EINTR) {
			perror("linkem: ppoll");
			return 1;
		}
	}
	char out[1024];
	if (format_stats(&l, out, sizeof out) > 0)
		fputs(out, stderr);
	if (ctl)
		unlink(ctl);
	return 0;
}

static int client(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	char msg[CTL_MAX], reply[CTL_MAX + 1];
	size_t n = 0;
	for (int i = 1; i < argc; i++) {
		size_t w = strlen(argv[i]);
		if (n + w + 2 > sizeof msg) {
			fputs("linkem: command too long\n", stderr);
			return 2;
		}
		memcpy(msg + n, argv[i], w);
		n += w;
		msg[n++] = ' ';
	}
	struct sockaddr_un to = { .sun_family = AF_UNIX }, me = { .sun_family = AF_UNIX };
	if (snprintf(me.sun_path, sizeof me.sun_path, "%s.%d", argv[0], (int)getpid()) >= (int)sizeof me.sun_path)
		return usage();
	strcpy(to.sun_path, argv[0]);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct timeval tv = { .tv_sec = 2 };
	/* A path of our own for the answer: an abstract name would not reach us from linkem's
	 * network namespace. */
	unlink(me.sun_path);
	int ok = fd >= 0 && bind(fd, (struct sockaddr *)&me, sizeof me) == 0;
	ok = ok && setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0 &&
	     sendto(fd, msg, n, 0, (struct sockaddr *)&to, sizeof to) >= 0;
	ssize_t r = ok ? recv(fd, reply, CTL_MAX, 0) : -1;
	int e = errno;
	unlink(me.sun_path);
	if (!ok) {
		fprintf(stderr, "linkem: %s: %s\n", argv[0], strerror(e));
		return 1;
	}
	if (r < 0) {
		fprintf(stderr, "linkem: %s: no answer: %s\n", argv[0], strerror(e));
		return 1;
	}
	reply[r] = '\0';
	if (strncmp(reply, "error: ", 7) == 0) {
		fprintf(stderr, "linkem: %s\n", reply + 7);
		return 2;
	}
	fputs(strcmp(reply, "ok\n") == 0 ? "" : reply, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "run") == 0)
		return run(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "ctl") == 0)
		return client(argc - 2, argv + 2);
	return usage();
}
