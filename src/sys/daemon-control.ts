// Signalling a running `mpwan daemon` (found through its pid file).
import type { Runtime } from './runtime.js';
import { daemonPid } from './run-dir.js';

/** Sends `signal` to the daemon; with `waitExitMs`, waits (bounded) until it is gone. */
export async function signalDaemon(rt: Runtime, signal: number, waitExitMs = 0): Promise<number | null> {
  const pid = daemonPid(rt);
  if (pid === null) return null;
  rt.kill(pid, signal);
  for (let waited = 0; waited < waitExitMs && daemonPid(rt) !== null; waited += 50) await rt.sleep(50);
  return pid;
}
