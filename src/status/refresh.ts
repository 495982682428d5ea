// The status report while the daemon runs: the one it wrote at its last re-plan, with what
// changes between re-plans read again (counters, bytes, health, the daemon's own state). Kept
// light on purpose: the rpcd plugin loads only this module's imports to answer `status`, the
// call LuCI polls (rpc/quick.ts).
import type { Reader } from '../sys/runtime.js';
import type { DaemonState } from '../model/daemon-state.js';
import { settled } from '../lib/async.js';
import { readLinkBytes, readMptcpCounters, uptimeMs } from '../sys/procfs.js';
import { readDaemonState, readHealth, readStatusBasis, runPath } from '../sys/run-dir.js';
import { countServerConnections } from '../sys/ss.js';
import { parseRelayStats, type RelayStats } from '../observe/relay-stats.js';
import { daemonProxyFields, KEY_COUNTERS, udpStatus, type StatusReport, type UdpStatus } from './status.js';

/** The relay's counters while it is the running engine. */
export const relayStats = (rt: Reader, daemon: DaemonState | null) =>
  (daemon?.proxy?.engine === 'relay' ? parseRelayStats(rt.readFile(runPath.engine(rt).stats)) : null);

/** What changes between re-plans, read again into a report the daemon wrote. */
export function refresh(rt: Reader, basis: StatusReport, daemon: DaemonState | null): StatusReport {
  const counters = readMptcpCounters(rt);
  const health = readHealth(rt)?.uplinks ?? {};
  const p = daemon?.proxy ?? null;
  return {
    ...basis,
    counters: Object.fromEntries(KEY_COUNTERS.map((k) => [k, counters[k] ?? 0])),
    uplinks: basis.uplinks.map((u) => {
      const b = u.device ? readLinkBytes(rt, u.device) : null;
      return { ...u, rx_bytes: b ? b.rx : null, tx_bytes: b ? b.tx : null, health: health[u.name] ?? null };
    }),
    daemon: { running: daemon !== null, pid: daemon?.pid ?? null, last_error: daemon?.last_error ?? null },
    proxy: {
      ...basis.proxy,
      ...daemonProxyFields(daemon),
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

/** The running daemon's last report refreshed; null when no daemon runs or it has written none yet. */
export async function daemonStatus(rt: Reader): Promise<StatusReport | null> {
  await settled();
  const daemon = readDaemonState(rt);
  const basis = daemon ? readStatusBasis<StatusReport>(rt) : null;
  if (!daemon || !basis) return null;
  const report = refresh(rt, basis, daemon);
  // `host:port`, `[v6]:port` (hostPort); the brackets are not part of the address ss prints.
  const server = daemon.proxy && /^\[?(.*?)\]?:(\d+)$/.exec(daemon.proxy.server);
  if (server) {
    const pids = daemon.proxy!.instances.map((i) => i.pid).filter((x): x is number => x !== null);
    report.proxy.server_connections = await countServerConnections(rt, server[1], Number(server[2]), pids);
  }
  return report;
}
