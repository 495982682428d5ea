// Summaries of repeated measurements, for every bench table.
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

export const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)];
export const p95 = (xs: number[]) => sorted(xs)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];
