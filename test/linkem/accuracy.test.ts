// linkem measured against its settings, through the same namespaces the other tests use (one
// WAN: router -- linkem -- ISP side): RTT by ping, rate by a UDP flood, loss over 10,000
// pings, and a change of settings while it runs.
import assert from 'node:assert/strict';
import { Topology, sweepStale, type Wan } from '../netns/lib/topology.js';
import { iperf } from '../netns/lib/traffic.js';
import type { Direction } from './linkem.js';

/** RTTs (ms) of `count` pings from the router to the ISP gateway, after one that warms up ARP. */
function pings(topo: Topology, w: Wan, count: number, intervalS = 0.05): number[] {
  topo.exec(topo.rtr, ['ping', '-c', '1', '-W', '3', w.gw]);
  const r = topo.exec(topo.rtr, ['ping', '-c', String(count), '-i', String(intervalS), '-W', '3', w.gw]);
  return [...r.stdout.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('linkem: a link emulator as exact as its settings', function () {
  this.timeout(120000);
  let topo: Topology;
  let w: Wan;
  const set = (d: Direction) => w.link!.control.set({ up: d, down: d });

  before(() => {
    sweepStale();
    topo = new Topology({ wans: 1, links: [{ up: {}, down: {}, seed: 20 }] });
    w = topo.wans[0];
  });
  after(() => topo?.destroy());

  for (const delay of [5, 50, 300]) {
    it(`RTT within 1 ms of ${2 * delay} ms (delay ${delay} ms each way)`, () => {
      set({ rateMbit: 0, delayMs: delay, jitterMs: 0, lossPercent: 0, burstLossPercent: 0 });
      const rtt = pings(topo, w, 10, delay >= 100 ? 0.2 : 0.05);
      console.log(`      RTT ${Math.min(...rtt)}/${mean(rtt).toFixed(3)}/${Math.max(...rtt)} ms (min/mean/max of ${rtt.length})`);
      assert.equal(rtt.length, 10);
      assert.ok(Math.abs(mean(rtt) - 2 * delay) < 1 && Math.abs(median(rtt) - 2 * delay) < 1, `mean ${mean(rtt)} ms`);
    });
  }

  it('jitter: delay +- jitter, mean at the delay', () => {
    set({ delayMs: 45, jitterMs: 10 });
    const rtt = pings(topo, w, 100, 0.05);
    console.log(`      RTT ${Math.min(...rtt)}/${mean(rtt).toFixed(1)}/${Math.max(...rtt)} ms (min/mean/max of ${rtt.length})`);
    assert.equal(rtt.length, 100);
    assert.ok(Math.min(...rtt) >= 70 - 1 && Math.max(...rtt) <= 110 + 1, 'within 2 x (45 +- 10) ms');
    assert.ok(Math.abs(mean(rtt) - 90) < 3, `mean ${mean(rtt)} ms`);
    assert.ok(Math.max(...rtt) - Math.min(...rtt) > 15, 'the delay does vary');
  });

  for (const [dir, mbit] of [['up', 40], ['down', 100]] as const) {
    it(`rate within 2%: ${dir} at ${mbit} Mbit/s (a UDP flood at 1.5 times the rate)`, () => {
      set({ delayMs: 5, jitterMs: 0, rateMbit: mbit });
      const flood = iperf(topo, { clientNs: topo.rtr, serverNs: topo.vps, address: w.gw, seconds: 5, omit: 1, mptcp: false, reverse: dir === 'down', udp: `${mbit * 1.5}M`, length: '1400' });
      // A 1400-byte datagram is a 1442-byte frame (UDP 8, IPv4 20, Ethernet 14): the rate is frames'.
      const frameMbit = (flood.bitsPerSecond * 1442) / 1400 / 1e6;
      console.log(`      ${frameMbit.toFixed(2)} Mbit/s of frames (${((frameMbit / mbit - 1) * 100).toFixed(2)}%)`);
      assert.ok(Math.abs(frameMbit / mbit - 1) < 0.02, `${frameMbit} Mbit/s`);
    });
  }

  /** 10,000 pings, 8 in flight: how many went unanswered (ping's count), and linkem's counters. */
  function lossRun(d: Direction) {
    w.link!.control.set({ up: { delayMs: 1, rateMbit: 0, lossPercent: 0, burstLossPercent: 0, ...d }, down: { delayMs: 1, rateMbit: 0, lossPercent: 0, burstLossPercent: 0 } });
    const before = w.link!.control.stats().up;
    const r = topo.exec(topo.rtr, ['ping', '-q', '-f', '-l', '8', '-c', '10000', '-W', '1', w.gw]);
    const after = w.link!.control.stats().up;
    const m = /(\d+) packets transmitted, (\d+) received/.exec(r.stdout);
    if (!m) throw new Error(`ping: ${r.stdout} ${r.stderr}`);
    return { sent: Number(m[1]), unanswered: Number(m[1]) - Number(m[2]), frames: after.frames - before.frames, lost: after.lost - before.lost, burstLost: after.burst_lost - before.burst_lost };
  }

  // Loss is random: over 10,000 frames a 1% loss varies by 10% (one sigma) between runs, so 10%
  // is where "within 10%" is a property of linkem rather than of luck (3.3 sigma).
  it('random loss within 10% of the set share over 10,000 pings (10% loss; unanswered = dropped)', () => {
    const r = lossRun({ lossPercent: 10 });
    console.log(`      ${r.unanswered} of ${r.sent} pings unanswered; linkem dropped ${r.lost} of ${r.frames} frames`);
    assert.equal(r.sent, 10000);
    assert.ok(Math.abs(r.unanswered / r.sent - 0.1) < 0.01, `${((r.unanswered / r.sent) * 100).toFixed(2)}% lost`);
    // linkem may also have dropped an ARP request or two.
    assert.ok(r.lost - r.unanswered >= 0 && r.lost - r.unanswered <= 2, 'every ping linkem dropped went unanswered, and only those');
  });

  it('burst loss: the set share, in bursts of the set mean length', () => {
    const r = lossRun({ burstLossPercent: 5, burstLen: 5 });
    console.log(`      ${r.unanswered} of ${r.sent} pings unanswered; linkem dropped ${r.burstLost} in bursts`);
    // 10,000 frames in bursts of 5: ~100 bursts, so the share varies by ~14% (one sigma).
    assert.ok(Math.abs(r.unanswered / r.sent - 0.05) < 0.05 * 0.45, `${((r.unanswered / r.sent) * 100).toFixed(2)}% lost`);
    assert.ok(r.burstLost - r.unanswered >= 0 && r.burstLost - r.unanswered <= 2, 'unanswered = dropped');
  });

  it('changes settings while traffic runs: a delay that jumps', () => {
    set({ burstLossPercent: 0, lossPercent: 0, delayMs: 20 });
    const first = pings(topo, w, 5);
    set({ delayMs: 80 });
    const second = pings(topo, w, 5, 0.2);
    assert.ok(Math.abs(median(first) - 40) < 1 && Math.abs(median(second) - 160) < 1, `${median(first)} then ${median(second)} ms`);
    assert.throws(() => w.link!.control.set({ up: { lossPercent: 101 } }), /a share in percent/);
    assert.match(w.link!.control.show(), /^up rate 0bit delay 80\.000ms/);
  });
});
