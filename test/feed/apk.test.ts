// The OpenWrt 25.12 feed `make feed` writes (dist/feed/25.12/<arch>/), read with a reader of
// apk-tools 3's ADB format (lib/adb.ts): packages.adb is signed by the feed's ECDSA key and lists
// exactly the .apk files beside it with their sizes and the SHA-256 of their ADB blocks; each
// package holds the fields, scripts and /lib/apk/packages/<name>.list/.conffiles/.conffiles_static
// that OpenWrt's include/package-pack.mk gives every package, the same files as the 24.10 .ipk,
// and its file contents in DATA blocks that match the hashes.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { filesUnder, readIpk, tempDir } from '../package/lib/opkg.js';
import { repoRoot } from '../lib/install.js';
import { AdbReader, decode, indexSchema, readAdbFile, verifySignature } from './lib/adb.js';
import { ARCHES, buildFeed, feedKeys, fullVersion, readApk, type ApkInfo, type ApkPackage } from './lib/feed.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const MPWAN_MK = readFileSync(join(repoRoot, 'package/mpwan/Makefile'), 'utf8');
/** A `define Package/mpwan/<name>` body as make passes it to the shell ($$ is $), with echo's newline. */
const makeDefine = (name: string) => `${new RegExp(`define Package/mpwan/${name}\n((?:.*\n)*?)endef`).exec(MPWAN_MK)![1].replaceAll('$$', '$')}`;

