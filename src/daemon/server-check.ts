// The server job's reads: does the server in use answer what the proxies send it?
import type { Runtime } from '../sys/runtime.js';
import { readSilentServerConnections } from '../sys/ss.js';
import { parseRelayStats } from '../observe/relay-stats.js';
import { runPath } from '../sys/run-dir.js';
import type { Evidence } from './server-watch.js';

/** A proxied connection whose data the server acknowledged this long ago, without a byte back, is silent. */
const SILENT_AFTER_MS = 5000;

/** What the running proxies' connections to the server show (null: ss cannot tell). */
export async function readEvidence(rt: Runtime, host: string, port: number, windowMs: number, pids: number[]): Promise<Evidence | null> {
  return readSilentServerConnections(rt, host, port, SILENT_AFTER_MS, windowMs, pids);
}

/** The relay's answered and rejected connections so far (a wrong key: the server closes each before its status byte). */
export function readRelayCounts(rt: Runtime): { answered: number; rejected: number } | null {
  const s = parseRelayStats(rt.readFile(runPath.relayStats(rt)));
  return s && { answered: s.tcp.answered, rejected: s.tcp.rejected };
}
