// Proxy engines: the config file each one reads and the argv that runs it. Pure.
// The password lives only in the config file (mode 0600), never in argv or logs.
import type { ProxyConfig, ServerConfig } from '../model/config.js';
import { sha256Hex } from '../lib/sha256.js';

export interface EngineCaps {
  /** shadowsocks-libev whose --mptcp speaks upstream MPTCP (3.3.6+); older ones need mptcpize. */
  libevNativeMptcp: boolean;
}

export interface ProxyLaunch {
  /** One entry per instance; instances share the port with SO_REUSEPORT. */
  instances: string[][];
  config: Record<string, unknown>;
  /** How the server connection is made MPTCP, for status. */
  mptcpBy: 'native' | 'mptcpize';
}

export function planProxy(proxy: ProxyConfig, server: ServerConfig, configPath: string, cpus: number, caps: EngineCaps): ProxyLaunch {
  const base = {
    server: server.host,
    server_port: server.port,
    password: server.password,
    method: server.method,
    mode: 'tcp_only',
    no_delay: true,
    timeout: 300,
  };
  const count = proxy.threads ?? Math.max(1, cpus);
  if (proxy.engine === 'shadowsocks-rust') {
    // One sslocal process: it spreads connections over `worker_count` threads itself.
    return {
      config: { ...base, mptcp: true, worker_count: count, locals: [{ protocol: 'redir', local_address: '::', local_port: proxy.port, tcp_redir: 'redirect' }] },
      instances: [['sslocal', '-c', configPath]],
      mptcpBy: 'native',
    };
  }
  const config = { ...base, local_address: '::', local_port: proxy.port, reuse_port: true, ...(caps.libevNativeMptcp ? { mptcp: true } : {}) };
  const argv = caps.libevNativeMptcp ? ['ss-redir', '-c', configPath] : ['mptcpize', 'run', 'ss-redir', '-c', configPath];
  return { config, instances: Array.from({ length: count }, () => argv), mptcpBy: caps.libevNativeMptcp ? 'native' : 'mptcpize' };
}

/** `shadowsocks-libev 3.3.5` -> whether its --mptcp works on upstream kernels (from 3.3.6). */
export function libevHasNativeMptcp(helpText: string): boolean {
  const m = /shadowsocks-libev (\d+)\.(\d+)\.(\d+)/.exec(helpText);
  if (!m) return false;
  const [maj, min, patch] = m.slice(1).map(Number);
  return maj > 3 || (maj === 3 && (min > 3 || (min === 3 && patch >= 6)));
}

/** The launch as the supervisor runs it: a digest of all of it, and the config file to write. */
export function engineLaunch(plan: ProxyLaunch, configPath: string): { digest: string; instances: string[][]; files: { path: string; text: string }[] } {
  return {
    digest: sha256Hex(JSON.stringify([plan.instances, plan.config])),
    instances: plan.instances,
    files: [{ path: configPath, text: JSON.stringify(plan.config, null, 2) + '\n' }],
  };
}
