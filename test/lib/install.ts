// `make install DESTDIR=<tmp>` once per test run: tests run exactly the files a router gets.
// With MPWAN_TEST_INSTALL=ipk the root is instead unpacked from the built package
// (dist/mpwan_*_<arch>.ipk, from `make package`), so a scenario runs entirely from what opkg installs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

let root: string | undefined;
export const repoRoot = resolve(new URL('../..', import.meta.url).pathname);
/** This machine's architecture as OpenWrt spells it, which `make package` gives the mpwan .ipk (scripts/package/elf.mjs). */
export const hostIpkArch: string = ({ x64: 'x86_64', arm64: 'aarch64_generic' } as Record<string, string>)[process.arch] ?? process.arch;

export function installRoot(): string {
  if (root) return root;
  const dir = mkdtempSync(join(tmpdir(), 'mpwan-root-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  if (process.env.MPWAN_TEST_INSTALL === 'ipk') {
    const ipk = readdirSync(join(repoRoot, 'dist')).find((f) => f.startsWith('mpwan_') && f.endsWith(`_${hostIpkArch}.ipk`));
    if (!ipk) throw new Error(`MPWAN_TEST_INSTALL=ipk: no dist/mpwan_*_${hostIpkArch}.ipk (run make package)`);
    const outer = join(dir, '.ipk');
    execFileSync('mkdir', ['-p', outer]);
    execFileSync('tar', ['-xzf', join(repoRoot, 'dist', ipk), '-C', outer]);
    execFileSync('tar', ['-xzf', join(outer, 'data.tar.gz'), '-C', dir]);
    rmSync(outer, { recursive: true, force: true });
  } else {
    execFileSync('make', ['-s', 'install', `DESTDIR=${dir}`], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  root = dir;
  return dir;
}
