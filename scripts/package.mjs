#!/usr/bin/env node
// `make package`: the OpenWrt packages and the release tarball, without the OpenWrt SDK:
//   dist/mpwan_<ver>-r<rel>_<arch>.ipk       the router files and mpwan-relay (per architecture)
//   dist/luci-app-mpwan_<ver>-r<rel>_all.ipk the LuCI pages
//   dist/mpwan-<ver>.tar.gz                  sources, built JavaScript, the server kit (server/)
// The .ipk layout is what OpenWrt's ipkg-build writes (scripts/package/ipk.mjs). The archives
// are reproducible: mtimes are SOURCE_DATE_EPOCH (default: the last commit's time).
// The Depends of both packages come from package/feeds-deps.json.
//
// Options: --out DIR (default dist), --version X.Y.Z (default package.json),
//          --release N (default PKG_RELEASE of package/mpwan/Makefile),
//          --arch NAME (OpenWrt architecture of the mpwan .ipk; default this machine's:
//                       x86_64, or aarch64_generic on arm64),
//          --relay FILE (the mpwan-relay to package; default build/relay/mpwan-relay, from `make`;
//                        it must be a program for --arch).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { mpwanPackages, packageMeta } from './package/contents.mjs';
import { checkArch, hostOpenwrtArch } from './package/elf.mjs';
import { archiver } from './package/files.mjs';
import { buildIpk } from './package/ipk.mjs';
import { buildSourceTarball } from './package/tarball.mjs';

const repo = resolve(dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : dflt;
};

const meta = packageMeta(repo, { version: opt('version'), release: opt('release') });
const arch = opt('arch', hostOpenwrtArch());
const relay = resolve(repo, opt('relay', 'build/relay/mpwan-relay'));
const out = resolve(repo, opt('out', 'dist'));
if (!arch) throw new Error(`no OpenWrt architecture known for this machine (${process.arch}): give --arch`);
const packages = mpwanPackages(repo, meta, { arch, relay });
const LUCI_HTDOCS = [join(repo, 'build/luci/htdocs'), join(repo, 'luci-app/luci-app-mpwan/htdocs')].filter((d) => existsSync(d));

/** The relay must run on arch; a loader other than musl's means it was linked for this machine only. */
function checkRelay() {
  if (!existsSync(relay)) throw new Error(`no ${relay}: run 'make' first (or give --relay)`);
  const { interp } = checkArch(relay, arch);
  if (interp && !/ld-musl/.test(interp)) {
    console.log(`note: ${relative(repo, relay)} needs ${interp}, which OpenWrt does not have: this .ipk is for tests `
      + 'here; for a router, use `make feed` (dist/feed/) or give --relay build/router/<arch>/mpwan-relay (static)');
  }
}

const work = mkdtempSync(join(tmpdir(), 'mpwan-pkg-'));
try {
  checkRelay();
  mkdirSync(out, { recursive: true });
  const ar = archiver(meta.epoch);
  const results = packages.map((p) => ({ name: p.name, ...buildIpk(p, { work, out, ar }) }));
  const tarball = buildSourceTarball({ repo, work, out, version: meta.version, luciHtdocs: LUCI_HTDOCS, ar });
  const sha = (f) => execFileSync('sha256sum', [f], { encoding: 'utf8' }).split(' ')[0];
  for (const r of results) {
    console.log(`${relative(repo, r.file)}: ${statSync(r.file).size} bytes, ${r.files} files, installed ${r.installedSize} bytes`);
  }
  console.log(`${relative(repo, tarball)}: ${statSync(tarball).size} bytes, sha256 ${sha(tarball)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
