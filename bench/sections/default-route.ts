// Everything else than proxied TCP across the death of the main-route uplink: time from the
// cut until a LAN client's DNS lookups (new names, through the router's dnsmasq, no cache),
// a LAN UDP flow (one socket, as a call keeps) and the router's own UDP (a new socket each
// time) answer again, with a proxied LAN download running throughout. The clock starts once
// the cut is in force (nft loaded), so a request that slipped through before does not count.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topology, sweepStale } from '../../test/netns/lib/topology.js';
import { setupAggregation } from '../../test/netns/lib/aggregation.js';
import { cut, restore, downloadThrough, type CutKind } from '../../test/netns/lib/failover.js';
import { DNS_NAME, ECHO_PORT, backAfter, startInternet, startProbe, startRouterDns } from '../../test/netns/lib/internet.js';
import { sleepMs, waitFor } from '../../test/netns/lib/wait.js';
import { spread } from '../stats.js';
import type { DefaultRouteSection } from '../types.js';

const REPS = Number(process.env.BENCH_ROUTE_RUNS ?? 5);
const EVERY_MS = 50;

export function benchDefaultRoute(): DefaultRouteSection {
  sweepStale();
  const topo = new Topology({ wans: 2, rateMbit: 20, lan: true, dst: true, strictRpFilter: true });
  const agg = setupAggregation(topo, [['udp', 'direct']]);
  const stops = [startInternet(topo).stop, startRouterDns(topo).stop];
  const dir = mkdtempSync(join(tmpdir(), 'mpwan-bench-route-'));
  const ready = () => ['wan', 'wan2'].every((u) => agg.rtr.health()[u]?.state === 'up' && agg.rtr.health()[u]?.suspect === false) &&
    topo.ipJson<{ table: string }[]>(topo.rtr, 'rule', 'show', 'pref', '5005')[0]?.table === '5100';
  try {
    const kinds = {} as DefaultRouteSection['kinds'];
    for (const kind of ['silent-drop', 'link-down'] as CutKind[]) {
      const r = { dns: [] as number[], lanUdp: [] as number[], routerUdp: [] as number[], tcpLost: 0 };
      for (let i = 0; i < REPS; i++) {
        waitFor('both uplinks up and wan preferred', ready, 400);
        const tag = `${kind}-${i}`;
        const probes = {
          dns: startProbe(topo, topo.cli, dir, `dns-${tag}`, { mode: 'dns', to: `${topo.lanRouter}:53`, name: DNS_NAME, every: EVERY_MS, for: 10000 }),
          lanUdp: startProbe(topo, topo.cli, dir, `echo-${tag}`, { mode: 'echo', to: `${topo.destination}:${ECHO_PORT}`, every: EVERY_MS, for: 10000 }),
          routerUdp: startProbe(topo, topo.rtr, dir, `own-${tag}`, { mode: 'fresh', to: `${topo.destination}:${ECHO_PORT}`, every: EVERY_MS, for: 10000 }),
        };
        waitFor('every probe answering', () => Object.values(probes).every((p) => p.lines().some((l) => l.ok)), 100);
        let cutAt = 0;
        const w = topo.wans[0];
        const run = downloadThrough(topo, dir, 9, [[2, () => { cut(topo, w, kind); cutAt = Date.now(); }], [7, () => restore(topo, w, kind)]]);
        if (run.result.error || run.result.bytes === 0) r.tcpLost++;
        sleepMs(500);
        for (const [name, p] of Object.entries(probes)) {
          try { process.kill(-p.child.pid!, 'SIGKILL'); } catch { /* done */ }
          const back = backAfter(p.lines(), cutAt);
          if (back !== null) r[name as 'dns' | 'lanUdp' | 'routerUdp'].push(back / 1000);
        }
        console.error(`default route ${kind} #${i + 1}: DNS ${r.dns.at(-1)} s, LAN UDP ${r.lanUdp.at(-1)} s, router UDP ${r.routerUdp.at(-1)} s`);
      }
      kinds[kind] = { dns: spread(r.dns), lanUdp: spread(r.lanUdp), routerUdp: spread(r.routerUdp), tcpLost: r.tcpLost };
    }
    return { reps: REPS, kinds };
  } finally {
    for (const s of stops) s();
    agg.cleanup();
    topo.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
