// `make install DESTDIR=<tmp>` once per test run: tests run exactly the files a router gets.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

let root: string | undefined;
export const repoRoot = resolve(new URL('../..', import.meta.url).pathname);

export function installRoot(): string {
  if (root) return root;
  const dir = mkdtempSync(join(tmpdir(), 'mpwan-root-'));
  execFileSync('make', ['-s', 'install', `DESTDIR=${dir}`], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  root = dir;
  return dir;
}
