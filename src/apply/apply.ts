// Carries out an ordered Change[] and, when a step fails, undoes the applied steps in
// reverse so the kernel is left as it was found.
import type { Runtime } from '../sys/runtime.js';
import type { Change } from '../model/plan.js';
import { CommandError } from '../model/errors.js';
import { type Action, renderChange, renderUndo } from './render.js';

export interface ApplyFailure {
  change: Change;
  error: CommandError;
  /** Undo steps that failed too (the kernel may be partly changed). */
  rollbackErrors: string[];
}

async function run(rt: Runtime, action: Action): Promise<void> {
  if ('write' in action) {
    try {
      rt.writeFile(action.write, action.value + '\n');
    } catch (e) {
      throw new CommandError(['write', action.write, action.value], 1, (e as Error).message);
    }
    return;
  }
  const r = await rt.exec(action.argv, { timeoutMs: 10000 });
  if (r.status !== 0) throw new CommandError(r.argv, r.status, r.stderr);
}

/**
 * What the kernel answers when the object to delete is not there. Between reading the kernel
 * and applying, it may remove things itself (an address deleted flushes its device's
 * routes): the delete's goal is met, and there is nothing to undo.
 */
const ALREADY_GONE = /No such process|No such file or directory|address not found|FIB table does not exist/;
const isDelete = (c: Change) => c.kind === 'route-del' || c.kind === 'rule-del' || c.kind === 'endpoint-del';

/** Returns null when every change applied, else what failed after rolling back. */
export async function applyChanges(rt: Runtime, changes: Change[]): Promise<ApplyFailure | null> {
  const done: Change[] = [];
  for (const change of changes) {
    try {
      await run(rt, renderChange(change));
      done.push(change);
    } catch (e) {
      const error = e instanceof CommandError ? e : new CommandError(['?'], 1, String(e));
      if (isDelete(change) && ALREADY_GONE.test(error.stderr)) continue;
      const rollbackErrors: string[] = [];
      for (const c of done.reverse()) {
        try {
          await run(rt, renderUndo(c));
        } catch (u) {
          rollbackErrors.push((u as Error).message);
        }
      }
      return { change, error, rollbackErrors };
    }
  }
  return null;
}
