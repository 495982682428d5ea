// The server kit of the release tarball (server/), used as on a fresh VPS: the tarball unpacked,
// `server/setup` run with nothing but the kit's own static qjs (no Node, no qjs on PATH, no
// compiler): --dry-run, then a real setup into a temporary root in a new network namespace
// (MPTCP sysctls and limits are per namespace), and a second run that changes nothing. Every
// program is static (no ELF interpreter) and of its folder's CPU; the aarch64 ones also run
// under qemu-aarch64-static (scripts/ensure-deps.sh installs it).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPackages, listTarGz, tempDir, version } from './lib/opkg.js';

const KIT: Record<string, RegExp> = { x86_64: /X86-64/, aarch64: /AArch64/ };
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const canUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['-n', 'true']).status === 0;
const sha256 = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
const onPath = (prog: string) => spawnSync('sh', ['-c', 'command -v "$0"', prog], { encoding: 'utf8' }).stdout.trim();

describe('server kit in the release tarball', function () {
  let tarball: string;
  let top: string;
  const hostArch = execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim();

  before(function () {
    tarball = join(buildPackages(), `mpwan-${version}.tar.gz`);
    const dir = tempDir('mpwan-kit-');
    execFileSync('tar', ['-xzf', tarball, '-C', dir]);
    top = join(dir, `mpwan-${version}`);
    if (!(hostArch in KIT)) this.skip();
  });

  /** server/setup as a user runs it, with the system's PATH only (optionally more in front). */
  const setup = (args: string[], pathPrefix = '') => spawnSync(join(top, 'server/setup'), args, {
    encoding: 'utf8', env: { PATH: `${pathPrefix}${SYSTEM_PATH}` },
  });

  it('holds setup and, for x86_64 and aarch64, a static qjs and mpwan-relay', () => {
    const kit = listTarGz(tarball).filter((e) => e.name.startsWith(`mpwan-${version}/server/`) && e.type === '-');
    assert.deepEqual(kit.map((e) => `${e.name.slice(`mpwan-${version}/`.length)} ${e.mode}`).sort(), [
      'server/aarch64/mpwan-relay rwxr-xr-x', 'server/aarch64/qjs rwxr-xr-x',
      'server/setup rwxr-xr-x',
      'server/x86_64/mpwan-relay rwxr-xr-x', 'server/x86_64/qjs rwxr-xr-x',
    ]);
    execFileSync('sh', ['-n', join(top, 'server/setup')]);
    for (const [arch, machine] of Object.entries(KIT)) {
      for (const prog of ['qjs', 'mpwan-relay']) {
        const f = join(top, 'server', arch, prog);
        assert.match(execFileSync('readelf', ['-h', f], { encoding: 'utf8' }), new RegExp(`Machine:\\s+.*${machine.source}`), `${arch}/${prog}`);
        const headers = execFileSync('readelf', ['-l', '-W', f], { encoding: 'utf8' });
        assert.doesNotMatch(headers, /INTERP|program interpreter/, `${arch}/${prog} is static`);
        assert.doesNotMatch(execFileSync('readelf', ['-S', '-W', f], { encoding: 'utf8' }), /\.symtab/, `${arch}/${prog} is stripped`);
      }
    }
    // The bundle setup runs is the built one.
    assert.ok(existsSync(join(top, 'build/bundle/mpwan.js')));
  });

  it('setup --dry-run lists the changes, with this machine\'s relay, and writes nothing', () => {
    const root = tempDir('mpwan-vps-');
    const r = setup(['--dry-run', '--root', root, '--address', '192.0.2.1']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^Would change:$/m);
    assert.ok(r.stdout.includes(`install /usr/local/sbin/mpwan-relay (from ${top}/server/${hostArch}/mpwan-relay)`), r.stdout);
    assert.match(r.stdout, /write \/etc\/systemd\/system\/mpwan-server\.service/);
    assert.match(r.stdout, /mpwan server import 'mpwan:\/\/[0-9a-f]{64}@192\.0\.2\.1:8388#mpwan'/);
    assert.deepEqual(readdirSync(root), []);
  });

  it('sets up the server in a root (new network namespace), and a second run changes nothing', function () {
    if (!canUnshare) this.skip();
    const root = tempDir('mpwan-vps-');
    const args = ['--root', root, '--address', '192.0.2.1', '--port', '8443'];
    const r = spawnSync('unshare', ['-n', 'sh', '-ec', 'ip link set lo up; "$0" "$@"; echo ===; "$0" "$@"; echo ===; ip mptcp limits show',
      join(top, 'server/setup'), ...args], { encoding: 'utf8', env: { PATH: SYSTEM_PATH } });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const [first, second, limits] = r.stdout.split('===\n');
    assert.match(first, /^Changed:$/m);
    assert.match(second, /^Nothing to change: this server is set up\.$/m);
    const link = (s: string) => /'(mpwan:\/\/[^']+)'/.exec(s)?.[1];
    assert.equal(link(second), link(first), 'the same link: the key is kept');
    assert.match(limits, /subflows 8/);
    const relay = join(root, 'usr/local/sbin/mpwan-relay');
    assert.equal(sha256(relay), sha256(join(top, 'server', hostArch, 'mpwan-relay')));
    assert.equal(statSync(relay).mode & 0o777, 0o755);
    const key = join(root, 'etc/mpwan-server/relay.key');
    assert.equal(statSync(key).mode & 0o777, 0o600);
    assert.match(readFileSync(key, 'utf8'), /^[0-9a-f]{64}\n$/);
    assert.ok(link(first)!.startsWith(`mpwan://${readFileSync(key, 'utf8').trim()}@192.0.2.1:8443`));
    assert.match(readFileSync(join(root, 'etc/systemd/system/mpwan-server.service'), 'utf8'),
      /^ExecStart=\/usr\/local\/sbin\/mpwan-relay server --listen \[::\]:8443 --key-file \/etc\/mpwan-server\/relay\.key --congestion bbr$/m);
  });

  it('refuses a machine it has no programs for, saying which it has', () => {
    const bin = tempDir('mpwan-uname-');
    writeFileSync(join(bin, 'uname'), '#!/bin/sh\necho riscv64\n', { mode: 0o755 });
    const r = setup(['--dry-run'], `${bin}:`);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /x86_64 and aarch64 only, not for 'riscv64'/);
    assert.equal(r.stdout, '');
  });

  it('runs the aarch64 programs (under qemu-aarch64-static)', () => {
    const qemu = onPath('qemu-aarch64-static');
    assert.ok(qemu, 'qemu-aarch64-static is missing (Debian package qemu-user-static; scripts/ensure-deps.sh installs it)');
    const qjs = spawnSync(qemu, [join(top, 'server/aarch64/qjs'), join(top, 'build/bundle/mpwan.js'), 'version'], { encoding: 'utf8' });
    assert.equal(qjs.status, 0, qjs.stderr);
    assert.ok(qjs.stdout.includes(version), qjs.stdout);
    // The relay may predate --version: then it prints its usage, which names it too.
    const relay = spawnSync(qemu, [join(top, 'server/aarch64/mpwan-relay'), '--version'], { encoding: 'utf8' });
    assert.match(relay.stdout + relay.stderr, /mpwan-relay/);
  });
});
