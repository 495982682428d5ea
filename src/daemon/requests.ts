// The daemon's side of writer/: the requests waiting in the run dir are taken at an explicit
// re-plan, their config edits made first, and each is answered with that re-plan's outcome
// (one re-plan serves every request that was waiting when it began).
import type { Runtime } from '../sys/runtime.js';
import { MpwanError } from '../model/errors.js';
import { postAnswer, takeRequests, type Request } from '../sys/requests.js';
import { editUplinkMode, type UplinkEdit } from '../reconcile/set-uplink.js';
import type { ApplyReport } from '../reconcile/reconcile.js';
import { errorOutcome, isWork, outcomeOf, type Outcome } from '../writer/work.js';
import type { ConfigKeeper } from './config-keeper.js';

/**
 * An explicit re-plan (`plan`) for the requests waiting now, each answered with its outcome. A
 * request's config edit whose apply fails is put back, and the old config applied (`restore`).
 */
export async function serveRequests(rt: Runtime, daemon: number, configs: ConfigKeeper,
  plan: () => Promise<ApplyReport>, restore: () => Promise<unknown>): Promise<ApplyReport> {
  const batch = RequestBatch.take(rt, daemon);
  try {
    const report = await plan();
    if (report.failure && batch.edited) {
      batch.undoEdits();
      await restore();
    }
    // An invalid config file is the callers' error, though the daemon applied the last good one.
    const bad = configs.error;
    const o = outcomeOf(report, daemon, configs.warnings);
    batch.answer(bad ? { ...o, error: { code: 'invalid_config', message: bad.message, details: { errors: bad.errors } } } : o);
    return report;
  } catch (e) {
    batch.answer(errorOutcome(e, daemon)); // (once: answer() empties the batch)
    throw e;
  }
}

export class RequestBatch {
  private constructor(private readonly rt: Runtime, private readonly pending: { request: Request; edit: UplinkEdit | null }[]) {}

  /** Takes the waiting requests and makes their edits; one that cannot be done is answered at once. */
  static take(rt: Runtime, daemon: number): RequestBatch {
    const pending: { request: Request; edit: UplinkEdit | null }[] = [];
    for (const request of takeRequests(rt)) {
      const work = request.body;
      try {
        if (!isWork(work)) throw new MpwanError('invalid_argument', 'unreadable request');
        pending.push({ request, edit: work.op === 'set_uplink' ? editUplinkMode(rt, work.uplink, work.mode) : null });
      } catch (e) {
        postAnswer(rt, request, errorOutcome(e, daemon));
      }
    }
    return new RequestBatch(rt, pending);
  }

  /** Whether an edit changed the config file. */
  get edited(): boolean {
    return this.pending.some((p) => p.edit?.changed);
  }

  /** Puts the config file back as it was before this batch (its apply failed). */
  undoEdits() {
    for (const p of [...this.pending].reverse()) p.edit?.undo();
  }

  answer(outcome: Outcome) {
    for (const { request, edit } of this.pending.splice(0)) postAnswer(this.rt, request, edit ? { ...outcome, configChanged: edit.changed } : outcome);
  }
}
