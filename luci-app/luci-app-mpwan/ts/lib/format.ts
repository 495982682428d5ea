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

/** 3725 -> "1h 2m 5s". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  const parts = [d ? `${d}d` : '', h ? `${h}h` : '', m ? `${m}m` : '', `${s % 60}s`].filter(Boolean);
  return parts.slice(0, 2).join(' ');
}

/** A health `since` (unix seconds, milliseconds or ISO text) as a Date, or null. */
export function sinceDate(since: number | string | null | undefined): Date | null {
  if (since === null || since === undefined || since === '') return null;
  const d = typeof since === 'number' ? new Date(since > 1e12 ? since : since * 1000) : new Date(since);
  return isNaN(d.getTime()) ? null : d;
}
