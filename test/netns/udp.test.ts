// LAN UDP through the aggregation server (proxy option udp 'server', the default with the
// relay): the nft TPROXY hands it to mpwan-relay, which sends it as authenticated datagrams
// over the best healthy uplink to the server, whose one socket per session talks to the far
// end. So the far end sees the server's address for the whole session, whatever uplink
// carries it, and a call survives an uplink's silent death; with `duplicate` it loses nothing.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topology, sweepStale } from './lib/topology.js';
import { setupAggregation, type Aggregation } from './lib/aggregation.js';
import { cut, restore } from './lib/failover.js';
import { startProbe, type ProbeLine } from './lib/internet.js';
import { sleepMs, waitFor } from './lib/wait.js';

const PEER = new URL('./lib/udp-peer.mjs', import.meta.url).pathname;
const PORT = 9100;
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The longest time between two answers from `from` (epoch ms) on, and whether answers came after it. */
function longestGap(lines: ProbeLine[], from: number): { gapMs: number; resumed: boolean } {
  const times = lines.filter((l) => l.ok && l.ms >= from - 1000).map((l) => l.ms);
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i] - times[i - 1]);
  return { gapMs: gap, resumed: times.some((t) => t > from + 1000) };
}

describe('LAN UDP through the aggregation server', function () {
  this.timeout(180000);
  let topo: Topology;
  let agg: Aggregation;
  let dir: string;
  let peerLog: string;
  let peer: ChildProcess | null = null;
  const stopPeer = () => { try { if (peer?.pid) process.kill(-peer.pid, 'SIGKILL'); } catch { /* gone */ } };

  /** What the far end received: seq -> the peer addresses it came from, one entry per datagram. */
  const received = () => {
    const out = new Map<number, string[]>();
    for (const line of readFileSync(peerLog, 'utf8').split('\n').filter(Boolean)) {
      const [seq, from] = line.split(' ');
      out.set(Number(seq), [...(out.get(Number(seq)) ?? []), from]);
    }
    return out;
  };
  const udpStatus = () => agg.rtr.json(['status']).json.proxy.udp as Obj;

  /** A 50 packets/s call from the LAN client for `seconds`, the uplink carrying it silently dying at `cutAt` s. */
  function call(name: string, seconds: number, cutAt: number | null) {
    peerLog = join(dir, `peer-${name}.log`);
    peer = topo.spawn(topo.dst, [process.execPath, PEER, '--port', String(PORT), '--log', peerLog]);
    waitFor('the far end', () => topo.exec(topo.dst, ['ss', '-Hlun', `sport = :${PORT}`]).stdout.trim() !== '', 100);
    const started = Date.now();
    const probe = startProbe(topo, topo.cli, dir, name, { mode: 'echo', to: `${topo.destination}:${PORT}`, every: 20, for: seconds * 1000 });
    const carrier = udpStatus().paths[0]?.uplink;
    let cutMs = 0;
    if (cutAt !== null) {
      sleepMs(cutAt * 1000);
      cutMs = Date.now();
      cut(topo, topo.wans[carrier === 'wan2' ? 1 : 0], 'silent-drop');
    }
    // The probe stops by itself after `seconds` (tests block this thread: no exit event is seen).
    sleepMs(Math.max(0, started + seconds * 1000 + 1000 - Date.now()));
    if (cutAt !== null) restore(topo, topo.wans[carrier === 'wan2' ? 1 : 0], 'silent-drop');
    stopPeer();
    return { lines: probe.lines(), cutMs, carrier };
  }

  before(() => {
    sweepStale();
    topo = new Topology({ wans: 2, rateMbit: 20, lan: true, dst: true, strictRpFilter: true });
    agg = setupAggregation(topo, [['check_interval', '1']]);
    dir = mkdtempSync(join(tmpdir(), 'mpwan-udp-'));
  });
  after(() => {
    stopPeer();
    agg?.cleanup();
    topo?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => waitFor('both uplinks healthy', () => ['wan', 'wan2'].every((u) => agg.rtr.health()[u]?.state === 'up' && !agg.rtr.health()[u]?.suspect), 400));

  it('a LAN UDP echo goes through the server: the far end sees the server, never a WAN address', () => {
    const { lines } = call('echo', 2, null);
    assert.ok(lines.filter((l) => l.ok).length >= 90, `answers: ${lines.filter((l) => l.ok).length} of ~100`);
    const from = new Set([...received().values()].flat().map((a) => a.replace(/:\d+$/, '')));
    assert.deepEqual([...from], ['198.51.100.1'], 'the server\'s address toward the far end');
    const u = udpStatus();
    assert.equal(u.mode, 'server');
    assert.equal(u.active, true);
    assert.ok(u.sessions >= 1 && u.datagrams_up >= 90, JSON.stringify(u));
    assert.deepEqual(u.paths.map((p: Obj) => p.uplink), ['wan', 'wan2']);
    assert.match(topo.exec(topo.rtr, ['nft', 'list', 'table', 'inet', 'mpwan']).stdout, /tproxy to :\d+/);
  });

  it('a 50 packets/s call survives a silent drop of the uplink carrying it, and keeps its address at the far end', () => {
    const { lines, cutMs } = call('cut', 8, 2);
    const { gapMs, resumed } = longestGap(lines, cutMs);
    const peers = new Set([...received().values()].flat());
    console.log(`      longest gap ${gapMs} ms; the far end saw ${[...peers].join(', ')}`);
    assert.ok(resumed, 'the call resumed on the other uplink');
    assert.equal(peers.size, 1, `one source address and port for the whole call: ${[...peers]}`);
  });

  it('with duplicate matching the call, the same cut loses no packet and the far end never gets one twice', () => {
    agg.editConfig('proxy', 'proxy', [['duplicate', `port:${PORT}`]]);
    agg.rtr.reload();
    waitFor('the relay with --duplicate', () => agg.rtr.proxies().some((p) => p.includes(`--duplicate port:${PORT}`)), 100);
    waitFor('the redirect', () => agg.rtr.daemonState()?.proxy?.redirect_active === true, 200);
    const { lines, cutMs } = call('duplicate', 8, 2);
    const got = received();
    const sent = Math.max(...lines.map((l) => l.seq), ...got.keys());
    const missing = Array.from({ length: sent }, (_, i) => i + 1).filter((s) => !got.has(s));
    const twice = [...got].filter(([, from]) => from.length > 1).map(([s]) => s);
    console.log(`      ${sent} sent, longest answer gap ${longestGap(lines, cutMs).gapMs} ms, ${missing.length} lost, ${udpStatus().duplicates_dropped} second copies dropped by the router`);
    assert.deepEqual(missing, [], 'no datagram lost');
    assert.deepEqual(twice, [], 'no datagram delivered twice');
    assert.equal(new Set([...got.values()].flat()).size, 1, 'one source address and port');
  });

  it("udp 'direct' takes LAN UDP off the server: NATed by the uplink, as without the relay", () => {
    agg.editConfig('proxy', 'proxy', [['udp', 'direct']]);
    agg.rtr.reload();
    waitFor('the TPROXY gone', () => !/tproxy/.test(topo.exec(topo.rtr, ['nft', 'list', 'table', 'inet', 'mpwan']).stdout), 100);
    call('direct', 1, null);
    const from = new Set([...received().values()].flat().map((a) => a.replace(/:\d+$/, '')));
    assert.ok([...from].every((a) => a.startsWith('10.20.')), `a WAN address: ${[...from]}`);
    assert.equal(udpStatus().mode, 'direct');
  });
});
