// 200 random uplink events in a row against the running daemon, fired as netifd's hotplug
// would (state update, then SIGHUP, without waiting): ifdown/ifup, carrier loss and return
// with no netifd event, and renumbering. Afterwards the kernel must hold exactly the plan for
// the final conditions, and nothing may have leaked.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Topology, sweepStale } from './lib/topology.js';
import { Router } from './lib/mpwan.js';
import { waitFor } from './lib/wait.js';
import { prng } from './lib/prng.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('200 random flaps and address changes', function () {
  this.timeout(180000);
  let topo: Topology;
  let rtr: Router;

  before(() => {
    sweepStale();
    topo = new Topology({ wans: 3, rateMbit: 20 });
    rtr = new Router(topo);
    rtr.writeDefaultConfig();
  });
  after(() => {
    rtr?.cleanup();
    topo?.destroy();
  });

  it('ends with the kernel exactly as planned for the final conditions, and nothing leaked', () => {
    const seed = Number(process.env.MPWAN_FLAP_SEED ?? Date.now() % 100000);
    const random = prng(seed);
    const pick = (n: number) => Math.floor(random() * n);
    const daemon = rtr.startDaemon();
    waitFor('the daemon to start', () => rtr.daemonState()?.reloads === 1);
    const n = topo.wans.length;
    const up = Array<boolean>(n).fill(true);
    const carrier = Array<boolean>(n).fill(true);
    const addr = topo.wans.map((w) => w.addr);
    const counts: Record<string, number> = {};
    const hup = () => process.kill(daemon.pid, 'SIGHUP');

    for (let i = 0; i < 200; i++) {
      const k = pick(n);
      const w = topo.wans[k];
      const what = ['ifdown', 'ifup', 'carrier', 'renumber'][pick(4)];
      counts[what] = (counts[what] ?? 0) + 1;
      if (what === 'ifdown' || what === 'ifup') {
        up[k] = what === 'ifup';
        rtr.netifd.ifaces[k].up = up[k];
        rtr.netifd.update();
        hup();
      } else if (what === 'carrier') {
        // A static WAN losing carrier: netifd sends nothing, only the daemon's watch sees it.
        carrier[k] = !carrier[k];
        topo.setCarrier(w, carrier[k]);
      } else {
        const next = `10.20.${k + 1}.${10 + pick(200)}`;
        if (next === addr[k]) continue;
        // Deleting the only address flushes the device's routes, the uplink table's included.
        topo.ip(topo.rtr, 'addr', 'del', `${addr[k]}/24`, 'dev', w.dev);
        topo.ip(topo.rtr, 'addr', 'add', `${next}/24`, 'dev', w.dev);
        topo.ip(topo.rtr, 'route', 'replace', 'default', 'via', w.gw, 'dev', w.dev, 'metric', String(10 * (k + 1)));
        addr[k] = next;
        rtr.netifd.update();
        hup();
      }
    }
    console.log(`      seed ${seed}: ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}; final: ` +
      topo.wans.map((w, k) => `${w.dev} ${up[k] ? 'up' : 'down'}${carrier[k] ? '' : ' no-carrier'} ${addr[k]}`).join(', '));

    // What the plan for the final conditions is, written out by hand.
    const live = topo.wans.map((_, k) => k).filter((k) => up[k]);
    // The default route and flows follow the healthy uplinks (carrier is all there is to probe
    // here); the best is the lowest metric, wan0's.
    const healthy = live.filter((k) => carrier[k]);
    const expected = {
      endpoints: healthy.map((k) => `${addr[k]} ${topo.wans[k].dev}`).sort(),
      rules: [
        ...live.map((k) => `5000 ${addr[k]} ${5100 + k}`),
        ...(healthy.length > 0 ? [
          '5003 all main suppress 0',
          ...healthy.map((k) => `5004 all ${5100 + k} fwmark 0x${(k + 1).toString(16)}000000`),
          `5005 all ${5100 + healthy[0]}`,
        ] : []),
      ].sort(),
      routes: live.map((k) => `${5100 + k} default ${topo.wans[k].gw} ${topo.wans[k].dev}`).sort(),
    };
    const kernel = () => ({
      endpoints: topo.ipJson<Obj[]>(topo.rtr, 'mptcp', 'endpoint', 'show').map((e) => `${e.address} ${e.dev}`).sort(),
      rules: [...topo.ipJson<Obj[]>(topo.rtr, '-4', 'rule', 'show'), ...topo.ipJson<Obj[]>(topo.rtr, '-6', 'rule', 'show')]
        .filter((r) => r.priority >= 5000 && r.priority <= 5005)
        .map((r) => `${r.priority} ${r.src} ${r.table}${r.suppress_prefixlen !== undefined ? ` suppress ${r.suppress_prefixlen}` : ''}${r.fwmark ? ` fwmark ${r.fwmark}` : ''}`).sort(),
      routes: topo.ipJson<Obj[]>(topo.rtr, 'route', 'show', 'table', 'all')
        .filter((r) => Number(r.table) >= 5100 && Number(r.table) < 5164).map((r) => `${r.table} ${r.dst} ${r.gateway} ${r.dev}`).sort(),
    });
    // Settle: one more event (as netifd would send), then the daemon catches up.
    const reloads = rtr.settledDaemonState().reloads;
    hup();
    waitFor('the last reload', () => rtr.settledDaemonState().reloads > reloads);
    waitFor('the kernel to match the plan', () => JSON.stringify(kernel()) === JSON.stringify(expected), 200);
    assert.deepEqual(kernel(), expected);
    const dry = rtr.json(['apply', '--dry-run']).json;
    assert.deepEqual(dry.changes, [], 'mpwan itself finds nothing to change');

    // Nothing leaked: no child processes (probes) but the carrier watch (`ip -o monitor link`)
    // and the table watch (`nft monitor`), no files beyond the daemon's own. (A command the
    // daemon runs right now, `ip` for the periodic check or `ubus send`, is not a leak: it ends.)
    const children = () => readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
      try { return readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ')[1] === String(daemon.pid); } catch { return false; }
    }).map((d) => { try { return readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' '); } catch { return ''; } }).filter(Boolean);
    const watches = ['ip -o monitor link ', 'nft monitor '];
    waitFor(`no child processes but the watches (have: ${children().join('; ')})`, () => children().every((c) => watches.includes(c)), 100);
    for (const w of watches) assert.ok(children().filter((c) => c === w).length <= 1, `one ${w}at most`);
    assert.deepEqual(readdirSync(join(rtr.dir, 'run')).sort(), ['daemon.json', 'daemon.pid', 'lock', 'owned.json', 'state.json', 'status.json', 'usage.json']);
    // Health follows at once (the carrier watch) or within ten probe rounds (the safety read).
    const wantHealth = Object.fromEntries(live.map((k) => [rtr.netifd.ifaces[k].interface, carrier[k] ? 'up' : 'down']).sort());
    const haveHealth = () => Object.fromEntries(Object.entries(rtr.health()).map(([name, h]) => [name, h.state]).sort());
    waitFor('state.json to show each uplink\'s health', () => JSON.stringify(haveHealth()) === JSON.stringify(wantHealth), 100);
    assert.deepEqual(haveHealth(), wantHealth);
    assert.doesNotMatch(daemon.log(), /internal error/);

    // And stopping removes every trace.
    assert.equal(rtr.run(['stop']).status, 0);
    assert.deepEqual(kernel(), { endpoints: [], rules: [], routes: [] });
  });
});
