// Range rules: table ids and rule priorities mpwan takes must miss the kernel's, mwan3's and
// netifd's. Each returns why a value collides, or null. Pure.
import { MAX_UPLINKS } from './options.js';
import { INT_MAX } from './value-types.js';

/** Tables table_base .. table_base+63 must miss 0, mwan3's 1-60 and the kernel's 253-255. */
export function tableBaseProblems(base: number): string[] {
  const last = base + MAX_UPLINKS - 1;
  const span = `tables ${base}-${last}`;
  const out: string[] = [];
  if (base === 0) out.push(`${span} would include 0, which the kernel reserves (RT_TABLE_UNSPEC)`);
  if (base <= 60) out.push(`${span} would overlap mwan3's tables 1-60`);
  if (base <= 255 && last >= 253) out.push(`${span} would include the kernel's tables 253-255 (default, main, local)`);
  if (last > INT_MAX) out.push(`${span} would go past ${INT_MAX}: use at most ${INT_MAX - MAX_UPLINKS + 1}`);
  return out;
}

/** mpwan's rules must miss the kernel's, mwan3's and netifd's, and come before the main table. */
export function rulePrefProblem(p: number): string | null {
  if (p === 0) return "0 is the kernel's rule for the local table";
  if (p >= 1000 && p <= 3999) return `${p} is in mwan3's range 1000-3999`;
  if (p === 10000 || p === 20000) return `${p} is used by netifd's source routing (ip4table)`;
  if (p === 32766 || p === 32767) return `${p} is the kernel's rule for the ${p === 32766 ? 'main' : 'default'} table`;
  if (p > 32767) return `${p} comes after the kernel's main-table rule (32766), so it would never be reached: use 1-32765`;
  return null;
}
