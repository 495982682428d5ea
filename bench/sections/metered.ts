// A metered LTE uplink in backup (its default) beside a healthy fibre uplink: the bytes each
// carries (both ways, the router's WAN device counters) during a 60 s LAN download through
// mpwan, probes and the backup subflow's upkeep included (goal: LTE under 1% of the total);
// and what each carries while idle (the health probes: default on fibre, slower on LTE).
import { Topology, sweepStale } from '../../test/netns/lib/topology.js';
import { setupAggregation } from '../../test/netns/lib/aggregation.js';
import { iperf } from '../../test/netns/lib/traffic.js';
import { sleepMs, waitFor } from '../../test/netns/lib/wait.js';
import type { MeteredSection } from '../types.js';

const SECONDS = Number(process.env.BENCH_METERED_SECONDS ?? 60);
const RATES = [20, 20];
const IDLE_S = Number(process.env.BENCH_METERED_IDLE_SECONDS ?? 120);

export function benchMetered(): MeteredSection {
  sweepStale();
  const topo = new Topology({ wans: 2, rateMbit: RATES, lan: true, dst: true, strictRpFilter: true });
  const agg = setupAggregation(topo);
  try {
    agg.editConfig('uplink', 'wan2', [['metered', '1']]);
    agg.rtr.reload();
    const lteEndpoint = () => topo.ipJson<{ address: string; backup?: boolean }[]>(topo.rtr, 'mptcp', 'endpoint', 'show').find((e) => e.address === topo.wans[1].addr);
    waitFor('the LTE endpoint, backup', () => lteEndpoint()?.backup === true, 200);
    const bytes = () => topo.wans.map((w) => { const b = topo.linkBytes(topo.rtr, w.dev); return b.rx + b.tx; });
    const idleFrom = bytes();
    sleepMs(IDLE_S * 1000);
    const idlePerDay = bytes().map((b, i) => ((b - idleFrom[i]) / IDLE_S) * 86400);
    const before = bytes();
    const r = iperf(topo, { clientNs: topo.cli, serverNs: topo.dst, address: topo.destination, seconds: SECONDS, mptcp: false, reverse: true });
    const [fibre, lte] = bytes().map((b, i) => b - before[i]);
    console.error(`metered: ${(r.bitsPerSecond / 1e6).toFixed(1)} Mbit/s; fibre ${fibre} bytes, LTE ${lte} bytes (${((lte / (fibre + lte)) * 100).toFixed(3)}%)`);
    console.error(`metered: idle, per day: fibre ${(idlePerDay[0] / 1e6).toFixed(1)} MB, LTE ${(idlePerDay[1] / 1e6).toFixed(1)} MB`);
    return {
      seconds: SECONDS, rates: RATES, fibreBytes: fibre, lteBytes: lte, lteShare: lte / (fibre + lte), downloadMbit: r.bitsPerSecond / 1e6,
      idle: { seconds: IDLE_S, fibrePerDay: idlePerDay[0], ltePerDay: idlePerDay[1] },
    };
  } finally {
    agg.cleanup();
    topo.destroy();
  }
}
