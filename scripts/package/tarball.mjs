// The release tarball, mpwan-<version>.tar.gz: what the feed Makefiles build from (sources, the
// built JavaScript, the compiled LuCI views) and the server kit, server/: `setup` and, per
// server architecture, a static qjs and mpwan-relay, so `mpwan server setup` runs on a VPS
// with no compiler.
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkArch } from './elf.mjs';
import { copyFile, copyTree, normalizeDirs } from './files.mjs';

/** What a source tarball leaves out: dependencies, dot files, editor and map files. */
const NOT_SOURCE = /^(node_modules|\..*|.*\.map|.*~|.*\.swp)$/;

const SOURCES = ['README.md', 'Makefile', 'package.json', 'package-lock.json', 'tsconfig.json',
  'scripts/build.mjs', 'scripts/build-luci.mjs', 'scripts/package.mjs', 'scripts/package',
  'src', 'files', 'package', 'luci-app'];

/** The server kit's architectures (`uname -m`) and the OpenWrt-style name checkArch knows them by. */
const KIT_ARCHES = { x86_64: 'x86_64', aarch64: 'aarch64_generic' };

/** server/: the setup script and build/kit/<arch>/{qjs,mpwan-relay}, checked static and of the right CPU. */
function addServerKit(repo, dir) {
  copyFile(join(repo, 'package/server-kit/setup'), join(dir, 'server/setup'));
  for (const [arch, openwrtName] of Object.entries(KIT_ARCHES)) {
    for (const prog of ['qjs', 'mpwan-relay']) {
      const from = join(repo, 'build/kit', arch, prog);
      if (!existsSync(from)) throw new Error(`no ${from}: run 'make kit' (scripts/build-kit.sh) first`);
      const { interp } = checkArch(from, openwrtName);
      if (interp) throw new Error(`${from} is dynamically linked (${interp}): the server kit must be static`);
      copyFile(from, join(dir, 'server', arch, prog));
    }
  }
}

/** Writes <out>/mpwan-<version>.tar.gz; luciHtdocs: the folders of compiled LuCI views. */
export function buildSourceTarball({ repo, work, out, version, luciHtdocs, ar }) {
  const top = `mpwan-${version}`;
  const dir = join(work, 'src', top);
  for (const rel of SOURCES) {
    const from = join(repo, rel);
    if (!existsSync(from)) continue;
    if (statSync(from).isDirectory()) copyTree(from, join(dir, rel), NOT_SOURCE);
    else copyFile(from, join(dir, rel));
  }
  mkdirSync(join(dir, 'build/bundle'), { recursive: true });
  // The programs (mpwan, the rpcd plugin) and the module the plugin imports.
  for (const [b, mode] of [['mpwan.js', 0o755], ['rpcd-mpwan.js', 0o755], ['rpcd-methods.js', 0o644]]) {
    copyFile(join(repo, 'build/bundle', b), join(dir, 'build/bundle', b));
    chmodSync(join(dir, 'build/bundle', b), mode);
  }
  // The compiled views go where luci.mk looks for them: the app's htdocs/.
  for (const d of luciHtdocs) copyTree(d, join(dir, 'luci-app/luci-app-mpwan/htdocs'));
  addServerKit(repo, dir);
  normalizeDirs(join(work, 'src'));
  const file = join(out, `${top}.tar.gz`);
  ar.tarGz(join(work, 'src'), [top], file);
  return file;
}
