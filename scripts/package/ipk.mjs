// One .ipk as OpenWrt's ipkg-build writes it: a gzip'ed tar of ./debian-binary,
// ./control.tar.gz and ./data.tar.gz, every member owned by 0:0.
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { filesUnder, LEFTOVER, normalizeDirs, pruneEmpty } from './files.mjs';

/** The control file; meta: { fullVersion, license, maintainer }. */
function control(p, meta, installedSize) {
  const [first, ...rest] = p.description.split('\n');
  return [
    `Package: ${p.name}`,
    `Version: ${meta.fullVersion}`,
    `Depends: ${p.depends.join(', ')}`,
    `Source: ${p.source}`,
    `SourceName: ${p.name}`,
    `License: ${meta.license}`,
    `Section: ${p.section}`,
    `Maintainer: ${meta.maintainer}`,
    `Architecture: ${p.arch}`,
    `Installed-Size: ${installedSize}`,
    `Description: ${first}`,
    ...rest.map((l) => ` ${l}`),
    '',
  ].join('\n');
}

/** The control folder: control, conffiles and the scriptlets (0755). */
function writeControl(ctl, p, meta, installedSize) {
  writeFileSync(join(ctl, 'control'), control(p, meta, installedSize));
  chmodSync(join(ctl, 'control'), 0o644);
  if (p.conffiles.length) {
    writeFileSync(join(ctl, 'conffiles'), p.conffiles.map((c) => `${c}\n`).join(''));
    chmodSync(join(ctl, 'conffiles'), 0o644);
  }
  for (const [name, text] of Object.entries(p.scripts)) {
    writeFileSync(join(ctl, name), text);
    chmodSync(join(ctl, name), 0o755);
  }
  normalizeDirs(ctl);
}

/**
 * Builds <out>/<name>_<fullVersion>_<arch>.ipk from package p ({ name, arch, depends, stage(root),
 * ... }) in the scratch folder work; ar is files.mjs's archiver.
 */
export function buildIpk(p, { work, out, meta, ar }) {
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
  writeControl(ctl, p, meta, installedSize);

  ar.tarGz(data, ['.'], join(outer, 'data.tar.gz'));
  ar.tarGz(ctl, ['.'], join(outer, 'control.tar.gz'));
  writeFileSync(join(outer, 'debian-binary'), '2.0\n');
  for (const f of ['debian-binary', 'control.tar.gz', 'data.tar.gz']) chmodSync(join(outer, f), 0o644);
  const file = join(out, `${p.name}_${meta.fullVersion}_${p.arch}.ipk`);
  ar.tarGzInOrder(outer, ['./debian-binary', './control.tar.gz', './data.tar.gz'], file);
  return { file, installedSize, files: files.length };
}
