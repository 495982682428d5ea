// Renders bench/results.md and the figures in README.md from bench/results.json: README.md
// holds blocks between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` that only this writes.
// Re-render without measuring: `npx tsx bench/render/index.ts`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../test/lib/install.js';
import type { Results } from '../types.js';
import { aggregationTables, cliTables, connectionsTables, defaultRouteTables, eventsTables, failoverTables, luciTables, relayTables, udpCallsTables } from './tables.js';
import { feedTables } from './feed.js';
import { meteredTables, serverFailoverTables } from './servers.js';
import { linkemTables, profilesTables, tuningTables } from './profiles.js';
import { probeFlapsTables, profileFailoverTables } from './link-failover.js';
import { readmeBlocks } from './readme.js';

export function renderResults(r: Results): string {
  const s = r.sections;
  const when = (name: string) => `_Measured ${s[name]!.measured.slice(0, 16).replace('T', ' ')} UTC._`;
  const parts: [string, (() => string[]) | null][] = [
    ['cli', s.cli ? () => cliTables(s.cli!.data) : null],
    ['aggregation', s.aggregation ? () => aggregationTables(s.aggregation!.data) : null],
    ['failover', s.failover ? () => failoverTables(s.failover!.data) : null],
    ['profileFailover', s.profileFailover ? () => profileFailoverTables(s.profileFailover!.data, s.failover?.data) : null],
    ['probeFlaps', s.probeFlaps ? () => probeFlapsTables(s.probeFlaps!.data) : null],
    ['defaultRoute', s.defaultRoute ? () => defaultRouteTables(s.defaultRoute!.data) : null],
    ['relay', s.relay ? () => relayTables(s.relay!.data) : null],
    ['connections', s.connections ? () => connectionsTables(s.connections!.data) : null],
    ['profiles', s.profiles ? () => profilesTables(s.profiles!.data) : null],
    ['profileTuning', s.profileTuning ? () => tuningTables(s.profileTuning!.data) : null],
    ['linkem', s.linkem ? () => linkemTables(s.linkem!.data) : null],
    ['udpCalls', s.udpCalls ? () => udpCallsTables(s.udpCalls!.data) : null],
    ['serverFailover', s.serverFailover ? () => serverFailoverTables(s.serverFailover!.data) : null],
    ['metered', s.metered ? () => meteredTables(s.metered!.data) : null],
    ['events', s.events ? () => eventsTables(s.events!.data) : null],
    ['luci', s.luci ? () => luciTables(s.luci!.data) : null],
    ['feed', s.feed ? () => feedTables(s.feed!.data) : null],
  ];
  return [
    '# mpwan benchmark', '',
    `Machine: ${r.machine.cores} cores, kernel ${r.machine.kernel}. Rendered from \`bench/results.json\` by \`bench/render/\`; ` +
      'reproduce with `make bench` (or `BENCH_ONLY=<section> make bench` for one section).', '',
    ...parts.flatMap(([name, render]) => (render ? [...render(), '', when(name), ''] : [])),
  ].join('\n');
}

/** Replaces each `<!-- bench:NAME -->...<!-- /bench:NAME -->` block of `text` with its rendering. */
export function fillBlocks(text: string, blocks: Record<string, string>): string {
  return text.replace(/<!-- bench:([a-z-]+) -->[\s\S]*?<!-- \/bench:\1 -->/g, (whole, name: string) =>
    name in blocks ? `<!-- bench:${name} -->\n${blocks[name]}\n<!-- /bench:${name} -->` : whole);
}

export function renderAll(r: Results) {
  writeFileSync(join(repoRoot, 'bench/results.md'), renderResults(r));
  const readme = join(repoRoot, 'README.md');
  writeFileSync(readme, fillBlocks(readFileSync(readme, 'utf8'), readmeBlocks(r)));
}

if (import.meta.url === `file://${process.argv[1]}`) renderAll(JSON.parse(readFileSync(join(repoRoot, 'bench/results.json'), 'utf8')) as Results);
