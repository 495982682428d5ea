// Summaries of repeated measurements, for every bench section.
import type { Range, Spread } from './types.js';

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

/** The middle run; of an even number, the mean of the two middle ones (not the upper one). */
export const median = (xs: number[]) => {
  const s = sorted(xs), m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const p95 = (xs: number[]) => sorted(xs)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Median and max of the runs (null when there are none), rounded for the record. */
export function spread(runs: number[], digits = 2): Spread {
  const rs = runs.map((r) => round(r, digits));
  return rs.length === 0 ? { median: null, max: null, runs: [] } : { median: median(rs), max: Math.max(...rs), runs: rs };
}

/** Min, median and max of the runs, rounded for the record. */
export function range(runs: number[], digits = 2): Range {
  const rs = runs.map((r) => round(r, digits));
  return { min: Math.min(...rs), median: median(rs), max: Math.max(...rs), runs: rs };
}
