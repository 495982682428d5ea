import assert from 'node:assert/strict';
import { HealthTracker } from '../../src/health/tracker.js';
import { probeTargets } from '../../src/health/targets.js';
import { HealthMonitor } from '../../src/health/monitor.js';
import { SERVER_PROBE_SPACING_MS, serverProbeTimeoutS } from '../../src/health/server-probe.js';
import { ServerKeeper } from '../../src/daemon/server-keeper.js';
import { fakeRuntime, missing, ok as answered } from './builders/fake-runtime.js';
import { planDesired } from '../../src/plan/plan.js';
import { diffState } from '../../src/diff/diff.js';
import type { ServerConfig } from '../../src/model/config.js';
import type { NetifdInterface } from '../../src/model/netifd.js';
import { applyToModel, caps, config, emptyObserved, HEALTH, kernelFromNetifd, uplink } from './builders/index.js';

const ok = (ms = 10) => ({ ok: true, ms });
const lost = { ok: false, error: 'ping 192.0.2.1: no reply' };
const server: ServerConfig = { name: 'vps', enabled: true, priority: 50, host: '10.99.0.1', port: 8388, password: 'x', method: 'chacha20-ietf-poly1305', line: 1 };

const wan = (name: string, dev: string, v4: string): NetifdInterface => ({
  name, up: true, available: true, l3Device: dev, proto: 'static', metric: 0,
  ipv4: [{ address: v4, mask: 24 }], ipv6: [], routes: [{ target: '0.0.0.0', mask: 0, nexthop: v4.replace(/\.\d+$/, '.1') }],
});
const netifd = [wan('wan', 'wan0', '10.20.1.2'), wan('wan2', 'wan1', '10.20.2.2')];
const withServer = (c = config(['wan', 'wan2'])) => ({ ...c, servers: [server] });
const links = (carrier: Record<string, boolean>) => netifd.map((n, i) => ({ ifindex: 10 + i, dev: n.l3Device!, up: true, carrier: carrier[n.l3Device!] ?? true }));

describe('health tracker', () => {
  it('starts up, goes down after down_after failed rounds in a row, and up after up_after good ones', () => {
    const t = new HealthTracker(HEALTH, 100, true);
    assert.equal(t.current, 'up');
    assert.equal(t.record(lost, 101), null);
    assert.equal(t.record(ok(), 101.5), null, 'a success resets the count');
    assert.equal(t.record(lost, 102), null);
    assert.equal(t.record(lost, 102.5), null);
    assert.deepEqual(t.record(lost, 103), { to: 'down', reason: '3 probe rounds without an answer (ping 192.0.2.1: no reply)' });
    assert.equal(t.record(lost, 103.5), null, 'logged once');
    assert.equal(t.record(ok(), 104), null);
    assert.equal(t.record(ok(), 104.5), null);
    assert.deepEqual(t.record(ok(20), 105), { to: 'up', reason: '3 probe rounds answered' });
    const s = t.snapshot();
    assert.equal(s.state, 'up');
    assert.equal(s.since, 105);
    assert.equal(s.reason, null);
    assert.equal(s.latency_ms, 12.5);
    assert.equal(s.loss, 0.56, '5 of 9 rounds lost');
    assert.equal(s.last_error, 'ping 192.0.2.1: no reply');
  });

  it('is suspect from the first missed round until up_after answers in a row, while still up', () => {
    const t = new HealthTracker(HEALTH, 100, true);
    assert.equal(t.suspect, false);
    t.record(lost, 101);
    assert.equal(t.suspect, true);
    assert.equal(t.snapshot().suspect, true);
    t.record(ok(), 101.5);
    t.record(ok(), 101.6);
    assert.equal(t.suspect, true, 'a lossy uplink stays suspect');
    t.record(ok(), 101.7);
    assert.equal(t.suspect, false, 'up_after answers clear it');
    for (const at of [102, 102.5, 103]) t.record(lost, at);
    assert.equal(t.current, 'down');
    assert.equal(t.suspect, false, 'down is not suspect');
  });

  it('takes an uplink down at once on carrier loss, and back only after good rounds', () => {
    const t = new HealthTracker(HEALTH, 0, true);
    assert.deepEqual(t.setCarrier(false, 1), { to: 'down', reason: 'no carrier' });
    assert.equal(t.setCarrier(true, 2), null);
    t.record(ok(), 2.5);
    t.record(ok(), 3);
    assert.deepEqual(t.record(ok(), 3.5), { to: 'up', reason: '3 probe rounds answered' });
  });

  it('follows carrier alone when there is nothing to probe', () => {
    const t = new HealthTracker(HEALTH, 0, false);
    assert.equal(t.setCarrier(false, 1)?.to, 'down');
    assert.equal(t.setCarrier(true, 2)?.to, 'up');
    assert.equal(t.snapshot().probed, false);
  });
});

