// Long-running children: the proxies (output appended to a log file) and streaming probes
// (output read line by line), with their exit statuses.
import * as std from 'std';
import * as os from 'os';
import type { LineChannel, LineStream } from '../runtime.js';
import { decodeUtf8, encodeUtf8 } from '../../lib/utf8.js';
import { decodeStatus, errnoText } from './common.js';

export function spawnChild(argv: string[], options: { env?: Record<string, string>; logFile?: string } = {}): number {
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


/** The exit status once the child has exited (reaping it), else null; 127 when it is not our child. */
export function reap(pid: number): number | null {
  const [ret, status] = os.waitpid(pid, os.WNOHANG);
  if (ret === pid) return decodeStatus(status);
  return ret < 0 ? 127 : null;
}

const SIGTERM = 15;

/**
 * Starts a program whose stdout and stderr are read line by line (a streaming probe such as
 * `ping -i`); onExit gets its status once the output has ended and the child is reaped.
 */
export function spawnLines(argv: string[], onLine: (line: string) => void, onExit: (status: number) => void): LineStream {
  return start(argv, onLine, onExit, false);
}

/** As spawnLines, and what `write` sends goes to the program's stdin (requests to a helper). */
export function spawnChannel(argv: string[], onLine: (line: string) => void, onExit: (status: number) => void): LineChannel {
  return start(argv, onLine, onExit, true) as LineChannel;
}

function start(argv: string[], onLine: (line: string) => void, onExit: (status: number) => void, input: boolean): LineStream | LineChannel {
  const out = os.pipe();
  if (!out) throw new Error('pipe() failed');
  const inPipe = input ? os.pipe() : null;
  if (input && !inPipe) { os.close(out[0]); os.close(out[1]); throw new Error('pipe() failed'); }
  const stdin = inPipe ? inPipe[0] : os.open('/dev/null', os.O_RDONLY);
  let pid: number;
  try {
    pid = os.exec(argv, { block: false, usePath: true, stdin, stdout: out[1], stderr: out[1] });
  } finally {
    os.close(out[1]);
    os.close(stdin);
  }
  if (pid < 0) {
    os.close(out[0]);
    if (inPipe) os.close(inPipe[1]);
    throw new Error(`cannot start ${argv[0]}`);
  }
  const fd = out[0];
  const buf = new ArrayBuffer(4096);
  let pending = '';
  let toChild = inPipe ? inPipe[1] : -1;
  const closeInput = () => { if (toChild >= 0) { os.close(toChild); toChild = -1; } };
  const finish = async () => {
    os.setReadHandler(fd, null);
    os.close(fd);
    closeInput();
    if (pending !== '') onLine(pending);
    for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
      const status = reap(pid);
      if (status !== null) { onExit(status); return; }
      await os.sleepAsync(wait);
    }
  };
  os.setReadHandler(fd, () => {
    const n = os.read(fd, buf, 0, buf.byteLength);
    if (n <= 0) { void finish(); return; }
    const lines = (pending + decodeUtf8(new Uint8Array(buf, 0, n))).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  const stream: LineStream = { pid, stop: () => { closeInput(); os.kill(pid, SIGTERM); } };
  if (!inPipe) return stream;
  return {
    ...stream,
    // Short lines into a pipe the helper keeps reading: a write does not block in practice;
    // a helper that has gone makes it fail (EPIPE: SIGPIPE is ignored), and onExit follows.
    write: (text: string) => {
      if (toChild < 0) return false;
      const bytes = encodeUtf8(text);
      return os.write(toChild, bytes.buffer, bytes.byteOffset, bytes.byteLength) === bytes.byteLength;
    },
  };
}
