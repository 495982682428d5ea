// The server job's reads: is the server reachable (the uplinks' probes, or a connect of our
// own when they cannot tell), and does it answer what the proxies send it?
import type { Runtime } from '../sys/runtime.js';
import type { HealthMonitor } from '../health/monitor.js';
import { tcpConnect } from '../sys/probe.js';
import { readSilentServerConnections } from '../sys/ss.js';
import { parseRelayStats } from '../observe/relay-stats.js';
import { runPath } from '../sys/run-dir.js';
import type { Evidence } from './server-watch.js';

/** A proxied connection whose data the server acknowledged this long ago, without a byte back, is silent. */
const SILENT_AFTER_MS = 5000;

/**
 * Whether the server accepts connections, as the uplinks' health probes see it. A probe of
 * our own (only without them) follows the route to the server, which points at a silently
 * dead uplink until that uplink's health checks fail, and would blame the server for it.
 */
export async function checkReachable(rt: Runtime, monitor: HealthMonitor, host: string, port: number, minSilenceMs: number) {
  return monitor.serverReachable(minSilenceMs) ?? tcpConnect(rt, host, port);
}

/** What the running proxies' connections to the server show (null: ss cannot tell). */
export async function readEvidence(rt: Runtime, host: string, port: number, windowMs: number, pids: number[]): Promise<Evidence | null> {
  return readSilentServerConnections(rt, host, port, SILENT_AFTER_MS, windowMs, pids);
}

/** The relay's answered and rejected connections so far (a wrong key: the server closes each before its status byte). */
export function readRelayCounts(rt: Runtime): { answered: number; rejected: number } | null {
  const s = parseRelayStats(rt.readFile(runPath.relayStats(rt)));
  return s && { answered: s.tcp.answered, rejected: s.tcp.rejected };
}
