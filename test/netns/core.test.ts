// mpwan's core against the real kernel: a router namespace with WAN veths, a server
// namespace with an MPTCP listener and strict rp_filter, mpwan installed and run under qjs.
// Each case builds fresh namespaces (like mptcp_join.sh's `reset`).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Topology, sweepStale, type TopologyOptions } from './lib/topology.js';
import { Router } from './lib/mpwan.js';
import { mptcpFromRouter } from './lib/traffic.js';
import { waitFor } from './lib/wait.js';

interface Endpoint { id: number; address: string; dev?: string; subflow?: boolean; backup?: boolean; signal?: boolean }
interface Rule { priority: number; src?: string; table: string }

describe('core: endpoints, routing and reconcile on the real kernel', function () {
  this.timeout(60000);
  let topo: Topology | undefined;
  let rtr: Router | undefined;

  before(() => sweepStale());
  afterEach(() => {
    rtr?.cleanup();
    topo?.destroy();
    rtr = undefined;
    topo = undefined;
  });

  function reset(options: TopologyOptions) {
    topo = new Topology(options);
    rtr = new Router(topo);
    return { topo, rtr };
  }
  const endpoints = (t: Topology) => t.ipJson<Endpoint[]>(t.rtr, 'mptcp', 'endpoint', 'show');
  const rules = (t: Topology, fam = '-4') => t.ipJson<Rule[]>(t.rtr, fam, 'rule', 'show').filter((r) => r.priority === 5000);
  const kernelState = (t: Topology) => JSON.stringify([
    endpoints(t), t.ipJson(t.rtr, 'rule', 'show'), t.ipJson(t.rtr, '-6', 'rule', 'show'),
    t.ipJson(t.rtr, 'route', 'show', 'table', 'all'), t.ip(t.rtr, 'mptcp', 'limits', 'show'),
  ]);

  it('programs one endpoint, table and rule per uplink, and an MPTCP connection joins over every WAN', () => {
    const { topo, rtr } = reset({ wans: 3, rateMbit: 20, strictRpFilter: true });
    rtr.writeDefaultConfig();
    const r = rtr.run(['apply']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.ubusCalls, ['call network.interface dump'], 'netifd is asked exactly once per run');
    assert.deepEqual(endpoints(topo).map((e) => [e.id, e.address, e.dev, e.subflow, e.backup ?? false]), [
      [1, '10.20.1.2', 'wan0', true, false], [2, '10.20.2.2', 'wan1', true, false], [3, '10.20.3.2', 'wan2', true, false],
    ]);
    assert.deepEqual(rules(topo).map((x) => [x.src, x.table]), [['10.20.1.2', '5100'], ['10.20.2.2', '5101'], ['10.20.3.2', '5102']]);
    for (const w of topo.wans) {
      assert.deepEqual(topo.ipJson(topo.rtr, 'route', 'show', 'table', String(5100 + w.index)), [{ dst: 'default', gateway: w.gw, dev: w.dev, flags: [] }]);
      assert.equal(topo.readFile(topo.rtr, `/proc/sys/net/ipv4/conf/${w.dev}/rp_filter`).trim() !== '1', true);
    }
    assert.match(topo.ip(topo.rtr, 'mptcp', 'limits', 'show'), /subflows 3/);

    const before = topo.wans.map((w) => topo.linkBytes(topo.rtr, w.dev).tx);
    const joinsBefore = topo.mptcpCounters(topo.vps).MPJoinSynRx;
    const t = mptcpFromRouter(topo, 4);
    const sent = topo.wans.map((w, i) => topo.linkBytes(topo.rtr, w.dev).tx - before[i]);
    const vps = topo.mptcpCounters(topo.vps);
    console.log(`      3 x 20 Mbit/s: ${(t.bitsPerSecond / 1e6).toFixed(1)} Mbit/s, bytes per WAN ${sent.map((b) => (b / 1e6).toFixed(1)).join(' / ')} MB, server MPJoinSynRx +${vps.MPJoinSynRx - joinsBefore}`);
    // iperf3 opens two MPTCP connections (control and data): each joins over both extra WANs.
    assert.equal(vps.MPJoinSynRx - joinsBefore, 2 * 2, 'one join per extra uplink reaches the server despite strict rp_filter');
    assert.equal(vps.MPJoinRejected, 0);
    const total = sent.reduce((a, b) => a + b, 0);
    for (const s of sent) assert.ok(s > total * 0.15, `every WAN carries a share of the bytes: ${sent.join(', ')}`);
    assert.ok(t.bitsPerSecond > 40e6, `aggregate above two links' worth: ${t.bitsPerSecond}`);
  });

  it('leaves the default route to mwan3 when it runs, and says so; takes it back when mwan3 is gone', () => {
    const { topo, rtr } = reset({ wans: 2 });
    rtr.writeDefaultConfig();
    const ours = () => topo.ipJson<Rule[]>(topo.rtr, 'rule', 'show').filter((r) => r.priority >= 5003 && r.priority <= 5005).map((r) => r.priority);
    assert.equal(rtr.run(['apply']).status, 0);
    assert.deepEqual(ours(), [5003, 5004, 5004, 5005]);
    // What mwan3 keeps while it runs: rules in 1000-3999 (here one of its `iif` rules).
    topo.ip(topo.rtr, 'rule', 'add', 'pref', '1001', 'iif', 'wan0', 'lookup', '1');
    assert.equal(rtr.run(['apply']).status, 0);
    assert.deepEqual(ours(), []);
    const st = rtr.json(['status']).json;
    assert.deepEqual(st.default_route.map((d: { reason: string }) => d.reason), ['mwan3 runs and manages the default route', 'mwan3 runs and manages the default route']);
    assert.match(rtr.run(['status']).stdout, /IPv4: netifd's main table \(mwan3 runs and manages the default route\)/);
    assert.deepEqual(topo.ipJson<Rule[]>(topo.rtr, 'rule', 'show').filter((r) => r.priority === 1001).length, 1, "mwan3's rule is left alone");
    topo.ip(topo.rtr, 'rule', 'del', 'pref', '1001');
    assert.equal(rtr.run(['apply']).status, 0);
    assert.deepEqual(ours(), [5003, 5004, 5004, 5005]);
  });

  it('changes nothing when applied again, and reports the plan as in sync', () => {
    const { topo, rtr } = reset({ wans: 2 });
    rtr.writeDefaultConfig("\toption stale_loss_cnt '2'\n");
    assert.equal(rtr.run(['apply']).status, 0);
    const state = kernelState(topo);
    const again = rtr.run(['apply'], { spy: true });
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(again.mutatingIpCalls, [], 'a no-op run runs no command that changes the kernel');
    assert.match(again.stdout, /Nothing to change/);
    assert.equal(kernelState(topo), state);
    const status = rtr.json(['status']).json;
    assert.equal(status.in_sync, true);
    assert.deepEqual(status.uplinks.map((u: { name: string; state: string; endpoints: unknown[] }) => [u.name, u.state, u.endpoints.length]), [['wan', 'active', 1], ['wan2', 'active', 1]]);
  });

  it('raises the router\'s TCP buffer limits to its floor and to what the uplinks\' rates need; status warns about the server\'s', () => {
    const { topo, rtr } = reset({ wans: 2 });
    topo.sysctl(topo.rtr, 'net.ipv4.tcp_rmem', '4096 131072 1048576');
    topo.sysctl(topo.rtr, 'net.ipv4.tcp_wmem', '4096 16384 8388608');
    const limit = (key: string) => topo.readFile(topo.rtr, `/proc/sys/net/ipv4/${key}`).trim().split(/\s+/).join(' ');
    rtr.writeDefaultConfig();
    assert.equal(rtr.run(['apply']).status, 0);
    assert.equal(limit('tcp_rmem'), '4096 131072 6291456', 'raised to the floor');
    assert.equal(limit('tcp_wmem'), '4096 16384 8388608', 'never lowered');
    // A satellite 300/20 Mbit/s at 600 ms: 2 x 320 Mbit/s x 600 ms = 48 MB down, more than server setup's 16 MB.
    rtr.writeDefaultConfig('', { wan: "\toption download '20'\n\toption upload '5'\n\toption rtt '40'\n", wan2: "\toption download '300'\n\toption upload '20'\n\toption rtt '600'\n" });
    assert.equal(rtr.run(['apply']).status, 0);
    assert.equal(limit('tcp_rmem'), '4096 131072 48000000');
    const st = rtr.json(['status']).json;
    assert.equal(st.buffers.need.router.rmem, 48000000);
    const buffers = st.warnings.filter((w: string) => /tcp_/.test(w));
    assert.equal(buffers.length, 1, 'the router has what it needs now; the server, as setup leaves it, not');
    assert.match(buffers[0], /^the server's \(as 'mpwan server setup' sets it\) net\.ipv4\.tcp_wmem/);
    assert.match(rtr.run(['status']).stdout, /net\.ipv4\.tcp_wmem allows 16\.0 MB per connection; downloading over wan \+ wan2 \(longest RTT 600 ms\) needs 45\.8 MB/);
  });

  it('never touches a foreign endpoint or rule, also on stop', () => {
    const { topo, rtr } = reset({ wans: 2 });
    topo.ip(topo.rtr, 'addr', 'add', '10.77.0.1/32', 'dev', 'lo');
    topo.ip(topo.rtr, 'mptcp', 'endpoint', 'add', '10.77.0.1', 'id', '42', 'signal');
    topo.ip(topo.rtr, 'rule', 'add', 'pref', '5000', 'from', '10.77.0.1', 'lookup', '100');
    topo.ip(topo.rtr, 'rule', 'add', 'pref', '1500', 'from', '10.20.1.2', 'lookup', '5100');
    rtr.writeDefaultConfig();
    const limitsFound = topo.ip(topo.rtr, 'mptcp', 'limits', 'show');
    assert.equal(rtr.run(['apply']).status, 0);
    assert.deepEqual(endpoints(topo).map((e) => e.id), [1, 2, 42].filter((id) => id !== 3).sort((a, b) => a - b).map((id) => id));
    // What a daemon killed with SIGKILL leaves: a server's key, the relay's server file, its pid
    // file, and a proxy still running (a stand-in whose argv names the server file, as the
    // relay's does) with the record of it.
    for (const f of ['server-vps.key', 'relay-server', 'daemon.pid']) writeFileSync(join(rtr.dir, 'run', f), 'x\n', { mode: 0o600 });
    const proxy = spawn('tail', ['-f', join(rtr.dir, 'run/relay-server')], { stdio: 'ignore' });
    waitFor('the stand-in to run', () => readFileSync(`/proc/${proxy.pid}/cmdline`, 'utf8').startsWith('tail'));
    writeFileSync(join(rtr.dir, 'run/proxies.json'), JSON.stringify({ launch: 'x', pids: [proxy.pid] }));
    const stop = rtr.run(['stop']);
    assert.equal(stop.status, 0, stop.stderr);
    assert.equal(topo.ip(topo.rtr, 'mptcp', 'limits', 'show'), limitsFound, 'the limits as mpwan found them');
    assert.deepEqual(readdirSync(join(rtr.dir, 'run')).sort(), ['lock', 'owned.json'], 'the records and the lock (never removed) stay');
    // Stopped: it may still be finishing its exit (a zombie once done: this process reaps it later).
    const exited = () => { try { return /^State:\s+Z/m.test(readFileSync(`/proc/${proxy.pid}/status`, 'utf8')); } catch { return true; } };
    try {
      waitFor('the left proxy to have exited', exited);
    } finally {
      proxy.kill('SIGKILL');
    }
    assert.deepEqual(endpoints(topo).map((e) => [e.id, e.address]), [[42, '10.77.0.1']]);
    const left = topo.ipJson<Rule[]>(topo.rtr, 'rule', 'show').map((x) => `${x.priority} ${x.src} ${x.table}`);
    assert.ok(left.includes('5000 10.77.0.1 100') && left.includes('1500 10.20.1.2 5100'), left.join('\n'));
    assert.equal(rules(topo).length, 1);
    assert.deepEqual(topo.ipJson(topo.rtr, 'route', 'show', 'table', '5100'), []);
  });

  it('replaces the endpoint and rule when an uplink address changes, and joins from the new address', () => {
    const { topo, rtr } = reset({ wans: 2, strictRpFilter: true });
    rtr.writeDefaultConfig();
    assert.equal(rtr.run(['apply']).status, 0);
    topo.ip(topo.rtr, 'addr', 'del', '10.20.2.2/24', 'dev', 'wan1');
    topo.ip(topo.rtr, 'addr', 'add', '10.20.2.3/24', 'dev', 'wan1');
    topo.ip(topo.rtr, 'route', 'replace', 'default', 'via', '10.20.2.1', 'dev', 'wan1', 'metric', '20');
    rtr.netifd.update();
    const r = rtr.run(['apply']);
    assert.equal(r.status, 0, r.stderr);
    // A new address is a new endpoint: the lowest id not in use while the old one still existed.
    assert.deepEqual(endpoints(topo).map((e) => [e.id, e.address, e.dev]), [[1, '10.20.1.2', 'wan0'], [3, '10.20.2.3', 'wan1']]);
    assert.deepEqual(rules(topo).map((x) => x.src), ['10.20.1.2', '10.20.2.3']);
    const joins = topo.mptcpCounters(topo.vps).MPJoinSynRx;
    mptcpFromRouter(topo, 1);
    assert.equal(topo.mptcpCounters(topo.vps).MPJoinSynRx - joins, 2, 'each of iperf3\'s two connections joins from the new address');
  });

  it('re-creates the endpoint when the uplink device comes back with a new ifindex', () => {
    const { topo, rtr } = reset({ wans: 2 });
    rtr.writeDefaultConfig();
    assert.equal(rtr.run(['apply']).status, 0);
    // What a PPPoE/LTE reconnect does: the device disappears and returns under the same name.
    topo.ip(topo.rtr, 'link', 'del', 'wan1');
    topo.ip(topo.rtr, 'link', 'add', 'wan1', 'type', 'veth', 'peer', 'name', 'isp1b', 'netns', topo.vps);
    topo.ip(topo.rtr, 'addr', 'add', '10.20.2.2/24', 'dev', 'wan1');
    topo.ip(topo.rtr, 'link', 'set', 'wan1', 'up');
    topo.ip(topo.vps, 'addr', 'add', '10.20.2.1/24', 'dev', 'isp1b');
    topo.ip(topo.vps, 'link', 'set', 'isp1b', 'up');
    topo.ip(topo.rtr, 'route', 'add', 'default', 'via', '10.20.2.1', 'dev', 'wan1', 'metric', '20');
    rtr.netifd.update();
    assert.match(JSON.stringify(endpoints(topo)), /"dev":"if\d+"/, 'the kernel keeps the endpoint of the vanished device');
    const r = rtr.run(['apply']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /delete endpoint id 2 10\.20\.2\.2 .*device changed/);
    assert.deepEqual(endpoints(topo).map((e) => [e.id, e.dev]), [[1, 'wan0'], [2, 'wan1']]);
    assert.deepEqual(topo.ipJson(topo.rtr, 'route', 'show', 'table', '5101'), [{ dst: 'default', gateway: '10.20.2.1', dev: 'wan1', flags: [] }]);
  });

  it('marks a backup uplink backup in place, keeping its id', () => {
    const { topo, rtr } = reset({ wans: 2 });
    rtr.writeDefaultConfig();
    assert.equal(rtr.run(['apply']).status, 0);
    rtr.writeDefaultConfig('', { wan2: "\toption mode 'backup'\n" });
    const r = rtr.run(['apply'], { spy: true });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.mutatingIpCalls, ['mptcp endpoint change id 2 backup']);
    assert.deepEqual(endpoints(topo).map((e) => [e.id, e.backup ?? false]), [[1, false], [2, true]]);
  });

  it('plans IPv6 endpoints and rules next to IPv4', () => {
    const { topo, rtr } = reset({ wans: 2, ipv6: true });
    rtr.writeDefaultConfig();
    const r = rtr.run(['apply']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(endpoints(topo).map((e) => e.address).sort(), ['10.20.1.2', '10.20.2.2', '2001:db8:1::2', '2001:db8:2::2']);
    assert.deepEqual(rules(topo, '-6').map((x) => [x.src, x.table]), [['2001:db8:1::2', '5100'], ['2001:db8:2::2', '5101']]);
    const joinCounters = () => {
      const [r, v] = [topo.mptcpCounters(topo.rtr), topo.mptcpCounters(topo.vps)];
      return { routerSynTx: r.MPJoinSynTx, routerSynTxErr: (r.MPJoinSynTxCreatSkErr ?? 0) + (r.MPJoinSynTxBindErr ?? 0) + (r.MPJoinSynTxConnectErr ?? 0), serverSynRx: v.MPJoinSynRx, serverAckRx: v.MPJoinAckRx };
    };
    const before = joinCounters();
    // Two seconds, not one: a join SYN lost to a busy machine is sent again after the 1 s SYN timeout,
    // and a connection that has already closed would not retry it.
    mptcpFromRouter(topo, 2, topo.server6);
    // The counter may trail the transfer by a moment: a join is sent after the connection is up.
    const joined = () => joinCounters().serverSynRx - before.serverSynRx;
    try {
      waitFor('IPv6 connections (iperf3 opens two) to join over the second WAN', () => joined() >= 2, 60);
    } catch (e) {
      throw new Error(`${(e as Error).message}: MPTCP join counters before ${JSON.stringify(before)}, after ${JSON.stringify(joinCounters())}`);
    }
    assert.equal(joined(), 2);
  });

  it('keeps to the kernel limit of 8 endpoints and says which uplink was left out', () => {
    const { topo, rtr } = reset({ wans: 9 });
    rtr.writeDefaultConfig();
    const r = rtr.run(['apply']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(endpoints(topo).length, 8);
    assert.match(r.stderr, /wan9: 10\.20\.9\.2 left out: the kernel allows 8 endpoints/);
    assert.match(topo.ip(topo.rtr, 'mptcp', 'limits', 'show'), /add_addr_accepted 8 subflows 8/);
  });

  it('changes nothing on an invalid config', () => {
    const { topo, rtr } = reset({ wans: 2 });
    rtr.writeDefaultConfig();
    assert.equal(rtr.run(['apply']).status, 0);
    const state = kernelState(topo);
    rtr.writeConfig("config globals 'globals'\n\toption enabled 'perhaps'\nconfig uplink 'wan'\n\toption mode 'sometimes'\n");
    const r = rtr.run(['apply'], { spy: true });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /:2: globals\.enabled: 'perhaps' is not valid/);
    assert.match(r.stderr, /:4: wan\.mode: 'sometimes' is not valid/);
    assert.deepEqual(r.ipCalls, []);
    assert.deepEqual(r.ubusCalls, []);
    assert.equal(kernelState(topo), state);
  });

  it('restores the previous state when a step fails', () => {
    const { topo, rtr } = reset({ wans: 2 });
    rtr.writeDefaultConfig("\toption stale_loss_cnt '2'\n");
    const state = kernelState(topo);
    const sysctl = topo.readFile(topo.rtr, '/proc/sys/net/mptcp/stale_loss_cnt');
    const r = rtr.run(['apply'], { failOn: 'mptcp endpoint add 10.20.2.2 id 2 dev wan1 subflow' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /failed: ip mptcp endpoint add 10\.20\.2\.2 .*injected by test.*previous state restored/);
    assert.equal(kernelState(topo), state);
    assert.equal(topo.readFile(topo.rtr, '/proc/sys/net/mptcp/stale_loss_cnt'), sysctl);
    assert.equal(rtr.run(['apply']).status, 0, 'the next run applies cleanly');
    assert.equal(endpoints(topo).length, 2);
  });

  it('says clearly when the kernel has MPTCP disabled', () => {
    const { topo, rtr } = reset({ wans: 1 });
    topo.sysctl(topo.rtr, 'net.mptcp.enabled', '0');
    rtr.writeDefaultConfig();
    const r = rtr.run(['apply']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /MPTCP is disabled in the kernel: run sysctl -w net\.mptcp\.enabled=1/);
    assert.deepEqual(endpoints(topo), []);
  });
});
