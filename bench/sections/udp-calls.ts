// A call (50 packets/s of LAN UDP, echoed by the far end) while the uplink carrying it dies
// silently, for each way mpwan can carry it: `udp 'direct'` (the default route, NAT by the
// uplink), `udp 'server'` (through the relay and the server) and `server` + `duplicate`. Per
// run: the longest gap in the answers, the datagrams the far end never got, and whether the
// far end saw its peer's address or port change. Default probe settings; runs alternate.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topology, sweepStale } from '../../test/netns/lib/topology.js';
import { setupAggregation } from '../../test/netns/lib/aggregation.js';
import { CALL_PORT, call, longestGap, lost } from '../../test/netns/lib/udp-call.js';
import { waitFor } from '../../test/netns/lib/wait.js';
import { spread } from '../stats.js';
import type { UdpCallsSection } from '../types.js';

const REPS = Number(process.env.BENCH_UDP_RUNS ?? 3);
const MODES: Record<'direct' | 'server' | 'duplicate', [string, string | null][]> = {
  direct: [['udp', 'direct'], ['duplicate', null]],
  server: [['udp', 'server'], ['duplicate', null]],
  duplicate: [['udp', 'server'], ['duplicate', `port:${CALL_PORT}`]],
};

export function benchUdpCalls(): UdpCallsSection {
  sweepStale();
  const topo = new Topology({ wans: 2, rateMbit: 20, lan: true, dst: true, strictRpFilter: true });
  const agg = setupAggregation(topo);
  const dir = mkdtempSync(join(tmpdir(), 'mpwan-bench-udp-'));
  const ready = () => ['wan', 'wan2'].every((u) => agg.rtr.health()[u]?.state === 'up' && agg.rtr.health()[u]?.suspect === false)
    && agg.rtr.daemonState()?.proxy?.redirect_active === true;
  const runs = Object.fromEntries(Object.keys(MODES).map((m) => [m, { gap: [] as number[], lost: [] as number[], changed: 0 }])) as Record<keyof typeof MODES, { gap: number[]; lost: number[]; changed: number }>;
  try {
    for (let i = 0; i < REPS; i++) {
      for (const mode of Object.keys(MODES) as (keyof typeof MODES)[]) {
        agg.editConfig('proxy', 'proxy', MODES[mode]);
        agg.rtr.reload();
        waitFor(`mode ${mode} in force`, () => ready() && agg.rtr.json(['status']).json.proxy.udp.mode === (mode === 'direct' ? 'direct' : 'server'), 400);
        const r = call(topo, agg, dir, `${mode}-${i}`, 8, 2);
        const peers = new Set([...r.received.values()].flat());
        runs[mode].gap.push(longestGap(r.lines, r.cutMs).gapMs / 1000);
        runs[mode].lost.push(lost(r).length);
        if (peers.size > 1) runs[mode].changed++;
        console.error(`udp ${mode} #${i + 1}: gap ${runs[mode].gap.at(-1)} s, ${runs[mode].lost.at(-1)} lost, far end saw ${[...peers].join(' ')}`);
        waitFor('both uplinks healthy again', ready, 400);
      }
    }
    return {
      reps: REPS,
      modes: Object.fromEntries(Object.entries(runs).map(([m, r]) => [m, { gap: spread(r.gap), lost: spread(r.lost), addressChanged: r.changed }])) as UdpCallsSection['modes'],
      overheadBytes: { ipv4: 29, ipv6: 41 },
    };
  } finally {
    agg.cleanup();
    topo.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
