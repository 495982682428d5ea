// What a status report is built from. `collectStatus` reads everything afresh (the CLI);
// `quickStatus` (ubus, polled by LuCI) starts from the report the running daemon wrote at
// its last re-plan and refreshes only what changes between re-plans (refresh.ts), so a poll
// runs no program unless it must.
import type { Runtime } from '../sys/runtime.js';
import type { DaemonState } from '../model/daemon-state.js';
import { MpwanError } from '../model/errors.js';
import { settled } from '../lib/async.js';
import { readSystem } from '../reconcile/read-system.js';
import { assess, type Assessment } from '../reconcile/assess.js';
import { readCongestionControls, readLinkBytes, readMptcpCounters, readTcpLimits, uptimeMs } from '../sys/procfs.js';
import { readDaemonState, readHealth, readStatusBasis } from '../sys/run-dir.js';
import { buildStatus, type StatusReport } from './status.js';
import { daemonStatus, refresh, relayStats, serverConnections } from './refresh.js';

/** The report as the daemon will write it after a re-plan (its counters are refreshed by readers). */
export function statusOf(rt: Runtime, a: Assessment, daemon: DaemonState | null): StatusReport {
  const live = {
    counters: readMptcpCounters(rt), bytes: (dev: string) => readLinkBytes(rt, dev), health: readHealth(rt)?.uplinks ?? {}, relay: relayStats(rt, daemon), usage: a.usage,
    tcpLimits: readTcpLimits(rt), congestionControls: readCongestionControls(rt),
  };
  const report = buildStatus(a, live, daemon, rt.nowSeconds());
  report.sampled_ms = uptimeMs(rt);
  return report;
}

/** Everything read afresh. With an invalid config, the running daemon's last report says what is in force. */
export async function collectStatus(rt: Runtime): Promise<StatusReport> {
  await settled();
  const daemon = readDaemonState(rt);
  let a: Assessment;
  try {
    a = assess(await readSystem(rt));
  } catch (e) {
    const basis = daemon && e instanceof MpwanError && e.code === 'invalid_config' ? readStatusBasis<StatusReport>(rt) : null;
    if (!basis) throw e;
    return refresh(rt, basis, daemon);
  }
  const report = statusOf(rt, a, daemon);
  report.proxy.server_connections = await serverConnections(rt, daemon);
  return report;
}

/** For ubus: the daemon's last report refreshed, or (no daemon) everything read afresh. */
export async function quickStatus(rt: Runtime): Promise<StatusReport> {
  return (await daemonStatus(rt)) ?? collectStatus(rt);
}
