// A metered uplink's use against its quota, as status shows it. Pure.
import type { Config } from '../model/config.js';
import type { Ledger, UplinkUsage } from '../quota/usage.js';

export interface UsageStatus {
  bytes: number;
  /** null: metered without a quota. */
  quota: number | null;
  /** bytes / quota, in percent (may pass 100). */
  percent: number | null;
  /** Epoch seconds: the period's start and end (the next period's start). */
  period_start: number;
  period_end: number;
  /** What happens at the quota, and whether it is in force now. */
  action: 'backup' | 'off' | null;
  over: boolean;
}

/** Each metered uplink's use against its quota, from the ledger. */
export function usageStatus(config: Config, name: string, ledger: Ledger | null): UsageStatus | null {
  const u = config.uplinks.find((x) => x.name === name);
  const l = ledger?.uplinks[name];
  if (!u?.metered) return null;
  const q = u.quota;
  const bytes = l?.bytes ?? 0;
  return {
    bytes, quota: q?.bytes ?? null, percent: q ? Math.round((bytes / q.bytes) * 1000) / 10 : null,
    period_start: l?.period.start ?? 0, period_end: l?.period.end ?? 0, action: q?.action ?? null, over: q !== null && bytes >= q.bytes,
  };
}

/** A metered uplink's use as the ledger has it now (the quota and action from the basis). */
export function refreshUsage(basis: UsageStatus | null | undefined, now: UplinkUsage | undefined): UsageStatus | null {
  if (!basis || !now) return basis ?? null;
  const percent = basis.quota ? Math.round((now.bytes / basis.quota) * 1000) / 10 : null;
  return { ...basis, bytes: now.bytes, percent, over: basis.quota !== null && now.bytes >= basis.quota, period_start: now.period.start, period_end: now.period.end };
}
