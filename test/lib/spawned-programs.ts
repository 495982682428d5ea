// Finds the programs that the project's test code, scripts and bench start: argv[0] of every
// spawn whose program is written in the source as a literal. It keeps scripts/programs.list
// honest (test/unit/programs.test.ts): a program started here and missing from the list would
// be missing on a fresh machine too.
//   TypeScript/JavaScript: calls of the spawning functions (child_process and the harness's
//     wrappers), read with the TypeScript parser; `sh -c '...'`, `ip netns exec NS prog`,
//     `env VAR=x prog` and similar wrappers are looked through.
//   Shell scripts: the first word of every simple command, quotes and heredocs respected.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { transformSync } from 'esbuild';

/** Functions and methods whose arguments hold an argv (first string argument, or an array literal). */
const SPAWNERS = new Set([
  'spawn', 'spawnSync', 'execFile', 'execFileSync', 'execSync', 'exec', 'spawnLines', 'spawnChannel', 'wrap',
]);

/** Programs that run the rest of their argv as a command: how many of their own words to skip. */
function commandAfterWrapper(argv: string[]): string[] | null {
  const [p, ...rest] = argv;
  if (p === 'ip' && rest[0] === 'netns' && rest[1] === 'exec') return rest.slice(3);
  if (p === 'env') return dropWhile(rest, (w) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(w) || w.startsWith('-'));
  if (p === 'nsenter' || p === 'unshare' || p === 'setsid' || p === 'nice' || p === 'timeout' || p === 'flock' || p === 'stdbuf') {
    const args = dropWhile(rest, (w) => w.startsWith('-'));
    // timeout DURATION prog, flock FILE prog
    return p === 'timeout' || p === 'flock' ? args.slice(1) : args;
  }
  if ((p === 'mptcpize') && rest[0] === 'run') return rest.slice(1);
  return null;
}

function dropWhile<T>(a: T[], f: (x: T) => boolean): T[] {
  let i = 0;
  while (i < a.length && f(a[i])) i++;
  return a.slice(i);
}

export interface Spawn { program: string; file: string }

/** JavaScript text split at top-level commas (strings, templates and brackets respected). */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === '`') i = endOfString(text, i);
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) { parts.push(text.slice(start, i).trim()); start = i + 1; }
  }
  parts.push(text.slice(start).trim());
  return parts.filter((p) => p !== '');
}

/** Index of the quote that closes the string or template starting at `i` (templates may nest). */
function endOfString(text: string, i: number): number {
  const q = text[i];
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === q) return j;
    else if (q === '`' && text[j] === '$' && text[j + 1] === '{') j = endOfBracket(text, j + 1);
  }
  return text.length;
}

/** Index of the bracket that closes the one at `i`. */
function endOfBracket(text: string, i: number): number {
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (c === '"' || c === "'" || c === '`') j = endOfString(text, j);
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && --depth === 0) return j;
  }
  return text.length;
}

/** The text of a string literal, or of a template literal's head (marked as computed). */
function literalText(expr: string): string | null {
  if (/^"([^"\\]|\\.)*"$/.test(expr) || /^'([^'\\]|\\.)*'$/.test(expr)) {
    return expr.startsWith('"') ? JSON.parse(expr) : JSON.parse('"' + expr.slice(1, -1).replace(/"/g, '\\"') + '"');
  }
  if (expr.startsWith('`') && endOfString(expr, 0) === expr.length - 1) {
    const body = expr.slice(1, -1);
    const at = body.indexOf('${');
    return at < 0 ? body : body.slice(0, at) + '\u0000';
  }
  return null;
}

/** The words of an argv written as an array literal; a computed word is marked, a spread ends it. */
function literalWords(elements: string[]): string[] {
  const out: string[] = [];
  for (const e of elements) {
    if (e.startsWith('...')) break;
    out.push(literalText(e) ?? '\u0000');
  }
  return out;
}

/** The programs an argv starts: argv[0], what a wrapper runs, and the commands of `sh -c`. */
function programsOfArgv(words: string[]): string[] {
  if (words.length === 0) return [];
  const p = words[0];
  if (p.includes('\u0000') || p.includes('$') || !/^[A-Za-z0-9_./+-]+$/.test(p)) return [];
  const found = [basename(p)];
  if ((p === 'sh' || p === 'bash') && words[1] === '-c' && words[2] !== undefined) {
    found.push(...shellCommands(words[2].replace(/\u0000/g, '')));
  }
  const inner = commandAfterWrapper(words);
  if (inner) found.push(...programsOfArgv(inner));
  return found;
}

const basename = (p: string) => p.split('/').pop()!;