describe('probe targets', () => {
  it('pings the server when no probe host is set, and TCP-connects to it, from the uplink address of its family', () => {
    assert.deepEqual(probeTargets(HEALTH, [server], ['2001:db8::2', '10.20.1.2']), [
      { kind: 'icmp', source: '10.20.1.2', host: '10.99.0.1' },
      { kind: 'tcp', source: '10.20.1.2', host: '10.99.0.1', port: 8388 },
    ]);
  });

  it('uses the probe hosts of each family, and nothing without a source of that family', () => {
    const h = { ...HEALTH, hosts: ['192.0.2.1', '2001:db8::53'], probeServer: false };
    assert.deepEqual(probeTargets(h, [server], ['10.20.1.2']), [{ kind: 'icmp', source: '10.20.1.2', host: '192.0.2.1' }]);
    assert.deepEqual(probeTargets(HEALTH, [], ['10.20.1.2']), []);
    assert.deepEqual(probeTargets(HEALTH, [{ ...server, host: 'vps.example.org' }], ['10.20.1.2']), [], 'a host name is not probed');
  });

  it('pings and connects to every server, besides the probe hosts: a dead server is told from a dead uplink', () => {
    const b = { ...server, name: 'b', host: '10.99.1.1' };
    const c = { ...server, name: 'c', port: 8400 };
    assert.deepEqual(probeTargets({ ...HEALTH, hosts: ['192.0.2.1'] }, [server, b, c], ['10.20.1.2']), [
      { kind: 'icmp', source: '10.20.1.2', host: '192.0.2.1' },
      { kind: 'icmp', source: '10.20.1.2', host: '10.99.0.1' },
      { kind: 'icmp', source: '10.20.1.2', host: '10.99.1.1' },
      { kind: 'tcp', source: '10.20.1.2', host: '10.99.0.1', port: 8388 },
      { kind: 'tcp', source: '10.20.1.2', host: '10.99.1.1', port: 8388 },
      { kind: 'tcp', source: '10.20.1.2', host: '10.99.0.1', port: 8400 },
    ]);
  });
});

