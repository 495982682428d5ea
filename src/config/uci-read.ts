// Statements -> sections, with libuci's rules (file.c, list.c): names, merging of repeated
// named sections, `list` after `option`, empty values. Unlike libuci, which stops at the
// first error, every bad statement is reported. Pure.
import { NAME, PACKAGE, TYPE, show, type Keyword, type Statement, type UciParseError, type UciSection } from './uci-syntax.js';
import { scan } from './uci-scan.js';

/** One statement and the section it belongs to (null when it is bad or outside any section). */
export interface Part {
  stmt: Statement;
  kind: Keyword | null;
  section: UciSection | null;
}

export interface Document {
  sections: UciSection[];
  errors: UciParseError[];
  /** What libuci accepts but ignores: probably not what was meant. */
  warnings: UciParseError[];
  parts: Part[];
}

/** A quote left open swallows the following lines: say so when a bad statement spans lines. */
function hintMultiline(stmt: Statement): string {
  const long = [stmt.keyword, ...stmt.args].find((t) => t?.quotedNewline);
  return long ? ` (a quoted value on line ${long.line} runs to line ${long.endLine}: is a closing quote missing?)` : '';
}

export function readDocument(text: string): Document {
  const { statements, error, notes } = scan(text);
  const sections: UciSection[] = [];
  const errors: UciParseError[] = [];
  const warnings: UciParseError[] = [...notes];
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
    const { kind } = stmt;
    if (kind === 'config') { current = null; broken = true; }
    if (!kind || stmt.problem) { fail(stmt.problem ?? ''); continue; }
    // The scanner refuses a statement without its first argument.
    const first = stmt.args[0]!.value;
    const second = stmt.args[1]?.value ?? '';

    if (kind === 'package') {
      if (PACKAGE.test(first)) parts.push({ stmt, kind, section: null });
      else fail(`invalid package name ${show(first)}`);
      continue;
    }

    if (kind === 'config') {
      // libuci treats an empty name ('') as no name.
      const name = second !== '' ? second : undefined;
      const problem = !TYPE.test(first) ? `invalid section type ${show(first)}`
        : name !== undefined && !NAME.test(name) ? `invalid section name ${show(name)} (use letters, digits and _)`
        : null;
      if (problem) { fail(problem); continue; }
      const existing = name !== undefined ? byName.get(name) : undefined;
      if (name !== undefined && existing && existing.type !== first) {
        fail(`section ${show(name)} is already a '${existing.type}' (line ${existing.line}); it cannot also be a ${show(first)}`);
        continue;
      }
      if (existing) {
        current = existing; // libuci merges a repeated named section into the first one
      } else {
        const index = counts.get(first) ?? 0;
        counts.set(first, index + 1);
        current = { type: first, index, line: stmt.line, options: new Map(), ...(name !== undefined ? { name } : {}) };
        sections.push(current);
        if (name !== undefined) byName.set(name, current);
      }
      broken = false;
      parts.push({ stmt, kind, section: current });
      continue;
    }

    // option / list
    const problem = !current && !broken ? `'${kind}' outside of a config section`
      : !NAME.test(first) ? `invalid option name ${show(first)} (use letters, digits and _)`
      : null;
    if (problem) { fail(problem); continue; }
    parts.push({ stmt, kind, section: current });
    if (!current) continue;
    const prev = current.options.get(first);
    if (kind === 'option') {
      // uci_set with an empty value on a parsed line returns early: x is neither set nor cleared.
      if (second === '') warnings.push({ line: stmt.line, message: `'option ${first}' has no value: libuci ignores the line, so ${first} is neither set nor cleared` });
      else current.options.set(first, { values: [second], list: false, line: stmt.line, lines: [stmt.line] });
    } else if (prev) {
      // `list` after `option` turns the value into the list's first item (uci_add_list).
      prev.values.push(second);
      prev.lines.push(stmt.line);
      prev.list = true;
    } else {
      current.options.set(first, { values: [second], list: true, line: stmt.line, lines: [stmt.line] });
    }
  }
  if (error) errors.push(error);
  return { sections, errors, warnings, parts };
}

export function parseUci(text: string): { sections: UciSection[]; errors: UciParseError[]; warnings: UciParseError[] } {
  const { sections, errors, warnings } = readDocument(text);
  return { sections, errors, warnings };
}
