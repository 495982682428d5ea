// files/etc/uci-defaults/50-mpwan against the real netifd captures: sourced in a subshell
// from its folder, as default_postinst and /etc/init.d/boot run it, with `ubus` answering
// from a fixture and the real qjs on PATH.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../lib/install.js';
import { qjsPath } from '../lib/qjs.js';
import { FIXTURES, tempDir } from './lib/opkg.js';

const SCRIPT = join(repoRoot, 'files/etc/uci-defaults/50-mpwan');
const SHIPPED = readFileSync(join(repoRoot, 'files/etc/config/mpwan'), 'utf8');
const fixture = (name: string) => join(FIXTURES, name);

interface Env { dir: string; cfg: string; bin: string }

function setup(config: string | null = SHIPPED): Env {
  const dir = tempDir('mpwan-ucid-');
  const bin = join(dir, 'bin');
  mkdirSync(join(dir, 'etc'), { recursive: true });
  mkdirSync(bin);
  writeFileSync(join(bin, 'qjs'), `#!/bin/sh\nexec '${qjsPath()}' "$@"\n`, { mode: 0o755 });
  const cfg = join(dir, 'etc/mpwan');
  if (config !== null) writeFileSync(cfg, config, { mode: 0o600 });
  return { dir, cfg, bin };
}

/** `ubus` that answers `call network.interface dump` with this JSON file, or fails like ubus without netifd. */
function ubus(env: Env, dump: string | null) {
  const body = dump ? `[ "$1 $2 $3" = "call network.interface dump" ] && exec cat '${dump}'\n` : '';
  writeFileSync(join(env.bin, 'ubus'), `#!/bin/sh\n${body}echo "Command failed: Not found" >&2\nexit 4\n`, { mode: 0o755 });
}

/** A real dump changed by fn, written next to the test's config. */
function edited(env: Env, name: string, fn: (d: { interface: Record<string, unknown>[] }) => void): string {
  const d = JSON.parse(readFileSync(fixture(name), 'utf8'));
  fn(d);
  const f = join(env.dir, 'dump.json');
  writeFileSync(f, JSON.stringify(d));
  return f;
}

