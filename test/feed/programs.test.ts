// The feed's programs on the routers' CPUs, under qemu-user with each router's CPU model
// (MT7621's 24Kc has no FPU: one FPU instruction anywhere, libc included, is SIGILL): the relay's
// C unit tests and `mpwan-relay --version`; the 24.10 quickjs package's qjs running the files of
// the mpwan package: `mpwan --help`, `mpwan check` of a config, the rpcd plugin's `list`.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readIpk, tempDir } from '../package/lib/opkg.js';
import { repoRoot } from '../lib/install.js';
import { ARCHES, buildFeed, fullVersion, QEMU, version } from './lib/feed.js';

/** The data of an .ipk unpacked into a new folder. */
function unpack(file: string): string {
  const root = tempDir('mpwan-root-');
  execFileSync('tar', ['-xzf', join(readIpk(file).dir, 'data.tar.gz'), '-C', root]);
  return root;
}

for (const arch of ARCHES) {
  describe(`the ${arch} programs under ${QEMU[arch].join(' ')}`, function () {
    this.timeout(600_000);
    let root: string;
    const run = (argv: string[], env: Record<string, string> = {}) => {
      const r = spawnSync(QEMU[arch][0], [...QEMU[arch].slice(1), ...argv], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });
      if (r.error) throw r.error;
      return r;
    };

    before(() => {
      const dir = join(buildFeed(), '24.10', arch);
      root = unpack(join(dir, `mpwan_${fullVersion}_${arch}.ipk`));
      const qjs = readdirSync(dir).find((f) => f.startsWith('quickjs_'))!;
      execFileSync('tar', ['-xzf', join(readIpk(join(dir, qjs)).dir, 'data.tar.gz'), '-C', root]);
    });

    it('the relay passes its C unit tests', () => {
      const r = run([join(repoRoot, 'build/router', arch, 'relay-unit')]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout + r.stderr, /unit tests: \d+ checks, 0 failed/);
    });

    it('the packaged relay runs: --version', () => {
      const r = run([join(root, 'usr/sbin/mpwan-relay'), '--version']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), `mpwan-relay ${version}`);
    });

    if (arch === 'mipsel_24kc') {
      it('is soft-float MIPS32r2: no FPU in the ELF flags', () => {
        for (const f of [join(root, 'usr/sbin/mpwan-relay'), join(root, 'usr/bin/qjs')]) {
          assert.match(execFileSync('readelf', ['-A', f], { encoding: 'utf8' }), /FP ABI: Soft float/, f);
        }
      });
    }

    it('the packaged qjs runs the mpwan bundle: --help', () => {
      const r = run([join(root, 'usr/bin/qjs'), join(root, 'usr/sbin/mpwan'), '--help']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^Usage: mpwan <command>/);
    });

    it('mpwan server import, then check of that config (uplinks, the relay engine)', () => {
      const etc = join(tempDir('mpwan-etc-'), 'config');
      mkdirSync(etc, { recursive: true });
      writeFileSync(join(etc, 'mpwan'), "config globals 'globals'\n\toption enabled '1'\n\nconfig uplink 'wan'\n\toption mode 'on'\n\n"
        + "config uplink 'wanb'\n\toption mode 'backup'\n");
      const env = { MPWAN_UCI_DIR: etc, MPWAN_RUN_DIR: tempDir('mpwan-run-') };
      const mpwan = [join(root, 'usr/bin/qjs'), join(root, 'usr/sbin/mpwan')];
      const imp = run([...mpwan, 'server', 'import', `mpwan://${'ab'.repeat(32)}@198.51.100.7:8400#vps`], env);
      assert.equal(imp.status, 0, imp.stderr);
      const r = run([...mpwan, 'check'], env);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /Config OK/);
    });

    it('the rpcd plugin lists its methods', () => {
      const r = run([join(root, 'usr/bin/qjs'), join(root, 'usr/libexec/rpcd/mpwan'), 'list']);
      assert.equal(r.status, 0, r.stderr);
      const methods = JSON.parse(r.stdout);
      for (const m of ['status', 'uplinks', 'set_uplink', 'diagnose']) assert.ok(m in methods, m);
    });
  });
}
