// package/feeds-deps.json against what is built and what the SDK builds from: every Depends
// name of both .ipk files and every DEPENDS / LUCI_DEPENDS name of the feed Makefiles has a
// source in each supported OpenWrt release (a missing one makes opkg/apk refuse mpwan), and
// the three lists agree exactly. Where the openwrt/packages entries were checked:
// scripts/check-feeds-deps.mjs (not run here: the tests use no fetched code).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../lib/install.js';
import { buildPackages, ipkName, readIpk, version } from './lib/opkg.js';

interface Source { feed: string; repo: string; branch?: string; path: string; checked: string }
interface FeedsDeps {
  releases: string[];
  depends: Record<string, string[]>;
  names: Record<string, { why: string; implicit?: boolean; from: Record<string, Source> }>;
}

const deps: FeedsDeps = JSON.parse(readFileSync(join(repoRoot, 'package/feeds-deps.json'), 'utf8'));
const MAKEFILES: Record<string, { file: string; variable: string }> = {
  mpwan: { file: 'package/mpwan/Makefile', variable: 'DEPENDS' },
  'luci-app-mpwan': { file: 'luci-app/luci-app-mpwan/Makefile', variable: 'LUCI_DEPENDS' },
};
/** Which repository each feed is. */
const FEED_REPO: Record<string, string> = {
  base: 'openwrt/openwrt', packages: 'openwrt/packages', luci: 'openwrt/luci', mpwan: 'this repository',
};

/** The names of a `VAR:=+a +b \` assignment; every one unconditional (a +SYMBOL:name is a build choice). */
function makefileDepends(rel: string, variable: string): string[] {
  const text = readFileSync(join(repoRoot, rel), 'utf8');
  const m = new RegExp(`^\\s*${variable}:=((?:.*\\\\\\n)*.*)$`, 'm').exec(text);
  assert.ok(m, `${rel} sets ${variable}`);
  return m[1].replace(/\\\n/g, ' ').split(/\s+/).filter(Boolean).map((d) => {
    assert.match(d, /^\+[a-z0-9][a-z0-9._+-]*$/, `${rel}: '${d}' is a plain +name`);
    return d.slice(1);
  });
}

describe('dependencies (package/feeds-deps.json)', function () {
  const listed = [...new Set(Object.values(deps.depends).flat())];

  it('has, for every name, where it comes from in OpenWrt 24.10 and in 25.12, how that was checked, and why', () => {
    assert.deepEqual(deps.releases, ['24.10', '25.12']);
    assert.deepEqual(Object.keys(deps.depends).sort(), Object.keys(MAKEFILES).sort());
    assert.deepEqual(Object.keys(deps.names).sort(), [...listed].sort(), 'an entry for every name, and no other');
    for (const name of listed) {
      const n = deps.names[name];
      assert.ok(n.why.length > 10, `${name}: why`);
      assert.deepEqual(Object.keys(n.from).sort(), deps.releases, `${name}: a source in each release`);
      for (const [release, s] of Object.entries(n.from)) {
        const at = `${name} in ${release}`;
        assert.equal(s.repo, FEED_REPO[s.feed], `${at}: feed ${s.feed} is ${FEED_REPO[s.feed]}`);
        if (s.feed !== 'mpwan') assert.equal(s.branch, `openwrt-${release}`, `${at}: the release branch`);
        assert.ok(s.path.length > 0 && !s.path.startsWith('/'), `${at}: path`);
        assert.ok(s.checked.length > 10, `${at}: how it was checked`);
      }
    }
  });

  it('points this feed\'s own entries at Makefiles here that define the package', () => {
    for (const [name, n] of Object.entries(deps.names)) {
      for (const s of Object.values(n.from).filter((x) => x.feed === 'mpwan')) {
        const mk = join(repoRoot, s.path, 'Makefile');
        assert.ok(existsSync(mk), `${s.path}/Makefile`);
        assert.match(readFileSync(mk, 'utf8'), new RegExp(`^define Package/${name}$`, 'm'), `${s.path} defines ${name}`);
      }
    }
    // quickjs: this feed's on 24.10 (its feeds have none), openwrt/packages' lang/quickjs on 25.12.
    assert.equal(deps.names.quickjs.from['24.10'].path, 'package/quickjs');
    assert.equal(deps.names.quickjs.from['25.12'].path, 'lang/quickjs');
  });

  it('is what the built .ipk files depend on, in order', () => {
    const dist = buildPackages();
    const fullVersion = `${version}-r${/^PKG_RELEASE:=(\d+)$/m.exec(readFileSync(join(repoRoot, 'package/mpwan/Makefile'), 'utf8'))![1]}`;
    for (const pkg of Object.keys(MAKEFILES)) {
      const control = readIpk(join(dist, ipkName(pkg, fullVersion))).control;
      assert.deepEqual(control.Depends.split(', '), deps.depends[pkg], `${pkg}'s control Depends`);
    }
  });

  it('is what the feed Makefiles depend on, but libc, which OpenWrt adds to every package', () => {
    const implicit = listed.filter((n) => deps.names[n].implicit);
    assert.deepEqual(implicit, ['libc']);
    for (const [pkg, { file, variable }] of Object.entries(MAKEFILES)) {
      assert.deepEqual(makefileDepends(file, variable), deps.depends[pkg].filter((n) => !implicit.includes(n)), `${file} ${variable}`);
    }
  });

  it('is the table package/README.md shows', () => {
    const r = spawnSync('node', ['scripts/deps-table.mjs', '--check'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  it('names nftables-json, not the virtual nftables, and no optional engine', () => {
    assert.ok(deps.depends.mpwan.includes('nftables-json'));
    for (const name of listed) assert.doesNotMatch(name, /^(nftables|nftables-nojson)$|shadowsocks|mptcpd/, name);
  });
});
