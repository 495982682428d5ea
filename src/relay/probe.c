/* mpwan-relay probe: TCP connects for the daemon's health probes, on request, from one
 * long-running process (the daemon would otherwise fork a socat per connect, every few
 * seconds per uplink: most of its CPU on a router).
 *
 * stdin, one request per line:  <id> <source address> <host> <port> <timeout ms>
 * stdout, one answer per request, in the order they finish:
 *   <id> ok <ms>          the handshake completed (the socket is closed at once)
 *   <id> fail <reason>    refused, unreachable, timed out, ...
 *   0 bad <reason>        a request that does not parse (its line is dropped)
 * EOF on stdin ends the process; answers still pending are dropped with it. */
#include "probe.h"
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_INFLIGHT 64
#define LINE_MAX_LEN 200

struct attempt {
	int fd; /* -1: free */
	unsigned long id;
	int64_t started, deadline;
};

static struct attempt inflight[MAX_INFLIGHT];

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Answers are short lines; a daemon that stopped reading ends us (EPIPE or SIGPIPE ignored). */
static void answer(unsigned long id, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void answer(unsigned long id, const char *fmt, ...)
{
	char line[160];
	int n = snprintf(line, sizeof line, "%lu ", id);
	va_list ap;
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof line - 2)
		n = (int)sizeof line - 2;
	line[n++] = '\n';
	if (write(STDOUT_FILENO, line, (size_t)n) != n)
		exit(0);
}

static int address(const char *text, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof *ss);
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, text, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET, a4->sin_port = htons(port), *len = sizeof *a4;
		return 0;
	}
	if (inet_pton(AF_INET6, text, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6, a6->sin6_port = htons(port), *len = sizeof *a6;
		return 0;
	}
	return -1;
}

static int field_number(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	if (*s < '0' || *s > '9' || strlen(s) > 9)
		return -1;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (*end || errno || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Parses one request and starts its connect; a bad one is answered at once. */
static void request(char *line)
{
	char *f[6];
	int n = 0;
	for (char *save = NULL, *t = strtok_r(line, " ", &save); t; t = strtok_r(NULL, " ", &save))
		if (n < 6)
			f[n++] = t;
		else
			n = 7;
	unsigned long id, port, timeout;
	struct sockaddr_storage from, to;
	socklen_t from_len, to_len;
	if (n != 5 || field_number(f[0], 1, 999999999, &id) < 0) {
		answer(0, "bad request");
		return;
	}
	if (field_number(f[3], 1, 65535, &port) < 0 || field_number(f[4], 1, 60000, &timeout) < 0 ||
	    address(f[1], 0, &from, &from_len) < 0 || address(f[2], (uint16_t)port, &to, &to_len) < 0 ||
	    from.ss_family != to.ss_family) {
		answer(0, "bad request %lu", id);
		return;
	}
	struct attempt *a = NULL;
	for (int i = 0; i < MAX_INFLIGHT && !a; i++)
		if (inflight[i].fd < 0)
			a = &inflight[i];
	if (!a) {
		answer(id, "fail too many connects at once");
		return;
	}
	int fd = socket(to.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&from, from_len) < 0 ||
	    (connect(fd, (struct sockaddr *)&to, to_len) < 0 && errno != EINPROGRESS)) {
		answer(id, "fail %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	int64_t t = now_ms();
	*a = (struct attempt){ fd, id, t, t + (int64_t)timeout };
}

static void finish(struct attempt *a, int err)
{
	if (err)
		answer(a->id, "fail %s", err == ETIMEDOUT ? "timed out" : strerror(err));
	else
		answer(a->id, "ok %lld", (long long)(now_ms() - a->started));
	close(a->fd);
	a->fd = -1;
}

int probe_main(void)
{
	static char buf[LINE_MAX_LEN + 1];
	size_t have = 0;
	int discarding = 0; /* inside a line that was too long */
	for (int i = 0; i < MAX_INFLIGHT; i++)
		inflight[i].fd = -1;
	for (;;) {
		struct pollfd p[MAX_INFLIGHT + 1];
		struct attempt *of[MAX_INFLIGHT + 1];
		int n = 0;
		int64_t now = now_ms(), wait = -1;
		p[n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		for (int i = 0; i < MAX_INFLIGHT; i++) {
			struct attempt *a = &inflight[i];
			if (a->fd < 0)
				continue;
			if (a->deadline <= now) {
				finish(a, ETIMEDOUT);
				continue;
			}
			if (wait < 0 || a->deadline - now < wait)
				wait = a->deadline - now;
			of[n] = a;
			p[n++] = (struct pollfd){ .fd = a->fd, .events = POLLOUT };
		}
		if (poll(p, (nfds_t)n, (int)wait) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		for (int i = 1; i < n; i++) {
			if (!p[i].revents)
				continue;
			int err = 0;
			socklen_t len = sizeof err;
			if (getsockopt(p[i].fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
				err = errno;
			finish(of[i], err);
		}
		if (!p[0].revents)
			continue;
		ssize_t got = read(STDIN_FILENO, buf + have, LINE_MAX_LEN - have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return 0;
		have += (size_t)got;
		char *start = buf, *nl;
		while ((nl = memchr(start, '\n', have - (size_t)(start - buf)))) {
			*nl = 0;
			if (!discarding)
				request(start);
			discarding = 0;
			start = nl + 1;
		}
		have -= (size_t)(start - buf);
		memmove(buf, start, have);
		if (have == LINE_MAX_LEN) { /* no newline in a whole buffer: drop the line */
			if (!discarding)
				answer(0, "bad request (line too long)");
			discarding = 1;
			have = 0;
		}
	}
}
