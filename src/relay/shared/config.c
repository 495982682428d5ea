/* Command line and key file. Every value is checked here; nothing later trusts argv. */
#include "shared/addr.h"
#include "shared/config.h"
#include "shared/keys.h"
#include "shared/upstream.h"
#include "shared/util.h"
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef MPWAN_RELAY_VERSION
#define MPWAN_RELAY_VERSION "dev"
#endif

static const char USAGE[] =
	"usage: mpwan-relay router --port PORT (--server ADDR:PORT --key-file FILE | --server-file FILE) [--threads N]\n"
	"                          [--stats FILE]\n"
	"                          [--paths-file FILE] [--udp] [--duplicate dscp:N|port:N]...\n"
	"       mpwan-relay server --listen [ADDR:]PORT --key-file FILE [--threads N] [--allow PREFIX]...\n"
	"                          [--max-skew S] [--max-pending N] [--stats FILE]\n"
	"  both: [--max-sessions N] [--io-in copy|splice:BYTES] [--io-out copy|splice:BYTES] [--verbose]\n"
	"        [--congestion NAME]   (of the MPTCP sockets, e.g. bbr; unavailable: the system's default)\n"
	"  (io-in: how bytes are written into the MPTCP socket; io-out: read from it)\n"
	"       mpwan-relay probe     (TCP connects for mpwan's health probes: requests on stdin, see probe.c)\n"
	"       mpwan-relay --version\n";

static int number(const char *s, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int io_method(const char *s, struct io_method *m)
{
	long chunk = 65536;
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);
	if (n == 4 && !strncmp(s, "copy", 4))
		m->kind = IO_COPY;
	else if (n == 6 && !strncmp(s, "splice", 6))
		m->kind = IO_SPLICE;
	else
		return -1;
	if (colon && number(colon + 1, 1024, 1 << 20, &chunk) < 0)
		return -1;
	m->chunk = (uint32_t)chunk;
	return 0;
}

/* dscp:<0-63> or port:<1-65535>: which LAN UDP is sent on two paths at once. */
static int duplicate(const char *s, struct config *cfg)
{
	long v;
	if (!strncmp(s, "dscp:", 5) && number(s + 5, 0, 63, &v) == 0) {
		cfg->dup_dscp |= (uint64_t)1 << v;
		return 0;
	}
	if (!strncmp(s, "port:", 5) && number(s + 5, 1, 65535, &v) == 0 && cfg->ndup_ports < MAX_DUP_PORTS) {
		cfg->dup_ports[cfg->ndup_ports++] = (uint16_t)v;
		return 0;
	}
	return -1;
}

/* A congestion control's name as the kernel spells them (TCP_CA_NAME_MAX is 16 with the NUL). */
static int congestion_name(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 15)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

/* The key file: 64 lower-case hex digits (+ newline), readable by its owner only. */
static int load_key(const char *path, struct config *cfg)
{
	const char *why = keys_from_file(path, &cfg->tcp_key, &cfg->udp_key);
	if (why)
		logmsg("key file %s: %s", path, why);
	return why ? -1 : 0;
}

