// Runtime over QuickJS's std/os: the only module in mpwan that touches the operating system.
import * as std from 'std';
import * as os from 'os';
import type { ExecOptions, ExecResult, LogLevel, Runtime } from './runtime.js';

const SIGKILL = 9;
const SIGPIPE = 13;
const ENOENT = 2;
const EEXIST = 17;
/** select() reports a pipe writable when this much fits, so a write of it never blocks. */
const PIPE_BUF = 4096;
const READ_CHUNK = 65536;

// A child that exits before reading all its input must not kill us with SIGPIPE:
// the write then fails with EPIPE, which exec handles.
os.signal(SIGPIPE, undefined);

export function encodeUtf8(s: string): Uint8Array {
  const bin = unescape(encodeURIComponent(s));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** Tolerant UTF-8 decoding (invalid sequences become U+FFFD); qjs has no TextDecoder. */
export function decodeUtf8(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    bin += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + 8192)));
  }
  try {
    return decodeURIComponent(escape(bin));
  } catch {
    return decodeSlow(bytes);
  }
}

function decodeSlow(bytes: Uint8Array): string {
  let out = '';
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    let cp = 0xfffd, len = 1;
    if (b < 0x80) { cp = b; }
    else if (b >= 0xc2 && b < 0xe0 && (bytes[i + 1] & 0xc0) === 0x80) { cp = ((b & 0x1f) << 6) | (bytes[i + 1] & 0x3f); len = 2; }
    else if (b >= 0xe0 && b < 0xf0 && (bytes[i + 1] & 0xc0) === 0x80 && (bytes[i + 2] & 0xc0) === 0x80) {
      const c = ((b & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
      if (c >= 0x800 && (c < 0xd800 || c > 0xdfff)) { cp = c; len = 3; }
    } else if (b >= 0xf0 && b < 0xf5 && (bytes[i + 1] & 0xc0) === 0x80 && (bytes[i + 2] & 0xc0) === 0x80 && (bytes[i + 3] & 0xc0) === 0x80) {
      const c = ((b & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12) | ((bytes[i + 2] & 0x3f) << 6) | (bytes[i + 3] & 0x3f);
      if (c >= 0x10000 && c <= 0x10ffff) { cp = c; len = 4; }
    }
    out += String.fromCodePoint(cp);
    i += len;
    if (out.length >= 8192) { parts.push(out); out = ''; }
  }
  parts.push(out);
  return parts.join('');
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const all = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) { all.set(c, off); off += c.length; }
  return all;
}

function decodeStatus(status: number): number {
  const sig = status & 0x7f;
  return sig === 0 ? (status >> 8) & 0xff : -sig;
}

function errnoText(ret: number): string {
  return std.strerror(-ret);
}

function exec(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
  const timeoutMs = options.timeoutMs ?? 10000;
  const out = os.pipe();
  const err = os.pipe();
  const inp = options.input !== undefined ? os.pipe() : null;
  if (!out || !err) throw new Error('pipe() failed');
  const stdinFd = inp ? inp[0] : os.open('/dev/null', os.O_RDONLY);
  const env = options.env ? { ...std.getenviron(), ...options.env } : undefined;
  let pid: number;
  try {
    // qjs closes every fd above 2 in the child, so no pipe end leaks into it.
    pid = os.exec(argv, { block: false, usePath: true, stdin: stdinFd, stdout: out[1], stderr: err[1], ...(env ? { env } : {}) });
  } finally {
    os.close(out[1]);
    os.close(err[1]);
    os.close(stdinFd);
  }
  if (pid < 0) {
    os.close(out[0]);
    os.close(err[0]);
    if (inp) os.close(inp[1]);
    return Promise.resolve({ argv, status: 127, stdout: '', stderr: `cannot start ${argv[0]}`, timedOut: false });
  }

  return new Promise((resolve) => {
    const chunks: Record<number, Uint8Array[]> = { [out[0]]: [], [err[0]]: [] };
    const open = new Set<number>([out[0], err[0]]);
    const buf = new ArrayBuffer(READ_CHUNK);
    let timedOut = false;

    const closeFd = (fd: number, write: boolean) => {
      if (!open.has(fd)) return;
      if (write) os.setWriteHandler(fd, null); else os.setReadHandler(fd, null);
      os.close(fd);
      open.delete(fd);
    };
    const closeAll = () => { for (const fd of [...open]) closeFd(fd, inp !== null && fd === inp[1]); };

    const reap = async () => {
      for (let wait = 0; ; wait = Math.min(wait * 2 || 1, 20)) {
        const [ret, status] = os.waitpid(pid, os.WNOHANG);
        if (ret === pid || ret < 0) {
          os.clearTimeout(timer);
          closeAll();
          resolve({
            argv,
            status: ret === pid ? decodeStatus(status) : 127,
            stdout: decodeUtf8(concat(chunks[out[0]])),
            stderr: decodeUtf8(concat(chunks[err[0]])),
            timedOut,
          });
          return;
        }
        await os.sleepAsync(wait);
      }
    };
    const maybeDone = () => {
      const reading = [out[0], err[0]].some((fd) => open.has(fd));
      if (!reading) void reap();
    };

    for (const fd of [out[0], err[0]]) {
      os.setReadHandler(fd, () => {
        const n = os.read(fd, buf, 0, READ_CHUNK);
        if (n > 0) { chunks[fd].push(new Uint8Array(buf.slice(0, n))); return; }
        closeFd(fd, false);
        maybeDone();
      });
    }

    if (inp) {
      const data = encodeUtf8(options.input ?? '');
      let off = 0;
      open.add(inp[1]);
      const writeFd = inp[1];
      const step = () => {
        if (off < data.length) {
          const n = os.write(writeFd, data.buffer, data.byteOffset + off, Math.min(PIPE_BUF, data.length - off));
          if (n > 0) { off += n; if (off < data.length) return; }
        }
        closeFd(writeFd, true); // EOF for the child, or it stopped reading (EPIPE)
      };
      os.setWriteHandler(writeFd, step);
    }

    const timer = os.setTimeout(() => {
      timedOut = true;
      os.kill(pid, SIGKILL);
      // A grandchild may still hold the pipes open: stop waiting for their EOF.
      closeAll();
      void reap();
    }, timeoutMs);
  });
}

function readFile(path: string): string | null {
  // std.loadFile sizes the file with fseek, which reads nothing from /proc: read to EOF.
  const f = std.open(path, 'r');
  if (!f) return null;
  try {
    return f.readAsString();
  } finally {
    f.close();
  }
}

function writeAll(fd: number, data: string, path: string): void {
  const bytes = encodeUtf8(data);
  for (let off = 0; off < bytes.length; ) {
    const n = os.write(fd, bytes.buffer, off, bytes.length - off);
    if (n <= 0) throw new Error(`${path}: ${errnoText(n || -5)}`);
    off += n;
  }
}

function writeFile(path: string, data: string): void {
  const fd = os.open(path, os.O_WRONLY | os.O_TRUNC);
  if (fd < 0) throw new Error(`${path}: ${errnoText(fd)}`);
  try {
    writeAll(fd, data, path);
  } finally {
    os.close(fd);
  }
}

function writeFileAtomic(path: string, data: string, mode = 0o644): void {
  const tmp = `${path}.${os.getpid()}.tmp`;
  const fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode);
  if (fd < 0) throw new Error(`${tmp}: ${errnoText(fd)}`);
  try {
    writeAll(fd, data, tmp);
  } catch (e) {
    os.close(fd);
    os.remove(tmp);
    throw e;
  }
  os.close(fd);
  const r = os.rename(tmp, path);
  if (r < 0) {
    os.remove(tmp);
    throw new Error(`${path}: ${errnoText(r)}`);
  }
}

