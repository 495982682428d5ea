// Bytes each uplink carried in its quota period, both ways, from the kernel's interface
// counters. The ledger survives a daemon restart (the last reading tells what is new) and a
// reboot (the boot id tells that the counters started again from zero). Pure: readings, the
// time and the local offset arrive as arguments.
import type { Config, QuotaConfig } from '../model/config.js';
import { periodAt, type LocalOffset, type Period } from './period.js';

/** One reading of an uplink device's counters (/sys/class/net/<dev>/statistics). */
export interface Reading {
  dev: string;
  ifindex: number;
  rx: number;
  tx: number;
}

export interface UplinkUsage {
  /** Bytes carried (received + sent) in the period. */
  bytes: number;
  /** The quota's period; without a quota, the calendar month (counted for status all the same). */
  period: Period;
  /** The last reading, to count what came since; null: nothing read yet. */
  last: Reading | null;
  /** The highest share of the quota already announced (0, 80 or 100). */
  announced: number;
}

export interface Ledger {
  /** The kernel's boot id when the readings were taken: another one means the counters restarted. */
  boot: string;
  uplinks: Record<string, UplinkUsage>;
}

const CALENDAR_MONTH = { period: 'month', resetDay: 1 } as const;

/** Shares of the quota that are announced once per period (log and event). */
export const THRESHOLDS = [80, 100];

export interface Crossing {
  uplink: string;
  percent: number;
  bytes: number;
  quota: number;
}

/** What is known from the kernel now: each uplink's reading (null: no device now). */
export interface Observation {
  boot: string;
  now: number;
  readings: Record<string, Reading | null>;
}

/**
 * The bytes a reading adds to the last. A new device (another ifindex, or counters that went
 * down: recreated) counted from zero since it appeared; the same one, the difference.
 */
function delta(last: Reading | null, r: Reading): number {
  if (!last) return 0;
  if (last.dev !== r.dev || last.ifindex !== r.ifindex || r.rx < last.rx || r.tx < last.tx) return r.rx + r.tx;
  return r.rx - last.rx + (r.tx - last.tx);
}

/**
 * The ledger after an observation, and the thresholds crossed. An uplink seen for the first
 * time starts from its current counters (what it carried before mpwan counted is unknown);
 * after a reboot every device counts from zero (its counters did).
 */
export function account(ledger: Ledger | null, quotas: Record<string, QuotaConfig | null>, o: Observation, offset: LocalOffset): { ledger: Ledger; crossings: Crossing[] } {
  const rebooted = ledger !== null && ledger.boot !== o.boot;
  const next: Ledger = { boot: o.boot, uplinks: {} };
  const crossings: Crossing[] = [];
  for (const [name, quota] of Object.entries(quotas)) {
    const prev = ledger?.uplinks[name];
    const period = periodAt(quota ?? CALENDAR_MONTH, o.now, offset);
    const samePeriod = prev !== undefined && prev.period.start === period.start;
    const reading = o.readings[name] ?? null;
    // After a reboot the counters began at zero: a reading counts whole (an ifindex of -1 matches no device).
    const last = rebooted && prev?.last ? { ...prev.last, ifindex: -1 } : prev?.last ?? null;
    const added = reading ? delta(last, reading) : 0;
    const u: UplinkUsage = {
      bytes: (samePeriod ? prev.bytes : 0) + added,
      period,
      last: reading ?? last,
      announced: samePeriod ? prev.announced : 0,
    };
    if (quota) {
      for (const t of THRESHOLDS) {
        if (u.announced < t && u.bytes >= (quota.bytes * t) / 100) {
          u.announced = t;
          crossings.push({ uplink: name, percent: t, bytes: u.bytes, quota: quota.bytes });
        }
      }
    }
    next.uplinks[name] = u;
  }
  return { ledger: next, crossings: crossings.filter((c, i) => !crossings.some((d, j) => j > i && d.uplink === c.uplink)) };
}

/** Each configured uplink's quota (null: unmetered, or metered without one). */
export const quotasOf = (config: Config): Record<string, QuotaConfig | null> =>
  Object.fromEntries(config.uplinks.map((u) => [u.name, u.metered ? u.quota : null]));

/** Uplinks at or over their quota, with what to do about it (the planner's input). */
export function overQuota(ledger: Ledger | null, quotas: Record<string, QuotaConfig | null>): Record<string, QuotaConfig['action']> {
  const out: Record<string, QuotaConfig['action']> = {};
  for (const [name, q] of Object.entries(quotas)) {
    const u = ledger?.uplinks[name];
    if (q && u && u.bytes >= q.bytes) out[name] = q.action;
  }
  return out;
}
