// One .apk (apk-tools 3, ADB format) as OpenWrt 25.12 builds it: package-pack.mk adds
// /lib/apk/packages/<name>.list (and .conffiles, .conffiles_static) to the files, wraps the
// package's scripts in OpenWrt's post-install/post-upgrade/pre-deinstall, and runs `apk mkpkg`
// with name, version, description, arch, license, origin, url, maintainer and depends. This
// module writes what `apk mkpkg` writes for that (app_mkpkg.c): the package's metadata in the
// ADB block (every folder, every file with mode, owner, mtime, size and SHA-256), the file
// contents in DATA blocks. The feed signs each package with its ECDSA key (`apk mkpkg --sign`),
// so a package downloaded on its own installs without --allow-untrusted once the key is there;
// from the feed apk trusts it through the signed index, which holds the SHA-256 of its ADB block
// (scripts/package/apk-index.mjs).
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdbWriter, adbFile, block, SCHEMA } from './adb.mjs';
import { stagePackage } from './files.mjs';

// Field numbers of apk-tools' schemas (src/apk_adb.h).
const PI = { name: 1, version: 2, hashes: 3, description: 4, arch: 5, license: 6, origin: 7, maintainer: 8, url: 9, installedSize: 12, depends: 15, provides: 16 };
const SCRIPT = { 'pre-install': 2, 'post-install': 3, 'pre-deinstall': 4, 'post-deinstall': 5, 'pre-upgrade': 6, 'post-upgrade': 7 };

