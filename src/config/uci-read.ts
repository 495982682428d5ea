// Statements -> sections, with libuci's rules (file.c): keywords, names, merging of repeated
// named sections, `list` after `option`. Unlike libuci, which stops at the first error,
// every bad statement is reported. Pure.
import { NAME, PACKAGE, TYPE, show, type UciParseError, type UciSection } from './uci-syntax.js';
import { scan, type Statement } from './uci-scan.js';

export type Keyword = 'package' | 'config' | 'option' | 'list';
const KEYWORDS = new Map<string, Keyword>([
  ['package', 'package'], ['p', 'package'], ['config', 'config'], ['c', 'config'],
  ['option', 'option'], ['o', 'option'], ['list', 'list'], ['l', 'list'],
]);

/** One statement and the section it belongs to (null when it is bad or outside any section). */
export interface Part {
  stmt: Statement;
  kind: Keyword | null;
  section: UciSection | null;
}

export interface Document {
  sections: UciSection[];
  errors: UciParseError[];
  parts: Part[];
}

/** A quote left open swallows the following lines: say so when a bad statement spans lines. */
function hintMultiline(stmt: Statement): string {
  const long = stmt.tokens.find((t) => t.quotedNewline);
  return long ? ` (a quoted value on line ${long.line} runs to line ${long.endLine}: is a closing quote missing?)` : '';
}

export function readDocument(text: string): Document {
  const { statements, error } = scan(text);
  const sections: UciSection[] = [];
  const errors: UciParseError[] = [];
  const parts: Part[] = [];
  const byName = new Map<string, UciSection>();
  const counts = new Map<string, number>();
  let current: UciSection | null = null;
  // After a bad `config` line its options are skipped quietly rather than each reported as orphans.
  let broken = false;

  for (const stmt of statements) {
    const fail = (message: string) => {
      errors.push({ line: stmt.line, message: message + hintMultiline(stmt) });
      parts.push({ stmt, kind: null, section: null });
    };
    const [word, ...args] = stmt.tokens;
    const kind = word.bare ? KEYWORDS.get(word.value) : undefined;
    if (!kind) {
      fail(`unknown keyword ${show(word.value)} (expected config, option or list)`);
      continue;
    }
    const extra = (max: number) => (args.length > max ? `too many arguments (${show(args[max].value)}): quote values that contain spaces` : null);

    if (kind === 'package') {
      const problem = args.length === 0 ? "'package' needs a name" : extra(1) ?? (PACKAGE.test(args[0].value) ? null : `invalid package name ${show(args[0].value)}`);
      if (problem) fail(problem);
      else parts.push({ stmt, kind, section: null });
      continue;
    }

    if (kind === 'config') {
      current = null;
      broken = true;
      const [typeTok, nameTok] = args;
      const type = typeTok?.value ?? '';
      // libuci treats an empty name ('') as no name.
      const name = nameTok && nameTok.value !== '' ? nameTok.value : undefined;
      const problem = args.length === 0 ? "'config' needs a section type"
        : extra(2)
        ?? (!TYPE.test(type) ? `invalid section type ${show(type)}`
        : name !== undefined && !NAME.test(name) ? `invalid section name ${show(name)} (use letters, digits and _)`
        : null);
      if (problem) { fail(problem); continue; }
      const existing = name !== undefined ? byName.get(name) : undefined;
      if (name !== undefined && existing && existing.type !== type) {
        fail(`section ${show(name)} is already a '${existing.type}' (line ${existing.line}); it cannot also be a ${show(type)}`);
        continue;
      }
      if (existing) {
        current = existing; // libuci merges a repeated named section into the first one
      } else {
        const index = counts.get(type) ?? 0;
        counts.set(type, index + 1);
        current = { type, index, line: stmt.line, options: new Map(), ...(name !== undefined ? { name } : {}) };
        sections.push(current);
        if (name !== undefined) byName.set(name, current);
      }
      broken = false;
      parts.push({ stmt, kind, section: current });
      continue;
    }

    // option / list
    const [nameTok, valueTok] = args;
    const problem = args.length === 0 ? `'${kind}' needs a name and a value`
      : !NAME.test(nameTok.value) ? `invalid option name ${show(nameTok.value)} (use letters, digits and _)`
      : args.length === 1 ? `'${kind} ${nameTok.value}' has no value`
      : extra(2)
      ?? (!current && !broken ? `'${kind}' outside of a config section` : null);
    if (problem) { fail(problem); continue; }
    parts.push({ stmt, kind, section: current });
    if (!current) continue;
    const name = nameTok.value;
    const value = valueTok.value;
    const prev = current.options.get(name);
    if (kind === 'option') {
      // libuci ignores `option x ''`: it neither sets nor clears x.
      if (value !== '') current.options.set(name, { values: [value], list: false, line: stmt.line, lines: [stmt.line] });
    } else if (prev) {
      // `list` after `option` turns the value into the list's first item (uci_add_list).
      prev.values.push(value);
      prev.lines.push(stmt.line);
      prev.list = true;
    } else {
      current.options.set(name, { values: [value], list: true, line: stmt.line, lines: [stmt.line] });
    }
  }
  if (error) errors.push(error);
  return { sections, errors, parts };
}

export function parseUci(text: string): { sections: UciSection[]; errors: UciParseError[] } {
  const { sections, errors } = readDocument(text);
  return { sections, errors };
}
