// `mpwan apply`, `stop` and `reload`: the kernel plan from the command line.
import type { Runtime } from '../sys/runtime.js';
import { SIGHUP, SIGKILL, SIGTERM } from '../sys/runtime.js';
import { settled } from '../lib/async.js';
import { reconcile, type ApplyReport } from '../reconcile/reconcile.js';
import { loadConfig, stopConfig } from '../reconcile/config-file.js';
import { signalDaemon } from '../sys/daemon-control.js';
import { removeDaemonFiles, runningRecordedProxies } from '../sys/run-dir.js';
import { readNftTable, removeNftTable } from '../sys/nft.js';
import { MpwanError } from '../model/errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** How long `stop` waits for the daemon to clean up and exit. */
const STOP_WAIT_MS = 15000;

function reportJson(r: ApplyReport, dryRun: boolean) {
  return {
    dry_run: dryRun,
    applied: r.applied,
    changes: r.descriptions,
    warnings: r.warnings,
    ...(r.failure ? {
      error: {
        code: 'apply_failed',
        message: `${r.failure.error.message}; previous state restored`,
        failed_change: r.descriptions[r.changes.indexOf(r.failure.change)],
        rollback_errors: r.failure.rollbackErrors,
      },
    } : {}),
  };
}

/** Without a daemon, nothing may keep redirecting LAN traffic to a proxy that does not run. */
async function removeLeftoverRedirect(rt: Runtime) {
  if ((await readNftTable(rt)) !== null) await removeNftTable(rt);
}

export async function runApply(rt: Runtime, opts: { dryRun: boolean; json: boolean; stop: boolean }): Promise<number> {
  await settled();
  let config;
  try {
    config = opts.stop ? stopConfig(loadConfig(rt)) : undefined;
  } catch (e) {
    // An invalid config must not keep `stop` from removing what mpwan set up.
    if (!(e instanceof MpwanError && e.code === 'invalid_config')) throw e;
    config = stopConfig(null);
  }
  const r = await reconcile(rt, { dryRun: opts.dryRun, ...(config ? { config } : {}) });
  if (opts.json) {
    rt.stdout(JSON.stringify(reportJson(r, opts.dryRun)) + '\n');
  } else {
    for (const w of r.warnings) rt.stderr(`mpwan: warning: ${w}\n`);
    if (r.changes.length === 0) rt.stdout('Nothing to change: the kernel matches the plan.\n');
    else rt.stdout(`${opts.dryRun ? 'Would apply' : 'Applying'} ${r.changes.length} change(s):\n${r.descriptions.map((d) => `  ${d}\n`).join('')}`);
  }
  if (r.failure) {
    const f = r.failure;
    const msg = `failed: ${f.error.message}; previous state restored` + (f.rollbackErrors.length > 0 ? ` (except: ${f.rollbackErrors.join('; ')})` : '');
    if (!opts.json) rt.stderr(`mpwan: ${msg}\n`);
    await rt.log('err', `apply ${msg}`);
    return EXIT_FAILURE;
  }
  if (opts.dryRun) return EXIT_OK;
  if (r.changes.length > 0) await rt.log('notice', `${opts.stop ? 'stop' : 'apply'}: ${r.changes.length} change(s): ${r.descriptions.join('; ')}`);
  // The daemon owns the proxies and the nft redirect: let it follow the config.
  if (opts.stop || (await signalDaemon(rt, SIGHUP)) === null) await removeLeftoverRedirect(rt);
  return EXIT_OK;
}

/** The daemon cleans up on SIGTERM; whatever it left (killed, or none ran) goes here. */
export async function runStop(rt: Runtime, opts: { dryRun: boolean; json: boolean }): Promise<number> {
  await settled();
  if (!opts.dryRun && (await signalDaemon(rt, SIGTERM, STOP_WAIT_MS)) !== null) {
    // Still there after the wait: stopping beside it would race its own cleanup.
    const again = await signalDaemon(rt, 0);
    if (again !== null) throw new MpwanError('internal', `the daemon (pid ${again}) did not exit within ${STOP_WAIT_MS / 1000} s; try again, or kill it`);
  }
  const status = await runApply(rt, { ...opts, stop: true });
  // The daemon stops its proxies and removes its files as it exits; these are a killed one's
  // (or none ran). Its proxies go first: without their record no later daemon could adopt them.
  if (status === EXIT_OK && !opts.dryRun) {
    await stopLeftoverProxies(rt);
    removeDaemonFiles(rt);
  }
  return status;
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
  const pid = await signalDaemon(rt, SIGHUP);
  if (pid === null) return runApply(rt, { dryRun: false, json: false, stop: false });
  rt.stdout(`Asked the daemon (pid ${pid}) to reload.\n`);
  return EXIT_OK;
}
