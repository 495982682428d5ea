#!/usr/bin/env node
// The dependency table of package/README.md, written from package/feeds-deps.json (between the
// markers <!-- feeds-deps --> and <!-- /feeds-deps -->), so the README never disagrees with
// what the packages depend on.
//   node scripts/deps-table.mjs           rewrite the table
//   node scripts/deps-table.mjs --check   exit 1 when the README's table is not the JSON's
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const repo = resolve(dirname(new URL(import.meta.url).pathname), '..');
const README = join(repo, 'package/README.md');
const deps = JSON.parse(readFileSync(join(repo, 'package/feeds-deps.json'), 'utf8'));

/** Where a name comes from in one release, short: the repository (or "this feed") and path. */
const source = (s) => (s.feed === 'mpwan' ? `this feed: \`${s.path}\`` : `${s.repo} \`${s.path}\``);
/** A cell without a '|' that would split it. */
const cell = (text) => text.replace(/\|/g, '\\|');

function table() {
  const rows = [
    `| package | dependency | ${deps.releases.map((r) => `OpenWrt ${r}`).join(' | ')} | why |`,
    `|---|---|${deps.releases.map(() => '---|').join('')}---|`,
  ];
  for (const [pkg, names] of Object.entries(deps.depends)) {
    for (const n of names) {
      const e = deps.names[n];
      rows.push(`| \`${pkg}\` | \`${n}\`${e.implicit ? ' (implicit)' : ''} | ${deps.releases.map((r) => source(e.from[r])).join(' | ')} | ${cell(e.why)} |`);
    }
  }
  return rows.join('\n');
}

const text = readFileSync(README, 'utf8');
const m = /(<!-- feeds-deps -->\n)([\s\S]*?)(<!-- \/feeds-deps -->)/.exec(text);
if (!m) throw new Error('package/README.md has no <!-- feeds-deps --> ... <!-- /feeds-deps --> section');
const want = `${table()}\n`;
if (process.argv.includes('--check')) {
  if (m[2] !== want) {
    console.error("package/README.md: the dependency table is not package/feeds-deps.json's: run 'node scripts/deps-table.mjs'");
    process.exit(1);
  }
} else {
  writeFileSync(README, text.replace(m[0], `${m[1]}${want}${m[3]}`));
}
