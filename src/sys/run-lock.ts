// The run directory's lock: only its holder may change kernel state. Without a daemon, `apply`,
// ubus `reload` and `set_uplink` work under it; the daemon registers under it (daemon.pid) and
// from then on is the only writer (the others hand it their work: writer/).
//
// QuickJS's os module has no flock(2), so a child holds the lock: `flock -x <run>/lock cat`
// (BusyBox's flock on OpenWrt, enabled by default; util-linux's elsewhere). cat echoes our
// first line once flock holds the lock, and exits when its stdin closes: when we release the
// lock, or when we die, however we die. The kernel then drops the lock with flock's file: no
// pid file to check, no stale lock to guess at.
import type { LineChannel, Runtime } from './runtime.js';
import { MpwanError } from '../model/errors.js';
import { makeRunDir } from './run-dir.js';
import { runDir } from './paths.js';

export interface RunLock {
  release(): void;
}

export const lockPath = (rt: Runtime) => `${runDir(rt)}/lock`;

/** Waits (at most `timeoutMs`) until this process holds the lock. */
export function acquireRunLock(rt: Runtime, timeoutMs: number): Promise<RunLock> {
  makeRunDir(rt);
  const path = lockPath(rt);
  return new Promise((resolve, reject) => {
    let settled = false;
    let timer: unknown = null;
    const settle = (then: () => void) => { if (!settled) { settled = true; rt.clearTimer(timer); then(); } };
    let holder: LineChannel;
    try {
      holder = rt.spawnChannel(['flock', '-x', path, 'cat'], (line) => {
        if (line === 'locked') settle(() => resolve({ release: () => holder.stop() }));
      }, (status) => settle(() => reject(status === 127
        ? new MpwanError('kernel_unsupported', "the 'flock' program was not found: mpwan needs BusyBox's flock (or util-linux's)")
        : new MpwanError('command_failed', `flock ${path}: exit status ${status}`))));
    } catch (e) {
      reject(new MpwanError('command_failed', `flock ${path}: ${(e as Error).message}`));
      return;
    }
    timer = rt.setTimer(() => settle(() => {
      holder.stop();
      reject(new MpwanError('busy', `another mpwan command has held ${path} for over ${Math.round(timeoutMs / 1000)} s; try again`));
    }), timeoutMs);
    holder.write('locked\n');
  });
}

/** Runs `fn` holding the lock. */
export async function underRunLock<T>(rt: Runtime, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const lock = await acquireRunLock(rt, timeoutMs);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
