// LuCI datatype strings (luci-base validation.js) that accept what mpwan's parsers accept,
// built from the few primitives whose semantics allow it. Pure.
//
// LuCI's numeric types are loose: `range`, `min`, `max` and `ufloat` read any decimal (5.5,
// 08, -0), `uinteger` takes leading zeros. A string of k characters whose value lies in
// [10^(k-1), 10^k - 1] is a decimal integer without sign, point or leading zero, so
// or(and(length(k),range(...)), ...) over the decades is exactly mpwan's integer.

/** Closed intervals of allowed values, in order, not overlapping. */
export type Intervals = [number, number][];

/** A literal inside a datatype: compile() splits on `,` `(` `)` even inside quotes, so escape them. */
const literal = (s: string) => `'${s.replace(/[\\,()]/g, '\\$&')}'`;

/** Exactly one of the strings. */
export const literals = (values: readonly string[]) => `or(${values.map(literal).join(',')})`;

/** or(...) of several, or the one alone (a top-level datatype must be one call). */
export const anyOf = (parts: string[]) => (parts.length === 1 ? parts[0] : `or(${parts.join(',')})`);

const ranges = (iv: Intervals) => anyOf(iv.map(([a, b]) => `range(${a},${b})`));

/** Parts of the intervals that fall within [lo, hi]. */
function clip(iv: Intervals, lo: number, hi: number): Intervals {
  return iv.map(([a, b]): [number, number] => [Math.max(a, lo), Math.min(b, hi)]).filter(([a, b]) => a <= b);
}

/** Decimal integers in the intervals (at most 10 digits), written without sign, point or leading zero. */
export function decimalInts(iv: Intervals): string[] {
  const parts: string[] = [];
  for (let k = 1; k <= 10; k++) {
    const inDecade = clip(iv, k === 1 ? 0 : 10 ** (k - 1), 10 ** k - 1);
    if (inDecade.length > 0) parts.push(`and(length(${k}),${ranges(inDecade)})`);
  }
  return parts;
}

/**
 * One-decimal numbers below 10 in [min, max] (0.5, 2.5): three characters whose value is not
 * a whole number, which no integer spelling (007) has. Whole numbers come from decimalInts.
 */
export function tenthsBelowTen(min: number, max: number): string[] {
  const iv: Intervals = [];
  for (let w = 0; w < 10; w++) iv.push([(10 * w + 1) / 10, (10 * w + 9) / 10]);
  const inRange = clip(iv, min, max);
  return inRange.length > 0 ? [`and(length(3),${ranges(inRange)})`] : [];
}

/** The complement of `taken` within [min, max]: the intervals a range rule allows. */
export function allowed(min: number, max: number, taken: Intervals): Intervals {
  const out: Intervals = [];
  let from = min;
  for (const [a, b] of [...taken].sort((x, y) => x[0] - y[0])) {
    if (a > from) out.push([from, Math.min(a - 1, max)]);
    from = Math.max(from, b + 1);
    if (from > max) return out;
  }
  out.push([from, max]);
  return out.filter(([a, b]) => a <= b);
}
