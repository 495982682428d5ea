// Number and time formatting shared by the views. Pure.

const UNITS = ['', 'k', 'M', 'G', 'T'];

/** 1234567 -> "1.23 M" (SI steps of 1000, as network rates are quoted). */
export function si(n: number, digits = 3): string {
  let i = 0;
  while (Math.abs(n) >= 1000 && i < UNITS.length - 1) { n /= 1000; i++; }
  return `${i === 0 ? Math.round(n) : n.toPrecision(digits)} ${UNITS[i]}`;
}

export const bitRate = (bitsPerSecond: number) => `${si(bitsPerSecond)}bit/s`;
export const bytes = (n: number | null) => (n === null ? '-' : `${si(n)}B`);
/** A count without unit: 321, 45.7 k. */
export const count = (n: number) => si(n).trimEnd();

/** The largest unit and the next one, none skipped: 3725 -> "1h 2m", 3613 -> "1h 0m", 59 -> "59s". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const units: [number, string][] = [[Math.floor(s / 86400), 'd'], [Math.floor((s % 86400) / 3600), 'h'], [Math.floor((s % 3600) / 60), 'm'], [s % 60, 's']];
  const largest = units.findIndex(([n]) => n > 0);
  const first = largest < 0 ? units.length - 1 : largest;
  return units.slice(first, first + 2).map(([n, u]) => `${n}${u}`).join(' ');
}

/** A health `since` (unix seconds, milliseconds or ISO text) as a Date, or null. */
export function sinceDate(since: number | string | null | undefined): Date | null {
  if (since === null || since === undefined || since === '') return null;
  const d = typeof since === 'number' ? new Date(since > 1e12 ? since : since * 1000) : new Date(since);
  return isNaN(d.getTime()) ? null : d;
}
