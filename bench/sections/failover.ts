// Failover and recovery times under a live LAN download, and what health tracking costs.
// Part of `make bench` (bench/run.ts).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topology, sweepStale } from '../../test/netns/lib/topology.js';
import { setupAggregation, type Aggregation } from '../../test/netns/lib/aggregation.js';
import { cut, restore, downloadThrough, rateMbit, longestStall, type CutKind, type Sample } from '../../test/netns/lib/failover.js';
import { sleepMs, waitFor, waitListening } from '../../test/netns/lib/wait.js';
import { spread } from '../stats.js';
import type { FailoverSection } from '../types.js';

const RATE = 20;
const REPS = Number(process.env.BENCH_FAILOVER_RUNS ?? 3);
const CUT_AT = 3;
const RESTORE_AT = 9;

/**
 * Seconds from `from` until a `windowS` window starts in which the LAN client receives at
 * least `mbit` (sampled as the router's LAN device), i.e. the outage before the remaining
 * uplink carries the download at 90% of its capacity.
 */
export function outage(samples: Sample[], lan: number, from: number, mbit: number, windowS = 0.5): number | null {
  for (const s of samples) {
    if (s.t <= from) continue;
    const start = s.t - 0.1; // this sample covers (start, s.t]
    if (rateMbit(samples, [lan], start, start + windowS) >= mbit && samples[samples.length - 1].t >= start + windowS) return Math.max(0, start - from);
  }
  return null;
}

/** Seconds from `from` until a 100 ms sample shows real traffic (> `mbit`) on WAN `w`. */
export function backOn(samples: Sample[], w: number, from: number, mbit = 2): number | null {
  const s = samples.find((x) => x.t > from && (x.bytes[w] * 8) / 0.1 / 1e6 > mbit);
  return s ? s.t - from : null;
}

function cpuSeconds(pid: number): { self: number; children: number } {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const tick = 100; // USER_HZ
  return { self: (Number(f[11]) + Number(f[12])) / tick, children: (Number(f[13]) + Number(f[14])) / tick };
}

/** The daemon's long-running children (`ping -i`, `mpwan-relay probe`, `ip monitor link`, `nft monitor`): pid -> CPU seconds so far. */
function liveProbes(daemon: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      const ppid = Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      const probe = argv[0].endsWith('ping') || (argv[0].endsWith('mpwan-relay') && argv[1] === 'probe') ||
        ((argv[0].endsWith('ip') || argv[0].endsWith('nft')) && argv.includes('monitor'));
      if (ppid === daemon && probe) out.set(Number(d), cpuSeconds(Number(d)).self);
    } catch { /* gone */ }
  }
  return out;
}

function daemonCost(agg: Aggregation, seconds: number) {
  const pid = agg.daemon.pid;
  const a = cpuSeconds(pid);
  const probesA = liveProbes(pid);
  sleepMs(seconds * 1000);
  const b = cpuSeconds(pid);
  const probesB = liveProbes(pid);
  // A probe that ended meanwhile is in the children's time; one that started counts from zero.
  const probes = [...probesB].reduce((sum, [p, cpu]) => sum + cpu - (probesA.get(p) ?? 0), 0);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)![1]);
  const perHour = (s: number) => (s / seconds) * 3600;
  return {
    selfPerHour: perHour(b.self - a.self),
    childrenPerHour: perHour(b.children - a.children),
    probesPerHour: perHour(probes),
    rssMb: kb('VmRSS') / 1024,
    peakMb: kb('VmHWM') / 1024,
  };
}

/**
 * Short LAN connections opened every 250 ms for 3 s after a silent drop of uplink `w` (the
 * first-subflow one by default): seconds after the cut from which every one got its answer
 * (null: not even the last).
 */
