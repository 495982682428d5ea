// Summaries of repeated measurements, for every bench section.
import type { Range, Spread } from './types.js';

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

export const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)];
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