int parse_config(int argc, char **argv, struct config *cfg)
{
	static const struct option opts[] = {
		{ "port", 1, 0, 'p' },	   { "server", 1, 0, 's' },	 { "key-file", 1, 0, 'k' },
		{ "threads", 1, 0, 't' },  { "stats", 1, 0, 'S' },	 { "listen", 1, 0, 'l' },
		{ "allow", 1, 0, 'a' },	   { "max-skew", 1, 0, 'K' },	 { "max-pending", 1, 0, 'P' },
		{ "io-in", 1, 0, 'i' },	   { "io-out", 1, 0, 'o' },	 { "verbose", 0, 0, 'v' },
		{ "udp", 0, 0, 'u' },	   { "paths-file", 1, 0, 'f' },	 { "duplicate", 1, 0, 'd' },
		{ "max-sessions", 1, 0, 'm' }, { "help", 0, 0, 'h' },	 { "server-file", 1, 0, 'F' },
		{ "congestion", 1, 0, 'C' },
		{ 0, 0, 0, 0 },
	};
	memset(cfg, 0, sizeof *cfg);
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(USAGE, stdout);
		return 1;
	}
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		puts("mpwan-relay " MPWAN_RELAY_VERSION);
		return 1;
	}
	if (argc < 2 || (strcmp(argv[1], "router") && strcmp(argv[1], "server"))) {
		fputs(USAGE, stderr);
		return -1;
	}
	cfg->server = !strcmp(argv[1], "server");
	cfg->max_skew = 60, cfg->max_pending = 1024;
	cfg->udp = cfg->server; /* the server always serves UDP; a router only with --udp */
	cfg->max_sessions = cfg->server ? 16384 : 4096;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cfg->threads = ncpu < 1 ? 1 : ncpu > MAX_THREADS ? MAX_THREADS : (int)ncpu;
	/* Chosen by measurement (README.md): plain copies of 128 KB both ways. */
	cfg->io_in = (struct io_method){ IO_COPY, 131072 };
	cfg->io_out = (struct io_method){ IO_COPY, 131072 };
	const char *key = NULL, *bad = NULL;
	long v, port = 0;
	int c, have_upstream = 0;
	optind = 2;
	while (!bad && (c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': if (cfg->server || number(optarg, 1, 65535, &port) < 0) bad = "--port"; break;
		case 's': if (cfg->server || parse_hostport(optarg, 0, &cfg->upstream, &cfg->upstream_len) < 0) bad = "--server"; else have_upstream = 1; break;
		case 'k': key = optarg; break;
		case 't': if (number(optarg, 1, MAX_THREADS, &v) < 0) bad = "--threads"; else cfg->threads = (int)v; break;
		case 'S': if (strlen(optarg) > 4000) bad = "--stats"; else cfg->stats = optarg; break;
		case 'l': if (!cfg->server || parse_hostport(optarg, 1, &cfg->listen, &cfg->listen_len) < 0) bad = "--listen"; break;
		case 'a':
			if (!cfg->server || cfg->nallow == MAX_ALLOW || prefix_parse(optarg, &cfg->allow[cfg->nallow]) < 0) bad = "--allow";
			else cfg->nallow++;
			break;
		case 'K': if (!cfg->server || number(optarg, 1, 3600, &v) < 0) bad = "--max-skew"; else cfg->max_skew = (int)v; break;
		case 'P': if (!cfg->server || number(optarg, 1, 1 << 20, &v) < 0) bad = "--max-pending"; else cfg->max_pending = (int)v; break;
		case 'i': if (io_method(optarg, &cfg->io_in) < 0) bad = "--io-in"; break;
		case 'o': if (io_method(optarg, &cfg->io_out) < 0) bad = "--io-out"; break;
		case 'v': cfg->verbose = 1; break;
		case 'u': if (cfg->server) bad = "--udp"; else cfg->udp = 1; break;
		case 'f': if (cfg->server || strlen(optarg) > 4000) bad = "--paths-file"; else cfg->paths_file = optarg; break;
		case 'F': if (cfg->server || strlen(optarg) > 4000) bad = "--server-file"; else cfg->server_file = optarg; break;
		case 'd': if (cfg->server || duplicate(optarg, cfg) < 0) bad = "--duplicate"; break;
		case 'C': if (!congestion_name(optarg)) bad = "--congestion"; else cfg->congestion = optarg; break;
		case 'm': if (number(optarg, 1, 1 << 20, &v) < 0) bad = "--max-sessions"; else cfg->max_sessions = (int)v; break;
		default: fputs(USAGE, stderr); return -1;
		}
	}
	if (bad) {
		logmsg("invalid or misplaced %s (see --help)", bad);
		return -1;
	}
	/* A router's server: --server with --key-file, or --server-file (which names both), never a mix. */
	int from_file = cfg->server_file != NULL, fixed = have_upstream && key;
	if (optind != argc || (cfg->server ? !cfg->listen_len || !key : !port || (from_file ? have_upstream || key : !fixed))) {
		logmsg(cfg->server ? "server needs --listen and --key-file" : "router needs --port, and --server and --key-file or --server-file");
		return -1;
	}
	if (!cfg->server) {
		char spec[16];
		snprintf(spec, sizeof spec, "%ld", port);
		parse_hostport(spec, 1, &cfg->listen, &cfg->listen_len); /* [::]:port, dual-stack */
	}
	if (from_file) {
		struct upstream u;
		const char *why;
		if (upstream_load(cfg->server_file, &u, &why) < 0) {
			logmsg("server file %s: %s", cfg->server_file, why);
			return -1;
		}
		cfg->upstream = u.addr, cfg->upstream_len = u.len, cfg->tcp_key = u.tcp, cfg->udp_key = u.udp;
		wipe(&u, sizeof u);
		return 0;
	}
	return load_key(key, cfg);
}
