// scripts/programs.list is the one list of programs the tests, demo, bench and build start (and
// the Debian package of each): scripts/ensure-deps.sh installs from it. A program that test code,
// scripts/ or bench/ start and that is not in it would be missing on a fresh machine.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shellCommands, spawnedPrograms } from '../lib/spawned-programs.js';

const root = new URL('../..', import.meta.url).pathname;

function listed(): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of readFileSync(join(root, 'scripts/programs.list'), 'utf8').split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [program, pkg] = line.split(/\s+/);
    assert.ok(pkg, `scripts/programs.list: '${line}' names no package`);
    assert.ok(!entries.has(program), `scripts/programs.list lists ${program} twice`);
    entries.set(program, pkg);
  }
  return entries;
}

/** The project's own programs and scripts: built or shipped here, not installed. */
const own = new Set(['mpwan', 'mpwan-relay', ...readdirSync(join(root, 'scripts'))]);

describe('programs the tests, scripts and bench start', () => {
  it('are all in scripts/programs.list, with a package', () => {
    const list = listed();
    // test/unit runs no programs (a fake runtime answers); test/luci/www is LuCI's browser code.
    const spawns = spawnedPrograms(root, ['test', 'scripts', 'bench'],
      (rel) => rel.startsWith('test/unit/') || rel.startsWith('test/luci/www/') || rel.startsWith('test/fixtures/'));
    const missing = new Map<string, string>();
    for (const s of spawns) if (!list.has(s.program) && !own.has(s.program)) missing.set(s.program, s.file);
    assert.deepEqual([...missing].map(([p, f]) => `${p} (started in ${f})`), []);
    // the scan does find programs (a broken scanner would find none and pass)
    for (const p of ['ip', 'nft', 'dnsmasq', 'conntrack', 'qemu-aarch64-static', 'tc', 'chromium']) {
      assert.ok(spawns.some((s) => s.program === p), `${p} found by the scan`);
    }
  });

  it('reads shell scripts: commands, not arguments, quoted text, heredocs, case patterns or functions', () => {
    const script = [
      'set -e',
      'helper() { grep -q x "$1"; }',
      "awk 'BEGIN{RS=\"\"; FS=\"\\n\"} { print $1; sub(/a/, \"b\") }' file",
      'X=1 Y=$(uname -m) make -C dir',
      'case "$a" in',
      '  x86_64) echo amd ;;',
      '  aarch64|arm*) tar -xf f ;;',
      'esac',
      'cat <<EOF',
      'ls this is text',
      'EOF',
      'arr=(one two three)',
      'if command -v "$cc" >/dev/null; then exec 9>lock; flock 9; fi',
      'helper file | sed s/a/b/ && ip -j addr # comment ping',
    ].join('\n');
    assert.deepEqual(shellCommands(script), ['grep', 'awk', 'uname', 'make', 'tar', 'cat', 'flock', 'sed', 'ip']);
  });
});
