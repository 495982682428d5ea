// The ubus API: the installed rpcd plugin driven as rpcd drives it, every method checked
// against real kernel state in namespaces.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Topology, sweepStale } from './lib/topology.js';
import { Router } from './lib/mpwan.js';
import { Rpcd } from './lib/rpcd.js';
import { waitFor, waitListening } from './lib/wait.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('ubus API: the mpwan rpcd plugin', function () {
  this.timeout(60000);
  let topo: Topology;
  let rtr: Router;
  let rpcd: Rpcd;
  const port = 7000 + (process.pid % 1000);

  before(() => {
    sweepStale();
    topo = new Topology({ wans: 2, rateMbit: 20 });
    rtr = new Router(topo);
    rtr.writeDefaultConfig('', { wan2: "\toption priority '60'\n" });
    rtr.writeConfig(readFileSync(join(rtr.dir, 'etc/mpwan'), 'utf8') +
      `\n# the aggregation server\nconfig server 'vps'\n\toption host '${topo.server}'\n\toption port '${port}'\n\toption password 'not-used-here'\n`);
    assert.equal(rtr.run(['apply']).status, 0);
    rpcd = new Rpcd(rtr);
  });
  after(() => {
    rtr?.cleanup();
    topo?.destroy();
  });

  const ok = (method: string, args: Obj | string = {}): Obj => {
    const r = rpcd.call(method, args);
    assert.equal(r.status, 'ok', `${method}: ${r.stdout} ${r.stderr}`);
    return (r as { data: Obj }).data;
  };
  const endpoints = () => topo.ipJson<Obj[]>(topo.rtr, 'mptcp', 'endpoint', 'show');

  it('lists every method statically, with typed arguments', () => {
    const r = rpcd.list();
    assert.equal(r.status, 'ok');
    assert.deepEqual(Rpcd.signatureTypes((r as { data: Obj }).data), {
      status: {}, uplinks: {}, endpoints: {}, counters: {}, connections: {}, plan: {}, reload: {},
      set_uplink: { uplink: 'String', mode: 'String' }, diagnose: { uplink: 'String' },
    });
  });

  it('status reports the uplinks, endpoints and limits the kernel has', () => {
    const s = ok('status', { ubus_rpc_session: '00000000000000000000000000000000' });
    const kernel = endpoints();
    assert.deepEqual(s.uplinks.map((u: Obj) => [u.name, u.state, u.device, u.endpoints.map((e: Obj) => e.id)]),
      [['wan', 'active', 'wan0', [kernel[0].id]], ['wan2', 'active', 'wan1', [kernel[1].id]]]);
    assert.equal(s.in_sync, true);
    assert.deepEqual(s.limits, { subflows: 2, add_addr_accepted: 2 });
    assert.equal(typeof s.counters.MPJoinSynTx, 'number');
    assert.ok(Rpcd.asUbusCli(s).startsWith('{\n\t"version"'));
  });

  it('uplinks, endpoints and counters give focused views', () => {
    assert.deepEqual(ok('uplinks').uplinks.map((u: Obj) => u.name), ['wan', 'wan2']);
    const e = ok('endpoints');
    assert.deepEqual(e.endpoints.map((x: Obj) => [x.uplink, x.address, x.device, x.flags]),
      [['wan', '10.20.1.2', 'wan0', ['subflow']], ['wan2', '10.20.2.2', 'wan1', ['subflow']]]);
    assert.deepEqual(e.foreign, []);
    const c = ok('counters').counters;
    assert.equal(c.MPJoinSynTx, topo.mptcpCounters(topo.rtr).MPJoinSynTx);
  });

  it('connections shows each MPTCP connection with bytes per uplink', () => {
    const server = topo.spawn(topo.vps, ['mptcpize', 'run', 'iperf3', '-s', '-1', '-B', topo.server, '-p', String(port + 1)]);
    waitListening(topo, topo.vps, port + 1);
    const client = topo.spawn(topo.rtr, ['mptcpize', 'run', 'iperf3', '-c', topo.server, '-p', String(port + 1), '-t', '5']);
    // Until the data connection has carried data over both uplinks (well within the 5 s run).
    const both = (x: Obj) => x.bytes_sent > 100000 && x.subflows.filter((s: Obj) => s.bytes_sent > 10000).length === 2;
    let c: Obj = {};
    try {
      waitFor('a connection carrying data over both uplinks', () => (c = ok('connections')).connections?.some(both), 100);
    } finally {
      client.kill();
      server.kill();
    }
    assert.equal(c.available, true);
    const data = c.connections.find((x: Obj) => x.bytes_sent > 100000);
    assert.ok(data, JSON.stringify(c));
    assert.deepEqual(data.subflows.map((s: Obj) => s.uplink).sort(), ['wan', 'wan2']);
    for (const s of data.subflows) assert.ok(s.bytes_sent > 10000, JSON.stringify(s));
  });

  it('plan shows what an apply would change, and changes nothing', () => {
    const id = endpoints()[1].id;
    topo.ip(topo.rtr, 'mptcp', 'endpoint', 'delete', 'id', String(id));
    const p = ok('plan');
    assert.deepEqual(p.changes, [`add endpoint id ${id} 10.20.2.2 dev wan1 subflow (wan2)`]);
    assert.equal(endpoints().length, 1);
  });

  it('reload applies now (the deleted endpoint comes back)', () => {
    const r = ok('reload');
    assert.equal(r.applied, true);
    assert.equal(r.changes.length, 1);
    assert.equal(endpoints().length, 2);
    assert.deepEqual(ok('reload').changes, []);
  });

  it('set_uplink persists the one option, keeps comments, and applies', () => {
    const file = join(rtr.dir, 'etc/mpwan');
    const before = readFileSync(file, 'utf8');
    const r = ok('set_uplink', { uplink: 'wan2', mode: 'backup', ubus_rpc_session: 'x' });
    assert.equal(r.config_changed, true);
    const after = readFileSync(file, 'utf8');
    assert.equal(after.replace("\toption mode 'backup'\n", ''), before, 'only the one option line was added');
    assert.ok(after.includes('# the aggregation server'));
    assert.equal(endpoints()[1].backup, true);
    ok('set_uplink', { uplink: 'wan2', mode: 'on' });
    assert.equal(endpoints()[1].backup, undefined);
  });

  it('set_uplink refuses unknown uplinks and bad modes with a clear error, changing nothing', () => {
    const file = join(rtr.dir, 'etc/mpwan');
    const before = readFileSync(file, 'utf8');
    for (const [args, code, msg] of [
      [{ uplink: 'lte', mode: 'on' }, 'invalid_argument', /unknown uplink 'lte' \(configured: wan, wan2\)/],
      [{ uplink: 'wan', mode: 'fast' }, 'invalid_argument', /'mode' must be one of on, backup, off/],
      [{ uplink: 'wan; reboot', mode: 'on' }, 'invalid_argument', /not allowed/],
      [{ uplink: 'wan' }, 'invalid_argument', /missing argument 'mode'/],
    ] as const) {
      const e = ok('set_uplink', args).error;
      assert.equal(e.code, code);
      assert.match(e.message, msg);
    }
    assert.equal(readFileSync(file, 'utf8'), before);
  });

  it('diagnose explains each uplink: addresses, routing, endpoint, gateway and the MPTCP handshake', () => {
    const server = topo.spawn(topo.vps, ['mptcpize', 'run', 'iperf3', '-s', '-B', topo.server, '-p', String(port)]);
    waitListening(topo, topo.vps, port);
    try {
      const d = ok('diagnose');
      for (const u of d.uplinks) {
        const bad = u.checks.filter((c: Obj) => c.status !== 'pass');
        assert.deepEqual(bad, [], `${u.uplink}: ${JSON.stringify(u.checks, null, 1)}`);
        assert.deepEqual([...new Set(u.checks.map((c: Obj) => c.check))], ['netifd', 'address', 'route', 'rule', 'endpoint', 'gateway', 'mptcp']);
      }
      const one = ok('diagnose', { uplink: 'wan2' });
      assert.equal(one.uplinks.length, 1);
      assert.match(one.uplinks[0].checks.at(-1).message, /MPTCP handshake with 10\.99\.0\.1:\d+ from 10\.20\.2\.2 succeeded/);
    } finally {
      process.kill(-server.pid!, 'SIGKILL');
    }
  });

  it('diagnose notices a connection that falls back to plain TCP', () => {
    const server = topo.spawn(topo.vps, ['iperf3', '-s', '-B', topo.server, '-p', String(port)]);
    waitListening(topo, topo.vps, port);
    try {
      const check = ok('diagnose', { uplink: 'wan' }).uplinks[0].checks.at(-1);
      assert.equal(check.status, 'fail');
      assert.match(check.message, /fell back to plain TCP/);
    } finally {
      process.kill(-server.pid!, 'SIGKILL');
    }
  });

  it('diagnose says what is wrong when the kernel lost a rule', () => {
    topo.ip(topo.rtr, 'rule', 'del', 'pref', '5000', 'from', '10.20.1.2', 'lookup', '5100');
    const checks = ok('diagnose', { uplink: 'wan' }).uplinks[0].checks;
    assert.deepEqual(checks.find((c: Obj) => c.check === 'rule'),
      { check: 'rule', status: 'fail', message: "the rule 'from 10.20.1.2 lookup 5100' is missing: run 'mpwan apply'" });
    ok('reload');
  });
});
