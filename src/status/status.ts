// The status report: one JSON shape for `mpwan status --json`, ubus `status` and LuCI.
// Pure: collect.ts gathers what it is built from.
import type { Assessment } from '../reconcile/assess.js';
import type { Limits } from '../model/kernel.js';
import type { DaemonState, ServerReport } from '../model/daemon-state.js';
import type { Ledger } from '../quota/usage.js';
import { serverOrder } from '../config/servers.js';
import { usageStatus, type UsageStatus } from './usage.js';
import { serverReports } from './servers.js';
import type { UplinkHealth } from '../model/health.js';
import type { RelayStats } from '../observe/relay-stats.js';
import { describeChange } from '../apply/render.js';
import { VERSION } from '../version.js';
import { hostPort } from '../lib/inet.js';
import type { BufferCheck, BufferLimits } from './buffer-check.js';
import { bufferCheck, congestionWarning } from './tuning.js';

/** Counters worth showing: joins, fallbacks to TCP, rejections. */
export const KEY_COUNTERS = [
  'MPCapableSYNTX', 'MPCapableSYNACKRX', 'MPCapableFallbackACK', 'MPCapableFallbackSYNACK',
  'MPJoinSynTx', 'MPJoinSynAckRx', 'MPJoinSynRx', 'MPJoinAckRx', 'MPJoinRejected',
  'MPTCPRetrans', 'MPFallbackTokenInit', 'Blackhole', 'MPCapableSYNTXDisabled',
] as const;

export interface UplinkStatus {
  name: string;
  mode: string;
  state: string;
  device: string | null;
  table: number;
  addresses: string[];
  skipped: { address: string; reason: string }[];
  endpoints: { id: number; address: string; flags: string[] }[];
  rx_bytes: number | null;
  tx_bytes: number | null;
  /** The daemon's health checks; null when no daemon runs or the uplink is not probed. */
  health: UplinkHealth | null;
  /** Why a 'failed' uplink failed (no carrier, probes unanswered). */
  failure: string | null;
  /** Metered: what it carried in its quota period (both ways) against its quota; null when not metered. */
  usage: UsageStatus | null;
}

/** LAN UDP: through the server (the relay's sessions and ways there) or on the normal route. */
export interface UdpStatus {
  mode: 'server' | 'direct';
  /** LAN UDP is being handed to the relay right now (udp 'server' and the redirect is on). */
  active: boolean;
  /** The `duplicate` matches, as the relay reads them (dscp:46, port:3478). */
  duplicate: string[];
  /** Sessions since the relay started, and open now. */
  sessions: number;
  active_sessions: number;
  datagrams_up: number;
  datagrams_down: number;
  /** Second copies of duplicated datagrams dropped by the router side. */
  duplicates_dropped: number;
  /** Datagrams dropped for a bad tag, time or length. */
  bad: number;
  /** The ways to the server, best first, and what each carried. */
  paths: { uplink: string; source: string; alive: boolean; rtt_ms: number | null; bytes_up: number; bytes_down: number }[];
}

/** What is read live for a report: counters, byte counts, health, the relay's own counters, quota use. */
export interface Readings {
  counters: Record<string, number>;
  bytes: (dev: string) => { rx: number; tx: number } | null;
  health: Record<string, UplinkHealth>;
  relay: RelayStats | null;
  usage: Ledger | null;
  /** This router's tcp_rmem / tcp_wmem limits (null: unreadable). */
  tcpLimits?: BufferLimits | null;
  /** The congestion controls the kernel has (null: unreadable). */
  congestionControls?: string[] | null;
}

