// The OpenWrt 24.10 feed `make feed` writes (dist/feed/24.10/<arch>/), read as opkg reads it:
// Packages lists exactly the .ipk files beside it with their sizes and SHA-256; each stanza is
// the package's control file as OpenWrt's ipkg-make-index.sh and package/Makefile print it;
// Packages.gz is Packages; Packages.sig is a usign signature by the feed's public key. The
// packages: mpwan (with the static relay), quickjs (a static /usr/bin/qjs), luci-app-mpwan.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readIpk, tempDir, type Ipk } from '../package/lib/opkg.js';
import { repoRoot } from '../lib/install.js';
import { ARCHES, buildFeed, feedKeys, fullVersion } from './lib/feed.js';
import { usignFingerprint, usignVerify } from './lib/usign.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** The quickjs package's version: the Debian quickjs source's (scripts/ensure-qjs.sh), release 1. */
const qjsVersion = () => {
  const src = execFileSync('scripts/ensure-qjs.sh', ['--source'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  return `${readFileSync(join(src, 'VERSION'), 'utf8').trim().replaceAll('-', '.')}-r1`;
};

/** Packages parsed: stanzas separated by blank lines, "Field: value" lines, continuation lines start with a space. */
function parsePackages(text: string): Record<string, string>[] {
  return text.split(/\n\n+/).filter((s) => s.trim()).map((stanza) => {
    const fields: Record<string, string> = {};
    let last = '';
    for (const line of stanza.split('\n')) {
      if (line.startsWith(' ')) { fields[last] += `\n${line.slice(1)}`; continue; }
      const m = /^([A-Za-z0-9-]+): (.*)$/.exec(line);
      assert.ok(m, `not a field line: ${JSON.stringify(line)}`);
      assert.ok(!(m[1] in fields), `${m[1]} twice`);
      fields[(last = m[1])] = m[2];
    }
    return fields;
  });
}

for (const arch of ARCHES) {
  describe(`OpenWrt 24.10 feed for ${arch}`, function () {
    this.timeout(900_000);
    let dir: string;
    let ipks: Record<string, Ipk>;
    let QJS_VERSION: string;

    before(() => {
      QJS_VERSION = qjsVersion();
      dir = join(buildFeed(), '24.10', arch);
      ipks = Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith('.ipk')).map((f) => [f, readIpk(join(dir, f))]));
      for (const f of Object.keys(ipks)) console.log(`      ${f}: ${statSync(join(dir, f)).size} bytes`);
    });

    it('holds mpwan, quickjs and luci-app-mpwan and the index opkg reads', () => {
      assert.deepEqual(readdirSync(dir).sort(), [
        'Packages', 'Packages.gz', 'Packages.sig',
        `luci-app-mpwan_${fullVersion}_all.ipk`, `mpwan_${fullVersion}_${arch}.ipk`, `quickjs_${QJS_VERSION}_${arch}.ipk`,
      ].sort());
    });

    it('lists exactly the packages beside it, with their sizes and SHA-256, their control fields as OpenWrt indexes them', () => {
      const text = readFileSync(join(dir, 'Packages'), 'utf8');
      const stanzas = parsePackages(text);
      assert.deepEqual(stanzas.map((s) => s.Filename), Object.keys(ipks).sort(), 'one stanza per .ipk, in file name order');
      for (const s of stanzas) {
        const bytes = readFileSync(join(dir, s.Filename));
        assert.equal(s.Size, String(bytes.length), s.Filename);
        assert.equal(s.SHA256sum, sha256(bytes), s.Filename);
        // The control file, less what package/Makefile's grep drops, Filename/Size/SHA256sum before Description.
        const control = ipks[s.Filename].control;
        const kept = Object.entries(control).filter(([k]) => !/^(Maintainer|LicenseFiles|Source|SourceName|Require|SourceDateEpoch)/.test(k));
        const expected: Record<string, string> = {};
        for (const [k, v] of kept) {
          if (k === 'Description') Object.assign(expected, { Filename: s.Filename, Size: s.Size, SHA256sum: s.SHA256sum });
          expected[k] = v;
        }
        assert.deepEqual(Object.entries(s), Object.entries(expected), s.Filename);
      }
      assert.ok(text.endsWith('\n\n'), 'each stanza ends with a blank line');
      assert.ok(![110, 111].includes((64 + Buffer.byteLength(text)) % 128), 'padded past usign\'s SHA-512 bug sizes');
    });

    it('Packages.gz is Packages, gzip without name or time', () => {
      const gz = readFileSync(join(dir, 'Packages.gz'));
      assert.deepEqual(gunzipSync(gz), readFileSync(join(dir, 'Packages')));
      assert.equal(gz.readUInt32LE(4), 0, 'no mtime');
      assert.equal(gz[3] & 0x08, 0, 'no file name');
    });

    it('Packages.sig is a usign signature of Packages by the feed key, whose public half is in the feed', () => {
      const pub = readFileSync(join(dir, '../mpwan-feed.pub'), 'utf8');
      assert.equal(pub, readFileSync(join(feedKeys(), 'usign.pub'), 'utf8'));
      const sig = readFileSync(join(dir, 'Packages.sig'), 'utf8');
      const packages = readFileSync(join(dir, 'Packages'));
      assert.ok(usignVerify(pub, sig, packages));
      assert.match(sig, new RegExp(`^untrusted comment: signed by key ${usignFingerprint(pub)}\n`));
      // A changed index or another key fails.
      assert.ok(!usignVerify(pub, sig, Buffer.concat([packages, Buffer.from('\n')])));
      const other = tempDir('mpwan-other-key-');
      execFileSync('node', ['scripts/feed-key.mjs', '--key-dir', join(other, 'k')], { cwd: repoRoot, stdio: 'ignore' });
      assert.ok(!usignVerify(readFileSync(join(other, 'k/usign.pub'), 'utf8'), sig, packages));
    });

    it('quickjs: the official package\'s name and /usr/bin/qjs, a static program for this CPU', () => {
      const q = ipks[`quickjs_${QJS_VERSION}_${arch}.ipk`];
      assert.deepEqual(Object.entries(q.control).map(([k]) => k), [
        'Package', 'Version', 'Depends', 'Source', 'SourceName', 'License', 'LicenseFiles', 'Section', 'URL', 'Maintainer',
        'Architecture', 'Installed-Size', 'Description']);
      assert.equal(q.control.Package, 'quickjs');
      assert.equal(q.control.Version, QJS_VERSION);
      assert.equal(q.control.Depends, 'libc', 'static: no libatomic');
      assert.equal(q.control.Architecture, arch);
      assert.equal(q.control.License, 'MIT');
      assert.equal(q.control.Section, 'lang');
      const files = q.data.filter((e) => e.type === '-');
      assert.deepEqual(files.map((e) => `${e.name} ${e.mode} ${e.owner}`), ['./usr/bin/qjs rwxr-xr-x 0/0']);
      assert.equal(q.control['Installed-Size'], String(files[0].size));
      const data = tempDir('mpwan-qjs-');
      execFileSync('tar', ['-xzf', join(q.dir, 'data.tar.gz'), '-C', data]);
      const elf = execFileSync('readelf', ['-h', '-l', join(data, 'usr/bin/qjs')], { encoding: 'utf8' });
      assert.doesNotMatch(elf, /INTERP/, 'statically linked');
      assert.deepEqual(readdirSync(join(q.dir, 'CONTROL')).sort(), ['control', 'postinst', 'prerm']);
    });

    it('mpwan carries this architecture\'s static relay; luci-app-mpwan is the same for every architecture', () => {
      const m = ipks[`mpwan_${fullVersion}_${arch}.ipk`];
      assert.equal(m.control.Architecture, arch);
      assert.equal(m.control.Depends, 'libc, quickjs, ip-full, nftables-json, kmod-nft-nat, kmod-nft-fib, kmod-nft-tproxy, conntrack, kmod-tcp-bbr');
      const data = tempDir('mpwan-data-');
      execFileSync('tar', ['-xzf', join(m.dir, 'data.tar.gz'), '-C', data]);
      const relay = readFileSync(join(data, 'usr/sbin/mpwan-relay'));
      assert.deepEqual(relay, readFileSync(join(repoRoot, 'build/router', arch, 'mpwan-relay')));
      assert.doesNotMatch(execFileSync('readelf', ['-l', join(data, 'usr/sbin/mpwan-relay')], { encoding: 'utf8' }), /INTERP/);
      assert.deepEqual(readdirSync(join(m.dir, 'CONTROL')).sort(), ['conffiles', 'control', 'postinst', 'postinst-pkg', 'postrm', 'prerm']);
      assert.equal(ipks[`luci-app-mpwan_${fullVersion}_all.ipk`].control.Architecture, 'all');
    });
  });
}
