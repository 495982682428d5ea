// Running a program to completion with QuickJS's os module: argv only (never a shell),
// stdin fed through a pipe, stdout and stderr read as they come, a timeout that kills.
import * as std from 'std';
import * as os from 'os';
import type { ExecOptions, ExecResult } from '../runtime.js';
import { decodeUtf8, encodeUtf8 } from '../../lib/utf8.js';
import { SIGKILL, decodeStatus } from './common.js';

/** select() reports a pipe writable when this much fits, so a write of it never blocks. */
const PIPE_BUF = 4096;
const READ_CHUNK = 65536;

function concat(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const all = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) { all.set(c, off); off += c.length; }
  return all;
}

/** `stdin`: a descriptor of ours the program gets as its stdin (kept open here), instead of /dev/null or `input`. */
export function exec(argv: string[], options: ExecOptions = {}, stdin?: number): Promise<ExecResult> {
  const timeoutMs = options.timeoutMs ?? 10000;
  const out = os.pipe();
  const err = os.pipe();
  const inp = options.input !== undefined ? os.pipe() : null;
  if (!out || !err) throw new Error('pipe() failed');
  const stdinFd = stdin ?? (inp ? inp[0] : os.open('/dev/null', os.O_RDONLY));
  const env = options.env ? { ...std.getenviron(), ...options.env } : undefined;
  let pid: number;
  try {
    // qjs closes every fd above 2 in the child, so no pipe end leaks into it.
    pid = os.exec(argv, { block: false, usePath: true, stdin: stdinFd, stdout: out[1], stderr: err[1], ...(env ? { env } : {}) });
  } finally {
    os.close(out[1]);
    os.close(err[1]);
    if (stdin === undefined) os.close(stdinFd);
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

