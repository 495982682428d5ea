/* The command line, checked: what both halves of the relay are told to do. */
#ifndef MPWAN_CONFIG_H
#define MPWAN_CONFIG_H
#include <stdint.h>
#include <sys/socket.h>
#include "shared/policy.h"
#include "shared/sha256.h"

#define MAX_ALLOW 64
#define MAX_THREADS 64
#define MAX_DUP_PORTS 64

enum io_kind { IO_COPY, IO_SPLICE };
struct io_method {
	uint8_t kind;
	uint32_t chunk; /* bytes moved per read */
};

struct config {
	int server; /* 0: router side, 1: server side */
	struct sockaddr_storage listen, upstream; /* upstream: the router's server at start */
	socklen_t listen_len, upstream_len;
	const char *server_file; /* router: where the server is read from, at start and on SIGHUP */
	int threads, verbose, max_skew, max_pending, nallow;
	const char *stats;
	const char *congestion; /* TCP_CONGESTION of the MPTCP sockets; NULL: the system's default */
	struct hmac_key tcp_key, udp_key;
	struct prefix allow[MAX_ALLOW];
	/* "in": bytes written into the MPTCP socket; "out": bytes read from it. */
	struct io_method io_in, io_out;
	/* UDP (router: with --udp; server: always) */
	int udp, max_sessions;
	const char *paths_file;
	uint64_t dup_dscp; /* bit n: DSCP n is duplicated */
	uint16_t dup_ports[MAX_DUP_PORTS];
	int ndup_ports;
};

/* 0: run; 1: --help or --version was printed; -1: a bad command line or key file (logged). */
int parse_config(int argc, char **argv, struct config *cfg);

#endif
