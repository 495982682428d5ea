// Where the quota ledger is kept: in the run dir (RAM) at every count, so a restarted daemon
// goes on where it stopped, and in the state dir (flash) at most once an hour, so a reboot
// loses at most the last hour.
import type { Reader, Runtime } from './runtime.js';
import type { Ledger } from '../quota/usage.js';
import { runDir, stateDir } from './paths.js';

/** The ledger, and when it was last written to flash (epoch seconds; 0: never). */
export interface UsageFile {
  ledger: Ledger;
  flashedAt: number;
}

const ramPath = (rt: Reader) => `${runDir(rt)}/usage.json`;
const flashPath = (rt: Reader) => `${stateDir(rt)}/usage.json`;

const isLedger = (v: unknown): v is Ledger =>
  typeof v === 'object' && v !== null && typeof (v as Ledger).boot === 'string' && typeof (v as Ledger).uplinks === 'object' && (v as Ledger).uplinks !== null;

function read(rt: Reader, path: string): UsageFile | null {
  try {
    const v = JSON.parse(rt.readFile(path) ?? 'null') as Partial<UsageFile> | null;
    return v && isLedger(v.ledger) ? { ledger: v.ledger, flashedAt: Number(v.flashedAt) || 0 } : null;
  } catch {
    return null;
  }
}

/** The run dir's copy (this boot), else flash's (from before a reboot), else nothing. */
export function readUsage(rt: Reader): UsageFile | null {
  return read(rt, ramPath(rt)) ?? read(rt, flashPath(rt));
}

/** The run dir's copy only: what status shows. */
export const readUsageRam = (rt: Reader) => read(rt, ramPath(rt));

export function writeUsageRam(rt: Runtime, u: UsageFile) {
  try { rt.writeFileAtomic(ramPath(rt), JSON.stringify(u) + '\n', 0o644); } catch { /* a stop racing the write */ }
}

/** Writes flash; false when it could not (said by the caller). */
export function writeUsageFlash(rt: Runtime, u: UsageFile): boolean {
  try {
    rt.makeDir(stateDir(rt), 0o755);
    rt.writeFileAtomic(flashPath(rt), JSON.stringify(u) + '\n', 0o644);
    return true;
  } catch {
    return false;
  }
}
