// What goes into mpwan's OpenWrt packages, whatever the format (.ipk for opkg, .apk for apk):
// name, version, control data, the scripts a feed Makefile would define (Package/<name>/postinst
// and postrm; the format writers add OpenWrt's default ones around them), and how to lay out the
// files. scripts/package.mjs (one .ipk for tests) and scripts/feed.mjs (the feeds) share it.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { copyTree, filesUnder } from './files.mjs';

/** A NAME:=value line of a feed Makefile. */
export function feedVar(repo, file, name) {
  const m = readFileSync(join(repo, file), 'utf8').match(new RegExp(`^${name}:=(.*)$`, 'm'));
  if (!m) throw new Error(`${file} has no ${name}`);
  return m[1].trim();
}

/** { version, release, fullVersion, license, maintainer, epoch } of mpwan's packages. */
export function packageMeta(repo, { version, release } = {}) {
  const pkgJson = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  version ??= pkgJson.version;
  release ??= feedVar(repo, 'package/mpwan/Makefile', 'PKG_RELEASE');
  if (!/^[0-9]+(\.[0-9]+)*$/.test(version)) throw new Error(`version '${version}' is not apk-valid (digits and dots)`);
  if (!/^[1-9][0-9]*$/.test(release)) throw new Error(`release '${release}' is not a positive integer`);
  const epoch = process.env.SOURCE_DATE_EPOCH
    ?? (() => { try { return execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: repo, encoding: 'utf8' }).trim(); } catch { return '0'; } })();
  // OpenWrt 24.10+ writes VERSION as $(PKG_VERSION)-r$(PKG_RELEASE) for both ipk and apk.
  return {
    version, release, fullVersion: `${version}-r${release}`, epoch: Number(epoch),
    license: feedVar(repo, 'package/mpwan/Makefile', 'PKG_LICENSE'),
    maintainer: feedVar(repo, 'package/mpwan/Makefile', 'PKG_MAINTAINER'),
  };
}

/** The Depends of a package, from package/feeds-deps.json: only names every supported release has. */
function dependsOf(repo, name) {
  const feedsDeps = JSON.parse(readFileSync(join(repo, 'package/feeds-deps.json'), 'utf8'));
  const names = feedsDeps.depends[name];
  if (!names) throw new Error(`package/feeds-deps.json: no depends for ${name}`);
  for (const n of names) {
    for (const r of feedsDeps.releases) {
      if (!feedsDeps.names[n]?.from?.[r]) throw new Error(`package/feeds-deps.json: ${n} has no source for OpenWrt ${r}`);
    }
  }
  return names;
}

// rpcd reads /usr/libexec/rpcd and acl.d only at start and on reload (Package/<name>/postinst, postrm).
const RPCD_RELOAD = '#!/bin/sh\n[ -n "${IPKG_INSTROOT}" ] || { [ -x /etc/init.d/rpcd ] && /etc/init.d/rpcd reload; } 2>/dev/null\nexit 0\n';

/**
 * mpwan (per architecture, with the relay given) and luci-app-mpwan (all). A package:
 * { name, arch, version, section, source, url, license, maintainer, depends, description,
 *   conffiles, scripts: { preinst?, postinst?, prerm?, postrm? }, stage(root) }.
 */
export function mpwanPackages(repo, meta, { arch, relay }) {
  const luciDir = join(repo, 'luci-app/luci-app-mpwan');
  /** Where the LuCI views are: compiled by `make luci` into build/luci/htdocs, or kept in the app folder. */
  const htdocs = [join(repo, 'build/luci/htdocs'), join(luciDir, 'htdocs')].filter((d) => existsSync(d));
  const common = { version: meta.fullVersion, license: meta.license, maintainer: meta.maintainer, url: '' };
  return [
    {
      ...common,
      name: 'mpwan',
      arch,
      section: 'net',
      source: 'feeds/mpwan/package/mpwan',
      depends: dependsOf(repo, 'mpwan'),
      description: 'Multipath WAN with the kernel\'s MPTCP: one TCP connection uses every uplink\n'
        + 'at once and survives the loss of any of them. Keeps MPTCP endpoints, policy\n'
        + 'routes and limits in step with netifd; optional LAN aggregation through\n'
        + 'mpwan-relay to your own server.',
      conffiles: ['/etc/config/mpwan'],
      scripts: { postinst: RPCD_RELOAD, postrm: RPCD_RELOAD },
      /** `make install` (the files tests run) plus uci-defaults and the chosen relay; LuCI's files go to its package. */
      stage(root) {
        execFileSync('make', ['-s', 'install', `DESTDIR=${root}`], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
        if (existsSync(join(luciDir, 'root'))) for (const f of filesUnder(join(luciDir, 'root'))) rmSync(join(root, f), { force: true });
        mkdirSync(join(root, 'etc/uci-defaults'), { recursive: true });
        copyFileSync(join(repo, 'files/etc/uci-defaults/50-mpwan'), join(root, 'etc/uci-defaults/50-mpwan'));
        chmodSync(join(root, 'etc/uci-defaults/50-mpwan'), 0o644);
        copyFileSync(relay, join(root, 'usr/sbin/mpwan-relay'));
        chmodSync(join(root, 'usr/sbin/mpwan-relay'), 0o755);
      },
    },
    {
      ...common,
      name: 'luci-app-mpwan',
      arch: 'all',
      section: 'luci',
      source: 'feeds/mpwan/luci-app/luci-app-mpwan',
      depends: dependsOf(repo, 'luci-app-mpwan'),
      description: 'LuCI pages for mpwan: uplink status and settings, diagnostics.',
      conffiles: [],
      scripts: { postinst: RPCD_RELOAD, postrm: RPCD_RELOAD },
      /** As luci.mk installs: htdocs/* under /www, root/* under /. */
      stage(root) {
        for (const d of htdocs) copyTree(d, join(root, 'www'));
        if (existsSync(join(luciDir, 'root'))) copyTree(join(luciDir, 'root'), root);
      },
    },
  ];
}

/**
 * quickjs for OpenWrt 24.10, whose feeds have none: the same package name and /usr/bin/qjs as
 * 25.12's official lang/quickjs, so a later upgrade replaces it. Its qjs is static (so no
 * libatomic), built from Debian's quickjs source (sourceVersion, e.g. 2025.04.26).
 */
export function quickjsPackage(repo, { arch, qjs, sourceVersion }) {
  const mk = 'package/quickjs/Makefile';
  return {
    name: 'quickjs',
    version: `${sourceVersion}-r${feedVar(repo, mk, 'PKG_RELEASE')}`,
    arch,
    section: 'lang',
    source: 'feeds/mpwan/package/quickjs',
    url: 'https://bellard.org/quickjs/',
    license: feedVar(repo, mk, 'PKG_LICENSE'),
    licenseFiles: feedVar(repo, mk, 'PKG_LICENSE_FILES'),
    maintainer: feedVar(repo, mk, 'PKG_MAINTAINER'),
    depends: ['libc'],
    description: 'QuickJS is a small embeddable JavaScript engine (ES2023). This package installs\n'
      + 'the qjs interpreter with its std and os modules.',
    conffiles: [],
    scripts: {},
    stage(root) {
      mkdirSync(join(root, 'usr/bin'), { recursive: true });
      copyFileSync(qjs, join(root, 'usr/bin/qjs'));
      chmodSync(join(root, 'usr/bin/qjs'), 0o755);
    },
  };
}