/** package-pack.mk's apk scripts for a package whose Makefile defines postinst and postrm. */
function openwrtScripts(name: string, postinst: string, postrm: string): Record<string, string> {
  const noShebang = (s: string) => s.split('\n').filter((l) => !/^\s*#!/.test(l)).join('\n');
  const functions = '[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0\n. ${IPKG_INSTROOT}/lib/functions.sh\n'
    + `export root="\${IPKG_INSTROOT}"\nexport pkgname="${name}"\n`;
  const postInstall = `#!/bin/sh\n[ "\${IPKG_NO_SCRIPT}" = "1" ] && exit 0\n${functions}add_group_and_user\ndefault_postinst\n${noShebang(postinst)}`;
  return {
    'post-install': postInstall,
    'post-upgrade': `#!/bin/sh\nexport PKG_UPGRADE=1\n${noShebang(postInstall)}`,
    'pre-deinstall': `#!/bin/sh\n${functions}default_prerm\n`,
    'post-deinstall': postrm,
  };
}

/** path -> { mode, size, hash } of every file of a decoded package. */
function apkFiles(pkg: ApkPackage) {
  const out: Record<string, { mode: string; size: number; hash: string; owner: string; mtime: number }> = {};
  for (const d of pkg.paths) {
    for (const f of d.files ?? []) {
      out[`${d.name ? `${d.name}/` : ''}${f.name}`] = { mode: f.acl.mode.toString(8), size: f.size, hash: f.hash, owner: `${f.acl.user}:${f.acl.group}`, mtime: f.mtime };
    }
  }
  return out;
}

for (const arch of ARCHES) {
  describe(`OpenWrt 25.12 feed for ${arch}`, function () {
    this.timeout(900_000);
    let dir: string;
    let apks: Record<string, ReturnType<typeof readApk>>;
    const epoch = Number(process.env.SOURCE_DATE_EPOCH ?? execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: repoRoot, encoding: 'utf8' }).trim());

    before(() => {
      dir = join(buildFeed(), '25.12', arch);
      apks = Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith('.apk')).map((f) => [f, readApk(join(dir, f))]));
      for (const f of Object.keys(apks)) console.log(`      ${f}: ${statSync(join(dir, f)).size} bytes, installed ${apks[f].pkg.info['installed-size']} bytes`);
    });

    it('holds mpwan and luci-app-mpwan in apk-tools 3\'s ADB format, and packages.adb', () => {
      assert.deepEqual(readdirSync(dir).sort(), [`luci-app-mpwan-${fullVersion}.apk`, `mpwan-${fullVersion}.apk`, 'packages.adb']);
      for (const a of Object.values(apks)) {
        assert.equal(a.compression, 'deflate');
        assert.equal(a.schema, 'pckg');
      }
    });

    it('each package is signed by the feed key too (it installs on its own, without --allow-untrusted)', () => {
      const pub = readFileSync(join(feedKeys(), 'apk.pub.pem'), 'utf8');
      for (const [file, a] of Object.entries(apks)) {
        const sigs = a.blocks.filter((b) => b.type === 'sig');
        assert.equal(sigs.length, 1, file);
        assert.ok(verifySignature(a, sigs[0].payload, pub), `${file}: ECDSA P-256 / SHA-512 over its ADB block`);
        const tampered = { ...a, adb: Buffer.from(a.adb) };
        tampered.adb[tampered.adb.length - 1] ^= 1;
        assert.ok(!verifySignature(tampered, sigs[0].payload, pub), file);
      }
    });

    it('packages.adb lists exactly the packages beside it, with file sizes and the SHA-256 of their ADB blocks, and is signed by the feed key', () => {
      const index = readAdbFile(readFileSync(join(dir, 'packages.adb')));
      assert.equal(index.schema, 'indx');
      const ndx = decode(new AdbReader(index.adb), new AdbReader(index.adb).root, indexSchema) as { description: string; packages: ApkInfo[] };
      assert.match(ndx.description, new RegExp(`^mpwan ${fullVersion} for OpenWrt 25\\.12, ${arch}$`));
      assert.deepEqual(ndx.packages.map((p) => `${p.name}-${p.version}.apk`), Object.keys(apks).sort(), 'sorted by name; the default pkgname-spec finds each file');
      for (const entry of ndx.packages) {
        const file = `${entry.name}-${entry.version}.apk`;
        assert.equal(entry['file-size'], statSync(join(dir, file)).size, file);
        assert.equal(entry.hashes, sha256(apks[file].adb), `${file}: the identity apk checks a downloaded package against`);
        const { hashes: _h, 'file-size': _s, ...rest } = entry;
        const { hashes: _ph, ...own } = apks[file].pkg.info;
        assert.deepEqual(rest, own, `${file}: the package's own info`);
      }
      const sigs = index.blocks.filter((b) => b.type === 'sig');
      assert.equal(sigs.length, 1);
      const pub = readFileSync(join(dir, '../mpwan-feed.pem'), 'utf8');
      assert.equal(pub, readFileSync(join(feedKeys(), 'apk.pub.pem'), 'utf8'));
      assert.match(pub, /^-----BEGIN PUBLIC KEY-----\n/);
      assert.ok(verifySignature(index, sigs[0].payload, pub), 'ECDSA P-256 / SHA-512 over schema, signature header and the SHA-512 of the ADB block');
      const tampered = { ...index, adb: Buffer.from(index.adb) };
      tampered.adb[tampered.adb.length - 1] ^= 1;
      assert.ok(!verifySignature(tampered, sigs[0].payload, pub));
    });

    it('mpwan: the fields, scripts and package lists package-pack.mk writes', () => {
      const { pkg } = apks[`mpwan-${fullVersion}.apk`];
      const i = pkg.info;
      assert.equal(i.name, 'mpwan');
      assert.equal(i.version, fullVersion);
      assert.equal(i.arch, arch);
      assert.equal(i.license, 'GPL-2.0-only');
      assert.equal(i.origin, 'feeds/mpwan/package/mpwan');
      assert.match(i.maintainer, /^.+ <[^>]+@[^>]+>$/);
      assert.equal(i.url, undefined, 'no URL in the feed Makefile');
      assert.match(i.description, /^Multipath WAN with the kernel's MPTCP: one TCP connection uses every uplink at once .* mpwan-relay to your own server\.$/);
      assert.match(i.hashes, /^[0-9a-f]{40}$/, 'apk mkpkg\'s 20-byte unique id');
      // apk's dependency arrays are sorted by name.
      assert.deepEqual(i.depends?.map((d) => d.name), ['conntrack', 'ip-full', 'kmod-nft-fib', 'kmod-nft-nat', 'kmod-nft-tproxy', 'kmod-tcp-bbr', 'libc', 'nftables-json', 'quickjs']);
      assert.deepEqual(i.provides, [{ name: 'mpwan-any' }], 'the virtual provide OpenWrt gives every package: no version');
      assert.deepEqual(pkg.scripts, openwrtScripts('mpwan', makeDefine('postinst'), makeDefine('postrm')));
      for (const s of Object.values(pkg.scripts!)) execFileSync('sh', ['-n', '-c', s]);
      const files = apkFiles(pkg);
      assert.equal(i['installed-size'], Object.values(files).reduce((n, f) => n + f.size, 0));
      const contents = extract(`mpwan-${fullVersion}.apk`);
      const others = Object.keys(files).filter((f) => !f.startsWith('lib/apk/packages/')).map((f) => `/${f}`).sort();
      assert.equal(contents['lib/apk/packages/mpwan.list'].toString(), others.map((f) => `${f}\n`).join(''));
      assert.equal(contents['lib/apk/packages/mpwan.conffiles'].toString(), '/etc/config/mpwan\n');
      assert.equal(contents['lib/apk/packages/mpwan.conffiles_static'].toString(), `/etc/config/mpwan ${sha256(contents['etc/config/mpwan'])}\n`);
    });

    it('luci-app-mpwan: noarch, OpenWrt\'s scripts, its file list, no conffiles', () => {
      const { pkg } = apks[`luci-app-mpwan-${fullVersion}.apk`];
      assert.equal(pkg.info.arch, 'noarch');
      assert.equal(pkg.info.origin, 'feeds/mpwan/luci-app/luci-app-mpwan');
      assert.deepEqual(pkg.info.depends?.map((d) => d.name), ['libc', 'luci-base', 'mpwan']);
      assert.deepEqual(pkg.info.provides, [{ name: 'luci-app-mpwan-any' }]);
      assert.deepEqual(Object.keys(pkg.scripts!).sort(), ['post-deinstall', 'post-install', 'post-upgrade', 'pre-deinstall']);
      assert.match(pkg.scripts!['post-install'], /\nexport pkgname="luci-app-mpwan"\nadd_group_and_user\ndefault_postinst\n\[ -n "\$\{IPKG_INSTROOT\}" \] \|\|/);
      const contents = extract(`luci-app-mpwan-${fullVersion}.apk`);
      assert.ok(!('lib/apk/packages/luci-app-mpwan.conffiles' in contents));
      const others = Object.keys(contents).filter((f) => !f.startsWith('lib/apk/packages/')).map((f) => `/${f}`).sort();
      assert.equal(contents['lib/apk/packages/luci-app-mpwan.list'].toString(), others.map((f) => `${f}\n`).join(''));
    });

    it('installs the same files as the 24.10 .ipk: contents, modes, root-owned, mtimes SOURCE_DATE_EPOCH', () => {
      const opkgDir = join(buildFeed(), '24.10', arch);
      for (const [apk, ipk] of [[`mpwan-${fullVersion}.apk`, `mpwan_${fullVersion}_${arch}.ipk`], [`luci-app-mpwan-${fullVersion}.apk`, `luci-app-mpwan_${fullVersion}_all.ipk`]]) {
        const files = apkFiles(apks[apk].pkg);
        const ipkData = tempDir('mpwan-ipk-data-');
        execFileSync('tar', ['-xzf', join(readIpk(join(opkgDir, ipk)).dir, 'data.tar.gz'), '-C', ipkData]);
        const mine = Object.fromEntries(Object.entries(files).filter(([f]) => !f.startsWith('lib/apk/packages/')));
        assert.deepEqual(Object.keys(mine).sort(), filesUnder(ipkData).sort(), apk);
        for (const [f, info] of Object.entries(mine)) {
          const st = statSync(join(ipkData, f));
          assert.equal(info.hash, sha256(readFileSync(join(ipkData, f))), f);
          assert.equal(info.mode, (st.mode & 0o7777).toString(8), f);
          assert.equal(info.owner, 'root:root', f);
          assert.equal(info.mtime, epoch, f);
        }
        for (const d of apks[apk].pkg.paths) assert.equal(`${d.acl.mode.toString(8)} ${d.acl.user}:${d.acl.group}`, '755 root:root', d.name ?? '/');
      }
    });
  });

  /** The files of a package from its DATA blocks, each checked against its path, size and hash. */
  function extract(file: string): Record<string, Buffer> {
    const dir = join(buildFeed(), '25.12', arch);
    const { blocks, pkg } = readApk(join(dir, file));
    const want: [string, { size: number; hash: string }, number, number][] = [];
    pkg.paths.forEach((d, p) => (d.files ?? []).forEach((f, i) => {
      if (f.size > 0) want.push([`${d.name ? `${d.name}/` : ''}${f.name}`, f, p + 1, i + 1]);
    }));
    const data = blocks.filter((b) => b.type === 'data');
    assert.equal(data.length, want.length, `${file}: one DATA block per non-empty file`);
    const out: Record<string, Buffer> = {};
    data.forEach((b, n) => {
      const [name, f, p, i] = want[n];
      assert.deepEqual([b.payload.readUInt32LE(0), b.payload.readUInt32LE(4)], [p, i], `${file}: DATA block ${n} is for ${name}`);
      const bytes = b.payload.subarray(8);
      assert.equal(bytes.length, f.size, name);
      assert.equal(sha256(bytes), f.hash, name);
      out[name] = bytes;
    });
    return out;
  }
}
