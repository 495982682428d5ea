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
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { checkArch, hostOpenwrtArch } from './package/elf.mjs';
import { archiver, copyTree, filesUnder } from './package/files.mjs';
import { buildIpk } from './package/ipk.mjs';
import { buildSourceTarball } from './package/tarball.mjs';

const repo = resolve(dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : dflt;
};

const pkgJson = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const feedVar = (file, name) => {
  const m = readFileSync(join(repo, file), 'utf8').match(new RegExp(`^${name}:=(.*)$`, 'm'));
  if (!m) throw new Error(`${file} has no ${name}`);
  return m[1].trim();
};
const version = opt('version', pkgJson.version);
const release = opt('release', feedVar('package/mpwan/Makefile', 'PKG_RELEASE'));
const arch = opt('arch', hostOpenwrtArch());
const relay = resolve(repo, opt('relay', 'build/relay/mpwan-relay'));
const out = resolve(repo, opt('out', 'dist'));
if (!/^[0-9]+(\.[0-9]+)*$/.test(version)) throw new Error(`version '${version}' is not apk-valid (digits and dots)`);
if (!/^[1-9][0-9]*$/.test(release)) throw new Error(`release '${release}' is not a positive integer`);
if (!arch) throw new Error(`no OpenWrt architecture known for this machine (${process.arch}): give --arch`);

// OpenWrt 24.10+ writes VERSION as $(PKG_VERSION)-r$(PKG_RELEASE) for both ipk and apk.
const meta = {
  fullVersion: `${version}-r${release}`,
  license: feedVar('package/mpwan/Makefile', 'PKG_LICENSE'),
  maintainer: feedVar('package/mpwan/Makefile', 'PKG_MAINTAINER'),
};
const epoch = process.env.SOURCE_DATE_EPOCH
  ?? (() => { try { return execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: repo, encoding: 'utf8' }).trim(); } catch { return '0'; } })();

/** The Depends of a package, from package/feeds-deps.json: only names every supported release has. */
const feedsDeps = JSON.parse(readFileSync(join(repo, 'package/feeds-deps.json'), 'utf8'));
function dependsOf(name) {
  const names = feedsDeps.depends[name];
  if (!names) throw new Error(`package/feeds-deps.json: no depends for ${name}`);
  for (const n of names) {
    for (const r of feedsDeps.releases) {
      if (!feedsDeps.names[n]?.from?.[r]) throw new Error(`package/feeds-deps.json: ${n} has no source for OpenWrt ${r}`);
    }
  }
  return names;
}

const LUCI_DIR = join(repo, 'luci-app/luci-app-mpwan');
/** Where the LuCI views are: compiled by `make luci` into build/luci/htdocs, or kept in the app folder. */
const LUCI_HTDOCS = [join(repo, 'build/luci/htdocs'), join(LUCI_DIR, 'htdocs')].filter((d) => existsSync(d));

// What default_postinst/default_prerm run is generated exactly as OpenWrt's package-pack.mk does.
const POSTINST = '#!/bin/sh\n[ "${IPKG_NO_SCRIPT}" = "1" ] && exit 0\n[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0\n. ${IPKG_INSTROOT}/lib/functions.sh\ndefault_postinst $0 $@\n';
const PRERM = '#!/bin/sh\n[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0\n. ${IPKG_INSTROOT}/lib/functions.sh\ndefault_prerm $0 $@\n';
// rpcd reads /usr/libexec/rpcd and acl.d only at start and on reload.
const RPCD_RELOAD = '#!/bin/sh\n[ -n "${IPKG_INSTROOT}" ] || { [ -x /etc/init.d/rpcd ] && /etc/init.d/rpcd reload; } 2>/dev/null\nexit 0\n';

const packages = [
  {
    name: 'mpwan',
    arch,
    section: 'net',
    source: 'feeds/mpwan/package/mpwan',
    depends: dependsOf('mpwan'),
    description: 'Multipath WAN with the kernel\'s MPTCP: one TCP connection uses every uplink\n'
      + 'at once and survives the loss of any of them. Keeps MPTCP endpoints, policy\n'
      + 'routes and limits in step with netifd; optional LAN aggregation through\n'
      + 'mpwan-relay to your own server.',
    conffiles: ['/etc/config/mpwan'],
    scripts: { postinst: POSTINST, prerm: PRERM, 'postinst-pkg': RPCD_RELOAD, postrm: RPCD_RELOAD },
    stage: stageMpwan,
  },
  {
    name: 'luci-app-mpwan',
    arch: 'all',
    section: 'luci',
    source: 'feeds/mpwan/luci-app/luci-app-mpwan',
    depends: dependsOf('luci-app-mpwan'),
    description: 'LuCI pages for mpwan: uplink status and settings, diagnostics.',
    conffiles: [],
    scripts: { postinst: POSTINST, prerm: PRERM, 'postinst-pkg': RPCD_RELOAD, postrm: RPCD_RELOAD },
    stage: stageLuci,
  },
];

/** `make install` (the files tests run) plus uci-defaults and the chosen relay; LuCI's files go to its package. */
function stageMpwan(root) {
  execFileSync('make', ['-s', 'install', `DESTDIR=${root}`], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  const luciRoot = join(LUCI_DIR, 'root');
  if (existsSync(luciRoot)) for (const f of filesUnder(luciRoot)) rmSync(join(root, f), { force: true });
  mkdirSync(join(root, 'etc/uci-defaults'), { recursive: true });
  copyFileSync(join(repo, 'files/etc/uci-defaults/50-mpwan'), join(root, 'etc/uci-defaults/50-mpwan'));
  chmodSync(join(root, 'etc/uci-defaults/50-mpwan'), 0o644);
  copyFileSync(relay, join(root, 'usr/sbin/mpwan-relay'));
  chmodSync(join(root, 'usr/sbin/mpwan-relay'), 0o755);
}

/** As luci.mk installs: htdocs/* under /www, root/* under /. */
function stageLuci(root) {
  for (const d of LUCI_HTDOCS) copyTree(d, join(root, 'www'));
  if (existsSync(join(LUCI_DIR, 'root'))) copyTree(join(LUCI_DIR, 'root'), root);
}

/** The relay must run on arch; a loader other than musl's means it was linked for this machine only. */
function checkRelay() {
  if (!existsSync(relay)) throw new Error(`no ${relay}: run 'make' first (or give --relay)`);
  const { interp } = checkArch(relay, arch);
  if (interp && !/ld-musl/.test(interp)) {
    console.log(`note: ${relative(repo, relay)} needs ${interp}, which OpenWrt does not have: this .ipk is for tests `
      + 'here; for a router, build with the SDK or give --relay build/kit/<arch>/mpwan-relay (static)');
  }
}

const work = mkdtempSync(join(tmpdir(), 'mpwan-pkg-'));
try {
  checkRelay();
  mkdirSync(out, { recursive: true });
  const ar = archiver(epoch);
  const results = packages.map((p) => ({ name: p.name, ...buildIpk(p, { work, out, meta, ar }) }));
  const tarball = buildSourceTarball({ repo, work, out, version, luciHtdocs: LUCI_HTDOCS, ar });
  const sha = (f) => execFileSync('sha256sum', [f], { encoding: 'utf8' }).split(' ')[0];
  for (const r of results) {
    console.log(`${relative(repo, r.file)}: ${statSync(r.file).size} bytes, ${r.files} files, installed ${r.installedSize} bytes`);
  }
  console.log(`${relative(repo, tarball)}: ${statSync(tarball).size} bytes, sha256 ${sha(tarball)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
