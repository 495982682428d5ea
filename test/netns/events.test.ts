// What the daemon tells scripts, and the nft table it keeps: `ubus listen` and the hotplug
// scripts in /etc/hotplug.d/mpwan hear an uplink going down and coming back (a slow and a
// failing script delay nothing), and table inet mpwan deleted by hand comes back at once
// (nft monitor), not at the next periodic check.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Topology, sweepStale } from './lib/topology.js';
import { Router } from './lib/mpwan.js';
import { waitFor } from './lib/wait.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('daemon: events for scripts, and its nft table kept', function () {
  this.timeout(60000);
  let topo: Topology;
  let rtr: Router;
  let daemon: ReturnType<Router['startDaemon']>;
  const read = (f: string) => { try { return readFileSync(f, 'utf8'); } catch { return ''; } };
  const file = (name: string) => join(rtr.dir, name);
  /** Each event `ubus listen PATTERNS` printed so far, parsed. */
  const heard = (log: string) => read(log).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Obj);
  const endpoints = () => topo.ipJson<Obj[]>(topo.rtr, 'mptcp', 'endpoint', 'show').map((e) => e.address as string).sort();

  function listen(name: string, ...patterns: string[]) {
    const log = file(`${name}.log`);
    const listeners = () => (existsSync(file('ubusd')) ? readdirSync(file('ubusd')).filter((f) => f.endsWith('.patterns')).length : 0);
    const before = listeners();
    topo.spawn(topo.rtr, [join(rtr.dir, 'stand-ins/ubus'), 'listen', ...patterns], rtr.env(), log);
    waitFor(`ubus listen ${patterns.join(' ')} to register`, () => listeners() > before);
    return log;
  }

  before(() => {
    sweepStale();
    topo = new Topology({ wans: 2 });
    rtr = new Router(topo);
    rtr.writeDefaultConfig();
    // Hotplug scripts, run in name order: one fails, one records, one is slow.
    const dir = file('hotplug.d/mpwan');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '10-fail'), 'echo "failing on purpose" >&2\nexit 1\n');
    writeFileSync(join(dir, '20-record'), `echo "$HOTPLUG_TYPE|$ACTION|$UPLINK|$DEVICE|$REASON|$FAMILY" >> '${file('hotplug.log')}'\n`);
    writeFileSync(join(dir, '30-slow'), `[ "$ACTION" = down ] && { sleep 4; touch '${file('slow-done')}'; }\n`);
    daemon = rtr.startDaemon();
    waitFor('the first apply', () => endpoints().length === 2);
    rtr.settledDaemonState();
  });
  after(() => {
    rtr?.cleanup();
    topo?.destroy();
  });

  it('an uplink going down and back: ubus listen hears it, the hotplug scripts run, a slow script delays nothing', () => {
    // At start, every uplink's condition was told once.
    waitFor('the start events for the scripts', () => read(file('hotplug.log')).split('\n').filter((l) => l.startsWith('mpwan|up|')).length === 2);
    const uplinks = listen('uplink', 'mpwan.uplink');
    const all = listen('all', 'mpwan.*');
    const w = topo.wans[0];
    const cutAt = performance.now();
    topo.ip(topo.vps, 'link', 'set', w.peer, 'down'); // carrier loss: netifd says nothing, the daemon's watch sees it
    const down = waitFor('ubus listen to show wan down', () => heard(uplinks).find((e) => e['mpwan.uplink']?.state === 'down'));
    const heardAt = performance.now();
    assert.deepEqual(Object.keys(down['mpwan.uplink']), ['name', 'state', 'why', 'since', 'device']);
    assert.deepEqual({ ...down['mpwan.uplink'], since: 0 }, { name: 'wan', state: 'down', why: 'no carrier', since: 0, device: w.dev });
    assert.ok(Math.abs(down['mpwan.uplink'].since - Date.now() / 1000) < 60);
    console.log(`      ubus listen heard wan down ${((heardAt - cutAt) / 1000).toFixed(2)} s after the cut (bench measures it)`);
    // The daemon went on while the slow script still sleeps: the endpoint is withdrawn, the default route moved.
    waitFor('the endpoint withdrawn', () => !endpoints().includes(w.addr));
    const route = waitFor('the default route event', () => heard(all).find((e) => e['mpwan.default_route']?.uplink === 'wan2'))['mpwan.default_route'];
    assert.deepEqual(route, { family: 4, uplink: 'wan2', device: topo.wans[1].dev });
    assert.ok(!existsSync(file('slow-done')), 'the slow script is still sleeping');
    assert.ok(heard(all).some((e) => e['mpwan.uplink']?.state === 'down'), 'mpwan.* hears it too');
    assert.ok(read(file('hotplug.log')).includes(`mpwan|down|wan|${w.dev}|no carrier|\n`), 'the recording script ran despite the failing one before it');

    topo.ip(topo.vps, 'link', 'set', w.peer, 'up');
    const up = waitFor('ubus listen to show wan up', () => heard(uplinks).find((e) => e['mpwan.uplink']?.state === 'up'));
    assert.equal(up['mpwan.uplink'].why, 'carrier is back');
    waitFor('the endpoint back', () => endpoints().includes(w.addr));
    // Hotplug scripts run one event at a time, in order: the up event's after the slow down's.
    waitFor('the up event for the scripts', () => read(file('hotplug.log')).includes(`mpwan|up|wan|${w.dev}|carrier is back|\n`), 200);
    assert.ok(existsSync(file('slow-done')));
    const uplinkActions = read(file('hotplug.log')).split('\n').map((l) => l.split('|')).filter((f) => f[2] === 'wan' && ['up', 'down', 'degraded'].includes(f[1]));
    assert.deepEqual(uplinkActions.map((f) => f[1]), ['up', 'down', 'up'], read(file('hotplug.log')));
    assert.ok(daemon.alive());
  });

  it('table inet mpwan deleted by hand is back at once (nft monitor), not at the next periodic check', () => {
    const table = () => topo.exec(topo.rtr, ['nft', 'list', 'table', 'inet', 'mpwan']);
    assert.equal(table().status, 0, 'the daemon holds its table (flow marks)');
    const before = table().stdout;
    const start = performance.now();
    assert.equal(topo.exec(topo.rtr, ['nft', 'delete', 'table', 'inet', 'mpwan']).status, 0);
    waitFor('the table back', () => table().status === 0);
    console.log(`      table back ${((performance.now() - start) / 1000).toFixed(2)} s after it was deleted (bench measures it)`);
    assert.equal(table().stdout, before);
    assert.match(daemon.log(), /nft table inet mpwan\) were changed or removed by something else: loaded again/);
    // A rule deleted from it comes back the same way.
    const handle = /\n\t\t[^\n]*# handle (\d+)/.exec(topo.exec(topo.rtr, ['nft', '-a', 'list', 'chain', 'inet', 'mpwan', 'mark_flows']).stdout)?.[1];
    assert.ok(handle);
    assert.equal(topo.exec(topo.rtr, ['nft', 'delete', 'rule', 'inet', 'mpwan', 'mark_flows', 'handle', handle]).status, 0);
    waitFor('the rule back', () => table().stdout === before);
    assert.ok(daemon.alive());
  });
});
