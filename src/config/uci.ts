// UCI files read the way libuci does (openwrt/uci file.c, list.c), and edited in place. Pure.
//
// Syntax: `package <name>`, `config <type> ['<name>']`, `option <name> <value>`,
// `list <name> <value>` (libuci also takes `p`, `c`, `o`, `l`); `#` starts a comment
// anywhere outside quotes; `;` ends a statement. A word glues pieces together: '...' is
// literal, "..." and bare text take backslash escapes (`\x` is `x`, no \n decoding), and a
// backslash before a newline continues the line. Quoted pieces may span lines, as in libuci.
// Unlike libuci, which stops at the first error, every bad statement is reported.

export interface UciOption {
  values: string[];
  list: boolean;
  /** 1-based line of the statement that set the option (of the first item for a list). */
  line: number;
  /** Line of each value, for messages about one list item. */
  lines: number[];
}

export interface UciSection {
  type: string;
  name?: string;
  /** Position among sections of the same type, for `@type[n]`. */
  index: number;
  /** Line of the (first) `config` statement. */
  line: number;
  options: Map<string, UciOption>;
}

export interface UciParseError {
  line: number;
  message: string;
}

/** Section and option names (libuci: shell-safe). */
const NAME = /^[A-Za-z0-9_]+$/;
/** Section types: libuci allows any printable ASCII except space. */
const TYPE = /^[\x21-\x7e]+$/;
const PACKAGE = /^[A-Za-z0-9_-]+$/;

export const sectionLabel = (s: UciSection): string => s.name ?? `@${s.type}[${s.index}]`;