describe('planning around failed uplinks', () => {
  it('sends new connections to the server by the first healthy uplink', () => {
    const d = planDesired(withServer(), netifd, kernelFromNetifd(netifd), caps);
    assert.deepEqual(d.rules.filter((r) => r.dst), [{ family: 4, pref: 5001, dst: '10.99.0.1', table: 5100 }]);
    const byPriority = planDesired(withServer(config([uplink('wan', { priority: 60 }), uplink('wan2', {}, 1)])), netifd, kernelFromNetifd(netifd), caps);
    assert.equal(byPriority.rules.find((r) => r.dst)!.table, 5101);
  });

  it('withdraws the endpoint of an unhealthy uplink but keeps its table and rule for the probes', () => {
    const d = planDesired(withServer(config(['wan', 'wan2'], { defaultRoute: true })), netifd, kernelFromNetifd(netifd), caps, { unhealthy: { wan: '3 probe rounds without an answer' } });
    assert.deepEqual(d.endpoints.map((e) => e.address), ['10.20.2.2']);
    assert.deepEqual(d.rules, [
      { family: 4, pref: 5000, src: '10.20.1.2', table: 5100 },
      { family: 4, pref: 5000, src: '10.20.2.2', table: 5101 },
      { family: 4, pref: 5001, dst: '10.99.0.1', table: 5101 },
      { family: 4, pref: 5003, table: 'main', suppressPrefixlength: 0 },
      { family: 4, pref: 5004, fwmark: 0x2000000, fwmask: 0x7f000000, table: 5101 },
      { family: 4, pref: 5005, table: 5101 },
    ], 'the default route and new flows leave by wan2; wan\'s flows are not kept on it');
    assert.equal(d.routes.length, 2);
    assert.deepEqual(d.limits, { subflows: 2, addAddrAccepted: 2 }, 'limits do not churn on a failover');
    const u = d.uplinks[0];
    assert.equal(u.state, 'failed');
    assert.equal(u.failure, '3 probe rounds without an answer');
    assert.deepEqual(u.sources, ['10.20.1.2']);
    assert.deepEqual(u.skipped, [{ address: '10.20.1.2', reason: 'withdrawn: 3 probe rounds without an answer' }]);
  });

  it('starts new connections on an uplink that answers while the first missed a probe round, and on it when all did', () => {
    const d = planDesired(withServer(), netifd, kernelFromNetifd(netifd), caps, { suspect: ['wan'] });
    assert.deepEqual(d.endpoints.map((e) => e.address), ['10.20.1.2', '10.20.2.2'], 'no endpoint changes');
    assert.equal(d.rules.find((r) => r.dst)!.table, 5101);
    const all = planDesired(withServer(), netifd, kernelFromNetifd(netifd), caps, { suspect: ['wan', 'wan2'] });
    assert.equal(all.rules.find((r) => r.dst)!.table, 5100);
    const downToo = planDesired(withServer(), netifd, kernelFromNetifd(netifd), caps, { suspect: ['wan'], unhealthy: { wan2: 'down' } });
    assert.equal(downToo.rules.find((r) => r.dst)!.table, 5100, 'a suspect uplink beats a failed one');
  });

  it('marks a failed uplink backup instead with on_down backup', () => {
    const c = withServer(config([uplink('wan', { health: { ...HEALTH, onDown: 'backup' } }), uplink('wan2', {}, 1)]));
    const d = planDesired(c, netifd, kernelFromNetifd(netifd), caps, { unhealthy: { wan: 'down' } });
    assert.deepEqual(d.endpoints.map((e) => [e.address, e.backup]), [['10.20.1.2', true], ['10.20.2.2', false]]);
    assert.equal(d.rules.find((r) => r.dst)!.table, 5101);
  });

  it('treats a device without carrier as failed even without the daemon (a static WAN gets no ifdown)', () => {
    const d = planDesired(withServer(), netifd, kernelFromNetifd(netifd), caps, { links: links({ wan1: false }) });
    assert.deepEqual(d.endpoints.map((e) => e.address), ['10.20.1.2']);
    assert.equal(d.uplinks[1].failure, 'no carrier on wan1');
  });

  it('fails over and back with only the endpoint and the server rule changing', () => {
    const kernel = kernelFromNetifd(netifd);
    const plan = (unhealthy: Record<string, string>) => planDesired(withServer(), netifd, kernel, caps, { unhealthy });
    let observed = emptyObserved(kernel);
    let owned = { endpoints: [] };
    const step = (unhealthy: Record<string, string>) => {
      const r = diffState(plan(unhealthy), observed, owned, new Set(['wan0', 'wan1']));
      observed = applyToModel(observed, r.changes);
      owned = r.owned as typeof owned;
      return r.changes.map((c) => c.kind);
    };
    step({});
    assert.deepEqual(step({ wan: 'down' }), ['rule-add', 'endpoint-del', 'rule-del']);
    assert.deepEqual(step({ wan: 'down' }), []);
    assert.deepEqual(step({}), ['rule-add', 'endpoint-add', 'rule-del']);
    assert.deepEqual(step({}), []);
  });
});

