// `make demo`: a simulated router in network namespaces, set up the way a user does it, on the
// first link profile of test/linkem/profiles.ts: a fibre line and an LTE uplink, each through
// linkem (rate, delay, jitter and loss as the real links have them).
//   LAN client -- router (installed mpwan daemon under qjs) == fibre + LTE == server -- internet host
// 1. `mpwan server setup` on the server, `mpwan server import <link>` on the router, the daemon;
// 2. one LAN download through mpwan, second by second on each uplink (both carry it: bonded),
//    then the same download over the fibre alone and over LTE alone (routed, no mpwan);
// 3. the fibre silently dies mid-download and comes back: the download carries on over LTE.
// Router and server start from Linux's stock TCP buffer limits, as a real router or VPS does.
// Everything is removed at the end, also on failure.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topology, sweepStale } from '../test/netns/lib/topology.js';
import { routeAlone, setupAggregation } from '../test/netns/lib/aggregation.js';
import { cut, restore, downloadThrough, rateMbit, LAN_DEV, type FailoverRun } from '../test/netns/lib/failover.js';
import { PROFILES } from '../test/linkem/profiles.js';
import type { LinkSpec } from '../test/linkem/linkem.js';

const PROFILE = PROFILES[0];
const SECONDS = 10;
/** Left out of each figure: slow start over the slower link's round trips. */
const WARMUP = 3;

function section(title: string) {
  console.log(`\n=== ${title}`);
}

const describe = (l: LinkSpec) => {
  const d = l.down;
  return `${l.name} ${d.rateMbit}/${l.up.rateMbit} Mbit/s, ${d.delayMs} ms each way` +
    `${d.jitterMs ? `, jitter ±${d.jitterMs} ms` : ''}${d.lossPercent ? `, ${d.lossPercent}% loss each way` : ''}`;
};

sweepStale();
const topo = new Topology({ wans: 2, links: PROFILE.links, strictRpFilter: true, lan: true, dst: true, buffers: 'stock' });
const dir = mkdtempSync(join(tmpdir(), 'mpwan-demo-'));
const names = PROFILE.links.map((l) => l.name ?? '');
const lan = topo.wans.length; // the LAN device's column in the samples

/** Per second: Mbit/s on each uplink (both directions) and what the LAN client received. */
function table(run: FailoverRun, seconds: number) {
  console.log(`  second  ${names.map((n) => `${n} (${topo.wans[names.indexOf(n)].dev})`.padStart(13)).join('')}   LAN client   (Mbit/s)`);
  for (let t = 0; t < seconds; t++) {
    const r = (i: number, width: number) => rateMbit(run.samples, [i], t, t + 1).toFixed(1).padStart(width);
    console.log(`  ${String(t).padStart(2)}-${String(t + 1).padEnd(4)}${names.map((_, i) => r(i, 13)).join('')}${r(lan, 13)}`);
  }
  console.log(`  the download ${run.result.error ? `FAILED: ${run.result.error}` : `completed: ${(run.result.bytes / 1e6).toFixed(1)} MB, no reset`} (${LAN_DEV} is the router's LAN side)`);
}

let agg: ReturnType<typeof setupAggregation> | undefined;
try {
  section(`Topology: LAN client ${topo.lanClient} -> router -> ${names.join(' + ')} -> server ${topo.server} -> host ${topo.destination}`);
  for (const [i, l] of PROFILE.links.entries()) console.log(`  ${topo.wans[i].dev}: ${describe(l)} (through linkem)`);
  agg = setupAggregation(topo);
  const { rtr } = agg;
  section('On the server: mpwan server setup');
  process.stdout.write(agg.setupOutput);
  section("On the router: mpwan server import '<link>', then the service (mpwan daemon) starts");
  process.stdout.write(readFileSync(join(rtr.dir, 'daemon.log'), 'utf8'));

  section('mpwan status');
  process.stdout.write(rtr.run(['status']).stdout);

  const download = () => downloadThrough(topo, dir, SECONDS, []);
  const figure = (run: FailoverRun) => rateMbit(run.samples, [lan], WARMUP, SECONDS);
  section(`Bonding: one TCP download on the LAN client (plain TCP, no MPTCP on it) through mpwan, ${SECONDS} s`);
  const bonded = download();
  table(bonded, SECONDS);
  const alone = topo.wans.map((_, i) => {
    routeAlone(topo, agg!, i);
    return figure(download());
  });
  routeAlone(topo, agg, null);
  const viaMpwan = figure(bonded);
  const best = Math.max(...alone);
  const sum = alone.reduce((a, b) => a + b, 0);
  section(`The same download, seconds ${WARMUP}-${SECONDS} (after slow start)`);
  console.log(`  through mpwan:  ${viaMpwan.toFixed(1).padStart(6)} Mbit/s`);
  alone.forEach((a, i) => console.log(`  ${`${names[i]} alone:`.padEnd(16)}${a.toFixed(1).padStart(6)} Mbit/s (routed over ${topo.wans[i].dev}, no mpwan)`));
  console.log(`  mpwan gives ${((viaMpwan / best) * 100).toFixed(0)}% of the best link alone and ${((viaMpwan / sum) * 100).toFixed(0)}% of the links' sum alone.`);
  console.log('  (One TCP flow over a lossy LTE link alone is held back by its loss at that delay; through mpwan,');
  console.log('  the server relays the download as one MPTCP connection over both uplinks.)');

  const w = topo.wans[0];
  section(`Failover: the ${names[0]} silently drops everything at 3 s and comes back at 9 s, during one 14 s download`);
  console.log(`  The daemon declares it down after 3 unanswered probe rounds; meanwhile and until it is back, the download`);
  console.log(`  carries on over ${names[1]} alone, at what ${names[1]} carries, and returns to the ${names[0]} without a reset.`);
  const logFrom = agg.daemon.log().length;
  const run = downloadThrough(topo, dir, 14, [[3, () => cut(topo, w, 'silent-drop')], [9, () => restore(topo, w, 'silent-drop')]]);
  table(run, 14);
  process.stdout.write(agg.daemon.log().slice(logFrom));

  section('mpwan stop');
  process.stdout.write(rtr.run(['stop']).stdout);
} finally {
  agg?.cleanup();
  topo.destroy();
  rmSync(dir, { recursive: true, force: true });
}
