// Uplink failures as users meet them, and a byte-counter timeline to see what the traffic
// did: shared by the failover tests and `make bench`.
import { readFileSync } from 'node:fs';
import { Topology, type Wan } from './topology.js';
import { sleepMs, waitListening } from './wait.js';

export type CutKind = 'link-down' | 'silent-drop';

const dropTable = (w: Wan) => `mpwtest_${w.peer}`;

/**
 * Cuts an uplink on the ISP side. `link-down`: the ISP end goes down, so the router's WAN
 * loses carrier (and netifd, for a static WAN, reports nothing). `silent-drop`: the link
 * stays up and every packet both ways is dropped (a dead modem or upstream).
 */
export function cut(topo: Topology, w: Wan, kind: CutKind) {
  if (kind === 'link-down') {
    topo.setCarrier(w, false);
    return;
  }
  const t = dropTable(w);
  const rules = `table netdev ${t} {\n` +
    `  chain in { type filter hook ingress device "${w.peer}" priority -500; policy drop; }\n` +
    `  chain out { type filter hook egress device "${w.peer}" priority -500; policy drop; }\n}\n`;
  const r = topo.exec(topo.vps, ['nft', '-f', '-'], { input: rules });
  if (r.status !== 0) throw new Error(`nft: ${r.stderr}`);
}

export function restore(topo: Topology, w: Wan, kind: CutKind) {
  if (kind === 'link-down') topo.setCarrier(w, true);
  else topo.exec(topo.vps, ['nft', 'delete', 'table', 'netdev', dropTable(w)]);
}

export interface Sample {
  /** Seconds since the sampler started. */
  t: number;
  /** Bytes through each sampled device (rx + tx) since the previous sample: WANs first. */
  bytes: number[];
}

/** rx + tx bytes per device, from /proc/<pid>/net/dev of a process inside the namespace (no fork per read). */
function netDevBytes(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readFileSync(`/proc/${pid}/net/dev`, 'utf8').split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    if (!rest) continue;
    const f = rest.trim().split(/\s+/).map(Number);
    out.set(name.trim(), f[0] + f[8]);
  }
  return out;
}

/**
 * Samples the byte counters of every WAN (then of `extraDevs`, in order) in the router
 * namespace every `stepMs` until `until(t)`; `at` runs actions at the given times.
 */
export function sampleWans(topo: Topology, opts: { stepMs: number; until: (t: number) => boolean; at?: [number, () => void][]; extraDevs?: string[] }): Sample[] {
  const window = topo.spawn(topo.rtr, ['sleep', 'infinity']);
  try {
    // `ip netns exec` has become `sleep` once the namespace's devices show up in its /proc.
    for (let i = 0; i < 100 && !netDevBytes(window.pid!).has(topo.wans[0].dev); i++) sleepMs(10);
    const devs = [...topo.wans.map((w) => w.dev), ...(opts.extraDevs ?? [])];
    const read = () => { const m = netDevBytes(window.pid!); return devs.map((d) => m.get(d) ?? 0); };
    const start = performance.now();
    const pending = [...(opts.at ?? [])].sort((a, b) => a[0] - b[0]);
    const samples: Sample[] = [];
    let prev = read();
    for (;;) {
      sleepMs(opts.stepMs);
      const t = (performance.now() - start) / 1000;
      while (pending.length > 0 && pending[0][0] <= t) pending.shift()![1]();
      const now = read();
      samples.push({ t, bytes: now.map((b, i) => b - prev[i]) });
      prev = now;
      if (opts.until(t)) return samples;
    }
  } finally {
    window.kill('SIGKILL');
  }
}

/** Mbit/s on the given WANs over the samples in (from, to]. */
export function rateMbit(samples: Sample[], wans: number[], from: number, to: number): number {
  const inside = samples.filter((s) => s.t > from && s.t <= to);
  if (inside.length === 0) return 0;
  const span = inside[inside.length - 1].t - (samples[samples.indexOf(inside[0]) - 1]?.t ?? 0);
  const bytes = inside.reduce((n, s) => n + wans.reduce((m, i) => m + s.bytes[i], 0), 0);
  return (bytes * 8) / span / 1e6;
}

/** Mbit/s on column `col` in sample `i` (over the time since the sample before). */
const sampleRate = (samples: Sample[], i: number, col: number) => (samples[i].bytes[col] * 8) / (samples[i].t - (samples[i - 1]?.t ?? 0)) / 1e6;

/** Mbit/s on column `col` in each sample within (from, to]. */
export function sampleRates(samples: Sample[], col: number, from: number, to: number): number[] {
  return samples.flatMap((s, i) => (s.t > from && s.t <= to ? [sampleRate(samples, i, col)] : []));
}

/** The longest stretch of seconds within (from, to] in which column `col` ran below `mbit`. */
export function longestStall(samples: Sample[], col: number, from: number, to: number, mbit: number): number {
  let longest = 0, since: number | null = null;
  samples.forEach((s, i) => {
    if (s.t <= from || s.t > to) return;
    if (sampleRate(samples, i, col) < mbit) {
      since ??= Math.max(samples[i - 1]?.t ?? 0, from);
      longest = Math.max(longest, s.t - since);
    } else since = null;
  });
  return longest;
}

/** An iperf3 JSON result written by a client run in the background. */
export function iperfResult(file: string): { bytes: number; error?: string } {
  const j = JSON.parse(readFileSync(file, 'utf8'));
  return { bytes: j.end?.sum_received?.bytes ?? 0, error: j.error };
}

export interface FailoverRun {
  samples: Sample[];
  /** iperf3's own account: bytes received, and its error if the connection broke. */
  result: { bytes: number; error?: string };
}

let nextPort = 5400 + (process.pid % 500);

/** The router's LAN device in the aggregation setup; sampled after the WANs. */
export const LAN_DEV = 'lan0';

/**
 * One long LAN-client download (a single TCP connection through the proxy) while `events`
 * happen at their times; the WAN byte counters, then the LAN device's (what the client
 * received), are sampled every 100 ms throughout.
 */
export function downloadThrough(topo: Topology, logDir: string, seconds: number, events: [number, () => void][]): FailoverRun {
  const port = nextPort++;
  const server = topo.spawn(topo.dst, ['iperf3', '-s', '-1', '-p', String(port)]);
  try {
    waitListening(topo, topo.dst, port);
    const out = `${logDir}/iperf-${port}.json`;
    const client = topo.spawn(topo.cli, ['iperf3', '-c', topo.destination, '-p', String(port), '-t', String(seconds), '-R', '-J'], {}, out);
    // No event loop runs while sampling: an exited client shows as a zombie, which alive() counts as gone.
    const samples = sampleWans(topo, { stepMs: 100, at: events, extraDevs: [LAN_DEV], until: (t) => (t > seconds && !Topology.alive(client.pid!)) || t > seconds + 30 });
    return { samples, result: iperfResult(out) };
  } finally {
    server.kill('SIGKILL');
  }
}
