// Aggregation on links as they really are (issue 20): for each link profile of
// test/linkem/profiles.ts, one LAN download and one upload through mpwan, side by side in one
// run with each link alone (routed, no mpwan) and the kernel's own MPTCP between router and
// server (no proxy); then a 50 packets/s call through the server while the lower-delay uplink
// dies silently. Every WAN runs through linkem; router and server start from Linux's stock
// buffer limits (tcp_rmem max 6 MB, tcp_wmem max 4 MB), and mpwan sets what it sets (the
// router's floor, `server setup`'s 16 MB). The profileTuning section measures, in the same
// rounds, mpwan as it is against each setting it could change (TUNING_VARIANTS): the
// measurements behind its defaults. Transfers are one after another: 8 s after a warm-up.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topology, sweepStale } from '../../test/netns/lib/topology.js';
import { routeAlone, setupAggregation, type Aggregation } from '../../test/netns/lib/aggregation.js';
import { iperf } from '../../test/netns/lib/traffic.js';
import { call, longestGap, lost } from '../../test/netns/lib/udp-call.js';
import { waitFor, waitListening } from '../../test/netns/lib/wait.js';
import { PROFILES, type Profile } from '../../test/linkem/profiles.js';
import { range } from '../stats.js';
import type { ProfileDirection, ProfileResult, ProfilesSection } from '../types.js';

const SECONDS = Number(process.env.BENCH_PROFILE_SECONDS ?? 8);
interface Variant { name: string; sysctls: Record<string, string> }
interface Options {
  reps: number;
  calls: number;
  /** Settings tried side by side through mpwan in the same rounds. */
  variants: Variant[];
  /** Tuning runs: only mpwan and the variants, no links alone or kernel MPTCP. */
  variantsOnly: boolean;
}
/** 'name:key=value,key=value;...': sysctl keys, on both sides or prefixed 'router.' / 'server.'; '/' for a space. */
const parseVariants = (text: string): Variant[] => text.split(';').filter(Boolean).map((v) => {
  const [name, kv] = v.split(':');
  return { name, sysctls: Object.fromEntries((kv ?? '').split(',').filter(Boolean).map((x) => x.split('=') as [string, string])) };
});
/** The sysctls that decide multipath over unequal links, as they stand on each side. */
const TUNING = ['net.ipv4.tcp_notsent_lowat', 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem', 'net.ipv4.tcp_congestion_control', 'net.mptcp.scheduler'];

/** Slow start needs about 10 round trips of the slowest link before the measured window opens (at least 2 s). */
const warmupFor = (p: Profile) => Math.max(2, Math.ceil((10 * 2 * Math.max(...p.links.map((l) => l.down.delayMs ?? 0))) / 1000));

function settings(topo: Topology, ns: string, keys = TUNING): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [k, topo.exec(ns, ['sysctl', '-n', k]).stdout.trim().replace(/\s+/g, ' ')]));
}

