// Command-line arguments against a command's declared flags: `--flag`, `--flag VALUE`
// (repeatable ones collect every value), positional arguments by count. Pure; every problem
// is an invalid_argument error that names the fix.
import { MpwanError } from '../model/errors.js';

export interface FlagSpec {
  /** Takes a value: its placeholder in the help (`N`, `ADDR`). */
  value?: string;
  /** May be given more than once. */
  repeat?: boolean;
  help: string;
}

export interface Parsed {
  flags: Map<string, string[] | true>;
  positional: string[];
  help: boolean;
}

export function parseArgs(args: string[], flags: Record<string, FlagSpec>, positional: { min: number; max: number }, usage: string): Parsed {
  const out: Parsed = { flags: new Map(), positional: [], help: false };
  const bad = (why: string) => new MpwanError('invalid_argument', `${why} (see '${usage} --help')`);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') { out.help = true; continue; }
    if (!a.startsWith('-') || a === '-') { out.positional.push(a); continue; }
    const spec = Object.prototype.hasOwnProperty.call(flags, a) ? flags[a] : undefined;
    if (!spec) throw bad(`unknown option '${a.slice(0, 40)}'`);
    if (!spec.value) { out.flags.set(a, true); continue; }
    const v = args[++i];
    if (v === undefined) throw bad(`${a} needs a value (${spec.value})`);
    const prev = out.flags.get(a);
    if (prev !== undefined && !spec.repeat) throw bad(`${a} given twice`);
    out.flags.set(a, [...(Array.isArray(prev) ? prev : []), v]);
  }
  if (out.help) return out;
  if (out.positional.length < positional.min) throw bad('missing argument');
  if (out.positional.length > positional.max) throw bad(`unexpected argument '${out.positional[positional.max].slice(0, 40)}'`);
  return out;
}

export const flag = (p: Parsed, name: string) => p.flags.get(name) === true;
export const value = (p: Parsed, name: string): string | undefined => { const v = p.flags.get(name); return Array.isArray(v) ? v[0] : undefined; };
export const values = (p: Parsed, name: string): string[] => { const v = p.flags.get(name); return Array.isArray(v) ? v : []; };

/** A decimal integer in a range, or an error that says which. */
export function intValue(p: Parsed, name: string, min: number, max: number): number | undefined {
  const v = value(p, name);
  if (v === undefined) return undefined;
  if (!/^[0-9]{1,10}$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new MpwanError('invalid_argument', `${name} takes a number from ${min} to ${max} (got '${v.slice(0, 40)}')`);
  }
  return Number(v);
}

/** One command's help: usage line, summary, flags. */
export function helpText(usage: string, summary: string, flags: Record<string, FlagSpec>): string {
  const rows = Object.entries(flags).map(([f, s]) => [`${f}${s.value ? ` ${s.value}` : ''}`, s.help]);
  const width = Math.max(0, ...rows.map((r) => r[0].length));
  return `Usage: ${usage}\n\n${summary}\n` + (rows.length ? `\nOptions:\n${rows.map(([f, h]) => `  ${f.padEnd(width)}  ${h}\n`).join('')}` : '');
}
