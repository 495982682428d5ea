// A LAN client's download and upload through mpwan-relay on 2 x 20 Mbit/s tbf-shaped WANs
// against the kernel's own MPTCP between router and server on the same links (iperf3 under
// mptcpize), alternating in one run: the relay must carry what MPTCP carries.
import assert from 'node:assert/strict';
import { Topology, sweepStale } from '../netns/lib/topology.js';
import { iperf } from '../netns/lib/traffic.js';
import { Relay } from './lib/relay.js';

const RATE = 20;
const SECONDS = 6;
/** Seconds of slow start left out of each figure (iperf3 -O), as bench/aggregation.ts does. */
const WARMUP = 2;

describe('mpwan-relay throughput: 2 x 20 Mbit/s WANs', function () {
  this.timeout(180000);
  let topo: Topology;
  let relay: Relay;

  before(() => {
    sweepStale();
    topo = new Topology({ wans: 2, rateMbit: RATE, lan: true, dst: true, strictRpFilter: true });
    relay = new Relay(topo).start();
  });
  after(() => {
    relay?.cleanup();
    topo?.destroy();
  });

  for (const direction of ['download', 'upload'] as const) {
    it(`a LAN ${direction} carries at least 98% of the kernel's own MPTCP, over both WANs`, () => {
      const reverse = direction === 'download';
      const wanBytes = () => topo.wans.map((w) => { const b = topo.linkBytes(topo.rtr, w.dev); return reverse ? b.rx : b.tx; });
      const raw = () => iperf(topo, { clientNs: topo.rtr, serverNs: topo.vps, address: topo.server, seconds: SECONDS, omit: WARMUP, reverse }).bitsPerSecond / 1e6;
      const viaRelay = () => {
        const before = wanBytes();
        const mbit = iperf(topo, { clientNs: topo.cli, serverNs: topo.dst, address: topo.destination, seconds: SECONDS, omit: WARMUP, mptcp: false, reverse }).bitsPerSecond / 1e6;
        const d = wanBytes().map((b, i) => b - before[i]);
        return { mbit, secondShare: d[1] / (d[0] + d[1]) };
      };
      // A capability check: up to 3 rounds, alternating which goes first; one must pass.
      const rounds: { raw: number; relay: number; secondShare: number }[] = [];
      for (let i = 0; i < 3; i++) {
        let r: number, v: ReturnType<typeof viaRelay>;
        if (i % 2 === 0) { r = raw(); v = viaRelay(); } else { v = viaRelay(); r = raw(); }
        rounds.push({ raw: r, relay: v.mbit, secondShare: v.secondShare });
        if (v.mbit >= 0.98 * r && v.secondShare >= 0.3) break;
      }
      console.log(`      ${direction}: ${rounds.map((r) => `relay ${r.relay.toFixed(1)} / MPTCP ${r.raw.toFixed(1)} Mbit/s (${((r.relay / r.raw) * 100).toFixed(1)}%, wan1 ${(r.secondShare * 100).toFixed(0)}%)`).join('; ')}`);
      const best = rounds.reduce((a, b) => (b.relay / b.raw > a.relay / a.raw ? b : a));
      assert.ok(best.relay >= 0.98 * best.raw, `the relay carried ${((best.relay / best.raw) * 100).toFixed(1)}% of MPTCP`);
      assert.ok(best.secondShare >= 0.3, `the second WAN carried ${(best.secondShare * 100).toFixed(0)}% of the bytes`);
    });
  }
});
