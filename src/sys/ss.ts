// The one wrapper around iproute2's `ss` (package `ss` on OpenWrt; optional).
import type { Reader, Runtime } from './runtime.js';
import { countConnectionsTo, mptcpTokensOf, parseSubflows, silentServerConnections, type Subflow } from '../observe/ss.js';

export async function readSubflows(rt: Runtime): Promise<Subflow[] | { unavailable: string }> {
  const r = await rt.exec(['ss', '-tniHO'], { timeoutMs: 10000 });
  if (r.status === 127) return { unavailable: 'the ss program is not installed (opkg install ss, or apk add ss)' };
  if (r.status !== 0) return { unavailable: `ss failed: ${r.stderr.trim() || `exit status ${r.status}`}` };
  return parseSubflows(r.stdout);
}

/** The proxies' connections to the server (`proxyPids`: the running proxy processes). */
export async function countServerConnections(rt: Reader, host: string, port: number, proxyPids: number[]): Promise<{ mptcp: number; tcp: number } | null> {
  const r = await rt.exec(['ss', '-tnpiHO', 'state', 'established'], { timeoutMs: 10000 });
  return r.status === 0 ? countConnectionsTo(r.stdout, host, port, proxyPids) : null;
}

/**
 * Silent and answered proxied connections (see silentServerConnections), counting only the
 * MPTCP connections the running proxies `pids` own: ones still closing from before a reload
 * or a restart say nothing about the server now.
 */
export async function readSilentServerConnections(
  rt: Runtime, host: string, port: number, quietMs: number, sentWithinMs: number, pids: number[],
): Promise<{ silent: number; answered: number } | null> {
  const [msk, subflows] = await Promise.all([
    rt.exec(['ss', '-MnpiHO'], { timeoutMs: 10000 }),
    rt.exec(['ss', '-tniHO', 'state', 'established'], { timeoutMs: 10000 }),
  ]);
  if (msk.status !== 0 || subflows.status !== 0) return null;
  return silentServerConnections(subflows.stdout, host, port, quietMs, { sentWithinMs, tokens: mptcpTokensOf(msk.stdout, pids) });
}
