// /etc/init.d/mpwan as OpenWrt runs it: started and stopped through rc.common's sequence with
// procd's semantics (lib/procd.ts). Stopping must leave nothing behind and nothing running,
// also when procd's respawn would have had time to start the daemon again.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Topology, sweepStale } from './lib/topology.js';
import { Router } from './lib/mpwan.js';
import { Procd, progWrapper } from './lib/procd.js';
import { qjsPath } from '../lib/qjs.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const INIT = resolve(new URL('../../files/etc/init.d/mpwan', import.meta.url).pathname);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, probe: () => boolean, ms = 20000) {
  for (const end = Date.now() + ms; Date.now() < end; await pause(50)) if (probe()) return;
  throw new Error(`gave up waiting for ${what}`);
}

describe('the procd service: start, reload, stop as rc.common does them', function () {
  this.timeout(90000);
  let topo: Topology;
  let rtr: Router;
  let procd: Procd;
  let bin: string;

  before(() => {
    sweepStale();
    topo = new Topology({ wans: 2 });
    rtr = new Router(topo);
    rtr.writeDefaultConfig();
    bin = mkdtempSync(join(tmpdir(), 'mpwan-bin-'));
    procd = new Procd(topo, INIT, progWrapper(bin, qjsPath(), join(rtr.root, 'usr/sbin/mpwan')), rtr.env());
  });
  after(() => {
    procd?.cleanup();
    rtr?.cleanup();
    topo?.destroy();
    rmSync(bin, { recursive: true, force: true });
  });

  const endpoints = () => topo.ipJson<Obj[]>(topo.rtr, 'mptcp', 'endpoint', 'show');
  const ourRules = () => topo.ipJson<Obj[]>(topo.rtr, 'rule', 'show').filter((r) => r.priority >= 5000 && r.priority <= 5005);

  it('stop leaves no endpoint, rule or table behind, and procd starts nothing again', async () => {
    const inst = procd.start();
    assert.equal(inst.termTimeout, 15, 'the daemon has time to clean up on SIGTERM');
    await until('the daemon to apply', () => endpoints().length === 2 && ourRules().length > 0);
    assert.deepEqual(procd.call('reload_service'), ['{"signal":"HUP"}'], 'reload only signals: live connections keep their subflows');
    procd.stop(inst);
    await until('the daemon to exit', () => !procd.running);
    assert.deepEqual(endpoints(), []);
    assert.deepEqual(ourRules(), []);
    assert.notEqual(topo.exec(topo.rtr, ['nft', 'list', 'table', 'inet', 'mpwan']).status, 0);
    // procd decides at the exit whether to respawn: it does not, so nothing comes back.
    assert.equal(procd.respawnPending, false, 'no respawn due');
    assert.equal(procd.started.length, 1, 'procd started the daemon once');
    assert.match(procd.log(), /daemon stopped: everything mpwan set up is removed/);
  });

  it('the daemon alone cleans up on SIGTERM (procd_kill without service_stopped)', async () => {
    const inst = procd.start();
    await until('the daemon to apply', () => endpoints().length === 2);
    procd.kill(inst);
    await until('the daemon to exit', () => !procd.running);
    assert.deepEqual(endpoints(), []);
    assert.deepEqual(ourRules(), []);
  });
});
