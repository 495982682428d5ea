// Range rules: table ids and rule priorities mpwan takes must miss the kernel's, mwan3's and
// netifd's. Each problem function returns why a value collides; the allowed intervals come
// from the same data, for the LuCI datatypes. Pure.
import { allowed, type Intervals } from './luci-datatype.js';
import { INT_MAX, UINT_MAX } from './value-types.js';
import { RULE_SPAN, TABLE_SPAN } from '../model/owned-ranges.js';

/** mpwan owns tables table_base .. table_base + TABLE_SPAN - 1: one per uplink, the last for the relay's LAN UDP. */
export const MAX_UPLINKS = TABLE_SPAN - 1;

interface Taken {
  lo: number;
  hi: number;
  why: (n: number) => string;
}

const TABLES_TAKEN: Taken[] = [
  { lo: 0, hi: 0, why: () => 'would include 0, which the kernel reserves (RT_TABLE_UNSPEC)' },
  { lo: 1, hi: 60, why: () => "would overlap mwan3's tables 1-60" },
  { lo: 253, hi: 255, why: () => "would include the kernel's tables 253-255 (default, main, local)" },
];
const TABLE_BASE_MAX = INT_MAX - TABLE_SPAN + 1;

/** Tables table_base .. table_base+63 must miss 0, mwan3's 1-60, the kernel's 253-255, and stay below 2^31. */
export function tableBaseProblems(base: number): string[] {
  const last = base + TABLE_SPAN - 1;
  const span = `tables ${base}-${last}`;
  const out = TABLES_TAKEN.filter((t) => base <= t.hi && last >= t.lo).map((t) => `${span} ${t.why(base)}`);
  if (base > TABLE_BASE_MAX) out.push(`${span} would go past ${INT_MAX}: use at most ${TABLE_BASE_MAX}`);
  return out;
}

export const tableBaseAllowed = (): Intervals =>
  allowed(0, TABLE_BASE_MAX, TABLES_TAKEN.map((t) => [t.lo - TABLE_SPAN + 1, t.hi]));

const PREFS_TAKEN: Taken[] = [
  { lo: 0, hi: 0, why: () => "0 is the kernel's rule for the local table" },
  { lo: 1000, hi: 3999, why: (p) => `${p} is in mwan3's range 1000-3999` },
  { lo: 10000, hi: 10000, why: (p) => `${p} is used by netifd's source routing (ip4table)` },
  { lo: 20000, hi: 20000, why: (p) => `${p} is used by netifd's source routing (ip4table)` },
  { lo: 32766, hi: 32767, why: (p) => `${p} is the kernel's rule for the ${p === 32766 ? 'main' : 'default'} table` },
  { lo: 32768, hi: UINT_MAX, why: (p) => `${p} comes after the kernel's main-table rule (32766), so it would never be reached: use 1-32765` },
];

/** mpwan's rules must miss the kernel's, mwan3's and netifd's, and come before the main table. */
export function rulePrefProblem(p: number): string | null {
  return PREFS_TAKEN.find((t) => p >= t.lo && p <= t.hi)?.why(p) ?? null;
}

/** mpwan's rules sit at rule_pref .. rule_pref + RULE_SPAN - 1 (model/owned-ranges.ts): all must be clear. */
export function rulePrefProblems(p: number): string | null {
  const offset = Array.from({ length: RULE_SPAN }, (_, i) => i).find((i) => rulePrefProblem(p + i) !== null);
  if (offset === undefined) return null;
  return offset === 0 ? rulePrefProblem(p) : `rule_pref + ${offset} = ${rulePrefProblem(p + offset)}: mpwan uses rule_pref to rule_pref + ${RULE_SPAN - 1}`;
}

export const rulePrefAllowed = (): Intervals => allowed(0, UINT_MAX, PREFS_TAKEN.map((t) => [t.lo - RULE_SPAN + 1, t.hi]));
