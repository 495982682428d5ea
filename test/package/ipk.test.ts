// The .ipk files `make package` writes, unpacked with tar: the ipk layout opkg reads, control
// fields (mpwan per architecture, with mpwan-relay; luci-app-mpwan for all), conffiles, every
// file with its mode and owner 0:0, no build leftovers, reproducible bytes, and agreement with
// the feed Makefiles the OpenWrt SDK builds from. Dependencies: deps.test.ts.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hostIpkArch, repoRoot } from '../lib/install.js';
import { buildPackages, filesUnder, ipkName, readIpk, tempDir, version, type Ipk } from './lib/opkg.js';

const feed = (rel: string) => readFileSync(join(repoRoot, rel), 'utf8');
const feedVar = (text: string, name: string) => new RegExp(`^${name}:=(.*)$`, 'm').exec(text)?.[1].trim();
const MPWAN_MK = feed('package/mpwan/Makefile');
const LUCI_MK = feed('luci-app/luci-app-mpwan/Makefile');
const QJS_MK = feed('package/quickjs/Makefile');
const release = feedVar(MPWAN_MK, 'PKG_RELEASE')!;
const fullVersion = `${version}-r${release}`;
const sha256 = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
const LEFTOVER = /\.(map|ts|tsbuildinfo|orig|rej|swp)$|~$|(^|\/)\.|(^|\/)(test|tests|node_modules)\//;

/** name -> "mode owner" for the regular files of a data.tar.gz listing. */
const fileModes = (ipk: Ipk) => Object.fromEntries(ipk.data.filter((e) => e.type === '-').map((e) => [e.name, `${e.mode} ${e.owner}`]));

