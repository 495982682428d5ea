#!/usr/bin/env node
// `make feed`: signed package feeds a router installs mpwan from, no OpenWrt SDK needed:
//   dist/feed/24.10/<arch>/  mpwan_<v>-r<r>_<arch>.ipk, quickjs_<qv>-r<r>_<arch>.ipk,
//                            luci-app-mpwan_<v>-r<r>_all.ipk, Packages, Packages.gz, Packages.sig
//   dist/feed/24.10/mpwan-feed.pub      the usign public key (opkg-key add)
//   dist/feed/25.12/<arch>/  mpwan-<v>-r<r>.apk, luci-app-mpwan-<v>-r<r>.apk, packages.adb
//   dist/feed/25.12/mpwan-feed.pem      the ECDSA public key (/etc/apk/keys/)
// The programs are static musl builds per architecture (scripts/build-router.sh). Same tree,
// same bytes (mtimes are SOURCE_DATE_EPOCH, default the last commit's), signatures aside.
//
// Options: --arch A (repeatable; default all five), --release 24.10|25.12 (repeatable; default
//          both), --out DIR (default dist/feed), --key-dir DIR (default: see scripts/package/keys.mjs),
//          --unsigned (no signatures, no keys needed: only when asked for).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { buildApk } from './package/apk.mjs';
import { apkIndex } from './package/apk-index.mjs';
import { mpwanPackages, packageMeta, quickjsPackage } from './package/contents.mjs';
import { checkArch } from './package/elf.mjs';
import { archiver } from './package/files.mjs';
import { buildIpk } from './package/ipk.mjs';
import { KEY_FILES, keyDir, loadKeys } from './package/keys.mjs';
import { opkgIndex } from './package/opkg-index.mjs';
import { usignSign } from './package/usign.mjs';

const repo = resolve(dirname(new URL(import.meta.url).pathname), '..');
const ARCHES = ['mipsel_24kc', 'arm_cortex-a7_neon-vfpv4', 'aarch64_cortex-a53', 'aarch64_generic', 'x86_64'];
const RELEASES = ['24.10', '25.12'];

const args = process.argv.slice(2);
const all = (name) => args.flatMap((a, i) => (a === `--${name}` && args[i + 1] ? args[i + 1].split(',') : []));
const one = (name) => all(name)[0];
const arches = all('arch').length ? all('arch') : ARCHES;
const releases = all('release').length ? all('release') : RELEASES;
const unsigned = args.includes('--unsigned');
const out = resolve(repo, one('out') ?? 'dist/feed');
for (const a of arches) if (!ARCHES.includes(a)) throw new Error(`unknown architecture '${a}' (known: ${ARCHES.join(', ')})`);
for (const r of releases) if (!RELEASES.includes(r)) throw new Error(`unknown release '${r}' (known: ${RELEASES.join(', ')})`);

const dir = unsigned ? null : keyDir(repo, one('key-dir'));
const keys = unsigned ? null : loadKeys(dir);
const meta = packageMeta(repo);
const started = Date.now();

/** The static programs of arch, checked: right CPU, no program interpreter. */
function programs(arch) {
  const p = { relay: join(repo, 'build/router', arch, 'mpwan-relay'), qjs: join(repo, 'build/router', arch, 'qjs') };
  for (const f of Object.values(p)) {
    const { interp } = checkArch(f, arch);
    if (interp) throw new Error(`${f} is dynamically linked (${interp}): the router packages carry static programs`);
  }
  return p;
}

const qjsVersion = () => readFileSync(join(execFileSync('scripts/ensure-qjs.sh', ['--source'], { cwd: repo, encoding: 'utf8' }).trim(), 'VERSION'), 'utf8').trim().replaceAll('-', '.');

function opkgFeed(arch, prog, work, ar) {
  const folder = join(out, '24.10', arch);
  mkdirSync(folder, { recursive: true });
  const pkgs = [...mpwanPackages(repo, meta, { arch, relay: prog.relay }), quickjsPackage(repo, { arch, qjs: prog.qjs, sourceVersion: qjsVersion() })];
  const built = pkgs.map((p) => buildIpk(p, { work: join(work, 'ipk', arch), out: folder, ar }));
  const { packages, packagesGz } = opkgIndex(folder);
  writeFileSync(join(folder, 'Packages'), packages);
  writeFileSync(join(folder, 'Packages.gz'), packagesGz);
  if (keys) writeFileSync(join(folder, 'Packages.sig'), usignSign(keys.usignSecret, packages));
  return built.map((b) => b.file);
}

function apkFeed(arch, prog, work) {
  const folder = join(out, '25.12', arch);
  mkdirSync(folder, { recursive: true });
  const pkgs = mpwanPackages(repo, meta, { arch, relay: prog.relay });
  const built = pkgs.map((p) => ({ name: p.name, ...buildApk(p, { work: join(work, 'apk', arch), out: folder, epoch: meta.epoch, key: keys?.apk ?? null }) }));
  const description = `mpwan ${meta.fullVersion} for OpenWrt 25.12, ${arch}`;
  writeFileSync(join(folder, 'packages.adb'), apkIndex(built, { description, key: keys?.apk ?? null }));
  return built.map((b) => b.file);
}

execFileSync('scripts/build-router.sh', arches, { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] });
const work = mkdtempSync(join(tmpdir(), 'mpwan-feed-'));
try {
  const ar = archiver(meta.epoch);
  const files = [];
  for (const r of releases) {
    // Only the architectures built now are replaced: `make feed ARCH=...` keeps the others.
    for (const arch of arches) rmSync(join(out, r, arch), { recursive: true, force: true });
    mkdirSync(join(out, r), { recursive: true });
    if (keys && r === '24.10') copyFileSync(join(dir, KEY_FILES.usignPublic), join(out, r, 'mpwan-feed.pub'));
    if (keys && r === '25.12') copyFileSync(join(dir, KEY_FILES.apkPublic), join(out, r, 'mpwan-feed.pem'));
  }
  for (const arch of arches) {
    const prog = programs(arch);
    if (releases.includes('24.10')) files.push(...opkgFeed(arch, prog, work, ar));
    if (releases.includes('25.12')) files.push(...apkFeed(arch, prog, work));
  }
  for (const f of files) console.log(`${relative(repo, f)}: ${statSync(f).size} bytes`);
  console.log(`feed: ${releases.join(' and ')} for ${arches.join(', ')} in ${relative(repo, out)}/`
    + `${keys ? '' : ' (UNSIGNED)'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