/** Called as plain functions, these take the program first (child_process's, and `onPath(prog)` lookups). */
const PROGRAM_FIRST = new Set(['spawn', 'spawnSync', 'execFile', 'execFileSync', 'execSync', 'onPath']);
/** Called as plain functions (not methods), these take an argv: the harness's `run(['ip', ...])`. */
const BARE_ARGV = new Set(['run']);
const SPAWN_CALL = new RegExp(`(?<![A-Za-z0-9_$])(${[...SPAWNERS, ...PROGRAM_FIRST, ...BARE_ARGV].join('|')})\\(`, 'g');
/** A system program named by its absolute path (`/usr/bin/time`, `executablePath: '/usr/bin/chromium'`). */
const SYSTEM_PROGRAM = /["'`]\/(?:usr\/)?s?bin\/([A-Za-z0-9_.+-]+)["'`]/g;

const ARGV_SHAPED = /[:=]\s*\[\s*"([a-z][a-z0-9_.+-]*)",\s*"-/g;

/** Spawns in TypeScript or JavaScript: esbuild strips types and comments, then each spawning call's arguments are read. */
function scanScript(text: string, file: string): Spawn[] {
  const js = transformSync(text, { loader: file.endsWith('.ts') ? 'ts' : 'js', format: 'esm' }).code;
  const out: Spawn[] = [];
  for (const m of js.matchAll(SPAWN_CALL)) {
    const open = m.index! + m[0].length - 1;
    const args = splitTopLevel(js.slice(open + 1, endOfBracket(js, open)));
    const name = m[1];
    const method = js[m.index! - 1] === '.';
    let words: string[] = [];
    if (method && BARE_ARGV.has(name)) continue; // rtr.run(['apply']) runs mpwan with arguments
    if (!method && PROGRAM_FIRST.has(name)) {
      // spawn('ip', ['-j', ...]): a computed program (spawnSync(qjsPath(), ...)) is not known here
      const first = args[0] === undefined ? null : literalText(args[0]);
      const rest = args[1]?.startsWith('[') ? literalWords(splitTopLevel(args[1].slice(1, -1))) : [];
      if (first !== null) words = [first, ...rest];
    } else {
      // topo.exec(ns, ['ip', ...]), rt.exec(['ip', ...]): the first array argument is the argv (a
      // RegExp's exec('text') has none)
      const array = args.find((a) => a.startsWith('['));
      if (array) words = literalWords(splitTopLevel(array.slice(1, -1)));
    }
    for (const program of programsOfArgv(words)) out.push({ program, file });
  }
  for (const m of js.matchAll(SYSTEM_PROGRAM)) out.push({ program: m[1], file });
  // An argv kept as data for a later spawn (QEMU = { mipsel: ['qemu-mipsel-static', '-cpu', '24Kc'] }):
  // a literal word followed by a literal option.
  for (const m of js.matchAll(ARGV_SHAPED)) out.push({ program: m[1], file });
  return out;
}

/** Reserved words after which a command follows. */
const LEADS_COMMAND = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', 'time', 'command', 'exec', 'builtin', 'nohup']);
/** Reserved words and builtins that are not programs (their arguments are not commands either). */
const NOT_PROGRAMS = new Set([
  'fi', 'done', 'esac', 'in', 'for', 'case', 'function', 'select', '}', '[[', ']]',
  'echo', 'printf', 'cd', 'read', 'test', '[', 'source', '.', 'eval', 'return', 'exit', 'shift', 'wait', 'kill', 'true', 'false',
  'type', 'local', 'export', 'set', 'shopt', 'trap', 'unset', 'readonly', 'declare', 'let', 'break', 'continue',
  'pwd', 'umask', 'ulimit', 'times', 'getopts', 'hash', 'alias', ':', 'mapfile', 'readarray', 'jobs', 'disown',
]);

/** First words of the simple commands in a shell script (quotes, comments, heredocs, case patterns respected). */
export function shellCommands(script: string, known: Set<string> = new Set()): string[] {
  const functions = new Set([...known, ...[...script.matchAll(/(?:^|[\s;&|(])(?:function\s+)?([A-Za-z_][A-Za-z0-9_-]*)\s*\(\)/g)].map((m) => m[1])]);
  const out: string[] = [];
  let atCommand = true;
  let inCasePatterns = 0; // > 0: the next words up to ')' are a case pattern
  let expectIn = false; // `case WORD` is followed by `in`
  let word = '';
  let computed = false;
  let pendingHeredoc: string | null = null;
  const endWord = () => {
    if (word === '') return;
    const w = word;
    word = '';
    const wasComputed = computed;
    computed = false;
    if (expectIn) { if (w === 'in') { expectIn = false; inCasePatterns = 1; } return; }
    if (w === 'esac') { inCasePatterns = 0; atCommand = false; return; }
    if (inCasePatterns > 0) return;
    if (!atCommand) return;
    if (/^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/.test(w) || /^\d+$/.test(w)) return; // an assignment or a redirected fd: the command comes after
    if (w === 'case') { expectIn = true; atCommand = false; return; }
    if (LEADS_COMMAND.has(w)) return;
    if (!wasComputed && !w.startsWith('-') && !NOT_PROGRAMS.has(w) && !functions.has(w) && /^[A-Za-z0-9_./+-]+$/.test(w)) out.push(basename(w));
    atCommand = false;
  };
  const separator = () => { endWord(); atCommand = true; };
  for (let i = 0; i < script.length; i++) {
    const c = script[i];
    if (c === '\n') {
      separator();
      if (pendingHeredoc !== null) {
        // skip the heredoc's body, up to its delimiter line
        const tag = pendingHeredoc;
        pendingHeredoc = null;
        let j = i + 1;
        for (;;) {
          const eol = script.indexOf('\n', j);
          const line = script.slice(j, eol < 0 ? script.length : eol);
          if (line.trim() === tag || eol < 0) { i = eol < 0 ? script.length : eol; break; }
          j = eol + 1;
        }
      }
      continue;
    }
    if (c === '#' && word === '') { const eol = script.indexOf('\n', i); i = (eol < 0 ? script.length : eol) - 1; continue; }
    if (c === '\\') { if (script[i + 1] !== '\n') word += script[i + 1] ?? ''; i++; continue; }
    if (c === "'") {
      const end = script.indexOf("'", i + 1);
      word += script.slice(i + 1, end < 0 ? script.length : end);
      i = end < 0 ? script.length : end;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < script.length && script[j] !== '"') { if (script[j] === '\\') j++; j++; }
      const inner = script.slice(i + 1, j);
      if (inner.includes('$')) computed = true;
      for (const m of inner.matchAll(/\$\(([^()]*)\)/g)) out.push(...shellCommands(m[1], functions));
      word += inner;
      i = j;
      continue;
    }
    if (c === '$' && script[i + 1] === '(' && script[i + 2] !== '(') {
      const close = matchingParen(script, i + 1);
      out.push(...shellCommands(script.slice(i + 2, close), functions));
      computed = true;
      word += 'x';
      i = close;
      continue;
    }
    if (c === '$' && (script[i + 1] === '{' || script[i + 1] === '(')) {
      const close = script[i + 1] === '{' ? script.indexOf('}', i) : matchingParen(script, i + 1);
      computed = true;
      word += 'x';
      i = close < 0 ? script.length : close;
      continue;
    }
    if (c === '$') { computed = true; word += c; continue; }
    if (c === '(' && /^[A-Za-z_][A-Za-z0-9_]*\+?=$/.test(word)) {
      // an array assignment: its words are data
      i = matchingParen(script, i);
      word = 'x=';
      continue;
    }
    if (c === '<' && script[i + 1] === '<' && script[i + 2] !== '<') {
      endWord();
      const m = /^<<-?\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?/.exec(script.slice(i));
      if (m) { pendingHeredoc = m[1]; i += m[0].length - 1; continue; }
    }
    if (c === '<' || c === '>') {
      endWord();
      // a redirection's target is a word, not a command
      const m = /^[<>]+&?\s*("[^"]*"|'[^']*'|[^\s;|&()<>]+)?/.exec(script.slice(i));
      i += m![0].length - 1;
      continue;
    }
    if (c === ')' && inCasePatterns > 0) { word = ''; computed = false; inCasePatterns = 0; atCommand = true; continue; }
    if (c === ';' && script[i + 1] === ';') { endWord(); i++; inCasePatterns = 1; continue; }
    if (c === ';' || c === '|' || c === '&' || c === '(' || c === ')' || c === '`') { separator(); continue; }
    if (c === ' ' || c === '\t') { endWord(); continue; }
    word += c;
  }
  endWord();
  return out;
}

function matchingParen(text: string, open: number): number {
  let depth = 0;
  for (let j = open; j < text.length; j++) {
    if (text[j] === "'") { const e = text.indexOf("'", j + 1); j = e < 0 ? text.length : e; continue; }
    if (text[j] === '(') depth++;
    else if (text[j] === ')' && --depth === 0) return j;
  }
  return text.length;
}

/** Every file under `dirs` (relative to root) with one of the extensions. */
function filesUnder(root: string, dirs: string[], keep: (path: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name === 'node_modules' || name.startsWith('.')) continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (keep(path)) out.push(path);
    }
  };
  for (const d of dirs) walk(join(root, d));
  return out;
}

const isShellScript = (path: string, text: string) => path.endsWith('.sh') || /^#!\s*\/\S*\b(ba)?sh\b/.test(text) || /^#!\/usr\/bin\/env (ba)?sh\b/.test(text);

/** The programs started by the test code, scripts/ and bench/ of the checkout at `root`. */
export function spawnedPrograms(root: string, dirs = ['test', 'scripts', 'bench'], skip: (rel: string) => boolean = () => false): Spawn[] {
  const out: Spawn[] = [];
  for (const path of filesUnder(root, dirs, () => true)) {
    const rel = relative(root, path);
    if (skip(rel)) continue;
    const text = readFileSync(path, 'utf8');
    if (/\.(ts|mts|mjs|js)$/.test(path)) out.push(...scanScript(text, rel));
    else if (isShellScript(path, text)) {
      shellCommands(text).forEach((program) => out.push({ program, file: rel }));
    }
  }
  return out;
}
