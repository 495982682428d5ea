// UCI syntax shared by the reader and the editor: what libuci (openwrt/uci file.c, list.c)
// calls a section, an option and a name. Pure.

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

export type Keyword = 'package' | 'config' | 'option' | 'list';

/** A word as libuci read it (uci-scan.ts), with where it stands in the text. */
export interface Token {
  value: string;
  /** Offsets of the token in the text, end exclusive. */
  start: number;
  end: number;
  line: number;
  endLine: number;
  /** No quotes or escapes: the text is the value. */
  bare: boolean;
  /** A quoted piece of it holds a newline. */
  quotedNewline: boolean;
}

/** One statement as libuci read it (uci-scan.ts). */
export interface Statement {
  /** null: the keyword is not one. */
  kind: Keyword | null;
  keyword: Token;
  /** The arguments as libuci read them: null where it read an empty one (a lone `;`, or nothing left). */
  args: (Token | null)[];
  /** Why libuci refuses the statement (the rest of its line is not read). */
  problem?: string;
  line: number;
  start: number;
  /** End of the last argument read (past a `;` read as one). */
  end: number;
  /** Offset of a `;` after an unquoted word: libuci ignores the line from there. */
  cut?: number;
}

export interface UciParseError {
  line: number;
  message: string;
}

/** Section and option names (libuci: shell-safe). */
export const NAME = /^[A-Za-z0-9_]+$/;
/** Section types: libuci allows any printable ASCII except space. */
export const TYPE = /^[\x21-\x7e]+$/;
export const PACKAGE = /^[A-Za-z0-9_-]+$/;

export const sectionLabel = (s: UciSection): string => s.name ?? `@${s.type}[${s.index}]`;

/** Quotes a value for a message, with newlines and other control characters made visible. */
export function show(raw: string): string {
  const escaped = raw.replace(/[\x00-\x1f\x7f]/g, (c) =>
    c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `'${escaped}'`;
}