const shebangless = (s) => s.split('\n').filter((l) => !/^\s*#!/.test(l)).join('\n');

/** The scripts package-pack.mk gives apk: OpenWrt's defaults around the package's own. */
export function apkScripts(p) {
  const head = '#!/bin/sh\n';
  const functions = '[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0\n. ${IPKG_INSTROOT}/lib/functions.sh\n'
    + `export root="\${IPKG_INSTROOT}"\nexport pkgname="${p.name}"\n`;
  const postInstall = `${head}[ "\${IPKG_NO_SCRIPT}" = "1" ] && exit 0\n${functions}add_group_and_user\ndefault_postinst\n`
    + (p.scripts.postinst ? shebangless(p.scripts.postinst) : '');
  const s = {
    'post-install': postInstall,
    'post-upgrade': `${head}export PKG_UPGRADE=1\n${shebangless(postInstall)}`,
    'pre-deinstall': `${head}${functions}default_prerm\n${p.scripts.prerm ? shebangless(p.scripts.prerm) : ''}`,
  };
  if (p.scripts.preinst) {
    s['pre-install'] = p.scripts.preinst;
    s['pre-upgrade'] = `${head}export PKG_UPGRADE=1\n${shebangless(p.scripts.preinst)}`;
  }
  if (p.scripts.postrm) s['post-deinstall'] = p.scripts.postrm.replace(/^\s*#!/, '#!');
  return s;
}

/** /lib/apk/packages/<name>.list, .conffiles and .conffiles_static, as package-pack.mk writes them. */
function addPackageLists(p, root, files) {
  const dir = join(root, 'lib/apk/packages');
  mkdirSync(dir, { recursive: true });
  const sorted = files.map((f) => `/${f}`).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  writeFileSync(join(dir, `${p.name}.list`), sorted.map((f) => `${f}\n`).join(''), { mode: 0o644 });
  if (!p.conffiles.length) return;
  writeFileSync(join(dir, `${p.name}.conffiles`), p.conffiles.map((c) => `${c}\n`).join(''), { mode: 0o644 });
  const sums = p.conffiles.map((c) => `${c} ${createHash('sha256').update(readFileSync(join(root, c))).digest('hex')}\n`);
  writeFileSync(join(dir, `${p.name}.conffiles_static`), sums.join(''), { mode: 0o644 });
}

const byteOrder = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Every folder under root ('' for root itself), in apk's order (bytes; a prefix first). */
function folders(root, rel = '') {
  const here = readdirSync(join(root, rel)).filter((e) => lstatSync(join(root, rel, e)).isDirectory());
  return [rel, ...here.flatMap((e) => folders(root, rel ? `${rel}/${e}` : e))].sort(byteOrder);
}

/**
 * The package's ADB block and DATA blocks. info: pkginfo strings; epoch: every mtime.
 * As `apk mkpkg` does, pkginfo.hashes holds a 20-byte unique id: the start of the SHA-256 of
 * the ADB block written with that id zeroed.
 */
function packageAdb(p, root, epoch) {
  const w = new AdbWriter();
  const acl = (mode) => w.object([0, w.int(mode), w.blob('root'), w.blob('root')]);
  const dirs = [];
  const data = [];
  let installedSize = 0;
  const order = folders(root);
  for (const [pathIdx, dir] of order.entries()) {
    const names = readdirSync(join(root, dir)).filter((e) => lstatSync(join(root, dir, e)).isFile()).sort(byteOrder);
    const files = names.map((name, i) => {
      const bytes = readFileSync(join(root, dir, name));
      installedSize += bytes.length;
      if (bytes.length) data.push({ pathIdx: pathIdx + 1, fileIdx: i + 1, bytes });
      const mode = lstatSync(join(root, dir, name)).mode & 0o7777;
      return w.object([0, w.blob(name), acl(mode), w.int(bytes.length), w.int(epoch), w.blob(createHash('sha256').update(bytes).digest())]);
    });
    dirs.push(w.object([0, w.blob(dir), acl(lstatSync(join(root, dir)).mode & 0o7777), w.array(files)]));
  }
  const uid = w.blob(Buffer.alloc(20));
  const info = [];
  info[PI.name] = w.blob(p.name);
  info[PI.version] = w.blob(p.version);
  info[PI.hashes] = uid;
  // $(strip) in package-pack.mk makes the description one line.
  info[PI.description] = w.blob(p.description.split(/\s+/).join(' '));
  info[PI.arch] = w.blob(p.arch === 'all' ? 'noarch' : p.arch);
  info[PI.license] = w.blob(p.license);
  info[PI.origin] = w.blob(p.source);
  info[PI.maintainer] = w.blob(p.maintainer);
  info[PI.url] = w.blob(p.url);
  info[PI.installedSize] = w.int(installedSize || 1);
  // The depends array is sorted by name (apk's schema sorts it and drops duplicates).
  const depends = [...new Set(p.depends)].sort(byteOrder).map((d) => w.object([0, w.blob(d)]));
  info[PI.depends] = w.array(depends);
  // OpenWrt gives every package the virtual provide @<name>-any (include/package.mk; virtual:
  // no version), which others may depend on instead of one variant.
  info[PI.provides] = w.array([w.object([0, w.blob(`${p.name}-any`)])]);
  const scripts = [];
  for (const [name, text] of Object.entries(apkScripts(p))) scripts[SCRIPT[name]] = w.blob(text);
  const root_ = w.object([0, w.object(info), w.array(dirs), w.object(scripts)]);
  const adb = w.finish(root_);
  const uidAt = (uid & 0x0fffffff) + 1; // after its 8-bit length
  createHash('sha256').update(adb).digest().copy(adb, uidAt, 0, 20);
  const dataBlocks = data.map(({ pathIdx, fileIdx, bytes }) => {
    const head = Buffer.alloc(8);
    head.writeUInt32LE(pathIdx, 0);
    head.writeUInt32LE(fileIdx, 4);
    return block('data', Buffer.concat([head, bytes]));
  });
  return { adb, dataBlocks, installedSize };
}

/**
 * Builds <out>/<name>-<version>.apk from package p in the scratch folder work, signed with key
 * ({ privateKeyPem, publicKeyPem }) unless it is null; returns its file and ADB block.
 */
export function buildApk(p, { work, out, epoch, key }) {
  const root = join(work, `${p.name}-apk`);
  addPackageLists(p, root, stagePackage(p, root));
  const { adb, dataBlocks, installedSize } = packageAdb(p, root, epoch);
  const file = join(out, `${p.name}-${p.version}.apk`);
  writeFileSync(file, adbFile(SCHEMA.package, adb, key, dataBlocks));
  return { file, adb, installedSize };
}
