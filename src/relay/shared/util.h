/* Small helpers both halves use: logging, clocks, socket options, and the stop flag. */
#ifndef MPWAN_UTIL_H
#define MPWAN_UTIL_H
#include <stdatomic.h>
#include <stdint.h>

/* Set by the main thread on SIGTERM/SIGINT; every thread ends its loop when it sees it. */
extern _Atomic int g_stop;

void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int64_t mono_ms(void);
int64_t mono_us(void);
int sock_error(int fd);
void set_nodelay(int fd);
/* Closes with SO_LINGER 0: the peer gets a reset. */
void close_reset(int fd);
/* TCP_CONGESTION `name` (NULL: leave the system's default), inherited by an MPTCP socket's
 * subflows and a listener's connections; refused (the module is missing): logged once, and
 * the socket keeps the default. */
void set_congestion(int fd, const char *name);
/* Room for a burst of datagrams on a socket that many flows share. */
void burst_room(int fd);

#endif
