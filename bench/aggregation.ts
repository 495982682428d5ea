// What a LAN client gets: one TCP download through mpwan (proxy, MPTCP over every uplink)
// against the same download routed over the best single uplink, side by side in one
// topology; and the proxy's own cost on unshaped links. Part of `make bench`; also runs
// alone: `npx tsx bench/aggregation.ts`.
import { Topology, sweepStale } from '../test/netns/lib/topology.js';
import { setupAggregation } from '../test/netns/lib/aggregation.js';
import { iperf } from '../test/netns/lib/traffic.js';
import { median } from './stats.js';

const REPS = Number(process.env.BENCH_AGG_RUNS ?? 3);
const SECONDS = 10;
/**
 * Seconds of slow start left out (iperf3 -O) before the SECONDS measured. Data buffered on the
 * path when the measurement starts (after slow start's losses) and drained during it can push
 * a short run past the links' payload ceiling; 4 s of warm-up keeps that out.
 */
const WARMUP = 4;

interface Row { links: string; sum: number | null; mpwan: number; single: number; raw: number; congestion: string }

/** Alternating runs (mpwan, then routed over wan, ...) so both see the same machine load. */
function compare(rates: number[] | undefined, wans: number, congestion: 'reno' | 'bbr' = 'reno'): Row {
  sweepStale();
  const topo = new Topology({ wans, ...(rates ? { rateMbit: rates } : {}), lan: true, dst: true, strictRpFilter: true, congestion });
  const agg = setupAggregation(topo);
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
    return {
      links: rates ? rates.join(' + ') + ' Mbit/s' : `${wans} x unshaped veth`,
      sum: rates ? rates.reduce((a, b) => a + b, 0) : null,
      mpwan: median(viaMpwan),
      single: median(single),
      raw: median(raw),
      congestion,
    };
  } finally {
    agg.cleanup();
    topo.destroy();
  }
}

/** The goals issue #3 sets for each link set. */
const GOALS: Record<string, string> = { '20+20': '>= 95% of sum, >= 1.9x single', '40+20+10': '>= 85% of sum', '10+10+10+10': '>= 95% of sum' };

export function benchAggregation(): string[] {
  const sets = [[20, 20], [40, 20, 10], [10, 10, 10, 10]];
  // reno stands in for stock OpenWrt's and Debian's cubic (not allowed in namespaces here);
  // BBR, this machine's default, for comparison on the unequal and the many-link sets.
  const shaped = [...sets.map((r) => compare(r, r.length)), ...sets.slice(1).map((r) => compare(r, r.length, 'bbr'))];
  const unshaped = compare(undefined, 2);
  return [
    '## LAN client download: through mpwan vs. routed over the best single uplink',
    '',
    `One TCP download (iperf3 -R, ${SECONDS} s measured after ${WARMUP} s of warm-up) from a LAN client that knows nothing of MPTCP; median of ${REPS} ` +
      'runs each, alternating. "single" is the same download with the destination bypassed, so it takes the main default ' +
      'route (the fastest uplink). "raw MPTCP" is an MPTCP download from the server to the router itself, no proxy, in the ' +
      'same alternation: the kernel\'s ceiling. tbf counts whole 1514-byte frames, and every MPTCP segment carries a 28-byte DSS ' +
      'option besides TCP timestamps, leaving 1420 bytes of payload per frame: 93.8% of the summed rate is the most a ' +
      'multipath connection can carry here (a single plain TCP connection carries 1448, 95.6%). TCP congestion control in every namespace: ' +
      'reno, the loss-based algorithm closest to the cubic that stock OpenWrt and Debian use (this kernel does not let ' +
      "namespaces use cubic); rows with bbr, this machine's default, show what BBR on router and server does to multipath.",
    '',
    '| links | TCP congestion control | sum Mbit/s | mpwan Mbit/s | % of sum | raw MPTCP Mbit/s | mpwan / raw | best single uplink Mbit/s | mpwan / single | goal |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...shaped.map((r) => `| ${r.links} | ${r.congestion} | ${r.sum} | ${r.mpwan.toFixed(1)} | ${((r.mpwan / r.sum!) * 100).toFixed(1)}% | ${r.raw.toFixed(1)} | ` +
      `${((r.mpwan / r.raw) * 100).toFixed(0)}% | ${r.single.toFixed(1)} | ${(r.mpwan / r.single).toFixed(2)} | ${r.congestion === 'reno' ? GOALS[r.links.replace(/ Mbit\/s$/, '').replace(/ \+ /g, '+')] : ''} |`),
    '',
    '## Proxy overhead (2 unshaped veth uplinks: CPU-bound, shadowsocks-libev AEAD under mptcpize)',
    '',
    '| path | Mbit/s |',
    '|---|---|',
    `| LAN client -> routed (no proxy) | ${unshaped.single.toFixed(0)} |`,
    `| LAN client -> proxy -> MPTCP -> server | ${unshaped.mpwan.toFixed(0)} |`,
    `| ratio | ${(unshaped.mpwan / unshaped.single).toFixed(2)} |`,
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(benchAggregation().join('\n'));
