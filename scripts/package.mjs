#!/usr/bin/env node
// `make package`: the two architecture-independent OpenWrt packages and the release source
// tarball, without the OpenWrt SDK:
//   dist/mpwan_<ver>-r<rel>_all.ipk, dist/luci-app-mpwan_<ver>-r<rel>_all.ipk, dist/mpwan-<ver>.tar.gz
// The .ipk layout is what OpenWrt's ipkg-build writes: a gzip'ed tar of ./debian-binary,
// ./control.tar.gz and ./data.tar.gz, every member owned by 0:0, names sorted, mtimes set to
// SOURCE_DATE_EPOCH (default: the last commit's time) and gzip without names or times, so the
// same tree gives the same bytes. Uses the system tar and gzip only.
//
// Options: --out DIR (default dist), --version X.Y.Z (default package.json),
//          --release N (default PKG_RELEASE of package/mpwan/Makefile),
//          --proxy rust|libev|none (the proxy engine dependency; default rust, as in the feed).
import { execFileSync } from 'node:child_process';
import {
  chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

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
const proxy = opt('proxy', 'rust');
const out = resolve(repo, opt('out', 'dist'));
if (!/^[0-9]+(\.[0-9]+)*$/.test(version)) throw new Error(`version '${version}' is not apk-valid (digits and dots)`);
if (!/^[1-9][0-9]*$/.test(release)) throw new Error(`release '${release}' is not a positive integer`);
if (!['rust', 'libev', 'none'].includes(proxy)) throw new Error(`--proxy must be rust, libev or none`);

// OpenWrt 24.10+ writes VERSION as $(PKG_VERSION)-r$(PKG_RELEASE) for both ipk and apk.
const fullVersion = `${version}-r${release}`;
const epoch = process.env.SOURCE_DATE_EPOCH
  ?? (() => { try { return execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: repo, encoding: 'utf8' }).trim(); } catch { return '0'; } })();
const license = feedVar('package/mpwan/Makefile', 'PKG_LICENSE');
const maintainer = feedVar('package/mpwan/Makefile', 'PKG_MAINTAINER');

const LUCI_DIR = join(repo, 'luci-app/luci-app-mpwan');
/** What a source tarball leaves out: dependencies, dot files, editor and map files. */
const NOT_SOURCE = /^(node_modules|\..*|.*\.map|.*~|.*\.swp)$/;
/** Build leftovers that never go into a package. */
const LEFTOVER = /(\.map|\.ts|\.tsbuildinfo|~|\.orig|\.rej|\.swp)$|(^|\/)(\.[^/]*|tsconfig\.json|node_modules|test|tests)(\/|$)/;

const PROXY_DEPENDS = {
  rust: ['shadowsocks-rust-sslocal'],
  libev: ['shadowsocks-libev-ss-redir', 'mptcpd'],
  none: [],
};

// What default_postinst/default_prerm run is generated exactly as OpenWrt's package-pack.mk does.
const POSTINST = '#!/bin/sh\n[ "${IPKG_NO_SCRIPT}" = "1" ] && exit 0\n[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0\n. ${IPKG_INSTROOT}/lib/functions.sh\ndefault_postinst $0 $@\n';
const PRERM = '#!/bin/sh\n[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0\n. ${IPKG_INSTROOT}/lib/functions.sh\ndefault_prerm $0 $@\n';
// rpcd reads /usr/libexec/rpcd and acl.d only at start and on reload.
const RPCD_RELOAD = '#!/bin/sh\n[ -n "${IPKG_INSTROOT}" ] || { [ -x /etc/init.d/rpcd ] && /etc/init.d/rpcd reload; } 2>/dev/null\nexit 0\n';

const packages = [
  {
    name: 'mpwan',
    section: 'net',
    source: 'feeds/mpwan/package/mpwan',
    depends: ['libc', 'quickjs', 'ip-full', 'nftables', 'kmod-nft-nat', 'kmod-nft-fib', ...PROXY_DEPENDS[proxy]],
    description: 'Multipath WAN with the kernel\'s MPTCP: one TCP connection uses every uplink\n'
      + 'at once and survives the loss of any of them. Keeps MPTCP endpoints, policy\n'
      + 'routes and limits in step with netifd; optional LAN aggregation through an\n'
      + 'MPTCP proxy to your own server.',
    conffiles: ['/etc/config/mpwan'],
    scripts: { postinst: POSTINST, prerm: PRERM, 'postinst-pkg': RPCD_RELOAD, postrm: RPCD_RELOAD },
    stage: stageMpwan,
  },
  {
    name: 'luci-app-mpwan',
    section: 'luci',
    source: 'feeds/mpwan/luci-app/luci-app-mpwan',
    depends: ['libc', 'luci-base', 'mpwan'],
    description: 'LuCI pages for mpwan: uplink status and settings, diagnostics.',
    conffiles: [],
    scripts: { postinst: POSTINST, prerm: PRERM, 'postinst-pkg': RPCD_RELOAD, postrm: RPCD_RELOAD },
    stage: stageLuci,
  },
];

