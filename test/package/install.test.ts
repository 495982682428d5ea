// The ipks installed into a staging root as opkg installs them (files, control files in
// /usr/lib/opkg/info, postinst through a default_postinst stand-in that runs the uci-defaults
// against the real netifd capture), then mpwan run only from that root: check, the rpcd
// plugin, and apply / status / stop in a fresh network namespace whose devices and addresses
// are those of the capture. Upgrades keep an edited /etc/config/mpwan; removal keeps it too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { qjsPath } from '../lib/qjs.js';
import { repoRoot } from '../lib/install.js';
import { FIXTURES, StagingRoot, buildPackages, ipkName, tempDir, version } from './lib/opkg.js';

const release = Number(/^PKG_RELEASE:=(\d+)$/m.exec(readFileSync(join(repoRoot, 'package/mpwan/Makefile'), 'utf8'))![1]);
const ipk = (dist: string, name: string, rel = release) => join(dist, ipkName(name, `${version}-r${rel}`));
const STATIC_DUMP = join(FIXTURES, 'static-network.interface.dump.json');
const SHIPPED = readFileSync(join(repoRoot, 'files/etc/config/mpwan'), 'utf8');
const canUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['-n', 'true']).status === 0;

function staged() {
  const s = new StagingRoot();
  s.useQjs(qjsPath());
  s.useNetifdDump(STATIC_DUMP);
  return s;
}

