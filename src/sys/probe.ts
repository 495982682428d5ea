// Active checks from one uplink: ICMP echo and an MPTCP handshake, each bound to the
// uplink's source address so it leaves through that uplink's routing table.
import type { LineStream, Runtime } from './runtime.js';
import { familyOf } from '../lib/inet.js';
import { readMptcpCounters } from './procfs.js';

export interface PingResult {
  ok: boolean;
  ms?: number;
  error?: string;
  missing?: boolean;
  /** A signed connect the server closed unanswered (sys/tcp-prober.ts). */
  wrongKey?: boolean;
}

export async function ping(rt: Runtime, source: string, target: string, timeoutS = 2): Promise<PingResult> {
  const fam = familyOf(target) === 6 ? '-6' : '-4';
  const r = await rt.exec(['ping', fam, '-n', '-c', '1', '-W', String(timeoutS), '-I', source, target], { timeoutMs: (timeoutS + 2) * 1000 });
  if (r.status === 127) return { ok: false, missing: true, error: 'the ping program is not installed' };
  const m = /time[=<]([\d.]+) ?ms/.exec(r.stdout);
  if (r.status === 0 && m) return { ok: true, ms: Number(m[1]) };
  return { ok: false, error: r.timedOut ? 'timed out' : 'no reply' };
}

export type Pinger = LineStream;

/**
 * A long-running ping from `source` to `target`, one echo request every `intervalS` seconds,
 * its output handed over line by line (see observe/ping.ts): one process per target instead
 * of one per probe.
 */
export function startPinger(rt: Runtime, source: string, target: string, intervalS: number,
  onLine: (line: string) => void, onExit: (status: number) => void): Pinger {
  const fam = familyOf(target) === 6 ? '-6' : '-4';
  return rt.spawnLines(['ping', fam, '-n', '-i', String(intervalS), '-I', source, target], onLine, onExit);
}

export type HandshakeResult =
  | { result: 'mptcp' | 'fallback' | 'inconclusive' }
  | { result: 'failed' | 'unavailable'; error: string };

/**
 * Opens one MPTCP connection from `source` to host:port (socat under mptcpize) and reads the
 * kernel's counters to tell a real MPTCP handshake from a silent fallback to TCP (an ISP
 * middlebox stripping MPTCP options). Other connections opened at the same moment can blur
 * the counters: then the answer is "inconclusive".
 */
export async function mptcpHandshake(rt: Runtime, source: string, host: string, port: number, timeoutS = 3): Promise<HandshakeResult> {
  const v6 = familyOf(host) === 6 || familyOf(source) === 6;
  const target = v6 ? `TCP6:[${host}]:${port},bind=[${source}]` : `TCP4:${host}:${port},bind=${source}`;
  const before = readMptcpCounters(rt);
  const r = await rt.exec(['mptcpize', 'run', 'socat', '-u', 'OPEN:/dev/null', `${target},connect-timeout=${timeoutS}`], { timeoutMs: (timeoutS + 2) * 1000 });
  if (r.status === 127) return { result: 'unavailable', error: 'install mptcpd (mptcpize) and socat to test MPTCP handshakes' };
  const after = readMptcpCounters(rt);
  if (r.status !== 0) return { result: 'failed', error: (r.stderr.trim().split('\n').pop() ?? '').replace(/^.*E /, '') || `exit status ${r.status}` };
  const delta = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
  const mptcp = delta('MPCapableSYNACKRX');
  const fallback = delta('MPCapableFallbackSYNACK');
  if (mptcp === 1 && fallback === 0) return { result: 'mptcp' };
  if (fallback === 1 && mptcp === 0) return { result: 'fallback' };
  return { result: 'inconclusive' };
}

/**
 * Plain TCP connect to host:port (is the server up?), with socat or, on OpenWrt, BusyBox nc.
 * Only the handshake matters; nothing is sent. With `source`, the connection leaves from
 * that address (its uplink's table), which needs socat: BusyBox nc cannot bind one.
 */
export async function tcpConnect(rt: Runtime, host: string, port: number, timeoutS = 3, source?: string): Promise<{ ok: boolean; ms?: number; error?: string; missing?: boolean }> {
  const v6 = familyOf(host) === 6;
  const bind = source ? `,bind=${v6 ? `[${source}]` : source}` : '';
  const started = rt.monotonicMs();
  const socat = await rt.exec(['socat', '-u', 'OPEN:/dev/null', `${v6 ? `TCP6:[${host}]` : `TCP:${host}`}:${port},connect-timeout=${timeoutS}${bind}`], { timeoutMs: (timeoutS + 2) * 1000 });
  if (socat.status !== 127) {
    return socat.status === 0
      ? { ok: true, ms: rt.monotonicMs() - started }
      : { ok: false, error: (socat.stderr.trim().split('\n').pop() ?? '').replace(/^.*E /, '') || 'connect failed' };
  }
  if (source) return { ok: false, missing: true, error: 'socat is not installed' };
  const nc = await rt.exec(['nc', '-w', String(timeoutS), host, String(port)], { timeoutMs: (timeoutS + 2) * 1000 });
  if (nc.status === 127) return { ok: true, error: 'no socat or nc to probe with; assuming the server is up' };
  return nc.status === 0 ? { ok: true } : { ok: false, error: nc.stderr.trim() || 'connect failed' };
}
