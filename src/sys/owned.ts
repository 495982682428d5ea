// The record of what mpwan added (MPWAN_RUN_DIR/owned.json), so it deletes only its own.
import type { Runtime } from './runtime.js';
import type { OwnedState } from '../model/plan.js';
import { runDir } from './paths.js';

const file = (rt: Runtime) => `${runDir(rt)}/owned.json`;

export function readOwned(rt: Runtime): OwnedState {
  const text = rt.readFile(file(rt));
  if (text === null) return { endpoints: [] };
  try {
    const v = JSON.parse(text) as OwnedState;
    return Array.isArray(v.endpoints) ? v : { endpoints: [] };
  } catch {
    return { endpoints: [] };
  }
}

export function writeOwned(rt: Runtime, state: OwnedState): void {
  rt.makeDir(runDir(rt), 0o755);
  rt.writeFileAtomic(file(rt), JSON.stringify(state) + '\n');
}