function measure(topo: Topology, agg: Aggregation, p: Profile, o: Options): { down: ProfileDirection; up: ProfileDirection } {
  const warmup = warmupFor(p);
  const lan = (reverse: boolean) => iperf(topo, { clientNs: topo.cli, serverNs: topo.dst, address: topo.destination, seconds: SECONDS, omit: warmup, mptcp: false, reverse }).bitsPerSecond / 1e6;
  const raw = (reverse: boolean) => iperf(topo, { clientNs: topo.rtr, serverNs: topo.vps, address: topo.server, seconds: SECONDS, omit: warmup, reverse }).bitsPerSecond / 1e6;
  const fresh = () => ({ mpwan: [] as number[], raw: [] as number[], links: p.links.map(() => [] as number[]), variants: o.variants.map(() => [] as number[]) });
  const runs = { down: fresh(), up: fresh() };
  // A key applies to router and server, or with 'router.' or 'server.' in front to that side only.
  // 'uplink.NAME.OPTION' and 'proxy.OPTION' keys are options of the router's config (the second WAN is 'wan2').
  const isOption = (k: string) => k.startsWith('uplink.') || k.startsWith('proxy.');
  const config = (values: Record<string, string | null>) => {
    const opts = Object.entries(values).filter(([k]) => isOption(k));
    for (const [k, v] of opts) {
      const [type, ...rest] = k.split('.');
      if (type === 'proxy') agg.editConfig('proxy', 'proxy', [[rest[0], v]]);
      else agg.editConfig('uplink', rest[0], [[rest[1], v]]);
    }
    if (opts.length) agg.rtr.reload();
    // A proxy option restarts the relay: measured once it listens again.
    if (opts.some(([k]) => k.startsWith('proxy.'))) waitListening(topo, topo.rtr, 1100);
  };
  const sides = (key: string) => (key.startsWith('router.') ? [[topo.rtr, key.slice(7)]] : key.startsWith('server.') ? [[topo.vps, key.slice(7)]] : [[topo.rtr, key], [topo.vps, key]]);
  const sysctlKeys = (v: Variant) => Object.keys(v.sysctls).filter((k) => !isOption(k));
  const keys = [...new Set(o.variants.flatMap((v) => sysctlKeys(v).map((k) => sides(k)[0][1])))];
  const saved = { [topo.rtr]: settings(topo, topo.rtr, keys), [topo.vps]: settings(topo, topo.vps, keys) };
  const set = (values: Record<string, string>) => {
    for (const [k, v] of Object.entries(values)) if (!isOption(k)) for (const [ns, key] of sides(k)) topo.sysctl(ns, key, v.replace(/\//g, ' '));
    config(values);
  };
  for (let i = 0; i < o.reps; i++) {
    for (const dir of ['down', 'up'] as const) {
      const reverse = dir === 'down';
      const r = runs[dir];
      r.mpwan.push(lan(reverse));
      o.variants.forEach((v, k) => {
        set(v.sysctls);
        try { r.variants[k].push(lan(reverse)); } finally {
          for (const k of sysctlKeys(v)) for (const [ns, key] of sides(k)) topo.sysctl(ns, key, saved[ns][key]);
          config(Object.fromEntries(Object.keys(v.sysctls).map((k) => [k, null])));
        }
      });
      if (!o.variantsOnly) {
        r.raw.push(raw(reverse));
        p.links.forEach((_, k) => { routeAlone(topo, agg, k); r.links[k].push(lan(reverse)); });
        routeAlone(topo, agg, null);
      }
      console.error(`profile ${p.name} ${dir} #${i + 1}: mpwan ${r.mpwan.at(-1)!.toFixed(1)}, raw MPTCP ${r.raw.at(-1)?.toFixed(1)}, ` +
        `${p.links.map((l, k) => `${l.name} ${r.links[k].at(-1)?.toFixed(1)}`).join(', ')}` +
        o.variants.map((v, k) => `, ${v.name} ${r.variants[k].at(-1)!.toFixed(1)}`).join(''));
    }
  }
  const fig = (r: ReturnType<typeof fresh>): ProfileDirection => ({
    mpwan: range(r.mpwan, 1), raw: range(r.raw, 1), links: r.links.map((x) => range(x, 1)),
    ...(o.variants.length ? { variants: o.variants.map((v, k) => ({ name: v.name, sysctls: v.sysctls, mpwan: range(r.variants[k], 1) })) } : {}),
  });
  return { down: fig(runs.down), up: fig(runs.up) };
}

/** A call through the server while the lower-delay uplink (wan, the relay's first path) dies silently. */
function calls(topo: Topology, agg: Aggregation, dir: string, p: Profile, o: Options) {
  agg.editConfig('proxy', 'proxy', [['udp', 'server'], ['duplicate', null]]);
  agg.rtr.reload();
  const ready = () => ['wan', 'wan2'].every((u) => agg.rtr.health()[u]?.state === 'up' && agg.rtr.health()[u]?.suspect === false)
    && agg.rtr.json(['status']).json.proxy.udp.paths[0]?.uplink === 'wan';
  const gaps: number[] = [], losses: number[] = [];
  for (let i = 0; i < o.calls; i++) {
    waitFor('both uplinks healthy, the call on wan', ready, 600);
    const r = call(topo, agg, dir, `${p.name}-${i}`, 8, 2);
    gaps.push(longestGap(r.lines, r.cutMs).gapMs / 1000);
    losses.push(lost(r).length);
    console.error(`profile ${p.name} call #${i + 1}: longest gap ${gaps.at(-1)} s, ${losses.at(-1)} lost`);
  }
  return { gapS: range(gaps, 2), lost: range(losses, 0) };
}

function benchProfile(p: Profile, o: Options): ProfileResult {
  sweepStale();
  const topo = new Topology({ wans: 2, links: p.links, lan: true, dst: true, strictRpFilter: true, buffers: 'stock' });
  const dir = mkdtempSync(join(tmpdir(), 'mpwan-bench-prof-'));
  let agg: Aggregation | undefined;
  try {
    agg = setupAggregation(topo);
    const tuning = { router: settings(topo, topo.rtr), server: settings(topo, topo.vps) };
    const { down, up } = measure(topo, agg, p, o);
    const call = calls(topo, agg, dir, p, o);
    const late = Math.max(...topo.wans.flatMap((w) => { const s = w.link!.control.stats(); return [s.up.late_max_us, s.down.late_max_us]; })) / 1000;
    return { name: p.name, title: p.title, links: p.links.map((l) => l.name ?? ''), seconds: SECONDS, warmup: warmupFor(p), down, up, call, tuning, linkemLateMaxMs: late };
  } finally {
    agg?.cleanup();
    topo.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(o: Options): ProfilesSection {
  const only = process.env.BENCH_PROFILES?.split(',').filter(Boolean);
  return { reps: o.reps, callRuns: o.calls, profiles: PROFILES.filter((p) => !only || only.includes(p.name)).map((p) => benchProfile(p, o)) };
}

export function benchProfiles(): ProfilesSection {
  return run({
    reps: Number(process.env.BENCH_PROFILE_RUNS ?? 3), calls: Number(process.env.BENCH_PROFILE_CALLS ?? 3),
    variants: parseVariants(process.env.BENCH_PROFILE_VARIANTS ?? ''), variantsOnly: process.env.BENCH_PROFILE_VARIANTS_ONLY === '1',
  });
}

/**
 * The settings mpwan could change, each against mpwan as it is, side by side (the measurements
 * behind its defaults). relay-reno: the router's relay with the system's control instead of its
 * BBR (the server's relay keeps BBR: its unit says so; bench/experiments/2026-12-congestion.md
 * has the rounds behind both). router-2MB is what a 256 MB router had before mpwan's floor
 * (measured before the floor existed: now the daemon puts the floor back at its next periodic
 * re-plan, every 60 s, which about one 10-14 s transfer in five meets).
 */
export const TUNING_VARIANTS = parseVariants(
  'relay-reno:proxy.congestion=system;' +
  'router-2MB:router.net.ipv4.tcp_rmem=4096/131072/2097152,router.net.ipv4.tcp_wmem=4096/16384/2097152;' +
  'server-stock:server.net.ipv4.tcp_rmem=4096/131072/6291456,server.net.ipv4.tcp_wmem=4096/16384/4194304;' +
  'second-backup:uplink.wan2.mode=backup');

export function benchProfileTuning(): ProfilesSection {
  return run({ reps: Number(process.env.BENCH_PROFILE_RUNS ?? 2), calls: 0, variants: TUNING_VARIANTS, variantsOnly: true });
}