function run(env: Env, extra: Record<string, string> = {}) {
  const r = spawnSync('sh', ['-c', '( cd "$(dirname "$0")" && . "$0" )', SCRIPT], {
    encoding: 'utf8',
    env: { PATH: `${env.bin}:/usr/sbin:/usr/bin:/sbin:/bin`, MPWAN_UCI_DIR: join(env.dir, 'etc'), ...extra },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  return existsSync(env.cfg) ? readFileSync(env.cfg, 'utf8') : null;
}

const uplinks = (text: string) => [...text.matchAll(/^config uplink '([^']+)'$/gm)].map((m) => m[1]);

function check(env: Env) {
  const r = spawnSync(qjsPath(), [join(repoRoot, 'build/bundle/mpwan.js'), 'check'], {
    encoding: 'utf8', env: { PATH: process.env.PATH, MPWAN_UCI_DIR: join(env.dir, 'etc'), MPWAN_RUN_DIR: join(env.dir, 'run') },
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return r.stdout;
}

describe('uci-defaults: first-install uplinks', () => {
  it('adds the static capture\'s WANs (wan, wan2), not lan or loopback, below the shipped text', () => {
    const env = setup();
    ubus(env, fixture('static-network.interface.dump.json'));
    const text = run(env)!;
    assert.deepEqual(uplinks(text), ['wan', 'wan2']);
    assert.ok(text.startsWith(SHIPPED), 'the shipped comments and globals stay as they were');
    assert.match(text.slice(SHIPPED.length), /^\n# Added at install[^\n]*\nconfig uplink 'wan'\n\toption mode 'on'\n\nconfig uplink 'wan2'\n\toption mode 'on'\n\n$/);
    assert.equal(statSync(env.cfg).mode & 0o777, 0o600);
    assert.match(check(env), /2 uplink/);
  });

  it('adds all three WANs of the DHCP captures (before and after renumbering)', () => {
    for (const f of ['dhcp-network.interface.dump.json', 'dhcp-network.interface.dump.after-renumber.json']) {
      const env = setup();
      ubus(env, fixture(f));
      assert.deepEqual(uplinks(run(env)!), ['wan', 'wan2', 'wan3'], f);
      assert.match(check(env), /3 uplink/);
    }
  });

  it('is idempotent: a second run changes nothing', () => {
    const env = setup();
    ubus(env, fixture('dhcp-network.interface.dump.json'));
    const first = run(env);
    assert.equal(run(env), first);
    // Even when netifd now reports other uplinks: the file has uplinks, so it is the user's.
    ubus(env, fixture('static-network.interface.dump.json'));
    assert.equal(run(env), first);
  });

  it('leaves a config that already has uplink sections alone, however they are spelled', () => {
    for (const existing of [
      "config globals 'globals'\n\toption enabled '0'\n\nconfig uplink 'lte'\n\toption mode 'backup'\n",
      'config "uplink" "wan"\n',
      "  config 'uplink'\n",
      'config uplink; config globals globals\n',
    ]) {
      const env = setup(existing);
      ubus(env, fixture('dhcp-network.interface.dump.json'));
      assert.equal(run(env), existing, existing);
    }
  });

  it('ignores commented-out uplink examples (the shipped file)', () => {
    assert.match(SHIPPED, /^#config uplink 'wan'$/m);
    const env = setup();
    ubus(env, fixture('static-network.interface.dump.json'));
    assert.deepEqual(uplinks(run(env)!), ['wan', 'wan2']);
  });

  it('writes a whole config when there is none, mode 0600', () => {
    const env = setup(null);
    ubus(env, fixture('static-network.interface.dump.json'));
    const text = run(env)!;
    assert.match(text, /^config globals 'globals'\n\toption enabled '1'\n/);
    assert.deepEqual(uplinks(text), ['wan', 'wan2']);
    assert.equal(statSync(env.cfg).mode & 0o777, 0o600);
    assert.match(check(env), /2 uplink/);
  });

  it('does not glue its text to a last line without a newline', () => {
    const env = setup("config globals 'globals'\n\toption enabled '1'");
    ubus(env, fixture('static-network.interface.dump.json'));
    const text = run(env)!;
    assert.match(text, /^config globals 'globals'\n\toption enabled '1'\n\n# Added/);
    check(env);
  });

  it('takes only interfaces that are up and have a default route (IPv4 or IPv6)', () => {
    const env = setup();
    ubus(env, edited(env, 'dhcp-network.interface.dump.json', (d) => {
      const byName = (n: string) => d.interface.find((i) => i.interface === n)!;
      byName('wan2').up = false;
      byName('wan3').route = [{ target: '10.0.0.0', mask: 8, nexthop: '10.0.3.1', source: '0.0.0.0/0' }];
      d.interface.push({ ...byName('wan'), interface: 'wan6', l3_device: 'wan0', 'ipv4-address': [], route: [{ target: '::', mask: 0, nexthop: 'fe80::1', source: '::/0' }] });
      d.interface.push({ ...byName('wan'), interface: 'bad-name' });
    }));
    assert.deepEqual(uplinks(run(env)!), ['wan', 'wan6']);
  });

  it('changes nothing without netifd, without uplinks, on garbage, or on an upgrade', () => {
    const cases: [string, (env: Env) => void, Record<string, string>][] = [
      ['ubus fails (first boot of an image, netifd not up yet)', (env) => ubus(env, null), {}],
      ['no interface has a default route', (env) => ubus(env, edited(env, 'static-network.interface.dump.json', (d) => { for (const i of d.interface) i.route = []; })), {}],
      ['ubus prints something that is not JSON', (env) => { writeFileSync(join(env.dir, 'junk'), 'Command failed'); ubus(env, join(env.dir, 'junk')); }, {}],
      ['a package upgrade', (env) => ubus(env, fixture('static-network.interface.dump.json')), { PKG_UPGRADE: '1' }],
    ];
    for (const [what, prepare, extra] of cases) {
      const env = setup();
      prepare(env);
      assert.equal(run(env, extra), SHIPPED, what);
    }
  });

  it('does nothing when qjs is missing', () => {
    const env = setup();
    ubus(env, fixture('static-network.interface.dump.json'));
    const noQjs = join(env.dir, 'bin2');
    mkdirSync(noQjs);
    copyFileSync(join(env.bin, 'ubus'), join(noQjs, 'ubus'));
    chmodSync(join(noQjs, 'ubus'), 0o755);
    const r = spawnSync('sh', ['-c', '( cd "$(dirname "$0")" && . "$0" )', SCRIPT], {
      encoding: 'utf8', env: { PATH: `${noQjs}:/usr/bin:/bin`, MPWAN_UCI_DIR: join(env.dir, 'etc') },
    });
    assert.equal(r.status, 0);
    assert.equal(readFileSync(env.cfg, 'utf8'), SHIPPED);
  });
});
