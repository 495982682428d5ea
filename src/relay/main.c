/* mpwan-relay: both ends of mpwan's data path (PROTOCOL.md). One process, one TCP worker
 * thread per core, each with its own epoll and SO_REUSEPORT listener, and one UDP thread; the
 * main thread waits for signals (SIGHUP: the paths file changed) and writes the stats file. */
#include "probe.h"
#include "shared/addr.h"
#include "shared/config.h"
#include "shared/util.h"
#include "tcp/replay.h"
#include "tcp/tcp.h"
#include "udp/udp.h"
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

/* Two descriptors per TCP connection: 10,000 open LAN connections need over 20,000. Root (a
 * router's relay is, for its transparent sockets) may raise the hard limit as well. */
#define WANT_NOFILE 65536

static void raise_nofile(void)
{
	struct rlimit r, want = { WANT_NOFILE, WANT_NOFILE };
	if (getrlimit(RLIMIT_NOFILE, &r) < 0 || (r.rlim_max < WANT_NOFILE && setrlimit(RLIMIT_NOFILE, &want) == 0))
		return;
	if (r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

/* Without IPv6 in the kernel the dual-stack [::] listener cannot exist: take 0.0.0.0. */
static void listen_v4_instead(struct config *cfg)
{
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&cfg->listen;
	uint16_t port = a6->sin6_port;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&cfg->listen;
	memset(&cfg->listen, 0, sizeof cfg->listen);
	a4->sin_family = AF_INET, a4->sin_port = port;
	cfg->listen_len = sizeof *a4;
}

static void write_stats(const struct config *cfg, struct udp *udp, struct counters *const *ctrs, int n, int force)
{
	static struct path_stat paths[MAX_PATHS];
	if (!cfg->stats)
		return;
	struct stats_src src = { .server = cfg->server, .udp = cfg->udp, .ctr = ctrs, .n = n,
				 .pending = atomic_load(&g_pending), .refused_at = (uint64_t)atomic_load(&g_refused_at), .paths = paths };
	if (udp)
		src.npaths = udp_path_stats(udp, paths, MAX_PATHS);
	stats_write(cfg->stats, &src, force);
}

int main(int argc, char **argv)
{
	static struct config cfg;
	if (argc == 2 && !strcmp(argv[1], "probe")) {
		signal(SIGPIPE, SIG_IGN);
		return probe_main();
	}
	int r = parse_config(argc, argv, &cfg);
	if (r != 0)
		return r < 0 ? 2 : 0; /* 1: --help or --version was printed */
	raise_nofile();
	signal(SIGPIPE, SIG_IGN);
	/* Nonces live for the skew window (60 s): 2^18 slots hold 2,000 new connections a second at
	 * under half full (2^17 refused some at 2,000: README.md, "Many short connections"). */
	if (cfg.server && replay_init(1u << 18) < 0) {
		logmsg("out of memory");
		return 1;
	}
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT), sigaddset(&set, SIGTERM), sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* workers inherit it; only main takes signals */

	char where[80];
	struct udp *udp = NULL;
	if (cfg.udp && !(udp = udp_start(&cfg, cfg.server ? &udp_server_role : &udp_router_role))) {
		logmsg("cannot serve UDP on %s: %s", fmt_sockaddr(&cfg.listen, where, sizeof where), strerror(errno));
		return 1;
	}
	struct worker *w = calloc((size_t)cfg.threads, sizeof *w);
	struct counters *ctrs[MAX_THREADS + 1];
	const struct role *role = cfg.server ? &server_role : &router_role;
	for (int i = 0; i < cfg.threads; i++) {
		if (w && worker_init(&w[i], &cfg, role, i) < 0 && i == 0 && errno == EAFNOSUPPORT && !cfg.server) {
			listen_v4_instead(&cfg);
			worker_init(&w[i], &cfg, role, i);
		}
		if (!w || w[i].lfd < 0 || w[i].ep < 0 || !w[i].scratch) {
			logmsg("cannot listen on %s: %s", fmt_sockaddr(&cfg.listen, where, sizeof where), strerror(errno));
			return 1;
		}
		ctrs[i] = &w[i].ctr;
	}
	for (int i = 0; i < cfg.threads; i++) {
		if (pthread_create(&w[i].thread, NULL, worker_run, &w[i]) != 0) {
			logmsg("cannot start worker threads");
			return 1;
		}
	}
	char up[80];
	if (cfg.server)
		logmsg("server listening on %s, %d threads, %d allowed prefixes", fmt_sockaddr(&cfg.listen, where, sizeof where),
		       cfg.threads, cfg.nallow);
	else
		logmsg("router listening on %s, server %s, %d threads", fmt_sockaddr(&cfg.listen, where, sizeof where),
		       fmt_sockaddr(&cfg.upstream, up, sizeof up), cfg.threads);
	int nctr = cfg.threads;
	if (udp)
		ctrs[nctr++] = &udp->ctr;
	write_stats(&cfg, udp, ctrs, nctr, 1);

	struct timespec second = { 1, 0 };
	for (;;) {
		int sig = sigtimedwait(&set, NULL, &second);
		if (sig == SIGINT || sig == SIGTERM)
			break;
		if (sig == SIGHUP && udp)
			udp_reload(udp);
		refusals_tick(mono_ms());
		write_stats(&cfg, udp, ctrs, nctr, 0);
	}
	atomic_store(&g_stop, 1);
	for (int i = 0; i < cfg.threads; i++)
		if (eventfd_write(w[i].wake_fd, 1) < 0) { /* the thread sees g_stop at its next wakeup anyway */ }
	for (int i = 0; i < cfg.threads; i++) {
		pthread_join(w[i].thread, NULL);
		close(w[i].wake_fd);
	}
	write_stats(&cfg, udp, ctrs, nctr, 0);
	if (udp)
		udp_stop(udp); /* after the last stats: its counters live with it */
	free(w);
	replay_free();
	logmsg("stopped");
	return 0;
}
