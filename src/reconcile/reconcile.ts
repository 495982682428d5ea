// Read -> plan -> diff -> apply: the thin shell around the pure core, shared by the CLI, the
// daemon and the ubus plugin.
import type { Runtime } from '../sys/runtime.js';
import type { Change } from '../model/plan.js';
import { applyChanges, type ApplyFailure } from '../apply/apply.js';
import { describeChange } from '../apply/render.js';
import { writeOwned } from '../sys/run-dir.js';
import { readSystem, type ReadOptions } from './read-system.js';
import { assess, type Assessment, type HealthView } from './assess.js';

export interface ApplyReport {
  changes: Change[];
  descriptions: string[];
  warnings: string[];
  applied: boolean;
  failure?: ApplyFailure;
  assessment: Assessment;
}

export interface ReconcileOptions extends ReadOptions {
  dryRun: boolean;
  /** The daemon's own health view (others use state.json). */
  health?: HealthView;
}

export async function reconcile(rt: Runtime, options: ReconcileOptions): Promise<ApplyReport> {
  const a = assess(await readSystem(rt, { ...options, ownHealth: options.health !== undefined }), options.health);
  const { changes } = a.diff;
  const report: ApplyReport = {
    changes,
    descriptions: changes.map(describeChange),
    warnings: [...a.configWarnings, ...a.desired.warnings, ...a.diff.warnings],
    applied: false,
    assessment: a,
  };
  if (options.dryRun) return report;
  if (changes.length > 0) {
    const failure = await applyChanges(rt, changes);
    if (failure) {
      report.failure = failure;
      return report;
    }
  }
  // Rewritten only when it changed, so a no-op run writes nothing at all.
  if (JSON.stringify(a.diff.owned) !== JSON.stringify(a.owned)) writeOwned(rt, a.diff.owned);
  report.applied = true;
  return report;
}