export interface StatusReport {
  version: string;
  enabled: boolean;
  in_sync: boolean;
  pending: string[];
  uplinks: UplinkStatus[];
  limits: { subflows: number; add_addr_accepted: number };
  planned_limits: { subflows: number; add_addr_accepted: number } | null;
  foreign_endpoints: { id: number; address: string; dev: string | null; flags: string[] }[];
  counters: Record<string, number>;
  daemon: { running: boolean; pid: number | null; last_error: string | null };
  proxy: {
    enabled: boolean;
    engine: string;
    port: number;
    server: string | null;
    running_instances: number;
    instances: number;
    mptcp_by: string | null;
    redirect_active: boolean;
    /** Why the LAN redirect is off while a proxy is configured, in a sentence; null while on. */
    redirect_off_reason: string | null;
    server_reachable: boolean | null;
    /** false: the server takes connections but answers none through the proxy (wrong password or cipher?). */
    server_answers: boolean | null;
    /** The server new LAN traffic goes to (null: none answers, or no daemon), why, and since when (epoch seconds). */
    active_server: string | null;
    active_why: string | null;
    active_since: number | null;
    /** A more preferred server answers again: new traffic goes back to it at `at` (epoch seconds), in in_s seconds. */
    failback: { server: string; at: number; in_s: number } | null;
    /** Every enabled server, most preferred first, with what the probes say of it. */
    servers: ServerReport[];
    /** The configured engine cannot run (not installed): what to do. */
    error: string | null;
    /** Proxy connections to the server right now: MPTCP, or fallen back to plain TCP. */
    server_connections: { mptcp: number; tcp: number } | null;
    /** LAN connections the relay refused at once for want of ports, descriptors or memory, and when the last was (epoch seconds). */
    refused: { count: number; last: number | null };
    udp: UdpStatus;
  };
  warnings: string[];
  /** TCP buffer limits against what the uplinks' rates and RTTs need; null without uplink rates. */
  buffers: BufferCheck | null;
  /** The config file does not validate: while the daemon runs, the last valid one stays in force. */
  config_error: { message: string; errors: { file: string; line: number; option: string; message: string }[] } | null;
  /** Which uplink carries traffic without a more specific route (DNS, UDP, the router's own), per family. */
  default_route: { family: 4 | 6; uplink: string | null; since: number | null; reason: string | null }[];
  /** Epoch seconds when the plan part (in_sync, pending, endpoints) was checked against the kernel. */
  checked: number;
  /** Milliseconds since boot when the counters and byte counts were read: rates between two reports divide by its difference. */
  sampled_ms: number;
}

const flagsOf = (e: { subflow: boolean; signal: boolean; backup: boolean; fullmesh: boolean }) =>
  (['subflow', 'signal', 'backup', 'fullmesh'] as const).filter((f) => e[f]);
const limitsJson = (l: Limits) => ({ subflows: l.subflows, add_addr_accepted: l.addAddrAccepted });

/** The UDP part of the proxy's status: its settings, and the relay's counters while it runs. */
export function udpStatus(proxy: Pick<Assessment['config']['proxy'], 'enabled' | 'udp' | 'duplicate'>, redirectActive: boolean, relay: RelayStats | null): UdpStatus {
  const u = relay?.udp;
  return {
    // Without a proxy, LAN UDP takes the normal route whatever the option says.
    mode: proxy.enabled ? proxy.udp : 'direct',
    active: proxy.udp === 'server' && redirectActive,
    duplicate: proxy.udp === 'server' ? proxy.duplicate : [],
    sessions: u?.sessions ?? 0,
    active_sessions: u?.active ?? 0,
    datagrams_up: u?.datagrams_up ?? 0,
    datagrams_down: u?.datagrams_down ?? 0,
    duplicates_dropped: u?.duplicates_dropped ?? 0,
    bad: u?.bad ?? 0,
    paths: (u?.paths ?? []).map((p) => ({ uplink: p.name, source: p.source, alive: p.alive, rtt_ms: p.rtt_ms, bytes_up: p.bytes_up, bytes_down: p.bytes_down })),
  };
}

