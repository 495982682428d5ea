// `ubus send` and `ubus listen` of the ubus stand-in (test/stubs/ubus runs this with qjs), as
// OpenWrt's ubus CLI (cli.c) and ubusd (ubusd_event.c) behave:
// - `ubus [-t N] [-S] listen [PATTERN...]` registers each pattern (default "*"; a pattern ending
//   in "*" matches every event that starts with the rest, any other only itself) and prints
//   each matching event as `{ "<type>": <data> }` on one line, data in libubox's compact
//   blobmsg JSON (blobmsg_format_json); it exits 0 on SIGTERM/SIGINT or after -t N seconds.
// - `ubus [-S] send TYPE [MESSAGE]` parses MESSAGE as a JSON object (none: {}), refuses types
//   starting with "ubus." (Permission denied, exit 6) and data that is not an object (Parsing
//   message data failed, exit 12), and returns once every listener has the event.
// ubusd is a directory ($MPWAN_TEST_UBUSD): one FIFO per listener beside its patterns file.
import * as std from 'std';
import * as os from 'os';

const O_NONBLOCK = 0o4000; // Linux (x86, arm): qjs's os module does not name it
const ENXIO = 6;

/** JSON as json-c reads it, keeping what blobmsg keeps: key order, and int versus double. */
function parseJson(text) {
  let i = 0;
  const ws = () => { while (/\s/.test(text[i] ?? '')) i++; };
  const fail = () => { throw new Error('parse'); };
  const value = () => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++; const entries = []; ws();
      if (text[i] === '}') { i++; return { t: 'table', entries }; }
      for (;;) {
        ws(); if (text[i] !== '"') fail();
        const key = string(); ws(); if (text[i++] !== ':') fail();
        const v = value(); const at = entries.findIndex((e) => e[0] === key);
        if (at >= 0) entries[at][1] = v; else entries.push([key, v]);
        ws(); if (text[i] === ',') { i++; continue; } if (text[i++] === '}') return { t: 'table', entries }; fail();
      }
    }
    if (c === '[') {
      i++; const items = []; ws();
      if (text[i] === ']') { i++; return { t: 'array', items }; }
      for (;;) { items.push(value()); ws(); if (text[i] === ',') { i++; continue; } if (text[i++] === ']') return { t: 'array', items }; fail(); }
    }
    if (c === '"') return { t: 'string', v: string() };
    for (const [word, node] of [['true', { t: 'bool', v: true }], ['false', { t: 'bool', v: false }], ['null', { t: 'null' }]]) {
      if (text.startsWith(word, i)) { i += word.length; return node; }
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail();
    i += m[0].length;
    if (m[2] || m[3]) return { t: 'double', v: Number(m[0]) };
    const big = BigInt(m[0]), max = (1n << 63n) - 1n, min = -(1n << 63n);
    return { t: 'int', v: big > max ? max : big < min ? min : big };
  };
  const string = () => {
    i++; let out = '';
    for (;;) {
      const c = text[i++];
      if (c === undefined) fail();
      if (c === '"') return out;
      if (c !== '\\') { out += c; continue; }
      const e = text[i++];
      if (e === 'u') { out += String.fromCharCode(parseInt(text.slice(i, i + 4), 16)); i += 4; } else out += { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }[e] ?? e;
    }
  };
  const v = value(); ws();
  if (i !== text.length) fail();
  return v;
}