describe('health monitor: streaming pings and the server', () => {
  const uplinks = [
    { name: 'wan', dev: 'wan0', sources: ['10.20.1.2'], health: HEALTH },
    { name: 'wan2', dev: 'wan1', sources: ['10.20.2.2'], health: HEALTH },
  ];

  it('carrier loss: down when the kernel announces it; carrier read every round only without link events', async () => {
    for (const events of [true, false]) {
      let carrier = '1\n';
      const reads: number[] = [];
      const f = fakeRuntime({ noLinkEvents: !events, files: (p) => (p === '/sys/class/net/wan0/carrier' ? (reads.push(0), carrier) : undefined) });
      const changes: string[] = [];
      const monitor = new HealthMonitor(f.rt, (u, t) => changes.push(`${f.now()} ${u} ${t.to}`));
      monitor.update(uplinks, [server]);
      await f.advance(10000);
      assert.ok(events ? reads.length <= 4 : reads.length >= 20, `${reads.length} carrier reads in 20 rounds (link events: ${events})`);
      await f.advance(123);
      carrier = '0\n';
      if (events) f.linkEvent('wan0');
      const cut = f.now();
      await f.advance(events ? 0 : 600);
      assert.equal(changes.length, 1, `down (link events: ${events})`);
      assert.match(changes[0], /^\d+ wan down$/);
      assert.ok(Number(changes[0].split(' ')[0]) - cut <= (events ? 0 : 501), changes[0]);
      monitor.stop();
      if (events) assert.ok(f.linkMonitors.every((m) => m.stopped), 'stop ends ip monitor');
    }
  });

  it('runs one long-lived ping per target, not a process per probe', async () => {
    const f = fakeRuntime();
    const monitor = new HealthMonitor(f.rt, () => {});
    monitor.update(uplinks, [server]);
    await f.advance(60000);
    assert.equal(f.pings.length, 2, 'one ping process per uplink for a minute of rounds');
    assert.deepEqual(f.pings.map((p) => p.argv), [
      ['ping', '-4', '-n', '-i', '0.5', '-I', '10.20.1.2', '10.99.0.1'], ['ping', '-4', '-n', '-i', '0.5', '-I', '10.20.2.2', '10.99.0.1']]);
    assert.equal(monitor.snapshot().wan.state, 'up');
    assert.equal(monitor.snapshot().wan.loss, 0);
    assert.equal(monitor.snapshot().wan.latency_ms, 1);
    monitor.stop();
    assert.ok(f.pings.every((p) => p.stopped), 'stop ends the pings');
  });

  it('a silent drop: suspect at the first round unanswered after its timeout, down after down_after', async () => {
    let dead = false;
    const events: string[] = [];
    const fromDead = (s: string) => dead && s.includes('10.20.1.2');
    const f = fakeRuntime({ echo: (src) => (fromDead(src) ? null : 2), connect: (src) => !fromDead(src) });
    const monitor = new HealthMonitor(f.rt, (u, t) => events.push(`${f.now()} ${u} ${t.to}`), (u, s) => events.push(`${f.now()} ${u} ${s ? 'suspect' : 'steady'}`));
    monitor.update(uplinks, [server]);
    await f.advance(10000);
    dead = true;
    const cut = f.now();
    await f.advance(5000);
    const [suspect, down] = events.filter((e) => e.includes(' wan ')).map((e) => Number(e.split(' ')[0]) - cut);
    // The first ping after the cut times out 1 s after it was sent (sent within one interval).
    assert.ok(suspect >= 1000 && suspect <= 1500 + 30 + 1, `suspect ${suspect} ms after the cut`);
    assert.ok(down >= 2000 && down <= 2500 + 30 + 1, `down ${down} ms after the cut`);
    assert.equal(monitor.snapshot().wan2.state, 'up');
    dead = false;
    await f.advance(3000);
    assert.equal(monitor.snapshot().wan.state, 'up');
    monitor.stop();
  });

  it('a server falls silent only when no uplink hears it: the next one takes new traffic within 2 s of its death; a dead uplink alone changes nothing', async () => {
    const b = { ...server, name: 'vps2', host: '10.99.1.1' };
    const dead = new Set<string>();
    const f = fakeRuntime({
      connect: (src, host) => !dead.has(src) && !dead.has(host),
      echo: (src, host) => (dead.has(src) || dead.has(host) ? null : 2),
    });
    const changes: string[] = [];
    const keeper = new ServerKeeper(f.rt, (c) => changes.push(`${f.now()} ${c.kind} ${c.server}`));
    const monitor = new HealthMonitor(f.rt, () => {}, () => {}, keeper);
    keeper.configure([server, b], 60);
    monitor.update(uplinks, [server, b]);
    await f.advance(3000);
    assert.deepEqual(keeper.report().map((s) => [s.name, s.state, s.active]), [['vps', 'up', true], ['vps2', 'up', false]]);
    dead.add('10.20.1.2');
    await f.advance(30000);
    assert.equal(keeper.active?.name, 'vps', 'wan is dead, wan2 still reaches vps');
    dead.add('10.99.0.1');
    const cut = f.now();
    await f.advance(3000);
    const [over] = changes.filter((c) => c.includes('failover'));
    assert.ok(over, `a failover: ${changes}`);
    const after = Number(over.split(' ')[0]) - cut;
    assert.ok(after >= 700 && after <= 1300, `the failover ${after} ms after the silent death (pings every 500 ms, two missed)`);
    assert.match(keeper.report()[0].reason!, /^silent: no answer through any uplink for [0-9]+\.[0-9] s$/);
    dead.delete('10.99.0.1');
    // Up again once a connect through wan2 (every 5 s) gets through: the ones that failed meanwhile said otherwise.
    for (let i = 0; i < 60 && keeper.report()[0].state !== 'up'; i++) await f.advance(100);
    assert.equal(keeper.report()[0].state, 'up');
    await f.advance(59000);
    assert.equal(keeper.active?.name, 'vps2', 'back only after the hold-down');
    assert.equal(keeper.failback()?.server, 'vps');
    await f.advance(1100);
    assert.equal(keeper.active?.name, 'vps');
    assert.deepEqual(changes.map((c) => c.split(' ').slice(1).join(' ')), ['first vps', 'failover vps2', 'failback vps']);
    monitor.stop();
    keeper.stop();
  });

  it('a slow (metered) uplink does not hold back the fast one\'s verdict, and judges alone once the fast one is gone', async () => {
    const b = { ...server, name: 'vps2', host: '10.99.1.1' };
    const dead = new Set<string>();
    const f = fakeRuntime({ connect: (src, host) => !dead.has(src) && !dead.has(host), echo: (src, host) => (dead.has(src) || dead.has(host) ? null : 2) });
    const changes: string[] = [];
    const keeper = new ServerKeeper(f.rt, (c) => changes.push(`${f.now()} ${c.kind} ${c.server}`));
    const monitor = new HealthMonitor(f.rt, () => {}, () => {}, keeper);
    keeper.configure([server, b], 60);
    monitor.update([uplinks[0], { ...uplinks[1], health: { ...HEALTH, interval: 5 } }], [server, b]);
    await f.advance(12000);
    dead.add('10.20.1.2'); // the fast uplink dies: the slow one still hears both servers
    await f.advance(20000);
    assert.equal(keeper.active?.name, 'vps');
    dead.delete('10.20.1.2');
    await f.advance(3000);
    dead.add('10.99.0.1');
    const cut = f.now();
    await f.advance(3000);
    const over = changes.find((c) => c.includes('failover'));
    assert.ok(over && Number(over.split(' ')[0]) - cut <= 1300, `failover within 1.3 s of the death, not the slow uplink's 10 s: ${changes}`);
    monitor.stop();
    keeper.stop();
  });

  it('a server that refuses connections (its relay is gone, the host answers pings) is down once every uplink has been refused twice', async () => {
    let refusing = false;
    const f = fakeRuntime({ connect: () => !refusing });
    const keeper = new ServerKeeper(f.rt, () => {});
    const monitor = new HealthMonitor(f.rt, () => {}, () => {}, keeper);
    keeper.configure([server], 60);
    monitor.update(uplinks, [server]);
    await f.advance(6000);
    refusing = true;
    await f.advance(2 * SERVER_PROBE_SPACING_MS + 1000);
    assert.deepEqual(keeper.report().map((s) => [s.state, s.reason]), [['down', 'takes no connection (Connection refused)']]);
    assert.equal(keeper.active, null, 'no other server: none');
    monitor.stop();
    keeper.stop();
  });

  it('connects to the server every few seconds while ICMP answers, and every round while it does not', async () => {
    let icmp = true;
    const f = fakeRuntime({ echo: () => (icmp ? 1 : null) });
    const connects = f.connects;
    const monitor = new HealthMonitor(f.rt, () => {});
    monitor.update([uplinks[0]], [server]);
    await f.advance(20000);
    assert.ok(connects.length >= 20000 / SERVER_PROBE_SPACING_MS && connects.length <= 20000 / SERVER_PROBE_SPACING_MS + 2, `${connects.length} connects in 20 s`);
    connects.length = 0;
    icmp = false; // filtered ICMP: the TCP connect carries every round
    await f.advance(10000);
    assert.ok(connects.length >= 18, `${connects.length} connects in 20 rounds`);
    assert.equal(monitor.snapshot().wan.state, 'up');
    monitor.stop();
  });

  it('falls back to a ping per round where ping cannot stream (BusyBox without fractional -i)', async () => {
    const oneShots: string[][] = [];
    const f = fakeRuntime({
      pingFails: () => ({ lines: ['ping: invalid number \'0.5\''], status: 1 }),
      exec: (argv) => { if (argv[0] === 'ping') oneShots.push(argv); return answered(argv[0] === 'ping' ? '64 bytes from 10.99.0.1: seq=0 ttl=64 time=3 ms' : ''); },
    });
    const monitor = new HealthMonitor(f.rt, () => {});
    monitor.update([uplinks[0]], [server]);
    await f.advance(10000);
    assert.ok(oneShots.length >= 15, `${oneShots.length} one-shot pings`);
    assert.equal(monitor.snapshot().wan.state, 'up');
    monitor.stop();
  });

  it('connects through one helper process for every uplink, never a process per connect', async () => {
    const spawned: string[][] = [];
    const f = fakeRuntime({ exec: (argv) => { spawned.push(argv); return answered(); } });
    const monitor = new HealthMonitor(f.rt, () => {});
    monitor.update(uplinks, [server]);
    await f.advance(30000);
    assert.equal(f.helpers(), 1, 'one helper');
    assert.deepEqual(spawned, [], 'no process per probe');
    assert.deepEqual(new Set(f.connects.map((c) => `${c.source} ${c.host}:${c.port}`)), new Set(['10.20.1.2 10.99.0.1:8388', '10.20.2.2 10.99.0.1:8388']));
    monitor.stop();
  });

  it('without the helper, each connect runs socat; it tries the helper again later', async () => {
    const socats: string[][] = [];
    const f = fakeRuntime({ noHelper: true, exec: (argv) => { if (argv[0] === 'socat') socats.push(argv); return answered(); } });
    const heard: string[] = [];
    const monitor = new HealthMonitor(f.rt, () => {}, () => {}, { reply: () => {}, connect: (h, p, u, o) => heard.push(`${u} ${h}:${p} ${o.ok}`) });
    monitor.update([uplinks[0]], [server]);
    await f.advance(20000);
    assert.ok(socats.length >= 3, `${socats.length} socat connects`);
    assert.equal(f.helpers(), 1, 'one try: a helper that is not installed is not tried again soon');
    assert.ok(heard.length >= 3 && heard.every((h) => h === 'wan 10.99.0.1:8388 true'), `${heard}`);
    await f.advance(60000);
    assert.equal(f.helpers(), 2, 'tried again after a minute');
    monitor.stop();
  });

  it('a helper that stops answering is killed at the first late answer; socat carries on, and a new helper is tried', async () => {
    const socats: string[][] = [];
    const f = fakeRuntime({ connect: () => 'hang', exec: (argv) => { if (argv[0] === 'socat') socats.push(argv); return answered(); } });
    const monitor = new HealthMonitor(f.rt, () => {});
    monitor.update(uplinks, [server]);
    await f.advance(2100); // the first connects' timeout (1 s) and the grace (1 s)
    assert.deepEqual(f.killed, [2001], 'the stuck helper is killed');
    await f.advance(30000);
    assert.ok(socats.length > 0, 'socat carries the connects meanwhile');
    assert.ok(f.helpers() >= 2, 'a new helper after the backoff');
    assert.equal(monitor.snapshot().wan.state, 'up', 'health goes on meanwhile');
    monitor.stop();
  });

  it('a connect that cannot run (neither the helper nor socat) says nothing of the server', async () => {
    const f = fakeRuntime({ noHelper: true, exec: (argv) => (argv[0] === 'socat' ? missing : answered()) });
    const heard: string[] = [];
    const monitor = new HealthMonitor(f.rt, () => {}, () => {}, { reply: (h) => heard.push(`reply ${h}`), connect: (h) => heard.push(`connect ${h}`) });
    monitor.update(uplinks, [server]);
    await f.advance(5000);
    assert.ok(heard.length > 0 && heard.every((h) => h === 'reply 10.99.0.1'), `only ping replies: ${[...new Set(heard)]}`);
    monitor.stop();
  });
});

describe('the TCP probe of a server on a long path', () => {
  it('waits three measured round trips when that is longer than the probe timeout (a satellite: 600 ms)', () => {
    assert.equal(serverProbeTimeoutS(1, null), 1, 'nothing measured yet: the probe timeout');
    assert.equal(serverProbeTimeoutS(1, 50), 1);
    assert.equal(serverProbeTimeoutS(1, 610), 2, 'connect and signed handshake: two round trips, and room for a queue');
    assert.equal(serverProbeTimeoutS(3, 610), 3, 'a longer probe_timeout stays');
  });

  it('a tracker knows the mean round trip of its answered rounds', () => {
    const t = new HealthTracker(HEALTH, 0, true);
    assert.equal(t.latencyMs(), null);
    t.record({ ok: true, ms: 600 }, 0);
    t.record({ ok: true, ms: 620 }, 1);
    t.record({ ok: false }, 2);
    assert.equal(t.latencyMs(), 610);
  });
});
