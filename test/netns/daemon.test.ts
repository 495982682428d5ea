// The daemon follows netifd: the hotplug script (run as hotplug-call runs it, with the
// variables netifd sets) only signals the daemon, which re-plans from netifd's state.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Topology, sweepStale } from './lib/topology.js';
import { Router } from './lib/mpwan.js';
import { waitFor } from './lib/wait.js';
import { Rpcd } from './lib/rpcd.js';

const HOTPLUG = resolve(new URL('../../files/etc/hotplug.d/iface/95-mpwan', import.meta.url).pathname);
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('daemon: hotplug events and reloads', function () {
  this.timeout(60000);
  let topo: Topology;
  let rtr: Router;
  let daemon: ReturnType<Router['startDaemon']>;

  before(() => {
    sweepStale();
    topo = new Topology({ wans: 2 });
    rtr = new Router(topo);
    rtr.writeDefaultConfig();
    daemon = rtr.startDaemon();
    waitFor('the first apply', () => topo.ipJson<Obj[]>(topo.rtr, 'mptcp', 'endpoint', 'show').length === 2);
    rtr.settledDaemonState(); // endpoints come before the routes and the proxies; daemon.json after both
  });
  after(() => {
    rtr?.cleanup();
    topo?.destroy();
  });

  const reloads = () => rtr.settledDaemonState().reloads as number;
  const hotplug = (env: Record<string, string>) => {
    // hotplug-call runs each script in a subshell with netifd's variables (see fixtures/netifd/hotplug-env.txt).
    const r = topo.exec(topo.rtr, ['sh', '-c', `( . '${HOTPLUG}' )`], { env: { ...env, MPWAN_RUN_DIR: join(rtr.dir, 'run') } });
    assert.equal(r.status, 0, r.stderr);
  };

  it('re-plans on ifup after an address change, without restarting anything', () => {
    topo.ip(topo.rtr, 'addr', 'del', '10.20.2.2/24', 'dev', 'wan1');
    topo.ip(topo.rtr, 'addr', 'add', '10.20.2.7/24', 'dev', 'wan1');
    topo.ip(topo.rtr, 'route', 'replace', 'default', 'via', '10.20.2.1', 'dev', 'wan1', 'metric', '20');
    rtr.netifd.update();
    const before = reloads();
    hotplug({ ACTION: 'ifup', INTERFACE: 'wan2', DEVICE: 'wan1' });
    waitFor('the new endpoint', () => topo.ipJson<Obj[]>(topo.rtr, 'mptcp', 'endpoint', 'show').some((e) => e.address === '10.20.2.7'));
    waitFor('the reload to finish', () => reloads() === before + 1);
    assert.ok(daemon.alive());
    assert.match(daemon.log(), /SIGHUP: .*add endpoint id \d+ 10\.20\.2\.7 dev wan1/);
  });

  /**
   * Whether the hotplug script signals the daemon for these variables. Its pid file names a
   * stopped stand-in (its argv says mpwan), so a SIGHUP stays pending there, in
   * /proc/PID/status, when the script returns: nothing to wait for.
   */
  function signals(env: Record<string, string>): boolean {
    const dir = mkdtempSync(join(tmpdir(), 'mpwan-hotplug-'));
    const standIn = spawn('sh', ['-c', 'sleep 60', 'mpwan-daemon-stand-in'], { stdio: 'ignore' });
    try {
      process.kill(standIn.pid!, 'SIGSTOP');
      const status = () => readFileSync(`/proc/${standIn.pid}/status`, 'utf8');
      waitFor('the stand-in to stop', () => /^State:\s+T/m.test(status()));
      writeFileSync(join(dir, 'daemon.pid'), `${standIn.pid}\n`);
      const r = topo.exec(topo.rtr, ['sh', '-c', `( . '${HOTPLUG}' )`], { env: { ...env, MPWAN_RUN_DIR: dir } });
      assert.equal(r.status, 0, r.stderr);
      const pending = (field: string) => BigInt(`0x${new RegExp(`^${field}:\\s*([0-9a-f]+)`, 'm').exec(status())![1]}`);
      return ((pending('ShdPnd') | pending('SigPnd')) & 1n) !== 0n; // SIGHUP is signal 1: bit 0
    } finally {
      standIn.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('ignores an ifupdate that changed no address or route', () => {
    assert.equal(signals({ ACTION: 'ifupdate', INTERFACE: 'wan2', DEVICE: 'wan1', IFUPDATE_DATA: '1' }), false);
    assert.equal(signals({ ACTION: 'ifupdate', INTERFACE: 'wan2', DEVICE: 'wan1', IFUPDATE_ADDRESSES: '1' }), true, 'an address change is signalled');
    assert.equal(signals({ ACTION: 'ifdown', INTERFACE: 'wan2' }), true);
  });

  it('reloads the config on `mpwan reload` (procd reload_service sends the same SIGHUP)', () => {
    writeFileSync(join(rtr.dir, 'etc/mpwan'), readFileSync(join(rtr.dir, 'etc/mpwan'), 'utf8').replace("config uplink 'wan2'\n", "config uplink 'wan2'\n\toption mode 'backup'\n"));
    const r = rtr.run(['reload']);
    assert.match(r.stdout, /Asked the daemon \(pid \d+\) to reload/);
    waitFor('the backup flag', () => topo.ipJson<Obj[]>(topo.rtr, 'mptcp', 'endpoint', 'show').find((e) => e.address === '10.20.2.7')?.backup);
  });

  it('an invalid edit keeps the last valid plan in force, repairs go on, and status says why', () => {
    const file = join(rtr.dir, 'etc/mpwan');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good + "\nconfig uplink 'x'\n\toption mode 'sometimes'\n");
    const before = reloads();
    rtr.run(['reload']);
    waitFor('the reload', () => reloads() === before + 1);
    assert.match(daemon.log(), /x\.mode: 'sometimes' is not valid.*\n.*the last valid configuration stays in force/);
    assert.ok(daemon.alive());
    const endpoints = () => topo.ipJson<Obj[]>(topo.rtr, 'mptcp', 'endpoint', 'show');
    assert.equal(endpoints().length, 2, 'the kernel state is kept');
    // A repair while the file is invalid: the last valid plan puts a deleted endpoint back.
    topo.ip(topo.rtr, 'mptcp', 'endpoint', 'delete', 'id', String(endpoints()[0].id));
    rtr.run(['reload']);
    waitFor('the endpoint back', () => endpoints().length === 2);
    assert.equal((daemon.log().match(/x\.mode: 'sometimes' is not valid/g) ?? []).length, 1, 'each error is logged once');
    // status, --json and ubus say the file on disk is invalid and why; check and apply still refuse it.
    const st = rtr.run(['status']);
    assert.equal(st.status, 0, st.stderr);
    assert.match(st.stdout, /config file is invalid.*last valid one stays in force[^]*x\.mode: 'sometimes' is not valid/);
    const json = rtr.json(['status']).json;
    assert.match(json.config_error.message, /x\.mode/);
    assert.equal(json.config_error.errors[0].option, 'x.mode');
    const ubus = new Rpcd(rtr).call('status');
    assert.equal(ubus.status, 'ok');
    assert.match(JSON.stringify((ubus as { data: Obj }).data.config_error), /x\.mode/);
    assert.equal(rtr.run(['check']).status, 2);
    assert.equal(rtr.run(['apply']).status, 2);
    writeFileSync(file, good);
    rtr.reload();
    assert.match(daemon.log(), /is valid again/);
    assert.equal(rtr.json(['status']).json.config_error, null);
  });
});
