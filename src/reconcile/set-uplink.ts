// Changing /etc/config/mpwan from mpwan itself (ubus set_uplink): one option edited in place,
// the result validated, written atomically, applied; the old file restored if apply fails.
import type { Runtime } from '../sys/runtime.js';
import type { UplinkMode } from '../model/config.js';
import { MpwanError } from '../model/errors.js';
import { validateConfig } from '../config/validate.js';
import { setOption } from '../config/uci-edit.js';
import { configFile } from '../sys/paths.js';
import { reconcile, type ApplyReport } from './reconcile.js';
import { loadConfig } from './config-file.js';
import { settled } from '../lib/async.js';
import { signalDaemon } from '../sys/daemon-control.js';
import { SIGHUP } from '../sys/runtime.js';

export interface EditResult {
  changed: boolean;
  report: ApplyReport;
}

export async function setUplinkMode(rt: Runtime, uplink: string, mode: UplinkMode): Promise<EditResult> {
  await settled();
  const config = loadConfig(rt);
  if (!config.uplinks.some((u) => u.name === uplink)) {
    const have = config.uplinks.map((u) => u.name).join(', ') || 'none';
    throw new MpwanError('invalid_argument', `unknown uplink '${uplink}' (configured: ${have})`);
  }
  const file = configFile(rt);
  const before = rt.readFile(file) ?? '';
  const after = setOption(before, uplink, 'mode', mode);
  const check = validateConfig(after, file);
  if (!check.config) throw new MpwanError('internal', `editing ${file} produced an invalid config`, { errors: check.errors });
  const changed = after !== before;
  if (changed) rt.writeFileAtomic(file, after, 0o600);
  const report = await reconcile(rt, { dryRun: false });
  if (report.failure) {
    if (changed) rt.writeFileAtomic(file, before, 0o600);
    throw new MpwanError('apply_failed', `${report.failure.error.message}; previous state and config restored`, {
      failed_change: report.descriptions[report.changes.indexOf(report.failure.change)],
      rollback_errors: report.failure.rollbackErrors,
    });
  }
  // A running daemon re-reads the config too (its health checks follow the uplinks).
  if (changed) await signalDaemon(rt, SIGHUP);
  return { changed, report };
}
