// Bounded polling: waits for a condition in the kernel or a state file, never for wall-clock time.
import { spawnSync } from 'node:child_process';

export function waitFor<T>(what: string, probe: () => T | null | undefined | false, tries = 200, stepS = 0.05): T {
  for (let i = 0; i < tries; i++) {
    const v = probe();
    if (v) return v;
    spawnSync('sleep', [String(stepS)]);
  }
  throw new Error(`gave up waiting for ${what}`);
}
