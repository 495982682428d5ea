// What a LAN client gets: one TCP download through mpwan (proxy, MPTCP over every uplink)
// against the same download routed over the best single uplink and the kernel's own MPTCP,
// side by side in one topology; and the proxy's own cost on unshaped links. Shaped links are
// linkem's clean links (a rate and 5 ms each way: test/linkem/profiles.ts, cleanLink).
import { Topology, sweepStale } from '../../test/netns/lib/topology.js';
import { setupAggregation } from '../../test/netns/lib/aggregation.js';
import { iperf } from '../../test/netns/lib/traffic.js';
import { median } from '../stats.js';
import { cleanLink } from '../../test/linkem/profiles.js';
import type { AggregationRow, AggregationSection } from '../types.js';

const REPS = Number(process.env.BENCH_AGG_RUNS ?? 3);
const SECONDS = 10;
/**
 * Seconds of slow start left out (iperf3 -O) before the SECONDS measured. Data buffered on the
 * path when the measurement starts (after slow start's losses) and drained during it can push
 * a short run past the links' payload ceiling; 4 s of warm-up keeps that out.
 */
const WARMUP = 4;


/** One-way delay of every shaped link: clean links as they are (the relay's BBR misjudges links with none). */
const DELAY_MS = 5;

/**
 * Alternating runs (mpwan, then routed over wan, ...) so both see the same machine load.
 * `congestion`: the relay's, on router and server ('reno': the namespaces' default, as with
 * `congestion 'system'`); everything else in the namespaces runs reno.
 */
function compare(rates: number[] | undefined, wans: number, congestion: 'reno' | 'bbr' = 'bbr'): AggregationRow {
  sweepStale();
  const links = rates?.map((r, i) => cleanLink(`wan${i}`, r, DELAY_MS));
  const topo = new Topology({ wans, ...(links ? { links } : {}), lan: true, dst: true, strictRpFilter: true, congestion: 'reno' });
  const system = congestion === 'reno';
  const agg = setupAggregation(topo, system ? [['congestion', 'system']] : [], 'relay', system ? ['--congestion', 'system'] : []);
  try {
    const download = () => iperf(topo, { clientNs: topo.cli, serverNs: topo.dst, address: topo.destination, seconds: SECONDS, omit: WARMUP, mptcp: false, reverse: true }).bitsPerSecond / 1e6;
    const setBypass = (on: boolean) => {
      // Bypassing the destination routes it the normal way: the main table's default route,
      // which is the first (fastest) uplink here.
      agg.editConfig('proxy', 'proxy', [['bypass', on ? `${topo.destination}/32` : '192.0.2.99']]);
      agg.rtr.reload();
    };
    // The kernel's own ceiling on the same links: an MPTCP download from the server to the
    // router itself, no proxy (what the DSS option and the frames leave for payload).
    const rawMptcp = () => iperf(topo, { clientNs: topo.rtr, serverNs: topo.vps, address: topo.server, seconds: SECONDS, omit: WARMUP, reverse: true }).bitsPerSecond / 1e6;
    const viaMpwan: number[] = [];
    const single: number[] = [];
    const raw: number[] = [];
    for (let i = 0; i < REPS; i++) {
      setBypass(false);
      viaMpwan.push(download());
      setBypass(true);
      single.push(download());
      raw.push(rawMptcp());
    }
    console.error(`aggregation ${rates?.join('+') ?? 'unshaped'} (${congestion}): mpwan ${viaMpwan.map((x) => x.toFixed(1))} single ${single.map((x) => x.toFixed(1))} raw MPTCP ${raw.map((x) => x.toFixed(1))}`);
    const r1 = (xs: number[]) => xs.map((x) => Math.round(x * 10) / 10);
    return {
      links: rates ? rates.join(' + ') + ' Mbit/s' : `${wans} x unshaped veth`,
      rates: rates ?? null,
      congestion,
      mpwan: median(r1(viaMpwan)),
      single: median(r1(single)),
      raw: median(r1(raw)),
      runs: { mpwan: r1(viaMpwan), raw: r1(raw), single: r1(single) },
    };
  } finally {
    agg.cleanup();
    topo.destroy();
  }
}

export function benchAggregation(): AggregationSection {
  const sets = [[20, 20], [40, 20, 10], [10, 10, 10, 10]];
  // The relay as it runs (BBR on its connections), then with the system's reno on the unequal
  // and the many-link sets (reno stands in for the cubic of stock OpenWrt and Debian).
  const shaped = [...sets.map((r) => compare(r, r.length)), ...sets.slice(1).map((r) => compare(r, r.length, 'reno'))];
  const unshaped = compare(undefined, 2);
  return { seconds: SECONDS, warmup: WARMUP, reps: REPS, shaped, unshaped: { routed: unshaped.single, mpwan: unshaped.mpwan, engine: 'mpwan-relay' } };
}
