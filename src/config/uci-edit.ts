// In-place edits of UCI text (mpwan's own writes: set_uplink, server import): every byte
// other than the edited statement stays as it was. Pure.
import { NAME, TYPE, type Statement, type UciSection } from './uci-syntax.js';
import { parseUci, readDocument, type Part } from './uci-read.js';

/** Single-quotes a value the way `uci export` does (a ' becomes '\''). */
export function quoteUci(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A section by name, or by `@type[n]` / `@type[-n]` (from the end) as the uci CLI takes it. */
function findSection(sections: UciSection[], ref: string): UciSection | undefined {
  const m = /^@([^[\]]*)\[(-?[0-9]+)\]$/.exec(ref);
  if (!m) return sections.find((s) => s.name === ref);
  const ofType = m[1] === '' ? sections : sections.filter((s) => s.type === m[1]);
  const n = Number(m[2]);
  return ofType[n < 0 ? ofType.length + n : n];
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** End of the line at offset, before its line break. */
function lineEndOf(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  if (nl < 0) return text.length;
  return text[nl - 1] === '\r' ? nl - 1 : nl;
}

/**
 * Removes a statement: its whole line(s), comment included, or when `;` puts other statements
 * on the same line, just it and the separator next to it (and the text libuci ignores after it).
 */
function removal(text: string, stmt: Statement, all: Statement[]): Edit {
  const start = lineStartOf(text, stmt.start);
  const nl = text.indexOf('\n', stmt.end);
  const end = nl < 0 ? text.length : nl + 1;
  const next = all.find((o) => o.start >= stmt.end && o.start < end);
  if (next) return { start: stmt.start, end: next.start, text: '' };
  const prev = all.filter((o) => o !== stmt && o.end > start && o.end <= stmt.start).pop();
  if (prev) return { start: prev.end, end: stmt.cut !== undefined ? lineEndOf(text, stmt.end) : stmt.end, text: '' };
  return { start, end, text: '' };
}

/** Adds a statement after the section's last one, on a new line indented like its options. */
function insertion(text: string, anchor: Part, all: Statement[], statement: string): Edit {
  const { stmt } = anchor;
  const nl = text.indexOf('\n', stmt.end);
  const lineEnd = nl < 0 ? text.length : nl;
  if (all.some((o) => o.start >= stmt.end && o.start < lineEnd)) {
    return { start: stmt.end, end: stmt.end, text: ` ; ${statement}` }; // the line goes on with other statements
  }
  const before = text.slice(lineStartOf(text, stmt.start), stmt.start);
  const indent = anchor.kind !== 'config' && /^[ \t]*$/.test(before) ? before : '\t';
  if (nl < 0) return { start: text.length, end: text.length, text: `\n${indent}${statement}` };
  const eol = text[nl - 1] === '\r' ? '\r\n' : '\n';
  return { start: nl + 1, end: nl + 1, text: `${indent}${statement}${eol}` };
}

function applyEdits(text: string, edits: Edit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/**
 * Sets `option <option>` of a section (a name or `@type[n]`) to value, or removes it when
 * value is null, editing the text in place: every other byte stays as it was. The first
 * statement for the option keeps its place and indentation (only its value changes); any
 * later `option`/`list` lines for it are removed so the new value is the one libuci reads.
 */
export function setOption(text: string, section: string, option: string, value: string | null): string {
  if (!NAME.test(option)) throw new Error(`invalid option name '${option}'`);
  const doc = readDocument(text);
  if (doc.errors.length > 0) throw new Error(`cannot edit a file with errors: line ${doc.errors[0].line}: ${doc.errors[0].message}`);
  const target = findSection(doc.sections, section);
  if (!target) throw new Error(`no section '${section}'`);
  const all = doc.parts.map((p) => p.stmt);
  const mine = doc.parts.filter((p) => p.section === target);
  const matches = mine.filter((p) => (p.kind === 'option' || p.kind === 'list') && p.stmt.args[0]?.value === option);
  const statement = value === null ? '' : `option ${option} ${quoteUci(value)}`;

  const edits: Edit[] = [];
  if (value === null) {
    for (const m of matches) edits.push(removal(text, m.stmt, all));
  } else if (matches.length > 0) {
    const [first, ...rest] = matches;
    const { keyword, args: [name, old], cut } = first.stmt;
    const edit = first.kind === 'option' && old
      ? { start: old.start, end: old.end, text: quoteUci(value) }
      : { start: keyword.start, end: (old ?? name!).end, text: statement };
    // libuci ignores the rest of the line after `<unquoted value>;`: a quoted value would not.
    if (cut === edit.end) edit.text += ' #';
    edits.push(edit);
    for (const m of rest) edits.push(removal(text, m.stmt, all));
  } else {
    edits.push(insertion(text, mine[mine.length - 1], all, statement));
  }
  return applyEdits(text, edits);
}

/**
 * Sets options of the named section (null removes one), appending `config <type> '<name>'` at
 * the end of the file when it does not exist yet. Other lines stay byte-identical.
 */
export function upsertSection(text: string, type: string, name: string, options: [string, string | null][]): string {
  if (!TYPE.test(type) || !NAME.test(name)) throw new Error(`invalid section '${type} ${name}'`);
  const exists = parseUci(text).sections.some((s) => s.name === name);
  let out = text;
  if (!exists) {
    const sep = out === '' || out.endsWith('\n\n') ? '' : out.endsWith('\n') ? '\n' : '\n\n';
    out += `${sep}config ${type} ${quoteUci(name)}\n`;
  }
  for (const [option, value] of options) out = setOption(out, name, option, value);
  return out.endsWith('\n') ? out : out + '\n';
}

/**
 * Removes a named section: its `config` line(s) (libuci merges repeated ones) and every
 * statement in it, each with its whole line (or just it, where `;` shares the line). Comments
 * and blank lines around stay.
 */
export function removeSection(text: string, name: string): string {
  let out = text;
  // One statement at a time, last first: its `config` line goes last, so what is left still belongs to it.
  for (;;) {
    const doc = readDocument(out);
    if (doc.errors.length > 0) throw new Error(`cannot edit a file with errors: line ${doc.errors[0].line}: ${doc.errors[0].message}`);
    const target = doc.sections.find((s) => s.name === name);
    if (!target) {
      if (out === text) throw new Error(`no section '${name}'`);
      return out;
    }
    const last = doc.parts.filter((p) => p.section === target).pop()!;
    const next = applyEdits(out, [removal(out, last.stmt, doc.parts.map((p) => p.stmt))]);
    if (next === out) throw new Error(`cannot remove line ${last.stmt.line} of section '${name}'`);
    out = next;
  }
}
