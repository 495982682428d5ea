// Building feeds for the tests (scripts/feed.mjs into temporary folders, with keys made by
// scripts/feed-key.mjs there), the architectures under test and the qemu CPU of each router.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../lib/install.js';
import { tempDir } from '../../package/lib/opkg.js';
import { AdbReader, decode, packageSchema, readAdbFile } from './adb.js';

export const ALL_ARCHES = ['mipsel_24kc', 'arm_cortex-a7_neon-vfpv4', 'aarch64_cortex-a53', 'aarch64_generic', 'x86_64'];
/** MPWAN_FEED_ARCHES: 'all' (make test-feed) or a comma list; `make test` checks the MT7621 one. */
export const ARCHES = (() => {
  const v = process.env.MPWAN_FEED_ARCHES ?? 'mipsel_24kc';
  return v === 'all' ? ALL_ARCHES : v.split(',');
})();

/** qemu-user and the CPU model of the routers each architecture is for. */
export const QEMU: Record<string, string[]> = {
  mipsel_24kc: ['qemu-mipsel-static', '-cpu', '24Kc'], // MT7621: MIPS32r2 without an FPU
  'arm_cortex-a7_neon-vfpv4': ['qemu-arm-static', '-cpu', 'cortex-a7'], // IPQ40xx
  'aarch64_cortex-a53': ['qemu-aarch64-static', '-cpu', 'cortex-a53'], // Filogic and most newer ones
  aarch64_generic: ['qemu-aarch64-static', '-cpu', 'cortex-a53'], // ARMv8.0: the least an aarch64 target has
  x86_64: ['qemu-x86_64-static', '-cpu', 'qemu64'], // baseline x86-64, no SSE4 or SHA
};

export const version: string = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version;
export const release = /^PKG_RELEASE:=(\d+)$/m.exec(readFileSync(join(repoRoot, 'package/mpwan/Makefile'), 'utf8'))![1];
export const fullVersion = `${version}-r${release}`;

let keys: string | undefined;
/** A key folder made by `make feed-key`'s script (once per run). */
export function feedKeys(): string {
  if (!keys) {
    keys = join(tempDir('mpwan-feed-keys-'), 'keys');
    execFileSync('node', ['scripts/feed-key.mjs', '--key-dir', keys], { cwd: repoRoot, stdio: 'ignore' });
  }
  return keys;
}

const built = new Map<string, string>();
/** scripts/feed.mjs for ARCHES into a new folder (once per run and argument set; fresh: a new one); returns it. */
export function buildFeed(extra: string[] = [], fresh = false): string {
  const have = built.get(extra.join(' '));
  if (have && !fresh) return have;
  const out = tempDir('mpwan-feed-');
  const r = spawnSync('node', ['scripts/feed.mjs', '--out', out, ...ARCHES.flatMap((a) => ['--arch', a]), ...extra],
    { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, MPWAN_FEED_KEY_DIR: feedKeys() } });
  if (r.status !== 0) throw new Error(`feed.mjs failed: ${r.stderr}`);
  if (!fresh) built.set(extra.join(' '), out);
  return out;
}

/** An .apk read and decoded: its file, blocks and the package object. */
export function readApk(file: string) {
  const f = readAdbFile(readFileSync(file));
  const pkg = decode(new AdbReader(f.adb), new AdbReader(f.adb).root, packageSchema) as ApkPackage;
  return { ...f, pkg };
}

export interface ApkFile { name: string; acl: { mode: number; user: string; group: string }; size: number; mtime: number; hash: string }
export interface ApkDir { name?: string; acl: { mode: number; user: string; group: string }; files?: ApkFile[] }
export interface ApkInfo {
  name: string; version: string; hashes: string; description: string; arch: string; license: string; origin: string;
  maintainer: string; url?: string; 'installed-size': number; 'file-size'?: number; depends?: { name: string }[]; provides?: { name: string; version?: string }[];
}
export interface ApkPackage { info: ApkInfo; paths: ApkDir[]; scripts?: Record<string, string> }
