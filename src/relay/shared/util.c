/* Small helpers: logging, clocks, socket options. */
#include "shared/util.h"
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

_Atomic int g_stop;

void logmsg(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof line - 2)
		n = (int)sizeof line - 2;
	line[n++] = '\n';
	/* One write per line, so lines of different threads never interleave. */
	if (write(2, "mpwan-relay: ", 13) < 0 || write(2, line, (size_t)n) < 0)
		return;
}

int64_t mono_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int64_t mono_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

int sock_error(int fd)
{
	int e = 0;
	socklen_t l = sizeof e;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l) < 0)
		return errno;
	return e;
}

void set_nodelay(int fd)
{
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void set_congestion(int fd, const char *name)
{
	static _Atomic int warned;
	if (name && setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, (socklen_t)strlen(name)) < 0 && !atomic_exchange(&warned, 1))
		logmsg("congestion control %s: %s: the system's default stays", name, strerror(errno));
}

void close_reset(int fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 }; /* close sends a reset */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	close(fd);
}

/* Sockets that every UDP session's datagrams share (the LAN's, the paths', the server's) get
 * room for a burst: 1 MiB, past rmem_max when the relay may (CAP_NET_ADMIN, which a router
 * relay has for its transparent sockets), else what rmem_max allows. */
void burst_room(int fd)
{
	int room = 1 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &room, sizeof room) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &room, sizeof room);
}
