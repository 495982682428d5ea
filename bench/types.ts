// The shape of bench/results.json: what each section measured, as data. bench/render/ turns
// it into bench/results.md and the figures in README.md; nothing there is typed by hand.

/** Median, worst and every run of one figure (null when no run gave it). */
export interface Spread { median: number | null; max: number | null; runs: number[] }

/** Min, median, max and every run of one figure. */
export interface Range { min: number; median: number; max: number; runs: number[] }

export interface CliSection {
  runs: number;
  uplinks: {
    wans: number;
    /** ms and peak RSS (MB) of each kind of run. */
    applyCold: { median: number; p95: number; rssMb: number };
    applyNoop: { median: number; p95: number; rssMb: number };
    status: { median: number; p95: number; rssMb: number };
    rpcList: { median: number; p95: number; rssMb: number };
    rpcStatus: { median: number; p95: number; rssMb: number };
    rpcStatusNoDaemon: { median: number; p95: number; rssMb: number };
    rpcPlan: { median: number; p95: number; rssMb: number };
  }[];
  bundles: { name: string; bytes: number; gzip: number }[];
}

export interface AggregationRow {
  links: string;
  rates: number[] | null;
  congestion: 'reno' | 'bbr';
  /** Mbit/s, medians of the runs. */
  mpwan: number;
  raw: number;
  single: number;
  runs: { mpwan: number[]; raw: number[]; single: number[] };
}

export interface AggregationSection {
  seconds: number;
  warmup: number;
  reps: number;
  shaped: AggregationRow[];
  unshaped: { routed: number; mpwan: number; engine: string };
}

export interface FailoverKind {
  /** Seconds from the cut until the LAN client gets 90% of the remaining uplink again. */
  failover: Spread;
  /** The longest later stall after the failover, seconds. */
  stall: Spread;
  /** Seconds from the restore until the restored uplink carries traffic again. */
  recovery: Spread;
  /** Mbit/s the LAN client got from the cut to the restore. */
  whileCut: Spread;
  lost: number;
}

export interface FailoverSection {
  reps: number;
  rate: number;
  cutAt: number;
  restoreAt: number;
  kinds: Record<'link-down' | 'silent-drop', FailoverKind>;
  /** Seconds after a silent cut from which every new LAN connection was answered. */
  newConnections: Spread;
  daemon: { idleS: number; selfPerHour: number; childrenPerHour: number; probesPerHour?: number; rssMb: number; peakMb: number };
}

export interface DefaultRouteSection {
  reps: number;
  /** Seconds from the cut until each kind of traffic answers again. */
  kinds: Record<'link-down' | 'silent-drop', { dns: Spread; lanUdp: Spread; routerUdp: Spread; tcpLost: number }>;
}

export interface LuciSection {
  runs: number;
  uplinks: number;
  views: { view: string; bytes: number; gzip: number; renderMs: Spread }[];
}

export interface UdpCallsSection {
  reps: number;
  /** Per way of carrying LAN UDP: the longest answer gap (s), datagrams lost, runs in which the far end saw its peer change. */
  modes: Record<'direct' | 'server' | 'duplicate', { gap: Spread; lost: Spread; addressChanged: number }>;
  /** The relay's bytes per datagram (src/relay/PROTOCOL.md). */
  overheadBytes: { ipv4: number; ipv6: number };
}

/** linkem's own cost: percent of one core while one TCP transfer fills the link (the transfer's window, setup excluded). */
export interface LinkemSection {
  rateMbit: number;
  seconds: number;
  cpuPercent: Runs;
  tcpMbit: Runs;
}

/** One direction of a link profile, Mbit/s: through mpwan, the kernel's MPTCP with no proxy, each link alone. */
export interface ProfileDirection {
  mpwan: Range;
  raw: Range;
  links: Range[];
  /** Settings tried side by side through mpwan (BENCH_PROFILE_VARIANTS), on router and server. */
  variants?: { name: string; sysctls: Record<string, string>; mpwan: Range }[];
}

export interface ProfileResult {
  name: string;
  title: string;
  links: string[];
  seconds: number;
  warmup: number;
  down: ProfileDirection;
  up: ProfileDirection;
  /** A 50 packets/s call through the server while the lower-delay uplink dies silently. */
  call: { gapS: Range; lost: Range };
  /** The sysctls in force on router and server while measuring. */
  tuning: { router: Record<string, string>; server: Record<string, string> };
  /** linkem's latest departure after its time over the whole profile (a check on the emulation). */
  linkemLateMaxMs: number;
}

export interface ProfilesSection {
  reps: number;
  callRuns: number;
  profiles: ProfileResult[];
}

/** FailoverKind, plus the longest stretch from the cut to the restore in which the LAN client got under 10% of the remaining uplink alone. */
export interface ProfileFailoverKind extends FailoverKind { gap: Spread }

/** The failover figures on a link profile, with its faster and with its slower uplink dying. */
export interface ProfileFailoverSection {
  profile: string;
  reps: number;
  cutAt: number;
  restoreAt: number;
  dying: {
    which: 'faster' | 'slower';
    link: string;
    /** Mbit/s each uplink carries alone (one routed TCP download), measured in the same lock. */
    aloneMbit: number[];
    /** Mbit/s the remaining uplink carries alone: the outage ends at 90% of it. */
    remainingAloneMbit: number;
    kinds: Record<'link-down' | 'silent-drop', ProfileFailoverKind>;
    newConnections: Spread;
  }[];
}

