// UCI text -> statements, read the way libuci reads them (openwrt/uci file.c: uci_parse_line,
// next_arg, parse_str, assert_eol), with offsets kept so the editor can change a value in
// place. Pure.
//
// libuci reads a line at a time (a quote left open or a backslash before the newline pulls
// in the next line) and a statement at a time: the keyword is the next run of characters up
// to a space or tab (`package`, `config`, `option`, `list` or `p`, `c`, `o`, `l`), then a fixed
// number of arguments (package 1, config 2, option and list 2), then one more that must be
// empty. An argument is a lone `;` (empty: the `;` is used up) or a word: '...' is literal,
// "..." and bare text take backslash escapes (`\x` is `x`), pieces glue together, and a
// space, tab, `#` (a comment to the end of the line) or `;` ends it. Quirks, checked against
// uci built from source (openwrt/uci 66127cd, 2025-12-02):
// - libuci writes the string's end over whatever ended a word. After an unquoted word with no
//   escapes that is the `;` itself, so the rest of the line is ignored: `option v a;option w c`
//   sets only v. After a quoted word, or a space, the `;` survives and separates statements.
// - A `;` that leaves nothing but the line break behind is an error ("invalid command": the
//   newline is read as the next keyword), except on a last line without a newline.
// - A missing or empty argument is empty: `option v` and `option v # c` set nothing (see
//   uci-read.ts), `list v` adds ''. An empty word such as '' also ends a statement.
// Unlike libuci, which stops at the first error, every bad statement is reported.
import { show, type Keyword, type Statement, type Token, type UciParseError } from './uci-syntax.js';

const KEYWORDS = new Map<string, Keyword>([
  ['package', 'package'], ['p', 'package'], ['config', 'config'], ['c', 'config'],
  ['option', 'option'], ['o', 'option'], ['list', 'list'], ['l', 'list'],
]);
const ARITY: Record<Keyword, number> = { package: 1, config: 2, option: 2, list: 2 };
const NEEDS: Record<Keyword, string> = {
  package: "'package' needs a name", config: "'config' needs a section type", option: "'option' needs a name", list: "'list' needs a name",
};

export interface Scan {
  statements: Statement[];
  /** An unterminated quote: it runs to the end of the file, so the scan stops there. */
  error: UciParseError | null;
  /** Text libuci ignores silently (after a cutting `;`). */
  notes: UciParseError[];
}

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
/** Length of the line break at i (`\n` or `\r\n`), 0 if there is none. */
const lineBreakAt = (text: string, i: number) => (text[i] === '\n' ? 1 : text[i] === '\r' && text[i + 1] === '\n' ? 2 : 0);

class Unterminated {
  constructor(readonly error: UciParseError) {}
}

/** A position in the text and in libuci's line buffer. */
class Cursor {
  i = 0;
  line = 1;
  /** The buffer's string has ended: past its newline (then `pastNewline`), at a `#` or a cutting `;`. */
  ended = false;
  pastNewline = false;
  constructor(readonly text: string) {}
  cur(): string {
    return this.ended || this.i >= this.text.length ? '' : this.text[this.i];
  }
  /** Steps over a blank; a newline is the end of the buffer. */
  stepBlank() {
    if (this.text[this.i] === '\n') { this.line++; this.ended = true; this.pastNewline = true; }
    this.i++;
  }
  skipBlanks() {
    while (isSpace(this.cur())) this.stepBlank();
  }
}

/** A quoted piece from its opening quote; a newline inside belongs to the value. */
function quoted(c: Cursor, quote: string): { value: string; newline: boolean } {
  const { text } = c;
  const openLine = c.line;
  let value = '';
  let newline = false;
  c.i++;
  for (;;) {
    if (c.i >= text.length) {
      const name = quote === "'" ? 'single' : 'double';
      throw new Unterminated({ line: openLine, message: `unterminated ${name} quote (nothing closes it before the end of the file)` });
    }
    const ch = text[c.i];
    if (ch === quote) { c.i++; return { value, newline }; }
    if (ch === '\\' && quote === '"') {
      const nl = lineBreakAt(text, c.i + 1);
      if (nl > 0) { c.i += 1 + nl; c.line++; continue; } // a line continuation
      c.i++;
      if (c.i < text.length) { value += text[c.i]; c.i++; }
      continue;
    }
    if (ch === '\n') { c.line++; newline = true; }
    value += ch;
    c.i++;
  }
}

