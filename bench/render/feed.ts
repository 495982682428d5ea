// The feed section of bench/results.md and README.md's package-size block, from bench/results.json. Pure.
import type { FeedSection } from '../types.js';

const kb = (b: number) => (b / 1000).toFixed(1);
const table = (head: string[], rows: string[][]) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
/** The limits (KB = 1000 bytes). */
export const LIMITS = { mpwanPkg: 200, quickjsPkg: 600, relay: 180, installed: 600 };
const check = (value: number, limit: number) => `${kb(value)}${value < limit * 1000 ? '' : ' (over)'}`;

export function feedSizeRows(d: FeedSection): string[] {
  return table(
    ['architecture', 'mpwan .ipk / .apk KB', 'quickjs .ipk KB (24.10)', 'mpwan-relay KB', 'installed on 25.12, mpwan + luci-app-mpwan KB'],
    d.arches.map((a) => [a.arch, `${check(a.mpwanIpk, LIMITS.mpwanPkg)} / ${check(a.mpwanApk, LIMITS.mpwanPkg)}`, check(a.quickjsIpk, LIMITS.quickjsPkg),
      check(a.relayBytes, LIMITS.relay), check(a.installed2512, LIMITS.installed)]),
  );
}

export function feedTables(d: FeedSection): string[] {
  return [
    '## Router packages (`make feed`)', '',
    `Sizes in KB (1000 bytes) per architecture; limits: mpwan package < ${LIMITS.mpwanPkg}, quickjs package < ${LIMITS.quickjsPkg} (compressed, as ` +
      `downloaded), relay < ${LIMITS.relay}, mpwan + luci-app-mpwan installed on 25.12 < ${LIMITS.installed} (apk's installed-size: the files ` +
      'uncompressed, an upper bound for a compressed overlay; quickjs comes from the official feed there). luci-app-mpwan: ' +
      `${kb(d.arches[0].luciIpk)} KB .ipk, ${kb(d.arches[0].luciApk)} KB .apk.`, '',
    ...feedSizeRows(d), '',
    ...table(['static program', ...d.arches.map((a) => a.arch)], [
      ['mpwan-relay bytes', ...d.arches.map((a) => String(a.relayBytes))],
      ['qjs bytes', ...d.arches.map((a) => String(a.qjsBytes))],
    ]), '',
    `\`make feed\` for all five architectures and both releases, programs already built (\`.cache/router\`): ${d.seconds.toFixed(1)} s (median of 3).`,
  ];
}
