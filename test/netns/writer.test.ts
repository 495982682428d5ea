// One writer of kernel state: 20 `mpwan apply`, ubus `reload` and `set_uplink` calls at once
// while uplinks flap, without a daemon (they take turns under the run dir's lock) and with one
// (they hand it their work). Afterwards the kernel holds exactly the plan, owned.json records
// exactly the kernel's endpoints, no endpoint id is used twice, and nothing is left behind.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Topology, sweepStale } from './lib/topology.js';
import { Router } from './lib/mpwan.js';
import { Rpcd } from './lib/rpcd.js';
import { waitFor } from './lib/wait.js';
import { prng } from './lib/prng.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const CALLS = 20;
const FLAPS = 12;
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('one writer: concurrent apply, ubus reload and set_uplink while uplinks flap', function () {
  this.timeout(120000);
  let topo: Topology;
  let rtr: Router;
  let rpcd: Rpcd;

  before(() => {
    sweepStale();
    topo = new Topology({ wans: 3 });
    rtr = new Router(topo);
    rtr.writeDefaultConfig();
    rpcd = new Rpcd(rtr);
  });
  after(() => {
    rtr?.cleanup();
    topo?.destroy();
  });

  const endpoints = () => topo.ipJson<Obj[]>(topo.rtr, 'mptcp', 'endpoint', 'show');
  const modes = () => Object.fromEntries(readFileSync(join(rtr.dir, 'etc/mpwan'), 'utf8').split(/^config /m).slice(1)
    .map((s) => [/^uplink '(\w+)'/.exec(s)?.[1], /option mode '(\w+)'/.exec(s)?.[1] ?? 'on']).filter(([n]) => n));

  /** 20 calls at once, a third of each kind, while uplinks go down and up (and, with a daemon, lose carrier). */
  async function storm(seed: number, daemon: ReturnType<Router['startDaemon']> | null) {
    const random = prng(seed);
    const pick = (n: number) => Math.floor(random() * n);
    const names = rtr.netifd.ifaces.map((i) => i.interface);
    const calls = Array.from({ length: CALLS }, (_, i) => {
      if (i % 3 === 0) return rtr.runAsync(['apply']).then((r) => ({ what: 'apply', ok: r.status === 0, out: r.stderr + r.stdout }));
      const [method, args] = i % 3 === 1 ? ['reload', {}] : ['set_uplink', { uplink: names[pick(names.length)], mode: ['on', 'backup'][pick(2)] }];
      return rpcd.callAsync(method, JSON.stringify(args)).then((r) => ({ what: `${method} ${JSON.stringify(args)}`, ok: r.status === 'ok' && !('error' in (r as { data: Obj }).data), out: r.stdout }));
    });
    const carrier = topo.wans.map(() => true);
    for (let f = 0; f < FLAPS; f++) {
      await tick(15);
      const k = pick(topo.wans.length);
      if (daemon && pick(2) === 0) {
        carrier[k] = !carrier[k]; // a static WAN losing carrier: only the daemon's watch sees it
        topo.ip(topo.vps, 'link', 'set', topo.wans[k].peer, carrier[k] ? 'up' : 'down');
      } else {
        rtr.netifd.ifaces[k].up = rtr.netifd.ifaces[k].up === false;
        rtr.netifd.update();
        if (daemon) process.kill(daemon.pid, 'SIGHUP'); // what the iface hotplug script does
      }
    }
    const results = await Promise.all(calls);
    assert.deepEqual(results.filter((r) => !r.ok), [], 'every call succeeded');
    return carrier;
  }

  /** The kernel as planned for the final conditions; owned.json as the kernel; nothing left behind. */
  function check(carrier: boolean[], daemon: boolean) {
    const mode = modes();
    const want = topo.wans.flatMap((w) => {
      const i = rtr.netifd.ifaces[w.index];
      return i.up !== false && carrier[w.index] ? [`${w.addr} ${w.dev}${mode[i.interface] === 'backup' ? ' backup' : ''}`] : [];
    }).sort();
    const have = () => endpoints().map((e) => `${e.address} ${e.dev}${e.backup ? ' backup' : ''}`).sort();
    waitFor(`the kernel's endpoints to be ${want.join(', ')} (have ${have().join(', ')})`, () => JSON.stringify(have()) === JSON.stringify(want), 200);
    assert.deepEqual(rtr.json(['apply', '--dry-run']).json.changes, [], 'the kernel equals the plan');
    const ids = endpoints().map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length, 'no endpoint id used twice');
    const owned = JSON.parse(readFileSync(join(rtr.dir, 'run/owned.json'), 'utf8')).endpoints as Obj[];
    assert.deepEqual(owned.map((o) => `${o.id} ${o.address} ${o.dev}`).sort(), endpoints().map((e) => `${e.id} ${e.address} ${e.dev}`).sort(), 'owned.json equals the kernel');
    const files = readdirSync(join(rtr.dir, 'run')).sort();
    assert.deepEqual(files.filter((f) => !['daemon.json', 'daemon.pid', 'lock', 'owned.json', 'state.json', 'status.json'].includes(f)), [],
      'no request, answer or temporary file left');
    if (!daemon) assert.ok(!files.includes('daemon.pid'));
    // No process holds the lock file open (the daemon, too, let go of it once registered).
    const lock = join(rtr.dir, 'run/lock');
    const holders = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
      try { return readdirSync(`/proc/${d}/fd`).some((fd) => { try { return readlinkSync(`/proc/${d}/fd/${fd}`) === lock; } catch { return false; } }); } catch { return false; }
    });
    assert.deepEqual(holders, [], 'no process holds the lock');
  }

  it('without a daemon: each call takes its turn under the run dir\'s lock', async () => {
    const seed = Number(process.env.MPWAN_WRITER_SEED ?? Date.now() % 100000);
    console.log(`      seed ${seed}`);
    assert.equal(rtr.run(['apply']).status, 0);
    const carrier = await storm(seed, null);
    // Conditions changed after the last call: apply once more, as netifd's next event would.
    assert.equal(rtr.run(['apply']).status, 0);
    check(carrier, false);
  });

  it('with the daemon: every call is handed to it, and it alone writes', async () => {
    const seed = Number(process.env.MPWAN_WRITER_SEED ?? Date.now() % 100000) + 1;
    console.log(`      seed ${seed}`);
    const daemon = rtr.startDaemon();
    waitFor('the daemon to start', () => rtr.daemonState()?.reloads === 1);
    const carrier = await storm(seed, daemon);
    const reloads = rtr.settledDaemonState().reloads as number;
    process.kill(daemon.pid, 'SIGHUP');
    waitFor('the last reload', () => (rtr.settledDaemonState().reloads as number) > reloads);
    check(carrier, true);
    assert.ok(daemon.alive());
    assert.doesNotMatch(daemon.log(), /internal error|apply failed/);
    // Every change in the kernel was the daemon's: the calls only asked (their replies say so).
    const r = rpcd.call('reload');
    assert.equal((r as { data: Obj }).data.by_daemon, true);
  });
});
