// Proxy engines: the files each one reads and the argv that runs it. Pure. Secrets (the relay's
// key, the shadowsocks password) live only in those files (mode 0600), never in argv or logs.
import type { ProxyConfig, ServerConfig } from '../model/config.js';
import { hostPort } from '../lib/inet.js';
import { sha256Hex } from '../lib/sha256.js';

export interface EngineCaps {
  /** shadowsocks-libev whose --mptcp speaks upstream MPTCP (3.3.6+); older ones need mptcpize. */
  libevNativeMptcp: boolean;
}

/** Where the engine's files go (the daemon's run dir). */
export interface EnginePaths {
  /** The shadowsocks engines' config file. */
  config: string;
  /** The relay's server file: `<address>:<port> <key file>`, the server new traffic goes to (the daemon rewrites it and sends SIGHUP). */
  server: string;
  /** The relay's counters. */
  stats: string;
  /** The relay's ways to the server for UDP, best first (the daemon rewrites it and sends SIGHUP). */
  paths: string;
}

export interface ProxyLaunch {
  /** One argv per process; shadowsocks-libev instances share the port with SO_REUSEPORT. */
  instances: string[][];
  /** Files to write (mode 0600) before starting. */
  files: { path: string; text: string }[];
  /** How the server connection is made MPTCP, for status. */
  mptcpBy: 'native' | 'mptcpize';
  /** Files the instances write (the relay's counters): removed before new instances start. */
  outputs?: string[];
}


/**
 * mpwan-relay: one process, its own threads. Its server (and the key, in a file of its own)
 * is in the server file, not in argv: a switch to another server is a SIGHUP, not a restart,
 * so connections open on the one before stay.
 */
function relay(proxy: ProxyConfig, paths: EnginePaths, threads: number): ProxyLaunch {
  // The paths file only steers UDP: without it the relay's TCP follows the routing rules.
  const congestion = proxy.congestion === 'system' ? [] : ['--congestion', proxy.congestion];
  const udp = proxy.udp === 'server' ? ['--udp', '--paths-file', paths.paths, ...proxy.duplicate.flatMap((d) => ['--duplicate', d])] : [];
  return {
    instances: [['mpwan-relay', 'router', '--port', String(proxy.port), '--server-file', paths.server,
      '--threads', String(threads), '--stats', paths.stats, ...congestion, ...udp]],
    files: [],
    mptcpBy: 'native',
    outputs: [paths.stats],
  };
}

function shadowsocks(proxy: ProxyConfig, server: ServerConfig, paths: EnginePaths, threads: number, caps: EngineCaps): ProxyLaunch {
  const base = {
    server: server.host, server_port: server.port, password: server.password, method: server.method,
    mode: 'tcp_only', no_delay: true, timeout: 300,
  };
  const file = (config: object) => [{ path: paths.config, text: JSON.stringify(config, null, 2) + '\n' }];
  if (proxy.engine === 'shadowsocks-rust') {
    // One sslocal process: its runtime spreads connections over worker_count threads.
    const config = {
      ...base, mptcp: true, runtime: { mode: 'multi_thread', worker_count: threads },
      locals: [{ protocol: 'redir', local_address: '::', local_port: proxy.port, tcp_redir: 'redirect' }],
    };
    return { instances: [['sslocal', '-c', paths.config]], files: file(config), mptcpBy: 'native' };
  }
  const config = { ...base, local_address: '::', local_port: proxy.port, reuse_port: true, ...(caps.libevNativeMptcp ? { mptcp: true } : {}) };
  const argv = caps.libevNativeMptcp ? ['ss-redir', '-c', paths.config] : ['mptcpize', 'run', 'ss-redir', '-c', paths.config];
  return { instances: Array.from({ length: threads }, () => argv), files: file(config), mptcpBy: caps.libevNativeMptcp ? 'native' : 'mptcpize' };
}

export function planProxy(proxy: ProxyConfig, server: ServerConfig, paths: EnginePaths, cpus: number, caps: EngineCaps): ProxyLaunch {
  const threads = proxy.threads ?? Math.max(1, cpus);
  return proxy.engine === 'relay' ? relay(proxy, paths, threads) : shadowsocks(proxy, server, paths, threads, caps);
}

/** The relay's server file: the server's address and the file holding its key. */
export const relayServerLine = (server: ServerConfig, keyFile: string) => `${hostPort(server.host, server.port)} ${keyFile}\n`;

/** `shadowsocks-libev 3.3.5` -> whether its --mptcp works on upstream kernels (from 3.3.6). */
export function libevHasNativeMptcp(helpText: string): boolean {
  const m = /shadowsocks-libev (\d+)\.(\d+)\.(\d+)/.exec(helpText);
  if (!m) return false;
  const [maj, min, patch] = m.slice(1).map(Number);
  return maj > 3 || (maj === 3 && (min > 3 || (min === 3 && patch >= 6)));
}

/** The launch as the supervisor runs it, with a digest of all of it (argv and file contents). */
export function engineLaunch(plan: ProxyLaunch): { digest: string; instances: string[][]; files: { path: string; text: string }[]; outputs: string[] } {
  return { digest: sha256Hex(JSON.stringify([plan.instances, plan.files])), instances: plan.instances, files: plan.files, outputs: plan.outputs ?? [] };
}
