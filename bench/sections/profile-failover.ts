// Failover on links as they really are: the failover figures of bench/sections/failover.ts
// measured again on the first link profile (fibre + LTE), once with the faster uplink (fibre,
// which carries new connections' first subflow) dying and once with the slower one (LTE).
// The outage ends when the LAN client gets 90% of what the remaining uplink carries alone
// (measured first, routed, in the same topology). Each dying uplink's runs, with the alone
// figures they are compared to, hold the bench lock (bench/lock.ts) for about 4 minutes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topology, sweepStale } from '../../test/netns/lib/topology.js';
import { routeAlone, setupAggregation } from '../../test/netns/lib/aggregation.js';
import { cut, restore, downloadThrough, rateMbit, longestStall, type CutKind } from '../../test/netns/lib/failover.js';
import { iperf } from '../../test/netns/lib/traffic.js';
import { waitFor } from '../../test/netns/lib/wait.js';
import { PROFILES } from '../../test/linkem/profiles.js';
import { spread } from '../stats.js';
import { backOn, newConnectionsAfterSilentDrop, outage } from './failover.js';
import { locked } from '../lock.js';
import type { ProfileFailoverKind, ProfileFailoverSection } from '../types.js';

const REPS = Number(process.env.BENCH_FAILOVER_RUNS ?? 3);
const CUT_AT = 4;
const RESTORE_AT = 12;
const SECONDS = 18;

export function benchProfileFailover(): ProfileFailoverSection {
  sweepStale();
  const p = PROFILES[0];
  const topo = new Topology({ wans: 2, links: p.links, lan: true, dst: true, strictRpFilter: true, buffers: 'stock' });
  const agg = setupAggregation(topo);
  const dir = mkdtempSync(join(tmpdir(), 'mpwan-bench-pfo-'));
  const lan = topo.wans.length;
  const health = (name: string) => agg.rtr.health()[name];
  const bothUp = () => ['wan', 'wan2'].every((u) => health(u)?.state === 'up' && health(u)?.suspect === false) &&
    topo.ipJson<unknown[]>(topo.rtr, 'mptcp', 'endpoint', 'show').length === 2;
  try {
    const dying: ProfileFailoverSection['dying'] = [];
    for (const [index, which] of [[0, 'faster'], [1, 'slower']] as const) dying.push(locked(`profile failover, the ${which} uplink dying`, () => {
      // What each uplink carries alone (a routed download over it, no proxy), in the same lock.
      const alone = topo.wans.map((_, i) => {
        routeAlone(topo, agg, i);
        return iperf(topo, { clientNs: topo.cli, serverNs: topo.dst, address: topo.destination, seconds: 8, omit: 4, mptcp: false, reverse: true }).bitsPerSecond / 1e6;
      });
      routeAlone(topo, agg, null);
      const w = topo.wans[index];
      const remaining = alone[1 - index];
      const kinds = {} as Record<CutKind, ProfileFailoverKind>;
      for (const kind of ['link-down', 'silent-drop'] as CutKind[]) {
        const r = { fail: [] as number[], rec: [] as number[], lost: 0, during: [] as number[], stall: [] as number[], gap: [] as number[] };
        for (let i = 0; i < REPS; i++) {
          waitFor('both uplinks up, with their endpoints', bothUp, 600);
          const run = downloadThrough(topo, dir, SECONDS, [[CUT_AT, () => cut(topo, w, kind)], [RESTORE_AT, () => restore(topo, w, kind)]]);
          if (run.result.error || run.result.bytes === 0) r.lost++;
          r.during.push(rateMbit(run.samples, [lan], CUT_AT, RESTORE_AT));
          const f = outage(run.samples, lan, CUT_AT, 0.9 * remaining);
          // The restored uplink carries at least a tenth of what it can again.
          const back = backOn(run.samples, index, RESTORE_AT, Math.min(2, 0.1 * alone[index]));
          const stall = f === null ? null : longestStall(run.samples, lan, CUT_AT + f + 0.5, RESTORE_AT, 0.1 * remaining);
          // The whole hole, however it splits into outage and stall: frames linkem still held
          // when the link died reach the router after the cut, so on a slow remaining uplink the
          // outage can end at once and the hole show as the stall.
          const gap = longestStall(run.samples, lan, CUT_AT, RESTORE_AT, 0.1 * remaining);
          r.gap.push(gap);
          if (f !== null) r.fail.push(f);
          if (stall !== null) r.stall.push(stall);
          if (back !== null) r.rec.push(back);
          console.error(`profile failover, ${which} uplink (${p.links[index].name}) ${kind} #${i + 1}: outage ${f?.toFixed(2)} s, then stalled ${stall?.toFixed(1)} s at most, back after ${back?.toFixed(2)} s; longest gap ${gap.toFixed(1)} s, ${r.during.at(-1)!.toFixed(1)} Mbit/s while cut`);
        }
        kinds[kind] = { failover: spread(r.fail), stall: spread(r.stall), gap: spread(r.gap), recovery: spread(r.rec), whileCut: spread(r.during, 1), lost: r.lost };
      }
      const fromS: number[] = [];
      for (let i = 0; i < REPS; i++) {
        waitFor('both uplinks up', bothUp, 600);
        const from = newConnectionsAfterSilentDrop(topo, dir, 5900 + 10 * index + i, w);
        if (from !== null) fromS.push(from);
        console.error(`profile failover, new connections after a silent drop of the ${which} uplink #${i + 1}: all answered from ${from?.toFixed(2)} s`);
      }
      return { which, link: p.links[index].name ?? '', aloneMbit: alone.map((a) => Math.round(a * 10) / 10), remainingAloneMbit: Math.round(remaining * 10) / 10, kinds, newConnections: spread(fromS) };
    }));
    return { profile: p.name, reps: REPS, cutAt: CUT_AT, restoreAt: RESTORE_AT, dying };
  } finally {
    agg.cleanup();
    topo.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