export function newConnectionsAfterSilentDrop(topo: Topology, dir: string, port: number, w = topo.wans[0]): number | null {
  const server = topo.spawn(topo.dst, ['socat', `TCP-LISTEN:${port},fork,reuseaddr`, 'EXEC:echo hi']);
  try {
    waitListening(topo, topo.dst, port);
    cut(topo, w, 'silent-drop');
    const start = performance.now();
    const opened: { at: number; file: string }[] = [];
    const clients: ReturnType<Topology['spawn']>[] = [];
    for (let i = 0; i < 12; i++) {
      const file = join(dir, `conn-${port}-${i}`);
      opened.push({ at: (performance.now() - start) / 1000, file });
      clients.push(topo.spawn(topo.cli, ['timeout', '15', 'socat', '-u', `TCP:${topo.destination}:${port}`, '-'], {}, file));
      sleepMs(250);
    }
    waitFor('the connections to end', () => clients.every((c) => !Topology.alive(c.pid!)), 400, 0.05);
    restore(topo, w, 'silent-drop');
    const answered = opened.map((o) => readFileSync(o.file, 'utf8').trim() === 'hi');
    const lastFailed = answered.lastIndexOf(false);
    return lastFailed === answered.length - 1 ? null : opened[lastFailed + 1].at;
  } finally {
    server.kill('SIGKILL');
  }
}

export function benchFailover(): FailoverSection {
  sweepStale();
  const topo = new Topology({ wans: 2, rateMbit: RATE, lan: true, dst: true, strictRpFilter: true });
  const agg = setupAggregation(topo);
  const dir = mkdtempSync(join(tmpdir(), 'mpwan-bench-fo-'));
  const lan = topo.wans.length; // the LAN device's column in the samples
  const health = (name: string) => agg.rtr.health()[name]?.state;
  try {
    const kinds = {} as FailoverSection['kinds'];
    for (const kind of ['link-down', 'silent-drop'] as CutKind[]) {
      const r = { fail: [] as number[], rec: [] as number[], lost: 0, during: [] as number[], stall: [] as number[] };
      for (let i = 0; i < REPS; i++) {
        const endpoints = () => topo.ipJson<{ address: string }[]>(topo.rtr, 'mptcp', 'endpoint', 'show').length;
        waitFor('both uplinks up, with their endpoints', () => health('wan') === 'up' && health('wan2') === 'up' && endpoints() === 2, 400);
        // The uplink that carries new connections' first subflow: the harder case.
        const w = topo.wans[0];
        const run = downloadThrough(topo, dir, 14, [[CUT_AT, () => cut(topo, w, kind)], [RESTORE_AT, () => restore(topo, w, kind)]]);
        if (run.result.error || run.result.bytes === 0) r.lost++;
        r.during.push(rateMbit(run.samples, [lan], CUT_AT, RESTORE_AT));
        const f = outage(run.samples, lan, CUT_AT, 0.9 * RATE);
        const back = backOn(run.samples, w.index, RESTORE_AT);
        // After the failover, a later hole (packets the server still sent on the dead path,
        // re-sent when the withdrawn subflow closes) can stall the LAN client again.
        const stall = f === null ? null : longestStall(run.samples, lan, CUT_AT + f + 0.5, RESTORE_AT, 0.1 * RATE);
        if (stall !== null) r.stall.push(stall);
        if (f !== null) r.fail.push(f);
        if (back !== null) r.rec.push(back);
        console.error(`failover ${kind} #${i + 1}: outage ${f?.toFixed(2)} s, then stalled ${stall?.toFixed(1)} s at most, back on the uplink after ${back?.toFixed(2)} s`);
      }
      kinds[kind] = { failover: spread(r.fail), stall: spread(r.stall), recovery: spread(r.rec), whileCut: spread(r.during, 1), lost: r.lost };
    }
    const fromS: number[] = [];
    for (let i = 0; i < REPS; i++) {
      waitFor('both uplinks up', () => health('wan') === 'up' && health('wan2') === 'up' && agg.rtr.health().wan?.suspect === false, 400);
      const from = newConnectionsAfterSilentDrop(topo, dir, 5900 + i);
      if (from !== null) fromS.push(from);
      console.error(`new connections after a silent drop #${i + 1}: all answered from ${from?.toFixed(2)} s after the cut`);
    }
    const idleS = Number(process.env.BENCH_IDLE_S ?? 120);
    // Idle means steady state: the last cut's recovery (re-plan, conntrack cleanup) is over.
    waitFor('both uplinks up', () => health('wan') === 'up' && health('wan2') === 'up' && agg.rtr.health().wan?.suspect === false, 400);
    sleepMs(10000);
    return { reps: REPS, rate: RATE, cutAt: CUT_AT, restoreAt: RESTORE_AT, kinds, newConnections: spread(fromS), daemon: { idleS, ...daemonCost(agg, idleS) } };
  } finally {
    agg.cleanup();
    topo.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