function removeFile(path: string): void {
  const r = os.remove(path);
  if (r < 0 && r !== -ENOENT) throw new Error(`${path}: ${errnoText(r)}`);
}

function makeDir(path: string, mode = 0o755): void {
  let prefix = path.startsWith('/') ? '' : '.';
  for (const part of path.split('/').filter(Boolean)) {
    prefix += '/' + part;
    const r = os.mkdir(prefix, mode);
    if (r < 0 && r !== -EEXIST) throw new Error(`${prefix}: ${errnoText(r)}`);
  }
}

let loggerMissing = false;

async function log(level: LogLevel, message: string): Promise<void> {
  // MPWAN_LOG=stderr: for a foreground daemon whose stderr is collected (procd, tests).
  if (!loggerMissing && std.getenv('MPWAN_LOG') !== 'stderr') {
    const r = await exec(['logger', '-t', 'mpwan', '-p', `daemon.${level}`, '--', message], { timeoutMs: 5000 });
    if (r.status === 0) return;
    // No logger, or no syslog to talk to: stderr is still read by procd (logd) and tests.
    loggerMissing = true;
  }
  std.err.puts(`mpwan: ${level}: ${message}\n`);
  std.err.flush();
}

function spawnChild(argv: string[], options: { env?: Record<string, string>; logFile?: string } = {}): number {
  const stdin = os.open('/dev/null', os.O_RDONLY);
  const out = options.logFile ? os.open(options.logFile, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600) : os.open('/dev/null', os.O_WRONLY);
  if (out < 0) { os.close(stdin); throw new Error(`${options.logFile}: ${errnoText(out)}`); }
  const env = options.env ? { ...std.getenviron(), ...options.env } : undefined;
  try {
    const pid = os.exec(argv, { block: false, usePath: true, stdin, stdout: out, stderr: out, ...(env ? { env } : {}) });
    if (pid < 0) throw new Error(`cannot start ${argv[0]}`);
    return pid;
  } finally {
    os.close(stdin);
    os.close(out);
  }
}

