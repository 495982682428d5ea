// What changes kernel state on request (`mpwan apply` and `reload`, ubus `reload` and
// `set_uplink`), and what comes back, whoever did it: the running daemon or, without one,
// the requesting process itself. Both travel through the run dir as JSON.
import type { UplinkMode } from '../model/config.js';
import type { ApplyReport } from '../reconcile/reconcile.js';
import { MpwanError, type ErrorCode } from '../model/errors.js';

export type Work =
  | { op: 'apply' }
  | { op: 'set_uplink'; uplink: string; mode: UplinkMode };

export interface Outcome {
  /** The daemon that did the work, or null: the requesting process did. */
  daemon: number | null;
  changes: string[];
  warnings: string[];
  applied: boolean;
  /** set_uplink: whether the config file changed. */
  configChanged?: boolean;
  /** A change failed: the kernel (and for set_uplink the config) was put back as it was. */
  failure?: { message: string; failedChange?: string; rollbackErrors: string[] };
  /** Nothing was applied (an invalid config, a bad argument...). */
  error?: { code: ErrorCode; message: string; details?: unknown };
}

export function isWork(v: unknown): v is Work {
  if (typeof v !== 'object' || v === null) return false;
  const w = v as Record<string, unknown>;
  return w.op === 'apply' || (w.op === 'set_uplink' && typeof w.uplink === 'string' && (w.mode === 'on' || w.mode === 'backup' || w.mode === 'off'));
}

export function isOutcome(v: unknown): v is Outcome {
  const o = v as Outcome;
  return typeof v === 'object' && v !== null && Array.isArray(o.changes) && Array.isArray(o.warnings) && typeof o.applied === 'boolean';
}

export function outcomeOf(r: ApplyReport, daemon: number | null, extraWarnings: string[] = []): Outcome {
  const f = r.failure;
  return {
    daemon,
    changes: r.descriptions,
    warnings: [...extraWarnings, ...r.warnings],
    applied: r.applied,
    ...(f ? { failure: { message: f.error.message, failedChange: r.descriptions[r.changes.indexOf(f.change)], rollbackErrors: f.rollbackErrors } } : {}),
  };
}

export function errorOutcome(e: unknown, daemon: number | null): Outcome {
  const err = e instanceof MpwanError ? e : new MpwanError('internal', `internal error: ${(e as Error)?.message ?? e}`);
  return { daemon, changes: [], warnings: [], applied: false, error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
}

/** The outcome's error as the MpwanError it was, so callers report it the one usual way. */
export function throwIfError(o: Outcome): void {
  if (o.error) throw new MpwanError(o.error.code, o.error.message, o.error.details);
}
