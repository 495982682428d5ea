// The one wrapper around iproute2's `ss` (package `ss` on OpenWrt; optional).
import type { Runtime } from './runtime.js';
import { countConnectionsTo, parseSubflows, silentServerConnections, type Subflow } from '../observe/ss.js';

export async function readSubflows(rt: Runtime): Promise<Subflow[] | { unavailable: string }> {
  const r = await rt.exec(['ss', '-tniHO'], { timeoutMs: 10000 });
  if (r.status === 127) return { unavailable: 'the ss program is not installed (opkg install ss, or apk add ss)' };
  if (r.status !== 0) return { unavailable: `ss failed: ${r.stderr.trim() || `exit status ${r.status}`}` };
  return parseSubflows(r.stdout);
}

export async function countServerConnections(rt: Runtime, host: string, port: number): Promise<{ mptcp: number; tcp: number } | null> {
  const r = await rt.exec(['ss', '-tniHO'], { timeoutMs: 10000 });
  return r.status === 0 ? countConnectionsTo(r.stdout, host, port) : null;
}

export async function readSilentServerConnections(rt: Runtime, host: string, port: number, quietMs: number): Promise<{ silent: number; answered: number } | null> {
  const r = await rt.exec(['ss', '-tniHO'], { timeoutMs: 10000 });
  return r.status === 0 ? silentServerConnections(r.stdout, host, port, quietMs) : null;
}
