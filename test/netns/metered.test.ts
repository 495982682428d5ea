// A metered uplink with a quota of a few MB, reached during a LAN download: the uplink turns
// backup (its subflows stay but carry nothing while the other uplink works), then, with
// quota_action 'off', off; the download goes on throughout. The counts live through a daemon
// restart. (The period's reset on its day is in test/unit/quota-keeper.test.ts, on a fake clock.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Topology, sweepStale } from './lib/topology.js';
import { setupAggregation, type Aggregation } from './lib/aggregation.js';
import { sleepMs, waitFor, waitListening } from './lib/wait.js';

const QUOTA = '6M';
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('a metered uplink with a quota', function () {
  this.timeout(180000);
  let topo: Topology;
  let agg: Aggregation;

  const wan2 = () => topo.wans[1];
  const bytes = () => { const b = topo.linkBytes(topo.rtr, wan2().dev); return b.rx + b.tx; };
  const endpoint = () => topo.ipJson<Obj[]>(topo.rtr, 'mptcp', 'endpoint', 'show').find((e) => e.address === wan2().addr);
  const usage = () => (agg.rtr.json(['status']).json.uplinks as Obj[]).find((u) => u.name === 'wan2')!.usage as Obj;
  const ledger = () => JSON.parse(readFileSync(join(agg.rtr.dir, 'run/usage.json'), 'utf8')).ledger.uplinks.wan2.bytes as number;

  before(() => {
    sweepStale();
    topo = new Topology({ wans: 2, rateMbit: 20, lan: true, dst: true, strictRpFilter: true });
    agg = setupAggregation(topo, [['check_interval', '1']]);
    // On, so it carries its share until the quota says otherwise.
    agg.editConfig('uplink', 'wan2', [['metered', '1'], ['mode', 'on'], ['quota', QUOTA]]);
    agg.rtr.reload();
    waitFor('both endpoints, not backup', () => endpoint() !== undefined && endpoint()!.backup !== true, 200);
  });
  after(() => {
    agg?.cleanup();
    topo?.destroy();
  });

  it('a download reaching the quota turns the uplink backup without ending the download; status and the log say so', () => {
    const server = topo.spawn(topo.dst, ['iperf3', '-s', '-1', '-p', '5401']);
    waitListening(topo, topo.dst, 5401);
    const start = bytes();
    const r = topo.spawn(topo.cli, ['iperf3', '-c', topo.destination, '-p', '5401', '-R', '-t', '25', '-J'], {}, join(agg.rtr.dir, 'iperf.json'));
    try {
      const switchedAt = waitFor('the quota to be reached', () => endpoint()?.backup === true && bytes(), 400);
      const carried = (switchedAt - start) / 1e6;
      sleepMs(1000);
      const a = bytes();
      sleepMs(4000);
      const after = (bytes() - a) / 4 / 1e6;
      console.log(`      wan2 carried ${carried.toFixed(1)} MB until it turned backup (quota ${QUOTA}, counted every 5 s), then ${after.toFixed(3)} MB/s`);
      assert.ok(after < 0.1, `backup: wan2 carries next to nothing while wan works (${after} MB/s)`);
      waitFor('the download to end', () => !Topology.alive(r.pid!), 600);
      const result = JSON.parse(readFileSync(join(agg.rtr.dir, 'iperf.json'), 'utf8'));
      assert.equal(result.error, undefined, 'the download was not cut');
      assert.ok(result.end.sum_received.seconds >= 24, `it ran its 25 s: ${result.end.sum_received.seconds}`);
      const u = usage();
      assert.equal(u.over, true);
      assert.equal(u.action, 'backup');
      assert.ok(u.percent >= 100, JSON.stringify(u));
      assert.match(agg.daemon.log(), /uplink wan2 has carried [\d.]+ MB of 6\.0 MB, its quota: it carries traffic only when no unmetered uplink is healthy until the period ends/);
      assert.match(agg.rtr.run(['status']).stdout, /Metered uplinks \(bytes both ways in the quota period\):\n {2}wan2: [\d.]+ MB of 6\.0 MB \(\d+(\.\d)?%\) from \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d: OVER ITS QUOTA, backup only until the period ends/);
    } finally {
      try { process.kill(-server.pid!, 'SIGKILL'); } catch { /* gone */ }
    }
  });

  it("quota_action 'off' takes the uplink out; a download that is running goes on over the other", () => {
    const server = topo.spawn(topo.dst, ['iperf3', '-s', '-1', '-p', '5402']);
    waitListening(topo, topo.dst, 5402);
    const r = topo.spawn(topo.cli, ['iperf3', '-c', topo.destination, '-p', '5402', '-R', '-t', '10', '-J'], {}, join(agg.rtr.dir, 'iperf2.json'));
    try {
      sleepMs(2000);
      agg.editConfig('uplink', 'wan2', [['quota_action', 'off']]);
      agg.rtr.reload();
      waitFor('the endpoint gone', () => endpoint() === undefined, 200);
      const st = (agg.rtr.json(['status']).json.uplinks as Obj[]).find((u) => u.name === 'wan2')!;
      assert.deepEqual([st.mode, st.state, st.usage.action], ['off', 'disabled', 'off']);
      waitFor('the download to end', () => !Topology.alive(r.pid!), 400);
      const result = JSON.parse(readFileSync(join(agg.rtr.dir, 'iperf2.json'), 'utf8'));
      assert.equal(result.error, undefined, 'the download was not cut');
      assert.ok(result.end.sum_received.bytes > 0);
    } finally {
      try { process.kill(-server.pid!, 'SIGKILL'); } catch { /* gone */ }
    }
  });

  it('counts live through a daemon restart, the bytes while none ran included', () => {
    const before = ledger();
    process.kill(agg.daemon.pid, 'SIGKILL');
    waitFor('the daemon gone', () => !agg.daemon.alive(), 100);
    // Traffic on wan2 while no daemon counts (the endpoint is gone, but the uplink still carries probes' and other traffic).
    const moved = bytes();
    topo.exec(topo.rtr, ['ping', '-c', '20', '-i', '0.01', '-s', '1000', '-I', wan2().addr, wan2().gw]);
    const gap = bytes() - moved;
    agg.daemon = agg.rtr.startDaemon();
    waitFor('a count by the new daemon', () => ledger() >= before + gap, 400);
    const u = usage();
    assert.ok(u.bytes >= before + gap, `${u.bytes} >= ${before} + ${gap}`);
    assert.equal(u.over, true, 'still over its quota');
    assert.equal(endpoint(), undefined, 'still off');
  });
});