/** What the running daemon says of its proxy (nothing running: zeros and nulls); `now`: epoch seconds. */
export function daemonProxyFields(daemon: DaemonState | null, now: number) {
  const p = daemon?.proxy ?? null;
  return {
    active_server: p?.active_server ?? null,
    active_why: p?.active_why ?? null,
    active_since: p?.active_since ?? null,
    failback: p?.failback ? { ...p.failback, in_s: Math.max(0, p.failback.at - now) } : null,
    running_instances: p ? p.instances.filter((i) => i.pid !== null).length : 0,
    instances: p ? p.instances.length : 0,
    mptcp_by: p?.mptcp_by ?? null,
    redirect_active: p?.redirect_active ?? false,
    redirect_off_reason: p?.redirect_off_reason ?? null,
    server_reachable: p?.server_reachable ?? null,
    server_answers: p?.server_answers ?? null,
    error: daemon?.proxy_error ?? null,
  };
}

export function buildStatus(snap: Assessment, live: Readings, daemon: DaemonState | null = null, checked = 0): StatusReport {
  const { counters, bytes, health } = live;
  const server = serverOrder(snap.config.servers)[0];
  const p = daemon?.proxy ?? null;
  const owned = new Set(snap.diff.owned.endpoints.map((e) => e.address));
  const uplinks = snap.desired.uplinks.map((u): UplinkStatus => {
    const b = u.dev ? bytes(u.dev) : null;
    return {
      name: u.name,
      mode: u.mode,
      state: u.state,
      device: u.dev ?? null,
      table: u.table,
      addresses: u.addresses,
      skipped: u.skipped,
      endpoints: snap.observed.endpoints
        .filter((e) => u.addresses.includes(e.address) && owned.has(e.address))
        .map((e) => ({ id: e.id, address: e.address, flags: flagsOf(e) })),
      rx_bytes: b ? b.rx : null,
      tx_bytes: b ? b.tx : null,
      health: health[u.name] ?? null,
      failure: u.failure ?? null,
      usage: usageStatus(snap.config, u.name, live.usage),
    };
  });
  const ours = new Set(uplinks.flatMap((u) => u.endpoints.map((e) => e.id)));
  const buffers = bufferCheck(snap.config, live.relay, live.tcpLimits ?? null);
  const pick: Record<string, number> = {};
  for (const k of KEY_COUNTERS) pick[k] = counters[k] ?? 0;
  return {
    version: VERSION,
    enabled: snap.desired.enabled,
    in_sync: snap.diff.changes.length === 0,
    pending: snap.diff.changes.map(describeChange),
    uplinks,
    limits: limitsJson(snap.observed.limits),
    planned_limits: snap.desired.limits ? limitsJson(snap.desired.limits) : null,
    foreign_endpoints: snap.observed.endpoints
      .filter((e) => !ours.has(e.id))
      .map((e) => ({ id: e.id, address: e.address, dev: e.dev ?? null, flags: flagsOf(e) })),
    counters: pick,
    daemon: { running: daemon !== null, pid: daemon?.pid ?? null, last_error: daemon?.last_error ?? null },
    proxy: {
      enabled: snap.config.proxy.enabled && server !== undefined,
      engine: snap.config.proxy.engine,
      port: snap.config.proxy.port,
      server: p?.server ?? (server ? hostPort(server.host, server.port) : null),
      ...daemonProxyFields(daemon, checked),
      servers: serverReports(snap.config, daemon),
      server_connections: null,
      refused: { count: live.relay?.tcp.refused ?? 0, last: live.relay?.tcp.refused_at || null },
      udp: udpStatus({ ...snap.config.proxy, enabled: snap.config.proxy.enabled && server !== undefined }, p?.redirect_active ?? false, live.relay),
    },
    warnings: [...snap.configWarnings, ...snap.desired.warnings, ...snap.diff.warnings, ...(buffers?.warnings ?? []), ...congestionWarning(snap.config.proxy, live.congestionControls ?? null)],
    buffers,
    default_route: snap.desired.defaultRoutes.map((d) => {
      const known = daemon?.default_route.find((x) => x.family === d.family && x.uplink === d.uplink);
      return { family: d.family, uplink: d.uplink, since: known?.since ?? null, reason: d.reason };
    }),
    config_error: daemon?.config_error ?? null,
    checked,
    sampled_ms: 0,
  };
}