function randomBytes(count: number): Uint8Array {
  const fd = os.open('/dev/urandom', os.O_RDONLY);
  if (fd < 0) throw new Error(`/dev/urandom: ${errnoText(fd)}`);
  const buf = new ArrayBuffer(count);
  try {
    for (let off = 0; off < count; ) {
      const n = os.read(fd, buf, off, count - off);
      if (n <= 0) throw new Error('/dev/urandom: short read');
      off += n;
    }
  } finally {
    os.close(fd);
  }
  return new Uint8Array(buf);
}

export const qjsRuntime: Runtime = {
  exec,
  readFile,
  writeFileAtomic,
  writeFile,
  removeFile,
  listDir(path) {
    const [names, err] = os.readdir(path);
    return err === 0 ? names.filter((n) => n !== '.' && n !== '..').sort() : null;
  },
  exists: (path) => os.stat(path)[1] === 0,
  makeDir,
  env: (name) => std.getenv(name),
  monotonicMs: () => os.now(),
  nowSeconds: () => Math.floor(Date.now() / 1000),
  sleep: (ms) => os.sleepAsync(ms),
  setTimer: (fn, ms) => os.setTimeout(fn, ms),
  clearTimer: (h) => os.clearTimeout(h),
  log,
  stdout(text) { std.out.puts(text); std.out.flush(); },
  stderr(text) { std.err.puts(text); std.err.flush(); },
  spawn: spawnChild,
  kill: (pid, sig) => { os.kill(pid, sig); },
  reap(pid) {
    const [ret, status] = os.waitpid(pid, os.WNOHANG);
    if (ret === pid) return decodeStatus(status);
    return ret < 0 ? 127 : null;
  },
  onSignal: (sig, fn) => os.signal(sig, fn),
  randomBytes,
  exit: (code) => std.exit(code),
};
