// What a status report is built from. `collectStatus` reads everything afresh (the CLI);
// `quickStatus` (ubus, polled by LuCI) starts from the report the running daemon wrote at
// its last re-plan and refreshes only what changes between re-plans: counters, bytes,
// health and the daemon's own state, so a poll runs no program unless it must.
import type { Runtime } from '../sys/runtime.js';
import type { DaemonState } from '../model/daemon-state.js';
import { MpwanError } from '../model/errors.js';
import { settled } from '../lib/async.js';
import { readSystem } from '../reconcile/read-system.js';
import { assess, type Assessment } from '../reconcile/assess.js';
import { readLinkBytes, readMptcpCounters, uptimeMs } from '../sys/procfs.js';
import { readDaemonState, readHealth, readStatusBasis, runPath } from '../sys/run-dir.js';
import { readUsageRam } from '../sys/usage-files.js';
import { countServerConnections } from '../sys/ss.js';
import { parseRelayStats, type RelayStats } from '../observe/relay-stats.js';
import { buildStatus, daemonProxyFields, KEY_COUNTERS, udpStatus, type StatusReport, type UdpStatus } from './status.js';
import { refreshUsage } from './usage.js';

/** The proxy's connections to the server it uses (the daemon says which). */
async function serverConnections(rt: Runtime, daemon: DaemonState | null) {
  const server = daemon?.proxy && /^\[?(.*?)\]?:(\d+)$/.exec(daemon.proxy.server);
  if (!server) return null;
  const pids = daemon!.proxy!.instances.map((i) => i.pid).filter((p): p is number => p !== null);
  return countServerConnections(rt, server[1], Number(server[2]), pids);
}

/** The relay's counters while it is the running engine. */
const relayStats = (rt: Runtime, daemon: DaemonState | null) =>
  (daemon?.proxy?.engine === 'relay' ? parseRelayStats(rt.readFile(runPath.engine(rt).stats)) : null);

/** The report as the daemon will write it after a re-plan (its counters are refreshed by readers). */
export function statusOf(rt: Runtime, a: Assessment, daemon: DaemonState | null): StatusReport {
  const live = {
    counters: readMptcpCounters(rt), bytes: (dev: string) => readLinkBytes(rt, dev), health: readHealth(rt)?.uplinks ?? {}, relay: relayStats(rt, daemon), usage: a.usage,
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

/** What changes between re-plans, read again into a report the daemon wrote. */
function refresh(rt: Runtime, basis: StatusReport, daemon: DaemonState | null): StatusReport {
  const counters = readMptcpCounters(rt);
  const health = readHealth(rt)?.uplinks ?? {};
  const usage = readUsageRam(rt)?.ledger ?? null;
  const p = daemon?.proxy ?? null;
  return {
    ...basis,
    counters: Object.fromEntries(KEY_COUNTERS.map((k) => [k, counters[k] ?? 0])),
    uplinks: basis.uplinks.map((u) => {
      const b = u.device ? readLinkBytes(rt, u.device) : null;
      return { ...u, rx_bytes: b ? b.rx : null, tx_bytes: b ? b.tx : null, health: health[u.name] ?? null, usage: refreshUsage(u.usage, usage?.uplinks[u.name]) };
    }),
    daemon: { running: daemon !== null, pid: daemon?.pid ?? null, last_error: daemon?.last_error ?? null },
    proxy: {
      ...basis.proxy,
      ...daemonProxyFields(daemon),
      servers: daemon?.proxy?.servers ?? basis.proxy.servers ?? [],
      server: daemon?.proxy?.server ?? basis.proxy.server,
      udp: refreshUdp(basis.proxy.udp, p?.redirect_active ?? false, relayStats(rt, daemon)),
    },
    default_route: daemon?.default_route.map((d) => ({ ...d })) ?? basis.default_route,
    sampled_ms: uptimeMs(rt),
    config_error: daemon?.config_error ?? null,
  };
}

/** The basis's UDP settings with the relay's counters of now. */
function refreshUdp(basis: UdpStatus | undefined, redirectActive: boolean, relay: RelayStats | null): UdpStatus {
  // A report written by a daemon from before UDP through the server has no udp part.
  return udpStatus({ enabled: true, udp: basis?.mode ?? 'direct', duplicate: basis?.duplicate ?? [] }, redirectActive, relay);
}

/** For ubus: the daemon's last report refreshed, or (no daemon) everything read afresh. */
export async function quickStatus(rt: Runtime): Promise<StatusReport> {
  await settled();
  const daemon = readDaemonState(rt);
  const basis = daemon ? readStatusBasis<StatusReport>(rt) : null;
  if (!daemon || !basis) return collectStatus(rt);
  const report = refresh(rt, basis, daemon);
  report.proxy.server_connections = await serverConnections(rt, daemon);
  return report;
}
