// Reading one UCI section against its option spec (fw4's parse_options), and collecting every
// problem with file, line and option path. Pure.
import type { ConfigProblem } from '../model/config.js';
import { sectionLabel, show, type UciSection } from './uci-syntax.js';
import type { Spec, Values } from './options.js';

export class Collector {
  errors: ConfigProblem[] = [];
  warnings: ConfigProblem[] = [];
  constructor(readonly file: string) {}
  error(line: number, option: string, message: string) {
    this.errors.push({ file: this.file, line, option, message });
  }
  warn(line: number, option: string, message: string) {
    this.warnings.push({ file: this.file, line, option, message });
  }
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

export function suggest(name: string, known: string[]): string {
  const best = known.map((k) => [k, editDistance(name, k)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= 2 ? ` (did you mean '${best[0]}'?)` : '';
}

const has = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

export function defaults<S extends Spec>(spec: S): Values<S> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(spec)) out[name] = spec[name].default;
  return out as Values<S>;
}

/**
 * Reads a section with its spec (fw4's parse_options): unknown options, `list` for a
 * single value, bad values and missing required options are reported; absent or bad
 * options get the default.
 */
export function parseOptions<S extends Spec>(c: Collector, s: UciSection, spec: S, hints: Record<string, string> = {}): Values<S> {
  const label = sectionLabel(s);
  const out: Record<string, unknown> = defaults(spec);
  for (const [name, o] of s.options) {
    const path = `${label}.${name}`;
    if (!has(spec, name)) {
      c.error(o.line, path, `unknown option${has(hints, name) ? hints[name] : suggest(name, Object.keys(spec))}`);
      continue;
    }
    const { type, list: isList } = spec[name];
    if (o.list && !isList) {
      c.error(o.line, path, `takes one value: use 'option ${name}', not 'list ${name}'`);
      continue;
    }
    const parsed = o.values.map((raw, i) => {
      const v = type.parse(raw);
      if (v === null) {
        const spans = raw.includes('\n') ? ' (the value runs over several lines: is a closing quote missing?)' : '';
        c.error(o.lines[i], path, `${show(raw)} is not valid: expected ${type.expect}${spans}`);
      }
      return v;
    });
    if (parsed.every((v) => v !== null)) out[name] = isList ? parsed : parsed[0];
  }
  for (const name of Object.keys(spec)) {
    if (spec[name].required && !s.options.has(name)) c.error(s.line, `${label}.${name}`, 'is required');
  }
  return out as Values<S>;
}

/** The one section of a type that may appear at most once. */
export function single(c: Collector, sections: UciSection[], type: string): UciSection | undefined {
  const all = sections.filter((s) => s.type === type);
  for (const extra of all.slice(1)) c.error(extra.line, sectionLabel(extra), `only one '${type}' section is allowed (the first is on line ${all[0].line})`);
  return all[0];
}
