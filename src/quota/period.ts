// Quota periods in the router's local time: a day (midnight to midnight) or a month that
// starts on its reset day at midnight (day 31 in a 30-day month: its last day). Pure: the time
// and the local offset from UTC arrive as arguments.
import type { QuotaConfig } from '../model/config.js';

/** Seconds east of UTC of local time at an epoch second (the runtime's time zone; tests pass their own). */
export type LocalOffset = (epochS: number) => number;

export interface Period {
  /** Epoch seconds: the period's first second, and the next period's. */
  start: number;
  end: number;
}

const DAY = 86400;
const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month + 1, 0)).getUTCDate();

/** Local midnight at the start of `day` of month `month` (0-11; may run over into other years) as epoch seconds. */
function localMidnight(year: number, month: number, day: number, offset: LocalOffset): number {
  const local = Date.UTC(year, month, day) / 1000;
  // The offset at that moment (daylight saving may differ from now's); twice settles it at a change.
  const guess = local - offset(local);
  return local - offset(guess);
}

/** The period `now` falls in. */
export function periodAt(quota: Pick<QuotaConfig, 'period' | 'resetDay'>, now: number, offset: LocalOffset): Period {
  const local = new Date((now + offset(now)) * 1000);
  const [y, m, d] = [local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()];
  if (quota.period === 'day') {
    return { start: localMidnight(y, m, d, offset), end: localMidnight(y, m, d + 1, offset) };
  }
  const resetIn = (month: number) => {
    const first = new Date(Date.UTC(y, month, 1));
    return Math.min(quota.resetDay, daysIn(first.getUTCFullYear(), first.getUTCMonth()));
  };
  const startMonth = d >= resetIn(m) ? m : m - 1;
  return {
    start: localMidnight(y, startMonth, resetIn(startMonth), offset),
    end: localMidnight(y, startMonth + 1, resetIn(startMonth + 1), offset),
  };
}

/** Whole days (rounded up) until the period ends, for status. */
export const daysLeft = (p: Period, now: number) => Math.max(0, Math.ceil((p.end - now) / DAY));
