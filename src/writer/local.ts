// Work done by the requesting process itself, when no daemon runs (the caller holds the run
// dir's lock): the kernel plan applied, and no LAN redirect left pointing at a proxy that
// does not run.
import type { Runtime } from '../sys/runtime.js';
import { reconcile } from '../reconcile/reconcile.js';
import { editUplinkMode } from '../reconcile/set-uplink.js';
import { readNftTable, removeNftTable } from '../sys/nft.js';
import { settled } from '../lib/async.js';
import { outcomeOf, type Outcome, type Work } from './work.js';

/** The redirect is the daemon's: without one, nothing may keep sending LAN traffic to a proxy. */
export async function removeLeftoverRedirect(rt: Runtime) {
  if ((await readNftTable(rt)) !== null) await removeNftTable(rt);
}

export async function performHere(rt: Runtime, work: Work): Promise<Outcome> {
  await settled();
  const edit = work.op === 'set_uplink' ? editUplinkMode(rt, work.uplink, work.mode) : null;
  const r = await reconcile(rt, { dryRun: false });
  if (r.failure) edit?.undo();
  else await removeLeftoverRedirect(rt);
  const outcome = outcomeOf(r, null);
  if (r.changes.length > 0 || r.failure) {
    const what = work.op === 'apply' ? 'apply' : `set_uplink ${work.uplink} ${work.mode}`;
    await rt.log(r.failure ? 'err' : 'notice', r.failure
      ? `${what} failed: ${r.failure.error.message}; previous state restored`
      : `${what}: ${r.changes.length} change(s): ${r.descriptions.join('; ')}`);
  }
  return edit ? { ...outcome, configChanged: edit.changed } : outcome;
}