/** The daemon's health probes on a jittery, lossy profile: flaps counted, real outages timed. */
export interface ProbeFlapsSection {
  profile: string;
  links: string[];
  watchS: number;
  /** Per uplink: up/down changes while nothing failed (goal 0), and rounds that made it suspect. */
  stateChanges: Record<string, number>;
  suspectRounds: Record<string, number>;
  /** Seconds from a silent drop until the uplink is declared down, on the profile and on plain tbf links. */
  declaredDownS: Record<string, Spread>;
  declaredDownTbfS: Record<string, Spread>;
}

export interface FeedSection {
  /** Seconds of `make feed`'s script for all architectures and both releases, programs cached (median of 3). */
  seconds: number;
  /** Bytes, per architecture: static programs, packages as downloaded, and mpwan + luci-app-mpwan installed on 25.12. */
  arches: { arch: string; relayBytes: number; qjsBytes: number; mpwanIpk: number; quickjsIpk: number; luciIpk: number; mpwanApk: number; luciApk: number; installed2512: number }[];
}

export interface ServerFailoverSection {
  reps: number;
  holdDownS: number;
  /** Seconds from the primary's silent death until every new LAN connection opened after it was answered. */
  newConnections: Spread;
  /** The longest gap (s) in the answers of a 50 packets/s call through the server. */
  callGap: Spread;
}

export interface MeteredSection {
  seconds: number;
  rates: number[];
  /** Bytes each uplink carried (received + sent on the router's WAN device) during the download. */
  fibreBytes: number;
  lteBytes: number;
  /** LTE's share of both together. */
  lteShare: number;
  downloadMbit: number;
  /** Idle (health probes only), scaled to bytes per day: fibre at the default probe interval, LTE at a metered uplink's. */
  idle?: { seconds: number; fibrePerDay: number; ltePerDay: number };
}

export interface EventsSection {
  reps: number;
  /** Seconds from an uplink's link going down until `ubus listen mpwan.uplink` prints it. */
  uplinkDownHeard: Spread;
  /** Seconds from the daemon deciding it (its log line) until `ubus listen` prints it. */
  heardAfterDecision: Spread;
  /** Seconds from `nft delete table inet mpwan` until the daemon has loaded it again. */
  tableBack: Spread;
}

/** New LAN connections at one rate through mpwan-relay (bench/sections/connections.ts). */
export interface RateRun {
  rate: number;
  seconds: number;
  ok: number;
  failed: number;
  /** The failed ones by what the LAN client saw: reset, refused, timeout, mismatch, error ... */
  failures: Record<string, number>;
  /** Why, as the relay counted it: refused for want of ports or memory (router, server), and
   * handshakes the server refused because its replay cache (or --max-pending) was full. */
  relayCounted: { routerRefused: number; serverRefused: number; serverOverflow: number };
  /** Connections echoed a second over the whole run. */
  achievedRate: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** CPU seconds (utime + stime) of each relay process per 1,000 connections. */
  cpuPer1000: { router: number; server: number };
  /** The most sockets in TIME_WAIT seen in each namespace during the run. */
  timeWaitMax: { router: number; server: number };
}

export interface ConnectionsSection {
  method: string;
  /** 1,000 a second for 3 minutes. */
  sustained: RateRun;
  /** Rates stepped up until one failed or the machine fell behind. */
  steps: RateRun[];
  highestWithoutFailure: number;
  /** Connections open at once, idle, then all echoing once. */
  /** n: as many of the `wanted` as the hard descriptor limit (`fdLimit`) lets each relay hold. */
  openAtOnce: { n: number; wanted: number; fdLimit: number; ok: number; failed: number; rssKb: { idle: { router: number; server: number }; open: { router: number; server: number } }; fds: { router: number; server: number } };
  /** Connections refused for want of ports, descriptors or memory over the whole section. */
  refused: { router: number; server: number };
}

export interface Results {
  machine: { cores: number; kernel: string };
  sections: {
    cli?: { measured: string; data: CliSection };
    aggregation?: { measured: string; data: AggregationSection };
    failover?: { measured: string; data: FailoverSection };
    defaultRoute?: { measured: string; data: DefaultRouteSection };
    luci?: { measured: string; data: LuciSection };
    relay?: { measured: string; data: RelayBench };
    udpCalls?: { measured: string; data: UdpCallsSection };
    serverFailover?: { measured: string; data: ServerFailoverSection };
    metered?: { measured: string; data: MeteredSection };
    linkem?: { measured: string; data: LinkemSection };
    profiles?: { measured: string; data: ProfilesSection };
    profileTuning?: { measured: string; data: ProfilesSection };
    profileFailover?: { measured: string; data: ProfileFailoverSection };
    probeFlaps?: { measured: string; data: ProbeFlapsSection };
    feed?: { measured: string; data: FeedSection };
    events?: { measured: string; data: EventsSection };
    connections?: { measured: string; data: ConnectionsSection };
    [name: string]: { measured: string; data: unknown } | undefined;
  };
}

/** One relay figure: its median and every run. */
export interface Runs { median: number; runs: number[] }

export interface RelayBench {
  machine: { cores: number; kernel: string };
  method: string;
  downloadGbit: { relay: Runs; ssLibev: Runs; rawMptcp: Runs & { byWriteSize: Record<string, number[]> }; routed: Runs };
  cpuSecondsPerGB: { relay: { router: Runs; server: Runs }; ssLibev: { router: Runs; server: Runs } };
  rssKb: { idle: { router: number; server: number }; with1000Open: { router: number; server: number } };
  binaryBytes: { dynamicStripped: number };
  goals: Record<string, { value: number; goal: string; met: boolean }>;
}