/** Copies a tree, dropping build leftovers; dirs 0755, files 0755 when executable else 0644. */
function copyTree(from, to, skip = LEFTOVER) {
  for (const entry of readdirSync(from)) {
    const src = join(from, entry);
    const dst = join(to, entry);
    if (skip.test(entry)) continue;
    const st = lstatSync(src);
    if (st.isDirectory()) {
      mkdirSync(dst, { recursive: true });
      copyTree(src, dst, skip);
    } else if (st.isFile()) {
      mkdirSync(to, { recursive: true });
      cpSync(src, dst);
      chmodSync(dst, st.mode & 0o111 ? 0o755 : 0o644);
    } else {
      throw new Error(`${relative(repo, src)}: only regular files and folders are packaged`);
    }
  }
}

/** Relative paths of the regular files under dir. */
function filesUnder(dir, base = dir) {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? filesUnder(p, base) : [relative(base, p)];
  });
}

/** `make install` (the files tests run) plus uci-defaults; files LuCI's package owns go there. */
function stageMpwan(root) {
  execFileSync('make', ['-s', 'install', `DESTDIR=${root}`], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  const luciRoot = join(LUCI_DIR, 'root');
  if (existsSync(luciRoot)) for (const f of filesUnder(luciRoot)) rmSync(join(root, f), { force: true });
  mkdirSync(join(root, 'etc/uci-defaults'), { recursive: true });
  cpSync(join(repo, 'files/etc/uci-defaults/50-mpwan'), join(root, 'etc/uci-defaults/50-mpwan'));
  chmodSync(join(root, 'etc/uci-defaults/50-mpwan'), 0o644);
}

/** Where the LuCI views are: compiled by `make luci` into build/luci/htdocs, or kept in the app folder. */
const LUCI_HTDOCS = [join(repo, 'build/luci/htdocs'), join(LUCI_DIR, 'htdocs')].filter((d) => existsSync(d));

/** As luci.mk installs: htdocs/* under /www, root/* under /. */
function stageLuci(root) {
  for (const d of LUCI_HTDOCS) copyTree(d, join(root, 'www'));
  if (existsSync(join(LUCI_DIR, 'root'))) copyTree(join(LUCI_DIR, 'root'), root);
}

/** Removes empty folders (install -d of a folder that only held LuCI's files). */
function pruneEmpty(dir) {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (lstatSync(p).isDirectory()) {
      pruneEmpty(p);
      if (readdirSync(p).length === 0) rmSync(p, { recursive: true });
    }
  }
}

function normalizeDirs(dir) {
  chmodSync(dir, 0o755);
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (lstatSync(p).isDirectory()) normalizeDirs(p);
  }
}

const TAR_FLAGS = ['--format=gnu', '--owner=0', '--group=0', '--numeric-owner', '--sort=name', `--mtime=@${epoch}`];

/** A reproducible tar.gz of the given members of dir. */
function tarGz(dir, members, file) {
  const tar = execFileSync('tar', [...TAR_FLAGS, '-C', dir, '-cf', '-', ...members], { maxBuffer: 1 << 30 });
  writeFileSync(file, execFileSync('gzip', ['-n', '-9', '-c'], { input: tar, maxBuffer: 1 << 30 }));
}

function control(p, installedSize) {
  const [first, ...rest] = p.description.split('\n');
  return [
    `Package: ${p.name}`,
    `Version: ${fullVersion}`,
    `Depends: ${p.depends.join(', ')}`,
    `Source: ${p.source}`,
    `SourceName: ${p.name}`,
    `License: ${license}`,
    `Section: ${p.section}`,
    `Maintainer: ${maintainer}`,
    'Architecture: all',
    `Installed-Size: ${installedSize}`,
    `Description: ${first}`,
    ...rest.map((l) => ` ${l}`),
    '',
  ].join('\n');
}

