// `make demo`: a simulated router in network namespaces, set up the way a user does it.
//   LAN client -- router (installed mpwan daemon under qjs) == 2 x 20 Mbit/s WANs == server -- internet host
// 1. `mpwan server setup` on the server, `mpwan server import <link>` on the router, the daemon;
// 2. one LAN download through mpwan, then the same download over one uplink only;
// 3. an uplink silently dies mid-download and comes back: the download carries on.
// Everything is removed at the end, also on failure.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topology, sweepStale } from '../test/netns/lib/topology.js';
import { setupAggregation } from '../test/netns/lib/aggregation.js';
import { iperf } from '../test/netns/lib/traffic.js';
import { cut, restore, downloadThrough, rateMbit, LAN_DEV } from '../test/netns/lib/failover.js';

const RATE = 20;
const SECONDS = 8;

function section(title: string) {
  console.log(`\n=== ${title}`);
}

sweepStale();
const topo = new Topology({ wans: 2, rateMbit: RATE, strictRpFilter: true, lan: true, dst: true });
const dir = mkdtempSync(join(tmpdir(), 'mpwan-demo-'));
let agg: ReturnType<typeof setupAggregation> | undefined;
try {
  section(`Topology: LAN client ${topo.lanClient} -> router -> ${topo.wans.length} WANs shaped to ${RATE} Mbit/s each -> server ${topo.server} -> host ${topo.destination}`);
  agg = setupAggregation(topo);
  const { rtr } = agg;
  section('On the server: mpwan server setup');
  process.stdout.write(agg.setupOutput);
  section("On the router: mpwan server import '<link>', then the service (mpwan daemon) starts");
  process.stdout.write(readFileSync(join(rtr.dir, 'daemon.log'), 'utf8'));

  section('mpwan status');
  process.stdout.write(rtr.run(['status']).stdout);

  const download = () => iperf(topo, { clientNs: topo.cli, serverNs: topo.dst, address: topo.destination, seconds: SECONDS, omit: 2, mptcp: false, reverse: true }).bitsPerSecond / 1e6;
  section(`One TCP download on the LAN client (plain TCP, no MPTCP on it), ${SECONDS} s`);
  const viaMpwan = download();
  console.log(`  through mpwan:        ${viaMpwan.toFixed(1)} Mbit/s (${((viaMpwan / (2 * RATE)) * 100).toFixed(0)}% of the ${2 * RATE} Mbit/s sum)`);
  agg.editConfig('proxy', 'proxy', [['bypass', `${topo.destination}/32`]]);
  rtr.reload();
  const single = download();
  console.log(`  over one uplink only: ${single.toFixed(1)} Mbit/s (the destination bypassed: the normal route)`);
  agg.editConfig('proxy', 'proxy', [['bypass', '192.0.2.99']]);
  rtr.reload();

  section('Failover: wan silently drops everything at 3 s and comes back at 8 s, during one 12 s download');
  const logFrom = agg.daemon.log().length;
  const w = topo.wans[0];
  const run = downloadThrough(topo, dir, 12, [[3, () => cut(topo, w, 'silent-drop')], [8, () => restore(topo, w, 'silent-drop')]]);
  console.log('  second   wan0 Mbit/s  wan1 Mbit/s  LAN client Mbit/s');
  for (let t = 0; t < 12; t++) {
    const r = (i: number) => rateMbit(run.samples, [i], t, t + 1).toFixed(1).padStart(11);
    console.log(`  ${String(t).padStart(2)}-${String(t + 1).padEnd(2)}  ${r(0)}  ${r(1)}  ${r(topo.wans.length).padStart(17)}`);
  }
  console.log(`  the download ${run.result.error ? `FAILED: ${run.result.error}` : `completed: ${(run.result.bytes / 1e6).toFixed(1)} MB, no reset`} (${LAN_DEV} is the router's LAN side)`);
  process.stdout.write(agg.daemon.log().slice(logFrom));

  section('mpwan stop');
  process.stdout.write(rtr.run(['stop']).stdout);
} finally {
  agg?.cleanup();
  topo.destroy();
  rmSync(dir, { recursive: true, force: true });
}