/** Quotes a value for a message, with newlines and other control characters made visible. */
export function show(raw: string): string {
  const escaped = raw.replace(/[\x00-\x1f\x7f]/g, (c) =>
    c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `'${escaped}'`;
}

// ---- scanning: text -> statements of tokens, with offsets for in-place edits ----

interface Token {
  value: string;
  /** Offsets of the token in the text, end exclusive. */
  start: number;
  end: number;
  line: number;
  endLine: number;
  /** No quotes or escapes: the text is the value (keywords must be bare, as in libuci). */
  bare: boolean;
  /** A quoted piece of it holds a newline. */
  quotedNewline: boolean;
}

interface Statement {
  tokens: Token[];
  line: number;
  start: number;
  end: number;
  /** Ended by `;` rather than by a newline or comment. */
  semicolon: boolean;
}

const isBlank = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\v' || c === '\f';

/** Length of the newline at i (`\n` or `\r\n`), 0 if there is none. */
const newlineAt = (text: string, i: number) => (text[i] === '\n' ? 1 : text[i] === '\r' && text[i + 1] === '\n' ? 2 : 0);

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Splits the text into statements. An unterminated quote runs to the end of the file, so it ends the scan. */
function scan(text: string): { statements: Statement[]; error: UciParseError | null } {
  const statements: Statement[] = [];
  let tokens: Token[] = [];
  let i = 0;
  let line = 1;
  const finish = (semicolon: boolean) => {
    if (tokens.length > 0) {
      statements.push({ tokens, line: tokens[0].line, start: tokens[0].start, end: tokens[tokens.length - 1].end, semicolon });
    }
    tokens = [];
  };
  const skipComment = () => {
    while (i < text.length && text[i] !== '\n') i++;
  };

  while (i < text.length) {
    const c = text[i];
    if (c === '\n') { finish(false); line++; i++; continue; }
    if (isBlank(c)) { i++; continue; }
    if (c === '#') { skipComment(); continue; }
    if (c === ';') { i++; finish(true); continue; }

    const start = i;
    const startLine = line;
    let value = '';
    let bare = true;
    let quotedNewline = false;
    let end = -1;
    while (i < text.length && end < 0) {
      const ch = text[i];
      if (ch === "'") {
        const close = text.indexOf("'", i + 1);
        if (close < 0) return { statements, error: { line, message: 'unterminated single quote (nothing closes it before the end of the file)' } };
        const piece = text.slice(i + 1, close);
        value += piece;
        line += countNewlines(piece);
        if (piece.includes('\n')) quotedNewline = true;
        i = close + 1;
        bare = false;
      } else if (ch === '"') {
        const quoteLine = line;
        i++;
        for (;;) {
          if (i >= text.length) return { statements, error: { line: quoteLine, message: 'unterminated double quote (nothing closes it before the end of the file)' } };
          const d = text[i];
          if (d === '"') { i++; break; }
          if (d === '\\') {
            const nl = newlineAt(text, i + 1);
            if (nl > 0) { i += 1 + nl; line++; continue; }
            if (i + 1 < text.length) value += text[i + 1];
            i += 2;
            continue;
          }
          if (d === '\n') { line++; quotedNewline = true; }
          value += d;
          i++;
        }
        bare = false;
      } else if (ch === '\\') {
        const nl = newlineAt(text, i + 1);
        if (nl > 0) { i += 1 + nl; line++; }
        else { if (i + 1 < text.length) value += text[i + 1]; i += 2; }
        bare = false;
      } else if (ch === '#') {
        // libuci ends the line at an unquoted '#', even inside a word.
        end = i;
        skipComment();
      } else if (ch === ';' || ch === '\n' || isBlank(ch)) {
        end = i;
      } else {
        value += ch;
        i++;
      }
    }
    if (end < 0) end = Math.min(i, text.length);
    tokens.push({ value, start, end, line: startLine, endLine: line, bare, quotedNewline });
  }
  finish(false);
  return { statements, error: null };
}

// ---- building sections the way libuci does ----

type Keyword = 'package' | 'config' | 'option' | 'list';
const KEYWORDS = new Map<string, Keyword>([
  ['package', 'package'], ['p', 'package'], ['config', 'config'], ['c', 'config'],
  ['option', 'option'], ['o', 'option'], ['list', 'list'], ['l', 'list'],
]);

/** One statement and the section it belongs to (null when it is bad or outside any section). */
interface Part {
  stmt: Statement;
  kind: Keyword | null;
  section: UciSection | null;
}

interface Document {
  sections: UciSection[];
  errors: UciParseError[];
  parts: Part[];
}

/** A quote left open swallows the following lines: say so when a bad statement spans lines. */
function hintMultiline(stmt: Statement): string {
  const long = stmt.tokens.find((t) => t.quotedNewline);
  return long ? ` (a quoted value on line ${long.line} runs to line ${long.endLine}: is a closing quote missing?)` : '';
}

function read(text: string): Document {
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
  const { sections, errors } = read(text);
  return { sections, errors };
}

// ---- editing ----

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

/**
 * Removes a statement: its whole line(s), comment included, or when `;` puts other statements
 * on the same line, just it and the separator next to it.
 */
function removal(text: string, stmt: Statement, all: Statement[]): Edit {
  const start = lineStartOf(text, stmt.start);
  const nl = text.indexOf('\n', stmt.end);
  const end = nl < 0 ? text.length : nl + 1;
  const next = all.find((o) => o.start >= stmt.end && o.start < end);
  if (next) return { start: stmt.start, end: next.start, text: '' };
  const prev = all.filter((o) => o !== stmt && o.end > start && o.end <= stmt.start).pop();
  if (prev) return { start: prev.end, end: stmt.semicolon ? text.indexOf(';', stmt.end) + 1 : stmt.end, text: '' };
  return { start, end, text: '' };
}

/** Adds a statement after the section's last one, on a new line indented like its options. */
function insertion(text: string, anchor: Part, all: Statement[], statement: string): Edit {
  const { stmt } = anchor;
  const nl = text.indexOf('\n', stmt.end);
  const lineEnd = nl < 0 ? text.length : nl;
  if (all.some((o) => o.start >= stmt.end && o.start < lineEnd)) {
    return { start: stmt.end, end: stmt.end, text: `; ${statement}` }; // the line goes on with other statements
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
  const doc = read(text);
  if (doc.errors.length > 0) throw new Error(`cannot edit a file with errors: line ${doc.errors[0].line}: ${doc.errors[0].message}`);
  const target = findSection(doc.sections, section);
  if (!target) throw new Error(`no section '${section}'`);
  const all = doc.parts.map((p) => p.stmt);
  const mine = doc.parts.filter((p) => p.section === target);
  const matches = mine.filter((p) => (p.kind === 'option' || p.kind === 'list') && p.stmt.tokens[1].value === option);
  const statement = value === null ? '' : `option ${option} ${quoteUci(value)}`;

  const edits: Edit[] = [];
  if (value === null) {
    for (const m of matches) edits.push(removal(text, m.stmt, all));
  } else if (matches.length > 0) {
    const [first, ...rest] = matches;
    const [keyword, , old] = first.stmt.tokens;
    edits.push(first.kind === 'option'
      ? { start: old.start, end: old.end, text: quoteUci(value) }
      : { start: keyword.start, end: old.end, text: statement });
    for (const m of rest) edits.push(removal(text, m.stmt, all));
  } else {
    edits.push(insertion(text, mine[mine.length - 1], all, statement));
  }
  return applyEdits(text, edits);
}

/**
 * Sets options of the named section, appending `config <type> '<name>'` at the end of the
 * file when it does not exist yet. Other lines stay byte-identical.
 */
export function upsertSection(text: string, type: string, name: string, options: [string, string][]): string {
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
