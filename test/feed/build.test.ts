// How `make feed` builds: signed unless asked not to, keys only from outside the repository,
// and reproducible: a second build gives the same bytes for every file but the signatures.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../lib/install.js';
import { filesUnder, tempDir } from '../package/lib/opkg.js';
import { AdbReader, decode, indexSchema, readAdbFile } from './lib/adb.js';
import { ARCHES, buildFeed } from './lib/feed.js';

const feedMjs = (args: string[], env: Record<string, string> = {}) =>
  spawnSync('node', ['scripts/feed.mjs', ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, ...env } });

describe('make feed', function () {
  this.timeout(900_000);

  it('refuses to build without the signing keys, and names make feed-key', () => {
    const r = feedMjs(['--out', tempDir('mpwan-feed-'), '--arch', ARCHES[0]], { MPWAN_FEED_KEY_DIR: join(tempDir('mpwan-nokeys-'), 'none') });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /make feed-key/);
  });

  it('keeps keys out of the repository', () => {
    for (const script of ['scripts/feed.mjs', 'scripts/feed-key.mjs']) {
      const r = spawnSync('node', [script, '--key-dir', join(repoRoot, 'keys')], { cwd: repoRoot, encoding: 'utf8' });
      assert.notEqual(r.status, 0, script);
      assert.match(r.stderr, /inside the repository/, script);
      assert.ok(!existsSync(join(repoRoot, 'keys')));
    }
  });

  it('builds unsigned only with --unsigned: no Packages.sig, no signature in packages.adb, no keys in the feed', () => {
    const out = buildFeed(['--unsigned']);
    assert.deepEqual(readdirSync(join(out, '24.10')).sort(), [...ARCHES].sort());
    assert.deepEqual(readdirSync(join(out, '25.12')).sort(), [...ARCHES].sort());
    for (const arch of ARCHES) {
      assert.ok(!existsSync(join(out, '24.10', arch, 'Packages.sig')));
      assert.deepEqual(readAdbFile(readFileSync(join(out, '25.12', arch, 'packages.adb'))).blocks.map((b) => b.type), ['adb']);
    }
  });

  it('is reproducible: building again gives the same bytes, signatures (and the sizes they compress to) aside', () => {
    const a = buildFeed();
    const b = buildFeed([], true);
    const files = filesUnder(a).sort();
    assert.deepEqual(filesUnder(b).sort(), files);
    let compared = 0;
    for (const f of files) {
      const [x, y] = [readFileSync(join(a, f)), readFileSync(join(b, f))];
      if (f.endsWith('Packages.sig')) continue; // Ed25519 is deterministic, but this is the signature
      if (f.endsWith('.apk')) {
        // ECDSA signatures differ each time (always 72 bytes long); the blocks they sign do not.
        const unsigned = (file: Buffer) => readAdbFile(file).blocks.map((b) => b.type === 'sig' ? `sig of ${b.payload.length} bytes` : b.payload);
        assert.deepEqual(unsigned(y), unsigned(x), f);
        continue;
      }
      if (f.endsWith('packages.adb')) {
        // The same, and each package's file-size may differ by the few bytes its signature compresses to.
        const index = (file: Buffer) => {
          const adb = readAdbFile(file).adb;
          const { packages, ...rest } = decode(new AdbReader(adb), new AdbReader(adb).root, indexSchema) as { packages: Record<string, unknown>[] };
          return { ...rest, packages: packages.map(({ 'file-size': _size, ...p }) => p) };
        };
        assert.deepEqual(index(y), index(x), f);
        continue;
      }
      assert.ok(x.equals(y), `${relative(a, join(a, f))} differs`);
      compared += statSync(join(a, f)).size;
    }
    assert.ok(compared > 0);
    for (const arch of ARCHES) {
      assert.equal(readFileSync(join(a, '24.10', arch, 'Packages.sig'), 'utf8'), readFileSync(join(b, '24.10', arch, 'Packages.sig'), 'utf8'),
        'usign (Ed25519) signatures are deterministic');
    }
  });
});
