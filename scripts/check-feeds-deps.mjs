#!/usr/bin/env node
// Re-checks package/feeds-deps.json against the feeds it names, where that is possible here:
//   - feed mpwan (this repository): the Makefile exists and defines Package/<name>;
//   - feed packages: with --packages-mirror DIR (a git clone or mirror of openwrt/packages that
//     has the release branches), `git ls-tree` finds <path>/Makefile on the branch and that
//     Makefile defines Package/<name>.
// openwrt/openwrt (base) and openwrt/luci are not checked: their entries say how they were.
// Not part of the tests (they use no fetched code); run it when a dependency or release changes:
//   node scripts/check-feeds-deps.mjs --packages-mirror /path/to/openwrt-packages.git
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const repo = resolve(dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const i = args.indexOf('--packages-mirror');
const mirror = i >= 0 ? args[i + 1] : undefined;
const deps = JSON.parse(readFileSync(join(repo, 'package/feeds-deps.json'), 'utf8'));

/** Whether a feed Makefile's text defines the package (or, for kernel modules, KernelPackage). */
const defines = (text, name) => new RegExp(`^define (Package/${name}|KernelPackage/${name.replace(/^kmod-/, '')})$`, 'm').test(text);

/** The Makefile of path on branch in the mirror, or null when the branch has no such file. */
function mirrorMakefile(branch, path) {
  const listed = execFileSync('git', ['-C', mirror, 'ls-tree', '--name-only', branch, `${path}/Makefile`], { encoding: 'utf8' }).trim();
  return listed ? execFileSync('git', ['-C', mirror, 'show', `${branch}:${path}/Makefile`], { encoding: 'utf8' }) : null;
}

let failed = 0;
for (const [name, entry] of Object.entries(deps.names)) {
  for (const release of deps.releases) {
    const f = entry.from[release];
    let verdict;
    if (f.feed === 'mpwan') {
      const mk = join(repo, f.path, 'Makefile');
      verdict = existsSync(mk) && defines(readFileSync(mk, 'utf8'), name) ? 'ok' : 'MISSING';
    } else if (f.feed === 'packages' && mirror) {
      const text = mirrorMakefile(f.branch, f.path);
      verdict = text !== null && defines(text, name) ? 'ok' : 'MISSING';
    } else {
      verdict = 'not checked here';
    }
    if (verdict === 'MISSING') failed++;
    console.log(`${release} ${name}: ${f.repo} ${f.branch ?? ''} ${f.path}: ${verdict}`.replace(/  +/g, ' '));
  }
}
if (!mirror) console.log('(give --packages-mirror DIR to check the openwrt/packages entries)');
process.exit(failed ? 1 : 0);
