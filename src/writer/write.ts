// One writer of kernel state. While the daemon runs, it is the only one: `mpwan apply`, ubus
// `reload` and `set_uplink` hand it their work through the run dir and wait for its answer.
// Without a daemon they do the work themselves, one at a time, under the run dir's lock; the
// daemon registers (writes daemon.pid) under the same lock, so no apply runs beside it.
import type { Runtime } from '../sys/runtime.js';
import { SIGHUP } from '../sys/runtime.js';
import { MpwanError } from '../model/errors.js';
import { settled } from '../lib/async.js';
import { daemonPid, writeDaemonPid } from '../sys/run-dir.js';
import { ownPid } from '../sys/procfs.js';
import { underRunLock } from '../sys/run-lock.js';
import { postRequest, sweepRequests, takeAnswer, withdrawRequest } from '../sys/requests.js';
import { isOutcome, type Outcome, type Work } from './work.js';
import { performHere } from './local.js';

/** How long a request waits for the daemon or the lock (rpcd gives a call 30 s). */
export const WRITE_TIMEOUT_MS = 20000;
/** How often the answer file is looked for. */
const POLL_MS = 20;

/** Does `work` as the one writer; the outcome says who did it. */
export async function write(rt: Runtime, work: Work, timeoutMs = WRITE_TIMEOUT_MS): Promise<Outcome> {
  await settled();
  const deadline = rt.monotonicMs() + timeoutMs;
  for (;;) {
    const daemon = daemonPid(rt);
    if (daemon !== null) {
      const answer = await handToDaemon(rt, daemon, work, deadline, timeoutMs);
      if (answer !== 'gone') return answer;
      continue; // it exited before answering: its successor, or this process, does the work
    }
    const left = Math.max(0, deadline - rt.monotonicMs());
    const outcome = await underRunLock(rt, left, async () => {
      await settled();
      if (daemonPid(rt) !== null) return null; // a daemon registered while this waited
      sweepRequests(rt);
      return await performHere(rt, work);
    });
    if (outcome) return outcome;
  }
}

/** The daemon's answer; 'gone' when it exited without one (the work may be done again: it is idempotent). */
async function handToDaemon(rt: Runtime, pid: number, work: Work, deadline: number, timeoutMs: number): Promise<Outcome | 'gone'> {
  await settled();
  const id = postRequest(rt, ownPid(rt), work);
  rt.kill(pid, SIGHUP);
  for (;;) {
    const answer = takeAnswer(rt, id);
    if (answer !== undefined) {
      if (!isOutcome(answer)) throw new MpwanError('internal', `the daemon (pid ${pid}) answered something unreadable`);
      return answer;
    }
    if (daemonPid(rt) !== pid) {
      withdrawRequest(rt, id);
      return 'gone';
    }
    if (rt.monotonicMs() > deadline) {
      withdrawRequest(rt, id);
      throw new MpwanError('busy', `the daemon (pid ${pid}) did not answer within ${Math.round(timeoutMs / 1000)} s; its log says what it is doing (logread -e mpwan)`);
    }
    await rt.sleep(POLL_MS);
  }
}

/** The daemon becomes the one writer: it waits for any apply that holds the lock, then writes daemon.pid. */
export async function registerDaemon(rt: Runtime, pid: number, timeoutMs = WRITE_TIMEOUT_MS): Promise<void> {
  await underRunLock(rt, timeoutMs, async () => {
    await settled();
    const other = daemonPid(rt);
    if (other !== null && other !== pid) throw new MpwanError('internal', `another mpwan daemon runs (pid ${other}): stop it first`);
    sweepRequests(rt);
    writeDaemonPid(rt, pid);
  });
}
