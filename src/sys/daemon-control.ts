// Finding and signalling a running `mpwan daemon` (its pid is in MPWAN_RUN_DIR/daemon.pid).
import type { Runtime } from './runtime.js';
import { runDir } from './paths.js';
import type { DaemonState } from '../daemon/daemon.js';

/** The daemon's pid if one runs (the pid file may be stale after a kill -9). */
export function daemonPid(rt: Runtime): number | null {
  const pid = Number((rt.readFile(`${runDir(rt)}/daemon.pid`) ?? '').trim());
  if (!Number.isInteger(pid) || pid <= 1) return null;
  const cmdline = rt.readFile(`/proc/${pid}/cmdline`) ?? '';
  return cmdline.split('\0').includes('daemon') && cmdline.includes('mpwan') ? pid : null;
}

export function readDaemonState(rt: Runtime): DaemonState | null {
  if (daemonPid(rt) === null) return null;
  try {
    return JSON.parse(rt.readFile(`${runDir(rt)}/daemon.json`) ?? 'null') as DaemonState | null;
  } catch {
    return null;
  }
}

/** Sends `signal` to the daemon; with `waitExit`, waits (bounded) until it is gone. */
export async function signalDaemon(rt: Runtime, signal: number, waitExitMs = 0): Promise<number | null> {
  const pid = daemonPid(rt);
  if (pid === null) return null;
  rt.kill(pid, signal);
  for (let waited = 0; waited < waitExitMs && daemonPid(rt) !== null; waited += 50) await rt.sleep(50);
  return pid;
}