/** parse_str: one word. */
function word(c: Cursor): Token & { cut: boolean } {
  const { text } = c;
  const start = c.i;
  const line = c.line;
  let value = '';
  let bare = true;
  let quotedNewline = false;
  let semicolon = false;
  pieces: do {
    const ch = c.cur();
    if (ch === "'" || ch === '"') {
      const q = quoted(c, ch);
      value += q.value;
      if (q.newline) quotedNewline = true;
      bare = false;
    } else if (ch === '#') {
      c.ended = true; // a comment
      break;
    } else if (ch === '') {
      break;
    } else if (ch === ';') {
      semicolon = true;
      break;
    } else if (ch === '\\') {
      bare = false;
      c.i++;
      const nl = lineBreakAt(text, c.i);
      if (nl > 0) { c.i += nl; c.line++; continue pieces; } // a line continuation
      if (c.i < text.length) { value += text[c.i]; c.i++; }
    } else {
      value += ch;
      c.i++;
    }
  } while (c.cur() !== '' && !isSpace(c.cur()));
  const end = c.i;
  const endLine = c.line;
  // The string's end is written where the word's text ends: over the `;` when nothing was dropped.
  const cut = semicolon && bare;
  if (cut) c.ended = true;
  else if (!semicolon && c.cur() !== '') c.stepBlank();
  return { value, start, end, line, endLine, bare, quotedNewline, cut };
}

/** next_arg: a lone `;` (empty; end is past it), a word, or nothing left (null, end null). */
function arg(c: Cursor): { token: Token | null; end: number | null; cut: boolean } {
  c.skipBlanks();
  if (c.cur() === ';') { c.i++; return { token: null, end: c.i, cut: false }; }
  const { cut, ...token } = word(c);
  return token.end === token.start ? { token: null, end: null, cut } : { token, end: token.end, cut };
}

/** uci_parse_line: the statements of one line buffer; stops at the first that libuci refuses. */
function scanLine(c: Cursor, out: Statement[], notes: UciParseError[]) {
  const { text } = c;
  c.skipBlanks();
  for (;;) {
    // strtok(" \t"): only spaces and tabs separate the keyword.
    while (c.cur() === ' ' || c.cur() === '\t') c.i++;
    if (c.cur() === '') return;
    const start = c.i;
    let j = start;
    while (j < text.length && text[j] !== ' ' && text[j] !== '\t' && text[j] !== '\n') j++;
    const atEnd = j >= text.length || text[j] === '\n';
    const raw = text.slice(start, j);
    const keyword: Token = { value: raw, start, end: j, line: c.line, endLine: c.line, bare: true, quotedNewline: false };
    if (raw.startsWith('#')) { c.ended = true; return; }
    // A keyword followed by the line break is an error either way; name it without the \r.
    const kind = KEYWORDS.get(atEnd ? raw.replace(/\r$/, '') : raw) ?? null;
    // Kept once complete: an unterminated quote in an argument ends the scan without it.
    const stmt: Statement = { kind, keyword, args: [], line: c.line, start, end: j };
    const refuse = (problem: string) => { out.push({ ...stmt, problem }); };
    if (!kind) {
      return refuse(raw === '' || raw === '\r'
        ? "a line must not end with ';' (libuci reads the line break after it as a keyword)"
        : `unknown keyword ${show(raw)} (expected config, option or list)`);
    }
    if (atEnd) return refuse(NEEDS[kind]);
    c.i = j + 1;
    let cut = -1;
    for (let n = 0; n < ARITY[kind]; n++) {
      const a = arg(c);
      stmt.args.push(a.token);
      if (a.end !== null) stmt.end = a.end;
      if (a.cut) cut = a.end!;
    }
    const extra = arg(c); // assert_eol
    if (extra.cut) cut = extra.end!;
    if (!stmt.args[0] || stmt.args[0].value === '') return refuse(NEEDS[kind]);
    if (extra.token && extra.token.value !== '') return refuse(`too many arguments (${show(extra.token.value)}): quote values that contain spaces`);
    out.push(stmt);
    if (cut >= 0) {
      stmt.cut = cut;
      const nl = text.indexOf('\n', cut);
      const rest = text.slice(cut + 1, nl < 0 ? text.length : nl).trim();
      if (rest !== '' && !rest.startsWith('#')) {
        notes.push({ line: c.line, message: `${show(rest)} after ';' is ignored: libuci ends the line at a ';' right after an unquoted value (put a space before the ';')` });
      }
    }
  }
}

export function scan(text: string): Scan {
  const c = new Cursor(text);
  const statements: Statement[] = [];
  const notes: UciParseError[] = [];
  while (c.i < text.length) {
    c.ended = false;
    c.pastNewline = false;
    try {
      scanLine(c, statements, notes);
    } catch (e) {
      if (e instanceof Unterminated) return { statements, error: e.error, notes };
      throw e;
    }
    if (!c.pastNewline) {
      // The rest of the line is not read: a comment, a cut, or a refused statement.
      const nl = text.indexOf('\n', c.i);
      c.i = nl < 0 ? text.length : nl + 1;
      if (nl >= 0) c.line++;
    }
  }
  return { statements, error: null, notes };
}
