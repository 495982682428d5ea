// Failover and recovery times under a live LAN download, and what health tracking costs.
// Part of `make bench` (bench/run.ts); also runs alone: `npx tsx bench/failover.ts`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topology, sweepStale } from '../test/netns/lib/topology.js';
import { setupAggregation, type Aggregation } from '../test/netns/lib/aggregation.js';
import { cut, restore, downloadThrough, rateMbit, longestStall, type CutKind, type Sample } from '../test/netns/lib/failover.js';
import { sleepMs, waitFor, waitListening } from '../test/netns/lib/wait.js';
import { median } from './stats.js';

const RATE = 20;
const REPS = Number(process.env.BENCH_FAILOVER_RUNS ?? 3);
const CUT_AT = 3;
const RESTORE_AT = 9;

/**
 * Seconds from `from` until a `windowS` window starts in which the LAN client receives at
 * least `mbit` (sampled as the router's LAN device), i.e. the outage before the remaining
 * uplink carries the download at 90% of its capacity.
 */
function outage(samples: Sample[], lan: number, from: number, mbit: number, windowS = 0.5): number | null {
  for (const s of samples) {
    if (s.t <= from) continue;
    const start = s.t - 0.1; // this sample covers (start, s.t]
    if (rateMbit(samples, [lan], start, start + windowS) >= mbit && samples[samples.length - 1].t >= start + windowS) return Math.max(0, start - from);
  }
  return null;
}

/** Seconds from `from` until a 100 ms sample shows real traffic (> 2 Mbit/s) on WAN `w`. */
function backOn(samples: Sample[], w: number, from: number): number | null {
  const s = samples.find((x) => x.t > from && (x.bytes[w] * 8) / 0.1 / 1e6 > 2);
  return s ? s.t - from : null;
}

function cpuSeconds(pid: number): { self: number; children: number } {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const tick = 100; // USER_HZ
  return { self: (Number(f[11]) + Number(f[12])) / tick, children: (Number(f[13]) + Number(f[14])) / tick };
}

function daemonCost(agg: Aggregation, seconds: number) {
  const pid = agg.daemon.pid;
  const a = cpuSeconds(pid);
  sleepMs(seconds * 1000);
  const b = cpuSeconds(pid);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)![1]);
  return {
    selfPerHour: ((b.self - a.self) / seconds) * 3600,
    childrenPerHour: ((b.children - a.children) / seconds) * 3600,
    rssMb: kb('VmRSS') / 1024,
    peakMb: kb('VmHWM') / 1024,
  };
}

/**
 * Short LAN connections opened every 250 ms for 3 s after a silent drop of the first-subflow
 * uplink: seconds after the cut from which every one got its answer (null: not even the last).
 */
