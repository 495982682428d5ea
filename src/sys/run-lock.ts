// The run directory's lock: only its holder may change kernel state. Without a daemon, `apply`,
// ubus `reload` and `set_uplink` work under it; the daemon registers (daemon.pid) under it and
// from then on is the only writer (the others hand it their work: writer/). The lock is
// flock(2) on <run dir>/lock: a process that dies releases it, so there is no stale lock to
// guess at and no pid file to trust.
import type { Runtime } from './runtime.js';
import { MpwanError } from '../model/errors.js';
import { settled } from '../lib/async.js';
import { makeRunDir } from './run-dir.js';
import { runDir } from './paths.js';

export const lockPath = (rt: Runtime) => `${runDir(rt)}/lock`;

/** Runs `fn` holding the lock, after waiting at most `timeoutMs` for it. */
export async function underRunLock<T>(rt: Runtime, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  await settled();
  makeRunDir(rt);
  const path = lockPath(rt);
  let release: (() => void) | null;
  try {
    release = await rt.lockFile(path, timeoutMs);
  } catch (e) {
    throw new MpwanError(/not found/.test((e as Error).message) ? 'kernel_unsupported' : 'command_failed', (e as Error).message);
  }
  if (!release) throw new MpwanError('busy', `another mpwan command has held ${path} for over ${Math.round(timeoutMs / 1000)} s; try again`);
  try {
    return await fn();
  } finally {
    release();
  }
}
