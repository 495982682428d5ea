// `make demo`: a simulated router in network namespaces.
//   LAN client -- router (installed mpwan under qjs) == 2 x 20 Mbit/s WANs == server
// Applies the config, shows `mpwan status`, runs one MPTCP transfer from the router and
// prints the bytes each WAN carried. Everything is removed at the end, also on failure.
import { Topology, sweepStale } from '../test/netns/lib/topology.js';
import { Router } from '../test/netns/lib/mpwan.js';
import { mptcpFromRouter } from '../test/netns/lib/traffic.js';

const RATE = 20;
const SECONDS = 5;

function section(title: string) {
  console.log(`\n=== ${title}`);
}

sweepStale();
const topo = new Topology({ wans: 2, rateMbit: RATE, strictRpFilter: true, lan: true });
const rtr = new Router(topo);
try {
  section(`Topology: router ${topo.rtr}, server ${topo.vps} (${topo.server}), ${topo.wans.length} WANs shaped to ${RATE} Mbit/s`);
  rtr.writeDefaultConfig("\toption stale_loss_cnt '2'\n");
  process.stdout.write('mpwan check: ' + rtr.run(['check']).stdout);

  section('mpwan apply');
  const applied = rtr.run(['apply']);
  process.stdout.write(applied.stdout + applied.stderr);
  if (applied.status !== 0) throw new Error(`mpwan apply exited ${applied.status}`);

  section('mpwan apply (again: nothing to change)');
  process.stdout.write(rtr.run(['apply']).stdout);

  section(`One MPTCP connection from the router to the server, ${SECONDS} s`);
  const before = topo.wans.map((w) => topo.linkBytes(topo.rtr, w.dev).tx);
  const t = mptcpFromRouter(topo, SECONDS);
  const sum = topo.wans.length * RATE;
  for (const [i, w] of topo.wans.entries()) {
    const bytes = topo.linkBytes(topo.rtr, w.dev).tx - before[i];
    console.log(`  ${w.dev}: ${(bytes / 1e6).toFixed(1)} MB sent`);
  }
  console.log(`  throughput: ${(t.bitsPerSecond / 1e6).toFixed(1)} Mbit/s = ${((t.bitsPerSecond / 1e6 / sum) * 100).toFixed(0)}% of the ${sum} Mbit/s sum (one WAN alone: at most ${RATE})`);

  section('mpwan status');
  process.stdout.write(rtr.run(['status']).stdout);

  section('mpwan stop');
  process.stdout.write(rtr.run(['stop']).stdout);
} finally {
  rtr.cleanup();
  topo.destroy();
}