function newConnectionsAfterSilentDrop(topo: Topology, dir: string, port: number): number | null {
  const server = topo.spawn(topo.dst, ['socat', `TCP-LISTEN:${port},fork,reuseaddr`, 'EXEC:echo hi']);
  try {
    waitListening(topo, topo.dst, port);
    const w = topo.wans[0];
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

export function benchFailover(): string[] {
  sweepStale();
  const topo = new Topology({ wans: 2, rateMbit: RATE, lan: true, dst: true, strictRpFilter: true });
  const agg = setupAggregation(topo);
  const dir = mkdtempSync(join(tmpdir(), 'mpwan-bench-fo-'));
  const lan = topo.wans.length; // the LAN device's column in the samples
  const health = (name: string) => agg.rtr.health()[name]?.state;
  try {
    const rows: string[] = [];
    const summary: Record<string, { fail: number[]; rec: number[]; lost: number; during: number[]; stall: number[] }> = {};
    for (const kind of ['link-down', 'silent-drop'] as CutKind[]) {
      const r = (summary[kind] = { fail: [] as number[], rec: [] as number[], lost: 0, during: [] as number[], stall: [] as number[] });
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
        console.error(`failover ${kind} #${i + 1}: outage ${f?.toFixed(2)} s, then stalled ${stall?.toFixed(1)} s at most, back on the uplink after ${back?.toFixed(2)} s, ` +
          `LAN rate before ${rateMbit(run.samples, [lan], 1, CUT_AT).toFixed(1)} during ${rateMbit(run.samples, [lan], CUT_AT + 1.5, RESTORE_AT).toFixed(1)} Mbit/s`);
      }
    }
    rows.push('## Failover (2 x 20 Mbit/s, one LAN download through the proxy; the first-subflow uplink is cut)', '',
      `${REPS} runs per kind; cut at ${CUT_AT} s, restored at ${RESTORE_AT} s of a 14 s download. Failover: from the cut until a 0.5 s window in ` +
      `which the LAN client receives >= 90% of the remaining uplink's 20 Mbit/s (counted on the router's LAN device). Recovery: from the ` +
      'restore until a 100 ms sample shows > 2 Mbit/s on the restored uplink, on the same connection. Default probe settings ' +
      '(every 0.5 s, 1 s timeout, down after 3, up after 3). "While cut": what the LAN client received on average from the cut to ' +
      'the restore, outage included (the remaining uplink carries at most ~19 Mbit/s of payload). "Later stall": the longest stretch after ' +
      'the failover in which the LAN client received < 10% of that rate.', '',
      '| cut | failover median s | failover max s | later stall median s | later stall max s | recovery median s | recovery max s | LAN Mbit/s while cut (median) | connections lost | goal |',
      '|---|---|---|---|---|---|---|---|---|---|');
    /** Median and max of one figure over the runs, as table cells; n/a unless every run gave it. */
    const medianMax = (xs: number[]) => (xs.length === REPS ? [median(xs).toFixed(2), Math.max(...xs).toFixed(2)] : ['n/a', 'n/a']).join(' | ');
    for (const [kind, r] of Object.entries(summary)) {
      const goal = kind === 'link-down' ? 'failover < 2 s, 0 lost' : 'failover < 3 s, 0 lost';
      rows.push(`| ${kind} | ${medianMax(r.fail)} | ${medianMax(r.stall)} | ${medianMax(r.rec)} | ${median(r.during).toFixed(1)} | ${r.lost} of ${REPS} | ${goal} |`);
    }
    const fromS: number[] = [];
    for (let i = 0; i < REPS; i++) {
      waitFor('both uplinks up', () => health('wan') === 'up' && health('wan2') === 'up' && agg.rtr.health().wan?.suspect === false, 400);
      const from = newConnectionsAfterSilentDrop(topo, dir, 5900 + i);
      if (from !== null) fromS.push(from);
      console.error(`new connections after a silent drop #${i + 1}: all answered from ${from?.toFixed(2)} s after the cut`);
    }
    rows.push('', '## New LAN connections during a silent drop of the first-subflow uplink', '',
      `A short connection (socat, through the proxy) every 250 ms for 3 s after the cut, ${REPS} runs. Those opened earlier start on the ` +
      'dead uplink and are given up by the proxy (shadowsocks-libev: after 10 s); mpwan moves new connections off an uplink at its first ' +
      'unanswered probe round (1 s timeout), before it is confirmed down.', '',
      '| all connections answered when opened from (s after the cut), median | max | goal |', '|---|---|---|',
      `| ${medianMax(fromS)} | new connections after the cut succeed |`);
    const idle = Number(process.env.BENCH_IDLE_S ?? 60);
    const cost = daemonCost(agg, idle);
    rows.push('', `## The daemon at default probe settings (2 uplinks, ICMP every 0.5 s, TCP to the server every fourth round; idle ${idle} s, scaled to an hour)`, '',
      '| daemon CPU s/hour | probe processes CPU s/hour | RSS MB | peak RSS MB | goal |', '|---|---|---|---|---|',
      `| ${cost.selfPerHour.toFixed(0)} | ${cost.childrenPerHour.toFixed(0)} | ${cost.rssMb.toFixed(1)} | ${cost.peakMb.toFixed(1)} | RSS < 8 MB |`);
    return rows;
  } finally {
    agg.cleanup();
    topo.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(benchFailover().join('\n'));
