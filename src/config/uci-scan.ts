// UCI text -> statements of tokens, the way libuci's tokenizer reads them (file.c), with
// offsets kept so the editor can change a value in place. Pure.
//
// Syntax: `package <name>`, `config <type> ['<name>']`, `option <name> <value>`,
// `list <name> <value>` (libuci also takes `p`, `c`, `o`, `l`); `#` starts a comment
// anywhere outside quotes; `;` ends a statement. A word glues pieces together: '...' is
// literal, "..." and bare text take backslash escapes (`\x` is `x`, no \n decoding), and a
// backslash before a newline continues the line. Quoted pieces may span lines, as in libuci.
// Unlike libuci, which stops at the first error, every bad statement is reported.
import type { UciParseError } from './uci-syntax.js';

export interface Token {
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

export interface Statement {
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
export function scan(text: string): { statements: Statement[]; error: UciParseError | null } {
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
