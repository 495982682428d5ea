// One .ipk as OpenWrt 24.10's package-pack.mk and ipkg-build write it: a gzip'ed tar of
// ./debian-binary, ./control.tar.gz and ./data.tar.gz, every member owned by 0:0.
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeDirs, stagePackage } from './files.mjs';

// postinst and prerm exactly as package-pack.mk writes them for every package; the package's own
// postinst/prerm become postinst-pkg/prerm-pkg, which default_postinst/default_prerm run.
export const DEFAULT_POSTINST = '#!/bin/sh\n[ "${IPKG_NO_SCRIPT}" = "1" ] && exit 0\n[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0\n. ${IPKG_INSTROOT}/lib/functions.sh\ndefault_postinst $0 $@\n';
export const DEFAULT_PRERM = '#!/bin/sh\n[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0\n. ${IPKG_INSTROOT}/lib/functions.sh\ndefault_prerm $0 $@\n';

/** The control file, fields in package-pack.mk's order (empty ones left out). */
function control(p, installedSize) {
  const [first, ...rest] = p.description.split('\n');
  const field = (name, value) => (value ? [`${name}: ${value}`] : []);
  return [
    `Package: ${p.name}`,
    `Version: ${p.version}`,
    ...field('Depends', p.depends.join(', ')),
    ...field('Source', p.source),
    ...field('SourceName', p.name),
    ...field('License', p.license),
    ...field('LicenseFiles', p.licenseFiles),
    ...field('Section', p.section),
    ...field('URL', p.url),
    ...field('Maintainer', p.maintainer),
    `Architecture: ${p.arch}`,
    `Installed-Size: ${installedSize}`,
    `Description: ${first}`,
    ...rest.map((l) => ` ${l}`),
    '',
  ].join('\n');
}

/** The scripts of the control folder: OpenWrt's defaults plus the package's own. */
export function ipkScripts(p) {
  const s = { postinst: DEFAULT_POSTINST, prerm: DEFAULT_PRERM };
  if (p.scripts.preinst) s.preinst = p.scripts.preinst;
  if (p.scripts.postinst) s['postinst-pkg'] = p.scripts.postinst;
  if (p.scripts.prerm) s['prerm-pkg'] = p.scripts.prerm;
  if (p.scripts.postrm) s.postrm = p.scripts.postrm;
  return s;
}

/** The control folder: control, conffiles and the scriptlets (0755). */
function writeControl(ctl, p, installedSize) {
  writeFileSync(join(ctl, 'control'), control(p, installedSize));
  chmodSync(join(ctl, 'control'), 0o644);
  if (p.conffiles.length) {
    writeFileSync(join(ctl, 'conffiles'), p.conffiles.map((c) => `${c}\n`).join(''));
    chmodSync(join(ctl, 'conffiles'), 0o644);
  }
  for (const [name, text] of Object.entries(ipkScripts(p))) {
    writeFileSync(join(ctl, name), text);
    chmodSync(join(ctl, name), 0o755);
  }
  normalizeDirs(ctl);
}

/**
 * Builds <out>/<name>_<version>_<arch>.ipk from package p (scripts/package/contents.mjs) in the
 * scratch folder work; ar is files.mjs's archiver.
 */
export function buildIpk(p, { work, out, ar }) {
  const data = join(work, p.name, 'data');
  const ctl = join(work, p.name, 'control');
  const outer = join(work, p.name, 'ipk');
  for (const d of [ctl, outer]) mkdirSync(d, { recursive: true });
  const files = stagePackage(p, data);
  const installedSize = files.reduce((n, f) => n + statSync(join(data, f)).size, 0);
  writeControl(ctl, p, installedSize);

  ar.tarGz(data, ['.'], join(outer, 'data.tar.gz'));
  ar.tarGz(ctl, ['.'], join(outer, 'control.tar.gz'));
  writeFileSync(join(outer, 'debian-binary'), '2.0\n');
  for (const f of ['debian-binary', 'control.tar.gz', 'data.tar.gz']) chmodSync(join(outer, f), 0o644);
  const file = join(out, `${p.name}_${p.version}_${p.arch}.ipk`);
  ar.tarGzInOrder(outer, ['./debian-binary', './control.tar.gz', './data.tar.gz'], file);
  return { file, installedSize, files: files.length };
}
