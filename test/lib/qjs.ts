// The qjs the tests run: $QJS, else the cached build, else one on PATH.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './install.js';

export function qjsPath(): string {
  if (process.env.QJS) return process.env.QJS;
  const cached = join(repoRoot, '.cache/qjs/bin/qjs');
  return existsSync(cached) ? cached : 'qjs';
}
