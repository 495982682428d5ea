// `make feed`: how long it takes (all five architectures, both releases, the programs' builds
// cached as after a first build) and the size of what a router downloads and installs, per
// architecture: the packages (compressed, as downloaded), the static programs, and the flash
// mpwan + luci-app-mpwan take on 25.12 (apk's installed-size: the files, uncompressed; quickjs
// comes from the official feed there).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../test/lib/install.js';
import { fullVersion, readApk } from '../../test/feed/lib/feed.js';
import type { FeedSection } from '../types.js';

const ARCHES = ['mipsel_24kc', 'arm_cortex-a7_neon-vfpv4', 'aarch64_cortex-a53', 'aarch64_generic', 'x86_64'];

export async function benchFeed(): Promise<FeedSection> {
  const work = mkdtempSync(join(tmpdir(), 'mpwan-bench-feed-'));
  try {
    const keys = join(work, 'keys');
    execFileSync('node', ['scripts/feed-key.mjs', '--key-dir', keys], { cwd: repoRoot, stdio: 'ignore' });
    const run = () => {
      const t = process.hrtime.bigint();
      execFileSync('node', ['scripts/feed.mjs', '--out', join(work, 'feed'), '--key-dir', keys], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
      return Number(process.hrtime.bigint() - t) / 1e9;
    };
    run(); // builds what the cache lacks
    const seconds = [run(), run(), run()].sort((a, b) => a - b)[1];
    const size = (...p: string[]) => statSync(join(work, 'feed', ...p)).size;
    const arches = ARCHES.map((arch) => {
      const opkg = readdirSync(join(work, 'feed/24.10', arch));
      const apkDir = join(work, 'feed/25.12', arch);
      const installed = ['mpwan', 'luci-app-mpwan'].reduce((n, p) => n + readApk(join(apkDir, `${p}-${fullVersion}.apk`)).pkg.info['installed-size'], 0);
      return {
        arch,
        relayBytes: statSync(join(repoRoot, 'build/router', arch, 'mpwan-relay')).size,
        qjsBytes: statSync(join(repoRoot, 'build/router', arch, 'qjs')).size,
        mpwanIpk: size('24.10', arch, `mpwan_${fullVersion}_${arch}.ipk`),
        quickjsIpk: size('24.10', arch, opkg.find((f) => f.startsWith('quickjs_'))!),
        luciIpk: size('24.10', arch, `luci-app-mpwan_${fullVersion}_all.ipk`),
        mpwanApk: size('25.12', arch, `mpwan-${fullVersion}.apk`),
        luciApk: size('25.12', arch, `luci-app-mpwan-${fullVersion}.apk`),
        installed2512: installed,
      };
    });
    return { seconds, arches };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