function buildIpk(p, work) {
  const data = join(work, p.name, 'data');
  const ctl = join(work, p.name, 'control');
  const outer = join(work, p.name, 'ipk');
  for (const d of [data, ctl, outer]) mkdirSync(d, { recursive: true });
  p.stage(data);
  pruneEmpty(data);
  normalizeDirs(data);
  const files = filesUnder(data);
  for (const f of files) if (LEFTOVER.test(f)) throw new Error(`${p.name}: build leftover ${f}`);
  const installedSize = files.reduce((n, f) => n + statSync(join(data, f)).size, 0);

  writeFileSync(join(ctl, 'control'), control(p, installedSize));
  if (p.conffiles.length) writeFileSync(join(ctl, 'conffiles'), p.conffiles.map((c) => `${c}\n`).join(''));
  for (const [name, text] of Object.entries(p.scripts)) {
    writeFileSync(join(ctl, name), text);
    chmodSync(join(ctl, name), 0o755);
  }
  chmodSync(join(ctl, 'control'), 0o644);
  if (p.conffiles.length) chmodSync(join(ctl, 'conffiles'), 0o644);
  normalizeDirs(ctl);

  tarGz(data, ['.'], join(outer, 'data.tar.gz'));
  tarGz(ctl, ['.'], join(outer, 'control.tar.gz'));
  writeFileSync(join(outer, 'debian-binary'), '2.0\n');
  for (const f of ['debian-binary', 'control.tar.gz', 'data.tar.gz']) chmodSync(join(outer, f), 0o644);
  const file = join(out, `${p.name}_${fullVersion}_all.ipk`);
  // Members in the order given (not sorted): debian-binary first, as ar-based tools expect.
  const tar = execFileSync('tar', [...TAR_FLAGS.filter((f) => f !== '--sort=name'), '-C', outer, '-cf', '-',
    './debian-binary', './control.tar.gz', './data.tar.gz'], { maxBuffer: 1 << 30 });
  writeFileSync(file, execFileSync('gzip', ['-n', '-9', '-c'], { input: tar, maxBuffer: 1 << 30 }));
  return { file, installedSize, files: files.length };
}

/** The release tarball the feed Makefiles build from: sources, the built bundles, router files. */
function buildSourceTarball(work) {
  const top = `mpwan-${version}`;
  const dir = join(work, 'src', top);
  const include = ['README.md', 'Makefile', 'package.json', 'package-lock.json', 'tsconfig.json',
    'scripts/build.mjs', 'scripts/build-luci.mjs', 'scripts/package.mjs', 'src', 'files', 'package', 'luci-app'];
  for (const rel of include) {
    const from = join(repo, rel);
    if (!existsSync(from)) continue;
    if (statSync(from).isDirectory()) copyTree(from, join(dir, rel), NOT_SOURCE);
    else { mkdirSync(dirname(join(dir, rel)), { recursive: true }); cpSync(from, join(dir, rel)); chmodSync(join(dir, rel), statSync(from).mode & 0o111 ? 0o755 : 0o644); }
  }
  for (const b of ['mpwan.js', 'rpcd-mpwan.js']) {
    mkdirSync(join(dir, 'build/bundle'), { recursive: true });
    cpSync(join(repo, 'build/bundle', b), join(dir, 'build/bundle', b));
    chmodSync(join(dir, 'build/bundle', b), 0o755);
  }
  // The compiled views go where luci.mk looks for them: the app's htdocs/.
  for (const d of LUCI_HTDOCS) copyTree(d, join(dir, 'luci-app/luci-app-mpwan/htdocs'));
  normalizeDirs(join(work, 'src'));
  const file = join(out, `${top}.tar.gz`);
  tarGz(join(work, 'src'), [top], file);
  return file;
}

const work = mkdtempSync(join(tmpdir(), 'mpwan-pkg-'));
try {
  mkdirSync(out, { recursive: true });
  const results = packages.map((p) => ({ name: p.name, ...buildIpk(p, work) }));
  const tarball = buildSourceTarball(work);
  const sha = (f) => execFileSync('sha256sum', [f], { encoding: 'utf8' }).split(' ')[0];
  for (const r of results) {
    console.log(`${relative(repo, r.file)}: ${statSync(r.file).size} bytes, ${r.files} files, installed ${r.installedSize} bytes`);
  }
  console.log(`${relative(repo, tarball)}: ${statSync(tarball).size} bytes, sha256 ${sha(tarball)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
