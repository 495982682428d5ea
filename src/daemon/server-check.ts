// The server job's reads: does the server in use answer what the proxies send it (and at all,
// when no probe asks it)?
import type { Runtime } from '../sys/runtime.js';
import type { Config, ServerConfig } from '../model/config.js';
import type { ConnectOutcome } from '../servers/health.js';
import { familyOf } from '../lib/inet.js';
import { tcpConnect } from '../sys/probe.js';
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

/** Whether the uplinks' probes ping or connect to the server (health/targets.ts). */
const probed = (config: Config, server: ServerConfig) => familyOf(server.host) !== null &&
  config.uplinks.some((u) => u.mode !== 'off' && (u.health.probeServer || u.health.hosts.length === 0));

/** Without probes of the server (probe_server off and probe hosts set), a connect of our own tells whether it answers (null: probes do). */
export async function connectUnlessProbed(rt: Runtime, config: Config, server: ServerConfig): Promise<ConnectOutcome | null> {
  if (probed(config, server)) return null;
  const r = await tcpConnect(rt, server.host, server.port);
  return r.ok ? { ok: true } : { ok: false, error: r.error ?? 'no answer' };
}