/** mpwan from the staging root under qjs: config and run dir in the root, `ubus` answering the capture. */
/** With netns: a shell script run in a new network namespace, "$@" being mpwan's argv. */
function mpwan(s: StagingRoot, args: string[], opts: { netns?: string } = {}) {
  const netifd = tempDir('mpwan-netifd-');
  copyFileSync(STATIC_DUMP, join(netifd, 'network.interface.dump.json'));
  const env = {
    PATH: `${join(repoRoot, 'test/stubs')}:${process.env.PATH}`,
    MPWAN_UCI_DIR: s.path('etc/config'),
    MPWAN_RUN_DIR: s.path('var/run/mpwan'),
    MPWAN_TEST_NETIFD: netifd,
  };
  const argv = [qjsPath(), s.path('usr/sbin/mpwan'), ...args];
  const r = opts.netns !== undefined
    ? spawnSync('unshare', ['-n', 'sh', '-ec', opts.netns, 'sh', ...argv], { encoding: 'utf8', env })
    : spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// The capture's uplinks as they look in the kernel: wan on wan0, wan2 on wan1, default routes.
const CAPTURE_NETNS = [
  'ip link set lo up',
  'ip link add wan0 type veth peer name wan0p && ip link add wan1 type veth peer name wan1p',
  'for d in wan0 wan0p wan1 wan1p; do ip link set $d up; done',
  'ip addr add 10.0.1.2/24 dev wan0 && ip addr add 10.0.2.2/24 dev wan1',
  'ip route add default via 10.0.1.1 dev wan0 metric 10 && ip route add default via 10.0.2.1 dev wan1 metric 20',
].join('\n');

describe('install into a staging root', function () {
  let dist: string;
  let dist2: string;

  before(() => {
    dist = buildPackages();
    dist2 = buildPackages(['--release', String(release + 1)]);
  });

  it('installs mpwan: postinst runs the uci-defaults against the capture and enables the service', () => {
    const s = staged();
    const r = s.install(ipk(dist, 'mpwan'));
    assert.equal(r.upgrade, false);
    assert.equal(r.postinst?.status, 0, r.postinst?.stderr ?? '');
    assert.equal(s.installed('mpwan'), `${version}-r${release}`);
    const cfg = readFileSync(s.path('etc/config/mpwan'), 'utf8');
    assert.deepEqual([...cfg.matchAll(/^config uplink '(\w+)'$/gm)].map((m) => m[1]), ['wan', 'wan2']);
    assert.equal(statSync(s.path('etc/config/mpwan')).mode & 0o777, 0o600);
    assert.ok(!existsSync(s.path('etc/uci-defaults/50-mpwan')), 'a uci-defaults script that exited 0 is deleted');
    assert.deepEqual(s.log(), ['uci commit', 'enable /etc/init.d/mpwan', 'start /etc/init.d/mpwan']);
    assert.ok(lstatSync(s.path('etc/rc.d/S95mpwan')).isSymbolicLink());
    assert.equal(readlinkSync(s.path('etc/rc.d/S95mpwan')), '../init.d/mpwan');
    assert.equal(statSync(s.path('usr/sbin/mpwan')).mode & 0o777, 0o755);
  });

  it('runs mpwan from the root: version, check, the rpcd plugin, and the LuCI package beside it', () => {
    const s = staged();
    s.install(ipk(dist, 'mpwan'));
    const l = s.install(ipk(dist, 'luci-app-mpwan'));
    assert.equal(l.postinst?.status, 0, l.postinst?.stderr ?? '');
    assert.ok(existsSync(s.path('usr/share/rpcd/acl.d/luci-app-mpwan.json')));
    const v = mpwan(s, ['version']);
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stdout, new RegExp(version.replace(/\./g, '\\.')));
    const c = mpwan(s, ['check']);
    assert.equal(c.status, 0, c.stdout + c.stderr);
    assert.match(c.stdout, /2 uplink/);
    // The relay runs from the root (it may predate --version: then it prints its usage, naming itself).
    const relay = spawnSync(s.path('usr/sbin/mpwan-relay'), ['--version'], { encoding: 'utf8' });
    assert.equal(relay.error, undefined);
    assert.match(relay.stdout + relay.stderr, /mpwan-relay/);
    const rpcd = spawnSync(qjsPath(), [s.path('usr/libexec/rpcd/mpwan'), 'list'], { encoding: 'utf8', input: '' });
    assert.equal(rpcd.status, 0, rpcd.stderr);
    const methods = JSON.parse(rpcd.stdout);
    assert.equal(typeof methods.status, 'object');
    // Calls other than status load the method table from /usr/share/mpwan.
    const unknown = spawnSync(qjsPath(), [s.path('usr/libexec/rpcd/mpwan'), 'call', 'nope'], { encoding: 'utf8', input: '{}' });
    assert.deepEqual(JSON.parse(unknown.stdout), { error: { code: 'invalid_argument', message: "unknown method 'nope'" } });
    // Every method the ACL grants is one the installed plugin offers.
    const acl = JSON.parse(readFileSync(s.path('usr/share/rpcd/acl.d/luci-app-mpwan.json'), 'utf8'))['luci-app-mpwan'];
    for (const m of [...acl.read.ubus.mpwan, ...acl.write.ubus.mpwan]) assert.ok(m in methods, `${m} is offered`);
  });

  it('applies, reports and stops from the root in a namespace with the capture\'s uplinks', function () {
    if (!canUnshare) this.skip();
    const s = staged();
    s.install(ipk(dist, 'mpwan'));
    const script = [
      CAPTURE_NETNS,
      '"$@" apply --json',
      'echo; ip -j mptcp endpoint show; echo; ip -j rule show',
      'echo; "$@" apply --json',
      'echo; "$@" status --json',
      'echo; "$@" stop --json',
      'echo; ip -j mptcp endpoint show; echo; ip -j rule show',
    ].join('\n');
    const r = mpwan(s, [], { netns: script });
    assert.equal(r.status, 0, r.stderr);
    const [apply, endpoints, rules, again, status, stop, endpointsAfter, rulesAfter] = r.stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
    assert.equal(apply.applied, true);
    assert.ok(apply.changes.some((c: string) => /add endpoint id \d+ 10\.0\.1\.2 dev wan0 subflow \(wan\)/.test(c)), apply.changes.join('\n'));
    assert.deepEqual(endpoints.map((e: { address: string; dev: string }) => `${e.address} ${e.dev}`).sort(), ['10.0.1.2 wan0', '10.0.2.2 wan1']);
    assert.deepEqual(rules.filter((x: { priority: number }) => x.priority === 5000).map((x: { src: string; table: string }) => `${x.src} ${x.table}`).sort(), ['10.0.1.2 5100', '10.0.2.2 5101']);
    assert.deepEqual(again.changes, [], 'a second apply changes nothing');
    assert.equal(status.in_sync, true);
    assert.deepEqual(status.uplinks.map((u: { name: string; state: string }) => `${u.name} ${u.state}`), ['wan active', 'wan2 active']);
    assert.equal(stop.applied, true);
    assert.deepEqual(endpointsAfter, []);
    assert.equal(rulesAfter.filter((x: { priority: number }) => x.priority === 5000).length, 0);
  });

  it('keeps an edited /etc/config/mpwan on upgrade, and puts the new default beside it', () => {
    const s = staged();
    s.install(ipk(dist, 'mpwan'));
    const cfg = s.path('etc/config/mpwan');
    const edited = `${readFileSync(cfg, 'utf8')}config uplink 'lte'\n\toption mode 'backup'\n`;
    writeFileSync(cfg, edited);
    const r = s.install(ipk(dist2, 'mpwan', release + 1));
    assert.equal(r.upgrade, true);
    assert.equal(r.postinst?.status, 0, r.postinst?.stderr ?? '');
    assert.equal(s.installed('mpwan'), `${version}-r${release + 1}`);
    assert.deepEqual(r.keptConffiles, ['/etc/config/mpwan']);
    assert.equal(readFileSync(cfg, 'utf8'), edited, 'the user\'s config survives');
    assert.equal(readFileSync(`${cfg}-opkg`, 'utf8'), SHIPPED);
    assert.ok(!existsSync(s.path('etc/uci-defaults/50-mpwan')));
    // An upgrade starts the service again but does not enable it a second time.
    assert.deepEqual(s.log().slice(3), ['uci commit', 'start /etc/init.d/mpwan']);
    assert.match(mpwan(s, ['check']).stdout, /3 uplink/);
  });

  it('also keeps the uplinks the uci-defaults added (the config differs from the package\'s)', () => {
    const s = staged();
    s.install(ipk(dist, 'mpwan'));
    const before = readFileSync(s.path('etc/config/mpwan'), 'utf8');
    assert.notEqual(before, SHIPPED);
    s.install(ipk(dist2, 'mpwan', release + 1));
    assert.equal(readFileSync(s.path('etc/config/mpwan'), 'utf8'), before);
  });

  it('replaces an unchanged config on upgrade', () => {
    const s = new StagingRoot();
    s.useQjs(qjsPath());
    s.useNetifdDump(null); // no netifd: the uci-defaults leave the shipped config as it is
    s.install(ipk(dist, 'mpwan'));
    assert.equal(readFileSync(s.path('etc/config/mpwan'), 'utf8'), SHIPPED);
    const r = s.install(ipk(dist2, 'mpwan', release + 1));
    assert.deepEqual(r.keptConffiles, []);
    assert.ok(!existsSync(s.path('etc/config/mpwan-opkg')));
  });

  it('removes the packages: service stopped and disabled, files gone, the edited config kept', () => {
    const s = staged();
    s.install(ipk(dist, 'mpwan'));
    s.install(ipk(dist, 'luci-app-mpwan'));
    const l = s.remove('luci-app-mpwan');
    assert.equal(l.prerm?.status, 0, l.prerm?.stderr ?? '');
    assert.equal(l.postrm?.status, 0, l.postrm?.stderr ?? '');
    assert.ok(!existsSync(s.path('usr/share/rpcd/acl.d/luci-app-mpwan.json')));
    const r = s.remove('mpwan');
    assert.equal(r.prerm?.status, 0, r.prerm?.stderr ?? '');
    assert.deepEqual(s.log().slice(-2), ['stop /etc/init.d/mpwan', 'disable /etc/init.d/mpwan']);
    assert.ok(!existsSync(s.path('etc/rc.d/S95mpwan')));
    for (const f of ['usr/sbin/mpwan', 'usr/sbin/mpwan-relay', 'usr/libexec/rpcd/mpwan', 'usr/share/mpwan/rpcd-methods.js', 'etc/init.d/mpwan', 'etc/hotplug.d/iface/95-mpwan']) {
      assert.ok(!existsSync(s.path(f)), f);
    }
    assert.ok(existsSync(s.path('etc/config/mpwan')), 'opkg keeps a changed conffile');
    assert.equal(s.installed('mpwan'), null);
  });
});