describe('ipk packages', function () {
  let dist: string;
  let mpwan: Ipk;
  let luci: Ipk;

  before(() => {
    dist = buildPackages();
    mpwan = readIpk(join(dist, ipkName('mpwan', fullVersion)));
    luci = readIpk(join(dist, ipkName('luci-app-mpwan', fullVersion)));
    for (const p of [mpwan, luci]) {
      const files = p.data.filter((e) => e.type === '-');
      console.log(`      ${p.file.split('/').pop()}: ${statSync(p.file).size} bytes; data ${files.length} files, `
        + `${files.reduce((n, e) => n + e.size, 0)} bytes unpacked`);
    }
    const tarball = join(dist, `mpwan-${version}.tar.gz`);
    console.log(`      mpwan-${version}.tar.gz: ${statSync(tarball).size} bytes`);
  });

  it('names the files mpwan_<version>-r<release>_<arch>.ipk, luci-app-mpwan_<version>-r<release>_all.ipk, mpwan-<version>.tar.gz', () => {
    assert.match(version, /^[0-9]+(\.[0-9]+)*$/, 'apk-valid version');
    assert.match(release, /^[1-9][0-9]*$/);
    assert.deepEqual(readdirSync(dist).sort(), [
      `luci-app-mpwan_${fullVersion}_all.ipk`, `mpwan-${version}.tar.gz`, `mpwan_${fullVersion}_${hostIpkArch}.ipk`,
    ]);
    assert.match(hostIpkArch, /^(x86_64|aarch64_generic)$/, 'OpenWrt\'s spelling of this machine\'s architecture');
  });

  it('is a gzip\'ed tar of ./debian-binary, ./control.tar.gz and ./data.tar.gz owned by 0:0', () => {
    for (const p of [mpwan, luci]) {
      assert.deepEqual(readFileSync(p.file).subarray(0, 2), Buffer.from([0x1f, 0x8b]), 'gzip');
      assert.deepEqual(p.outer.map((e) => e.name), ['./debian-binary', './control.tar.gz', './data.tar.gz']);
      for (const e of p.outer) assert.equal(`${e.type}${e.mode} ${e.owner}`, '-rw-r--r-- 0/0', e.name);
      assert.equal(readFileSync(join(p.dir, 'debian-binary'), 'utf8'), '2.0\n');
      for (const inner of ['control.tar.gz', 'data.tar.gz']) {
        assert.deepEqual(readFileSync(join(p.dir, inner)).subarray(0, 2), Buffer.from([0x1f, 0x8b]), inner);
      }
      // Not an ar archive (what Debian's .deb is): opkg on OpenWrt reads tar.gz.
      assert.notEqual(readFileSync(p.file).subarray(0, 7).toString(), '!<arch>');
    }
  });

  it('has the control fields OpenWrt writes', () => {
    const expect = (p: Ipk, name: string, depends: string, section: string, source: string, arch: string) => {
      const c = p.control;
      assert.equal(c.Package, name);
      assert.equal(c.Version, fullVersion);
      assert.equal(c.Depends, depends);
      assert.equal(c.Source, source);
      assert.equal(c.SourceName, name);
      assert.equal(c.License, 'GPL-2.0-only');
      assert.equal(c.Section, section);
      assert.equal(c.Architecture, arch);
      assert.match(c.Maintainer, /^.+ <[^>]+@[^>]+>$/);
      const size = p.data.filter((e) => e.type === '-').reduce((n, e) => n + e.size, 0);
      assert.equal(c['Installed-Size'], String(size));
      assert.ok(c.Description.length > 20, 'a description');
      assert.ok(p.controlText.endsWith('\n'));
    };
    expect(mpwan, 'mpwan', 'libc, quickjs, ip-full, nftables-json, kmod-nft-nat, kmod-nft-fib, kmod-nft-tproxy, conntrack, kmod-tcp-bbr',
      'net', 'feeds/mpwan/package/mpwan', hostIpkArch);
    expect(luci, 'luci-app-mpwan', 'libc, luci-base, mpwan', 'luci', 'feeds/mpwan/luci-app/luci-app-mpwan', 'all');
  });

  it('makes /etc/config/mpwan a conffile, and runs OpenWrt\'s default scriptlets', () => {
    assert.deepEqual(mpwan.conffiles, ['/etc/config/mpwan']);
    assert.deepEqual(luci.conffiles, []);
    for (const p of [mpwan, luci]) {
      const ctl = Object.fromEntries(p.controlFiles.filter((e) => e.type === '-').map((e) => [e.name, `${e.mode} ${e.owner}`]));
      assert.equal(ctl['./control'], 'rw-r--r-- 0/0');
      for (const s of ['./postinst', './prerm', './postinst-pkg', './postrm']) assert.equal(ctl[s], 'rwxr-xr-x 0/0', s);
      const postinst = readFileSync(join(p.dir, 'CONTROL/postinst'), 'utf8');
      assert.match(postinst, /^#!\/bin\/sh\n/);
      assert.match(postinst, /\. \$\{IPKG_INSTROOT\}\/lib\/functions\.sh\ndefault_postinst \$0 \$@\n$/);
      assert.match(readFileSync(join(p.dir, 'CONTROL/prerm'), 'utf8'), /default_prerm \$0 \$@\n$/);
      // Custom scriptlets touch the running system only on a router, not in an image build.
      assert.match(readFileSync(join(p.dir, 'CONTROL/postinst-pkg'), 'utf8'), /\[ -n "\$\{IPKG_INSTROOT\}" \] \|\|/);
      for (const s of ['postinst', 'prerm', 'postinst-pkg', 'postrm']) {
        execFileSync('sh', ['-n', join(p.dir, 'CONTROL', s)]);
      }
    }
  });

  it('installs exactly the router files, root-owned with the right modes', () => {
    assert.deepEqual(fileModes(mpwan), {
      './etc/config/mpwan': 'rw------- 0/0',
      './etc/hotplug.d/iface/95-mpwan': 'rw-r--r-- 0/0',
      './etc/init.d/mpwan': 'rwxr-xr-x 0/0',
      './etc/uci-defaults/50-mpwan': 'rw-r--r-- 0/0',
      './usr/libexec/rpcd/mpwan': 'rwxr-xr-x 0/0',
      './usr/share/mpwan/rpcd-methods.js': 'rw-r--r-- 0/0',
      './usr/sbin/mpwan': 'rwxr-xr-x 0/0',
      './usr/sbin/mpwan-relay': 'rwxr-xr-x 0/0',
    });
    // LuCI's package: luci-app/luci-app-mpwan's root/ at /, the compiled views (build/luci/htdocs,
    // or the app's own htdocs/) at /www.
    const luciDir = join(repoRoot, 'luci-app/luci-app-mpwan');
    const htdocs = [join(repoRoot, 'build/luci/htdocs'), join(luciDir, 'htdocs')].filter((d) => existsSync(d));
    const expected = [
      ...(existsSync(join(luciDir, 'root')) ? filesUnder(join(luciDir, 'root')) : []),
      ...htdocs.flatMap((d) => filesUnder(d).map((f) => `www/${f}`)),
    ].filter((f) => !LEFTOVER.test(f)).map((f) => `./${f}`).sort();
    assert.deepEqual(Object.keys(fileModes(luci)).sort(), expected);
    assert.ok(expected.includes('./usr/share/rpcd/acl.d/luci-app-mpwan.json'));
    for (const [name, mode] of Object.entries(fileModes(luci))) assert.match(mode, /^rw[-x]r-[-x]r-[-x] 0\/0$/, name);
    for (const p of [mpwan, luci]) {
      for (const e of p.data) {
        assert.equal(e.owner, '0/0', e.name);
        assert.ok(e.type === '-' || e.type === 'd', `${e.name}: only files and folders`);
        if (e.type === 'd') assert.equal(e.mode, 'rwxr-xr-x', e.name);
        assert.ok(e.name === './' || e.name.startsWith('./'), e.name);
      }
    }
    // One owner per file: the ACL is LuCI's, so the two packages never clash.
    const mine = new Set(Object.keys(fileModes(mpwan)));
    for (const f of Object.keys(fileModes(luci))) assert.ok(!mine.has(f), `${f} is in both packages`);
  });

  it('installs the bundles and the stripped relay byte for byte as built, and no build leftovers', () => {
    const data = tempDir('mpwan-data-');
    execFileSync('tar', ['-xzf', join(mpwan.dir, 'data.tar.gz'), '-C', data]);
    assert.equal(sha256(join(data, 'usr/sbin/mpwan')), sha256(join(repoRoot, 'build/bundle/mpwan.js')));
    assert.equal(sha256(join(data, 'usr/libexec/rpcd/mpwan')), sha256(join(repoRoot, 'build/bundle/rpcd-mpwan.js')));
    assert.equal(sha256(join(data, 'usr/share/mpwan/rpcd-methods.js')), sha256(join(repoRoot, 'build/bundle/rpcd-methods.js')));
    assert.equal(sha256(join(data, 'usr/sbin/mpwan-relay')), sha256(join(repoRoot, 'build/relay/mpwan-relay')));
    assert.doesNotMatch(execFileSync('readelf', ['-S', '-W', join(data, 'usr/sbin/mpwan-relay')], { encoding: 'utf8' }), /\.symtab/, 'stripped');
    assert.equal(readFileSync(join(data, 'usr/sbin/mpwan'), 'utf8').split('\n')[0], '#!/usr/bin/qjs');
    assert.doesNotMatch(readFileSync(join(data, 'usr/sbin/mpwan'), 'utf8'), /sourceMappingURL/);
    for (const p of [mpwan, luci]) for (const e of p.data) assert.doesNotMatch(e.name.slice(2), LEFTOVER, e.name);
  });

  it('is reproducible: building again gives the same bytes', () => {
    const again = tempDir('mpwan-dist2-');
    execFileSync('node', ['scripts/package.mjs', '--out', again], { cwd: repoRoot, stdio: 'ignore' });
    for (const f of [ipkName('mpwan', fullVersion), ipkName('luci-app-mpwan', fullVersion), `mpwan-${version}.tar.gz`]) {
      assert.equal(sha256(join(again, f)), sha256(join(dist, f)), f);
    }
  });

  it('ships a source tarball the feed Makefiles can build from without Node', () => {
    const tarball = join(dist, `mpwan-${version}.tar.gz`);
    const names = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    const top = `mpwan-${version}/`;
    for (const n of names) assert.ok(n.startsWith(top), n);
    // Every file package/mpwan/Makefile installs from $(PKG_BUILD_DIR) is in it, but the relay,
    // which Build/Compile makes from src/relay into build/relay.
    const installed = [...MPWAN_MK.matchAll(/\$\(INSTALL_\w+\) \$\(PKG_BUILD_DIR\)\/(\S+)/g)].map((m) => m[1]);
    assert.equal(installed.length, 8);
    for (const f of installed.filter((f) => f !== 'build/relay/mpwan-relay')) assert.ok(names.includes(top + f), `${f} is in the tarball`);
    assert.ok(installed.includes('build/relay/mpwan-relay'));
    assert.ok(!names.some((n) => n.startsWith(`${top}build/relay`)), 'no relay built for this machine in the sources');
    for (const f of ['src/cli/main.ts', 'src/relay/Makefile', 'src/relay/main.c', 'package.json', 'scripts/build.mjs', 'luci-app/luci-app-mpwan/Makefile']) {
      assert.ok(names.includes(top + f), `${f}: the source of what is built`);
    }
    // The compiled LuCI views sit where luci.mk takes them from (the app's htdocs/).
    const views = join(repoRoot, 'build/luci/htdocs');
    if (existsSync(views)) {
      for (const f of filesUnder(views)) assert.ok(names.includes(`${top}luci-app/luci-app-mpwan/htdocs/${f}`), f);
    }
    assert.ok(!names.some((n) => n.includes('node_modules')));
    const listing = execFileSync('tar', ['--numeric-owner', '-tvzf', tarball], { encoding: 'utf8' });
    for (const line of listing.split('\n').filter(Boolean)) assert.match(line, /^\S+ 0\/0 /, line);
  });

  it('agrees with the feed Makefiles: version, release, license, dependencies, files and modes', () => {
    for (const mk of [MPWAN_MK, LUCI_MK]) {
      assert.equal(feedVar(mk, 'PKG_VERSION'), version);
      assert.equal(feedVar(mk, 'PKG_RELEASE'), release);
      assert.equal(feedVar(mk, 'PKG_LICENSE'), 'GPL-2.0-only');
      assert.match(mk, /^# SPDX-License-Identifier: GPL-2\.0-only$/m);
    }
    // mpwan holds a compiled program: built per architecture with the target toolchain.
    assert.doesNotMatch(MPWAN_MK, /PKGARCH/);
    const compile = /define Build\/Compile\n((?:.*\n)*?)endef/.exec(MPWAN_MK)![1].replace(/\\\n/g, ' ');
    assert.match(compile, /\$\(MAKE\) -C \$\(PKG_BUILD_DIR\)\/src\/relay\s/);
    for (const v of ['CC="$(TARGET_CC)"', 'CFLAGS="$(TARGET_CFLAGS)"', 'LDFLAGS="$(TARGET_LDFLAGS)"', 'OUT=$(PKG_BUILD_DIR)/build/relay']) {
      assert.ok(compile.includes(v), v);
    }
    // The relay Makefile takes those variables.
    const relayMk = feed('src/relay/Makefile');
    for (const v of ['CC', 'CFLAGS', 'LDFLAGS', 'OUT']) assert.match(relayMk, new RegExp(`\\$\\(${v}\\)`), v);
    assert.match(LUCI_MK, /^LUCI_PKGARCH:=all$/m);
    assert.match(MPWAN_MK, /define Package\/mpwan\/conffiles\n\/etc\/config\/mpwan\nendef/);
    // No build-time choices: what mpwan depends on is the same in every build.
    assert.doesNotMatch(MPWAN_MK, /MPWAN_PROXY|Package\/mpwan\/config|choice/);
    // Package/mpwan/install: same files, INSTALL_BIN 0755, INSTALL_DATA 0644, INSTALL_CONF 0600.
    const MODE = { INSTALL_BIN: 'rwxr-xr-x 0/0', INSTALL_DATA: 'rw-r--r-- 0/0', INSTALL_CONF: 'rw------- 0/0' } as const;
    const fromMk = Object.fromEntries([...MPWAN_MK.matchAll(/\$\((INSTALL_BIN|INSTALL_DATA|INSTALL_CONF)\) \S+ \$\(1\)(\S+)/g)]
      .map((m) => [`.${m[2]}`, MODE[m[1] as keyof typeof MODE]]));
    assert.deepEqual(fromMk, fileModes(mpwan));
    // quickjs for 24.10: the upstream release the 25.12 feed packages, with a pinned hash.
    assert.equal(feedVar(QJS_MK, 'PKG_VERSION'), '2025.09.13');
    assert.match(feedVar(QJS_MK, 'PKG_HASH')!, /^[0-9a-f]{64}$/);
    assert.match(feedVar(QJS_MK, 'PKG_RELEASE')!, /^[1-9][0-9]*$/);
    assert.match(QJS_MK, /\$\(INSTALL_BIN\) \$\(PKG_BUILD_DIR\)\/qjs \$\(1\)\/usr\/bin\/qjs/);
  });

  it('builds mpwan for another architecture with --arch, refusing a relay for another CPU', () => {
    const kitRelay = join(repoRoot, 'build/kit/aarch64/mpwan-relay');
    const other = hostIpkArch === 'aarch64_generic' ? 'x86_64' : 'aarch64_generic';
    const relay = other === 'x86_64' ? join(repoRoot, 'build/kit/x86_64/mpwan-relay') : kitRelay;
    const out = buildPackages(['--arch', other, '--relay', relay]);
    const p = readIpk(join(out, ipkName('mpwan', fullVersion, other)));
    assert.equal(p.control.Architecture, other);
    const data = tempDir('mpwan-data-');
    execFileSync('tar', ['-xzf', join(p.dir, 'data.tar.gz'), '-C', data]);
    assert.equal(sha256(join(data, 'usr/sbin/mpwan-relay')), sha256(relay));
    // This machine's relay is not labelled as another architecture's.
    const wrong = spawnSync('node', ['scripts/package.mjs', '--out', tempDir('mpwan-dist-'), '--arch', other], { cwd: repoRoot, encoding: 'utf8' });
    assert.notEqual(wrong.status, 0);
    assert.match(wrong.stderr, new RegExp(`program, not for ${other}`));
  });
});
