// LAN UDP through the aggregation server (proxy option udp 'server', the default with the
// relay): the nft TPROXY hands it to mpwan-relay, which sends it as authenticated datagrams
// over the best healthy uplink to the server, whose one socket per session talks to the far
// end. So the far end sees the server's address for the whole session, whatever uplink
// carries it, and a call survives an uplink's silent death; with `duplicate` it loses nothing.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topology, sweepStale } from './lib/topology.js';
import { setupAggregation, type Aggregation } from './lib/aggregation.js';
import { CALL_PORT, call, longestGap, lost } from './lib/udp-call.js';
import { waitFor } from './lib/wait.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('LAN UDP through the aggregation server', function () {
  this.timeout(180000);
  let topo: Topology;
  let agg: Aggregation;
  let dir: string;

  const udpStatus = () => agg.rtr.json(['status']).json.proxy.udp as Obj;
  const peersOf = (r: ReturnType<typeof call>) => new Set([...r.received.values()].flat());

  before(() => {
    sweepStale();
    topo = new Topology({ wans: 2, rateMbit: 20, lan: true, dst: true, strictRpFilter: true });
    agg = setupAggregation(topo, [['check_interval', '1']]);
    dir = mkdtempSync(join(tmpdir(), 'mpwan-udp-'));
  });
  after(() => {
    agg?.cleanup();
    topo?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => waitFor('both uplinks healthy', () => ['wan', 'wan2'].every((u) => agg.rtr.health()[u]?.state === 'up' && !agg.rtr.health()[u]?.suspect), 400));

  it('a LAN UDP echo goes through the server: the far end sees the server, never a WAN address', () => {
    const r = call(topo, agg, dir, 'echo', 2, null);
    assert.ok(r.lines.filter((l) => l.ok).length >= 90, `answers: ${r.lines.filter((l) => l.ok).length} of ~100`);
    assert.deepEqual([...new Set([...peersOf(r)].map((a) => a.replace(/:\d+$/, '')))], ['198.51.100.1'], "the server's address toward the far end");
    const u = udpStatus();
    assert.equal(u.mode, 'server');
    assert.equal(u.active, true);
    assert.ok(u.sessions >= 1 && u.datagrams_up >= 90, JSON.stringify(u));
    assert.deepEqual(u.paths.map((p: Obj) => p.uplink), ['wan', 'wan2']);
    assert.match(topo.exec(topo.rtr, ['nft', 'list', 'table', 'inet', 'mpwan']).stdout, /tproxy to :\d+/);
  });

  it('a 50 packets/s call survives a silent drop of the uplink carrying it, and keeps its address at the far end', () => {
    const r = call(topo, agg, dir, 'cut', 8, 2);
    const { gapMs, resumed } = longestGap(r.lines, r.cutMs);
    console.log(`      longest gap ${gapMs} ms, ${lost(r).length} lost; the far end saw ${[...peersOf(r)].join(', ')}`);
    assert.ok(resumed, 'the call resumed on the other uplink');
    assert.equal(peersOf(r).size, 1, `one source address and port for the whole call: ${[...peersOf(r)]}`);
  });

  it('with duplicate matching the call, the same cut loses no packet and the far end never gets one twice', () => {
    agg.editConfig('proxy', 'proxy', [['duplicate', `port:${CALL_PORT}`]]);
    agg.rtr.reload();
    waitFor('the relay with --duplicate', () => agg.rtr.proxies().some((p) => p.includes(`--duplicate port:${CALL_PORT}`)), 100);
    waitFor('the redirect', () => agg.rtr.daemonState()?.proxy?.redirect_active === true, 200);
    const r = call(topo, agg, dir, 'duplicate', 8, 2);
    const twice = [...r.received].filter(([, from]) => from.length > 1).map(([s]) => s);
    console.log(`      ${r.received.size} received, longest answer gap ${longestGap(r.lines, r.cutMs).gapMs} ms, ${lost(r).length} lost`);
    assert.deepEqual(lost(r), [], 'no datagram lost');
    assert.deepEqual(twice, [], 'no datagram delivered twice');
    assert.equal(peersOf(r).size, 1, 'one source address and port');
  });

  it("udp 'direct' takes LAN UDP off the server: NATed by the uplink, as without the relay", () => {
    agg.editConfig('proxy', 'proxy', [['udp', 'direct']]);
    agg.rtr.reload();
    waitFor('the TPROXY gone', () => !/tproxy/.test(topo.exec(topo.rtr, ['nft', 'list', 'table', 'inet', 'mpwan']).stdout), 100);
    const r = call(topo, agg, dir, 'direct', 1, null);
    const from = [...new Set([...peersOf(r)].map((a) => a.replace(/:\d+$/, '')))];
    assert.ok(from.length > 0 && from.every((a) => a.startsWith('10.20.')), `a WAN address: ${from}`);
    assert.equal(udpStatus().mode, 'direct');
  });
});
