// `mpwan apply`, `stop` and `reload`: the kernel plan from the command line. Changes go
// through the one writer (writer/): the running daemon, or this process under the run dir's lock.
import type { Runtime } from '../sys/runtime.js';
import { SIGKILL, SIGTERM } from '../sys/runtime.js';
import { settled } from '../lib/async.js';
import { reconcile } from '../reconcile/reconcile.js';
import { loadConfig, stopConfig } from '../reconcile/config-file.js';
import { signalDaemon } from '../sys/daemon-control.js';
import { daemonPid, removeDaemonFiles, runningRecordedProxies } from '../sys/run-dir.js';
import { underRunLock } from '../sys/run-lock.js';
import { MpwanError } from '../model/errors.js';
import { WRITE_TIMEOUT_MS, write } from '../writer/write.js';
import { removeLeftoverRedirect } from '../writer/local.js';
import { outcomeOf, throwIfError, type Outcome } from '../writer/work.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** How long `stop` waits for the daemon to clean up and exit. */
const STOP_WAIT_MS = 15000;

const failureText = (f: NonNullable<Outcome['failure']>) =>
  `${f.message}; previous state restored` + (f.rollbackErrors.length > 0 ? ` (except: ${f.rollbackErrors.join('; ')})` : '');

function reportJson(o: Outcome, dryRun: boolean) {
  return {
    dry_run: dryRun,
    applied: o.applied,
    changes: o.changes,
    warnings: o.warnings,
    ...(o.failure ? {
      error: { code: 'apply_failed', message: `${o.failure.message}; previous state restored`, failed_change: o.failure.failedChange, rollback_errors: o.failure.rollbackErrors },
    } : {}),
  };
}

/** Prints what was (or would be) changed; the exit code. */
function report(rt: Runtime, o: Outcome, opts: { dryRun: boolean; json: boolean }): number {
  throwIfError(o);
  if (opts.json) {
    rt.stdout(JSON.stringify(reportJson(o, opts.dryRun)) + '\n');
  } else {
    for (const w of o.warnings) rt.stderr(`mpwan: warning: ${w}\n`);
    if (o.changes.length === 0) rt.stdout('Nothing to change: the kernel matches the plan.\n');
    else rt.stdout(`${opts.dryRun ? 'Would apply' : 'Applying'} ${o.changes.length} change(s):\n${o.changes.map((d) => `  ${d}\n`).join('')}`);
    if (o.failure) rt.stderr(`mpwan: failed: ${failureText(o.failure)}\n`);
  }
  return o.failure ? EXIT_FAILURE : EXIT_OK;
}

export async function runApply(rt: Runtime, opts: { dryRun: boolean; json: boolean }): Promise<number> {
  await settled();
  const outcome = opts.dryRun ? outcomeOf(await reconcile(rt, { dryRun: true }), null) : await write(rt, { op: 'apply' });
  return report(rt, outcome, opts);
}

/** The daemon cleans up on SIGTERM; whatever it left (killed, or none ran) goes here. */
export async function runStop(rt: Runtime, opts: { dryRun: boolean; json: boolean }): Promise<number> {
  await settled();
  let config;
  try {
    config = stopConfig(loadConfig(rt));
  } catch (e) {
    // An invalid config must not keep `stop` from removing what mpwan set up.
    if (!(e instanceof MpwanError && e.code === 'invalid_config')) throw e;
    config = stopConfig(null);
  }
  if (opts.dryRun) return report(rt, outcomeOf(await reconcile(rt, { dryRun: true, config }), null), opts);
  if ((await signalDaemon(rt, SIGTERM, STOP_WAIT_MS)) !== null) {
    // Still there after the wait: stopping beside it would race its own cleanup.
    const again = await signalDaemon(rt, 0);
    if (again !== null) throw new MpwanError('busy', `the daemon (pid ${again}) did not exit within ${STOP_WAIT_MS / 1000} s; try again, or kill it`);
  }
  const outcome = await underRunLock(rt, WRITE_TIMEOUT_MS, async () => {
    await settled();
    const started = daemonPid(rt);
    if (started !== null) throw new MpwanError('busy', `a daemon started meanwhile (pid ${started}): stop the service first (/etc/init.d/mpwan stop)`);
    const r = await reconcile(rt, { dryRun: false, config });
    if (!r.failure) {
      await removeLeftoverRedirect(rt);
      // The daemon stops its proxies and removes its files as it exits; these are a killed one's
      // (or none ran). Its proxies go first: without their record no later daemon could adopt them.
      await stopLeftoverProxies(rt);
      removeDaemonFiles(rt);
    }
    if (r.changes.length > 0 || r.failure) {
      await rt.log(r.failure ? 'err' : 'notice', r.failure ? `stop failed: ${r.failure.error.message}; previous state restored` : `stop: ${r.changes.length} change(s): ${r.descriptions.join('; ')}`);
    }
    return outcomeOf(r, null);
  });
  return report(rt, outcome, opts);
}

/** SIGTERM to the proxies a killed daemon left running, SIGKILL to those still there after 2 s. */
async function stopLeftoverProxies(rt: Runtime) {
  const pids = runningRecordedProxies(rt);
  for (const pid of pids) rt.kill(pid, SIGTERM);
  for (let waited = 0; waited < 2000 && runningRecordedProxies(rt).length > 0; waited += 50) await rt.sleep(50);
  for (const pid of runningRecordedProxies(rt)) rt.kill(pid, SIGKILL);
  if (pids.length > 0) await rt.log('notice', `stop: stopped ${pids.length} proxy instance(s) a killed daemon left running`);
}

export async function runReload(rt: Runtime): Promise<number> {
  await settled();
  const pid = daemonPid(rt);
  if (pid !== null) rt.stdout(`Asked the daemon (pid ${pid}) to reload.\n`);
  return report(rt, await write(rt, { op: 'apply' }), { dryRun: false, json: false });
}