/** blobmsg_format_string: a C string (up to a NUL), with only ", \, \b \n \t \r escaped and other control bytes as \u00XX. */
function formatString(s) {
  const cut = s.indexOf('\0');
  const text = cut >= 0 ? s.slice(0, cut) : s;
  return '"' + text.replace(/["\\\x00-\x1f]/g, (c) => ({ '"': '\\"', '\\': '\\\\', '\b': '\\b', '\n': '\\n', '\t': '\\t', '\r': '\\r' })[c]
    ?? `\\u00${c.charCodeAt(0).toString(16).padStart(2, '0')}`) + '"';
}

/** blobmsg_format_json, compact: "name":value, ints as %d/%lld, doubles as %lf. */
function format(node) {
  switch (node.t) {
    case 'table': return '{' + node.entries.map(([k, v]) => `${formatString(k)}:${format(v)}`).join(',') + '}';
    case 'array': return '[' + node.items.map(format).join(',') + ']';
    case 'string': return formatString(node.v);
    case 'bool': return node.v ? 'true' : 'false';
    case 'null': return 'null';
    case 'int': return node.v.toString();
    case 'double': return node.v.toFixed(6);
  }
}

const bus = std.getenv('MPWAN_TEST_UBUSD');
const args = [...scriptArgs.slice(1)];
let simple = false, timeout = 0;
while (args[0]?.startsWith('-')) {
  const o = args.shift();
  if (o === '-S') simple = true;
  else if (o === '-t') timeout = Number(args.shift());
  else if (o === '-s' || o === '-m' || o === '-M') args.shift();
}
const [command, ...rest] = args;
const failed = (status, text) => { if (!simple) std.err.puts(`Command failed: ${text}\n`); std.exit(status); };
if (!bus) { if (!simple) std.err.puts('Failed to connect to ubus\n'); std.exit(255); }
os.mkdir(bus, 0o755);

const matches = (pattern, type) => (pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern);

function send() {
  if (rest.length < 1 || rest.length > 2) { std.err.puts('Usage: ubus [<options>] <command> [arguments...]\n'); std.exit(254); }
  const [type, message] = rest;
  let data;
  try { data = message === undefined ? { t: 'table', entries: [] } : parseJson(message); } catch { data = null; }
  if (!data || data.t !== 'table') failed(12, 'Parsing message data failed');
  if (type.startsWith('ubus.')) failed(6, 'Permission denied');
  const line = `{ "${type}": ${format(data)} }\n`;
  const [names] = os.readdir(bus);
  for (const name of names.filter((n) => n.endsWith('.patterns'))) {
    const base = `${bus}/${name.slice(0, -'.patterns'.length)}`;
    let patterns = [];
    try { patterns = JSON.parse(std.loadFile(`${bus}/${name}`) ?? '[]'); } catch { /* being written */ }
    if (!patterns.some((p) => matches(p, type))) continue;
    const fd = os.open(`${base}.fifo`, os.O_WRONLY | O_NONBLOCK);
    if (fd === -ENXIO) { os.remove(`${base}.fifo`); os.remove(`${bus}/${name}`); continue; } // its listener died
    if (fd < 0) continue;
    const out = std.fdopen(fd, 'w'); // one write of one line: listeners never see half an event
    out.puts(line);
    out.close();
  }
  std.exit(0);
}

function listen() {
  const patterns = rest.length > 0 ? rest : ['*'];
  const base = `${bus}/listener-${os.getpid()}`;
  os.exec(['mkfifo', '-m', '600', `${base}.fifo`]);
  const fd = os.open(`${base}.fifo`, os.O_RDWR); // never blocks, never sees EOF
  const f = std.open(`${base}.patterns.tmp`, 'w');
  f.puts(JSON.stringify(patterns));
  f.close();
  os.rename(`${base}.patterns.tmp`, `${base}.patterns`); // registered: from now on events arrive
  const end = () => { os.remove(`${base}.patterns`); os.remove(`${base}.fifo`); std.exit(0); };
  os.signal(15, end);
  os.signal(2, end);
  if (timeout > 0) os.setTimeout(end, timeout * 1000);
  const buf = new ArrayBuffer(4096);
  os.setReadHandler(fd, () => {
    const n = os.read(fd, buf, 0, buf.byteLength);
    if (n > 0) { std.out.write(buf, 0, n); std.out.flush(); }
  });
}

if (command === 'send') send();
else if (command === 'listen') listen();
else { std.err.puts(`ubus-events.js: ${command}: not an event command\n`); std.exit(254); }
