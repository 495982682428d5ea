// UCI file syntax as libuci reads it: `package`, `config <type> ['<name>']`,
// `option <name> <value>`, `list <name> <value>`, `#` comments; single quotes literal,
// double quotes and bare words take backslash escapes, adjacent pieces concatenate. Pure.

export interface UciOption {
  values: string[];
  list: boolean;
  line: number;
}

export interface UciSection {
  type: string;
  name?: string;
  /** Position among sections of the same type, for `@type[n]`. */
  index: number;
  line: number;
  options: Map<string, UciOption>;
}

export interface UciParseError {
  line: number;
  message: string;
}

const NAME = /^[A-Za-z0-9_]+$/;

export const sectionLabel = (s: UciSection) => s.name ?? `@${s.type}[${s.index}]`;

/** Splits one line into tokens; returns an error message for bad quoting. */
function tokenize(line: string): string[] | string {
  const tokens: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
    if (i >= line.length || line[i] === '#') break;
    let tok = '';
    while (i < line.length && line[i] !== ' ' && line[i] !== '\t') {
      const ch = line[i];
      if (ch === "'") {
        const end = line.indexOf("'", i + 1);
        if (end < 0) return 'unterminated single quote';
        tok += line.slice(i + 1, end);
        i = end + 1;
      } else if (ch === '"') {
        i++;
        let closed = false;
        while (i < line.length) {
          if (line[i] === '\\' && i + 1 < line.length) { tok += line[i + 1]; i += 2; continue; }
          if (line[i] === '"') { closed = true; i++; break; }
          tok += line[i++];
        }
        if (!closed) return 'unterminated double quote';
      } else if (ch === '\\' && i + 1 < line.length) {
        tok += line[i + 1];
        i += 2;
      } else if (ch === '#' && tok === '') {
        break;
      } else {
        tok += ch;
        i++;
      }
    }
    tokens.push(tok);
  }
  return tokens;
}

export function parseUci(text: string): { sections: UciSection[]; errors: UciParseError[] } {
  const sections: UciSection[] = [];
  const errors: UciParseError[] = [];
  const counts = new Map<string, number>();
  let current: UciSection | null = null;
  text.split('\n').forEach((raw, n) => {
    const line = n + 1;
    const tokens = tokenize(raw.replace(/\r$/, ''));
    if (typeof tokens === 'string') { errors.push({ line, message: tokens }); return; }
    if (tokens.length === 0) return;
    const [keyword, ...args] = tokens;
    switch (keyword) {
      case 'package':
        if (args.length !== 1) errors.push({ line, message: "'package' takes one name" });
        return;
      case 'config': {
        current = null;
        if (args.length < 1 || args.length > 2) { errors.push({ line, message: "'config' takes a type and an optional name" }); return; }
        const [type, name] = args;
        if (!NAME.test(type)) { errors.push({ line, message: `invalid section type '${type}'` }); return; }
        if (name !== undefined && !NAME.test(name)) { errors.push({ line, message: `invalid section name '${name}' (use letters, digits and _)` }); return; }
        // libuci merges a repeated named section into the first one.
        const existing = name !== undefined ? sections.find((s) => s.name === name) : undefined;
        if (existing) {
          if (existing.type !== type) errors.push({ line, message: `section '${name}' redefined with another type '${type}'` });
          current = existing;
          return;
        }
        const index = counts.get(type) ?? 0;
        counts.set(type, index + 1);
        current = { type, index, line, options: new Map(), ...(name !== undefined ? { name } : {}) };
        sections.push(current);
        return;
      }
      case 'option':
      case 'list': {
        if (!current) { errors.push({ line, message: `'${keyword}' outside of a config section` }); return; }
        if (args.length !== 2) { errors.push({ line, message: `'${keyword}' takes a name and one value` }); return; }
        const [name, value] = args;
        if (!NAME.test(name)) { errors.push({ line, message: `invalid option name '${name}'` }); return; }
        const prev = current.options.get(name);
        if (keyword === 'option') current.options.set(name, { values: [value], list: false, line });
        else if (prev && prev.list) prev.values.push(value);
        else current.options.set(name, { values: [value], list: true, line });
        return;
      }
      default:
        errors.push({ line, message: `unknown keyword '${keyword}' (expected config, option or list)` });
    }
  });
  return { sections, errors };
}

/** Single-quotes a value the way `uci export` does. */
export function quoteUci(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Sets (or with null, removes) `option <option>` of the named section, editing the text in
 * place: every other line, comment and blank stays byte-identical.
 */
export function setOption(text: string, section: string, option: string, value: string | null): string {
  if (!NAME.test(option)) throw new Error(`invalid option name '${option}'`);
  const lines = text.split('\n');
  let inSection = false, found = false, lastOptionLine = -1, headerLine = -1, optionLine = -1;
  lines.forEach((raw, i) => {
    const tokens = tokenize(raw);
    if (typeof tokens === 'string' || tokens.length === 0) return;
    if (tokens[0] === 'config') {
      inSection = tokens[2] === section;
      if (inSection) { found = true; headerLine = i; lastOptionLine = i; }
      return;
    }
    if (!inSection) return;
    if (tokens[0] === 'option' || tokens[0] === 'list') {
      lastOptionLine = i;
      if (tokens[0] === 'option' && tokens[1] === option) optionLine = i;
    }
  });
  if (!found) throw new Error(`no section '${section}'`);
  if (optionLine >= 0) {
    if (value === null) lines.splice(optionLine, 1);
    else {
      const indent = /^\s*/.exec(lines[optionLine])![0];
      lines[optionLine] = `${indent}option ${option} ${quoteUci(value)}`;
    }
  } else if (value !== null) {
    const sample = lastOptionLine > headerLine ? lines[lastOptionLine] : '\t';
    const indent = /^\s*/.exec(sample)![0] || '\t';
    lines.splice(lastOptionLine + 1, 0, `${indent}option ${option} ${quoteUci(value)}`);
  }
  return lines.join('\n');
}

/**
 * Sets options of the named section, appending `config <type> '<name>'` at the end of the
 * file when it does not exist yet. Other lines stay byte-identical.
 */
export function upsertSection(text: string, type: string, name: string, options: [string, string][]): string {
  if (!NAME.test(type) || !NAME.test(name)) throw new Error(`invalid section '${type} ${name}'`);
  const exists = parseUci(text).sections.some((s) => s.name === name);
  let out = text;
  if (!exists) {
    const sep = out === '' || out.endsWith('\n\n') ? '' : out.endsWith('\n') ? '\n' : '\n\n';
    out += `${sep}config ${type} ${quoteUci(name)}\n`;
  }
  for (const [option, value] of options) out = setOption(out, name, option, value);
  return out.endsWith('\n') ? out : out + '\n';
}
