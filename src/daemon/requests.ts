// The daemon's side of writer/: the requests waiting in the run dir are taken at an explicit
// re-plan, their config edits made first, and each is answered with that re-plan's outcome
// (one re-plan serves every request that was waiting when it began).
import type { Runtime } from '../sys/runtime.js';
import { MpwanError } from '../model/errors.js';
import { postAnswer, takeRequests, type Request } from '../sys/requests.js';
import { editUplinkMode, type UplinkEdit } from '../reconcile/set-uplink.js';
import { errorOutcome, isWork, type Outcome } from '../writer/work.js';

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
