// Server failover: two server hosts behind the same internet; the primary dies silently while a
// call (50 packets/s of LAN UDP through the server) runs and new LAN connections open every
// 100 ms. Per run: seconds from the death until every new connection is answered, and the
// longest gap in the call's answers. Between runs the primary comes back and new traffic
// returns to it after the hold-down (5 s here). Default probe settings.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topology, sweepStale } from '../../test/netns/lib/topology.js';
import { answeredFrom, setupServers, startAnswering, startConnections } from '../../test/netns/lib/servers.js';
import { startProbe } from '../../test/netns/lib/internet.js';
import { CALL_PORT, longestGap } from '../../test/netns/lib/udp-call.js';
import { sleepMs, waitFor } from '../../test/netns/lib/wait.js';
import { spread } from '../stats.js';
import type { ServerFailoverSection } from '../types.js';

const REPS = Number(process.env.BENCH_SERVER_RUNS ?? 5);
const HOLD_DOWN_S = 5;
const TCP_PORT = 7200;
const PEER = new URL('../../test/netns/lib/udp-peer.mjs', import.meta.url).pathname;

export function benchServerFailover(): ServerFailoverSection {
  sweepStale();
  const topo = new Topology({ wans: 2, rateMbit: 20, lan: true, dst: true, strictRpFilter: true, servers: 2 });
  const s = setupServers(topo, [['hold_down', String(HOLD_DOWN_S)]]);
  const dir = mkdtempSync(join(tmpdir(), 'mpwan-bench-srv-'));
  const answering = startAnswering(topo, TCP_PORT);
  const peer = topo.spawn(topo.dst, [process.execPath, PEER, '--port', String(CALL_PORT), '--log', join(dir, 'peer.log')]);
  const proxy = () => s.rtr.daemonState()?.proxy;
  const settled = () => proxy()?.active_server === 'vps' && proxy()?.servers?.every((x: { state: string }) => x.state === 'up');
  const connections: number[] = [];
  const gaps: number[] = [];
  try {
    waitFor('the far end', () => topo.exec(topo.dst, ['ss', '-Hlun', `sport = :${CALL_PORT}`]).stdout.trim() !== '', 100);
    for (let i = 0; i < REPS; i++) {
      waitFor('both servers up, the primary in use', settled, 1200);
      const call = startProbe(topo, topo.cli, dir, `call-${i}`, { mode: 'echo', to: `${topo.destination}:${CALL_PORT}`, every: 20, for: 9000 });
      const conns = startConnections(topo, dir, `conns-${i}`, TCP_PORT, 8000, 100, 4000);
      sleepMs(2000);
      const deathMs = Date.now();
      topo.silenceServerHost(0, true);
      sleepMs(7500);
      waitFor('the prober to finish', () => conns.lines().length >= 70, 200);
      const from = answeredFrom(conns.lines(), deathMs);
      const gap = longestGap(call.lines(), deathMs);
      if (from !== null) connections.push(from);
      if (gap.resumed) gaps.push(gap.gapMs / 1000);
      console.error(`server failover #${i + 1}: new connections answered from ${from} s, call gap ${gap.gapMs} ms (resumed: ${gap.resumed}), now on ${proxy()?.active_server}`);
      topo.silenceServerHost(0, false);
    }
    waitFor('back on the primary', settled, 1200);
    return { reps: REPS, holdDownS: HOLD_DOWN_S, newConnections: spread(connections), callGap: spread(gaps) };
  } finally {
    try { process.kill(-peer.pid!, 'SIGKILL'); } catch { /* gone */ }
    answering.stop();
    s.cleanup();
    topo.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
