// Uplink failures during a LAN client's download through the proxy: the connection lives on,
// the daemon withdraws the failed uplink and brings it back, and new connections avoid it.
// Cuts happen on the ISP side: the link's far end goes down (the router sees carrier loss
// and netifd reports nothing), or every packet is silently dropped while the link stays up.
import assert from 'node:assert/strict';
import { Topology, sweepStale, type Wan } from './lib/topology.js';
import { setupAggregation, type Aggregation } from './lib/aggregation.js';
import { cut, restore, downloadThrough, rateMbit, sampleRates, type CutKind, type FailoverRun } from './lib/failover.js';
import { iperf } from './lib/traffic.js';
import { waitFor } from './lib/wait.js';

const RATE = 20;
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('failover: uplinks die and return under a live LAN connection', function () {
  this.timeout(120000);
  let topo: Topology;
  let agg: Aggregation;

  const health = (uplink: string) => agg.rtr.health()[uplink] as Obj | undefined;
  const endpoints = () => topo.ipJson<Obj[]>(topo.rtr, 'mptcp', 'endpoint', 'show').map((e) => e.address as string).sort();
  const serverRule = () => topo.ipJson<Obj[]>(topo.rtr, 'rule', 'show', 'pref', '5001').map((r) => `${r.dst} ${r.table}`);
  const serverConns = () => topo.mptcpCounters(topo.vps).MPCapableSYNRX;
  const joins = () => topo.mptcpCounters(topo.vps).MPJoinSynRx;
  const uplinkOf = (w: Wan) => (w.index === 0 ? 'wan' : `wan${w.index + 1}`);

  before(() => {
    sweepStale();
    topo = new Topology({ wans: 2, rateMbit: RATE, lan: true, dst: true, strictRpFilter: true });
    // Server checks every second: a silently dead uplink must not pass for a dead server.
    agg = setupAggregation(topo, [['check_interval', '1']]);
  });
  after(() => {
    agg?.cleanup();
    topo?.destroy();
  });
  afterEach(() => {
    // Whatever a failed test left cut, the next one starts with both uplinks up.
    for (const w of topo.wans) for (const kind of ['link-down', 'silent-drop'] as CutKind[]) { try { restore(topo, w, kind); } catch { /* not cut */ } }
    // state.json says up before the daemon's re-plan has put the endpoint back: wait for both.
    waitFor('both uplinks up, with their endpoints', () => topo.wans.every((w) => health(uplinkOf(w))?.state === 'up') &&
      JSON.stringify(endpoints()) === JSON.stringify(topo.wans.map((w) => w.addr).sort()), 400);
  });

  /** A 14 s download; `w` is cut at 3 s and restored at 8 s. */
  function cutAndRestore(w: Wan, kind: CutKind) {
    const seen: Obj = {};
    const run: FailoverRun = downloadThrough(topo, agg.rtr.dir, 14, [
      [3, () => { seen.connsAtCut = serverConns(); cut(topo, w, kind); }],
      [7.8, () => { seen.healthBeforeRestore = health(uplinkOf(w)); seen.endpointsWhileDown = endpoints(); seen.ruleWhileDown = serverRule(); seen.joinsBeforeRestore = joins(); }],
      [8, () => restore(topo, w, kind)],
    ]);
    return { run, seen, other: topo.wans.find((x) => x !== w)! };
  }

  function assertFailover(w: Wan, kind: CutKind, r: ReturnType<typeof cutAndRestore>) {
    const { run, seen, other } = r;
    const lan = topo.wans.length; // the LAN device's column, after the WANs
    const fmt = (from: number, to: number) => topo.wans.map((x) => rateMbit(run.samples, [x.index], from, to).toFixed(1)).join(' / ');
    console.log(`      ${kind} of ${uplinkOf(w)}: Mbit/s per WAN before ${fmt(1, 3)}, during ${fmt(4.5, 7.5)}, after ${fmt(11, 13.5)}; LAN during ${rateMbit(run.samples, [lan], 4.5, 7.5).toFixed(1)}`);
    assert.equal(run.result.error, undefined, 'the transfer completed without an error');
    assert.ok(run.result.bytes > 0);
    assert.equal(seen.healthBeforeRestore?.state, 'down', `the daemon marked ${uplinkOf(w)} down`);
    assert.ok(!seen.endpointsWhileDown.includes(w.addr), `its endpoint was withdrawn: ${seen.endpointsWhileDown}`);
    // The remaining uplink runs at full rate; a hole left by packets lost on the dead path can
    // stall it for a few hundred ms until the server re-sends them (see bench: longest stall).
    const rates = sampleRates(run.samples, other.index, 4.5, 7.5);
    const full = rates.filter((m) => m > 0.9 * RATE).length / rates.length;
    assert.ok(full > 0.6 && rateMbit(run.samples, [other.index], 4.5, 7.5) > 0.7 * RATE, `the remaining uplink carried the traffic (full rate ${(full * 100).toFixed(0)}% of the time)`);
    assert.ok(rateMbit(run.samples, [lan], 4.5, 7.5) > 0.5 * RATE, 'the LAN client kept receiving');
    assert.ok(rateMbit(run.samples, [w.index], 4.5, 7.5) < 0.5, 'nothing got through the cut uplink');
    // Restored: the endpoint returns and the same connection gets a subflow on it again.
    assert.deepEqual(endpoints(), topo.wans.map((x) => x.addr).sort());
    assert.ok(joins() > seen.joinsBeforeRestore, 'a subflow joined again from the restored uplink');
    assert.ok(rateMbit(run.samples, [w.index], 11, 13.5) > 0.5 * RATE, 'bytes flow on the restored uplink again');
    assert.equal(serverConns(), seen.connsAtCut, 'no new connection was needed: the same one carried on');
    assert.match(agg.daemon.log(), new RegExp(`uplink ${uplinkOf(w)} is down: .*\\n(.*\\n)*.*uplink ${uplinkOf(w)} is up again`));
    assert.doesNotMatch(agg.daemon.log(), /unreachable/, 'the server stayed reachable over the other uplink: LAN traffic stayed on the proxy');
    return seen;
  }

  it('link down on the second uplink: the download carries on over the first, and the second returns', () => {
    const w = topo.wans[1];
    const seen = assertFailover(w, 'link-down', cutAndRestore(w, 'link-down'));
    assert.match(seen.healthBeforeRestore.reason, /no carrier/);
  });

  it('silent drop on the uplink of the first subflow: the same, and the server rule moves off it and back', () => {
    const w = topo.wans[0];
    assert.deepEqual(serverRule(), [`${topo.server} 5100`], 'new connections start on wan');
    const seen = assertFailover(w, 'silent-drop', cutAndRestore(w, 'silent-drop'));
    assert.match(seen.healthBeforeRestore.reason, /probe rounds without an answer/);
    assert.deepEqual(seen.ruleWhileDown, [`${topo.server} 5101`]);
    // New connections left wan at its first missed probe round, before it was confirmed down.
    assert.match(agg.daemon.log(), /uplink wan missed a probe round: add IPv4 rule pref 5001 to \S+ lookup 5101.*\n(.*\n)*.*uplink wan is down/);
    assert.deepEqual(serverRule(), [`${topo.server} 5100`]);
  });

  it('connections opened after the first-subflow uplink died succeed over the other', () => {
    const w = topo.wans[0];
    cut(topo, w, 'silent-drop');
    // New connections opened between the cut and the daemon's reaction start on the dead
    // uplink (its source address is fixed at the first SYN): the check starts once it reacted.
    waitFor('the server rule to move to wan2', () => health('wan')?.state === 'down' && serverRule()[0] === `${topo.server} 5101`, 200);
    const before = topo.linkBytes(topo.rtr, topo.wans[1].dev);
    const conns = serverConns();
    const r = iperf(topo, { clientNs: topo.cli, serverNs: topo.dst, address: topo.destination, seconds: 2, mptcp: false, reverse: true });
    assert.ok(r.bitsPerSecond > 0.5 * RATE * 1e6, `a new download got ${r.bitsPerSecond} bit/s`);
    assert.ok(serverConns() > conns, 'through the proxy, as MPTCP');
    assert.ok(topo.linkBytes(topo.rtr, topo.wans[1].dev).rx - before.rx > r.bytes * 0.9, 'over wan2');
    assert.match(agg.rtr.run(['status']).stdout, /wan: down since .*probe rounds without an answer/);
    restore(topo, w, 'silent-drop');
  });

  it('kill -9 of the daemon mid-transfer: the restarted daemon adopts the kernel state and the proxies', () => {
    const ids = () => topo.ipJson<Obj[]>(topo.rtr, 'mptcp', 'endpoint', 'show').map((e) => `${e.id} ${e.address}`);
    const before = { ids: ids(), proxies: agg.rtr.settledDaemonState().proxy.instances.map((i: Obj) => i.pid) };
    const seen: Obj = {};
    const run = downloadThrough(topo, agg.rtr.dir, 8, [
      [2, () => { seen.logFrom = agg.daemon.log().length; process.kill(agg.daemon.pid, 'SIGKILL'); }],
      [3, () => { seen.daemon = agg.rtr.startDaemon(); }],
    ]);
    assert.equal(run.result.error, undefined, 'the transfer completed');
    assert.ok(rateMbit(run.samples, [0, 1], 4, 7.5) > 0.8 * 2 * RATE, 'at full speed over both uplinks after the restart');
    const log = (seen.daemon.log() as string).slice(seen.logFrom);
    const instances = agg.engine === 'relay' ? 1 : 2;
    assert.match(log, new RegExp(`adopted ${instances} running instance\\(s\\) from the previous daemon`));
    assert.doesNotMatch(log, /delete endpoint|add endpoint/, 'no endpoint was touched');
    assert.deepEqual(ids(), before.ids);
    assert.deepEqual(agg.rtr.settledDaemonState().proxy.instances.map((i: Obj) => i.pid), before.proxies, 'the same proxy processes');
    assert.equal(agg.rtr.proxies().length, instances, 'no proxy leaked');
    agg.daemon = seen.daemon;
  });
});
