// Long-running children: the proxies (output appended to a log file) and streaming probes
// (output read line by line), with their exit statuses.
import * as std from 'std';
import * as os from 'os';
import type { LineStream } from '../runtime.js';
import { decodeUtf8 } from '../../lib/utf8.js';
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
  const out = os.pipe();
  if (!out) throw new Error('pipe() failed');
  const stdin = os.open('/dev/null', os.O_RDONLY);
  let pid: number;
  try {
    pid = os.exec(argv, { block: false, usePath: true, stdin, stdout: out[1], stderr: out[1] });
  } finally {
    os.close(out[1]);
    os.close(stdin);
  }
  if (pid < 0) {
    os.close(out[0]);
    throw new Error(`cannot start ${argv[0]}`);
  }
  const fd = out[0];
  const buf = new ArrayBuffer(4096);
  let pending = '';
  const finish = async () => {
    os.setReadHandler(fd, null);
    os.close(fd);
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
  return { pid, stop: () => { os.kill(pid, SIGTERM); } };
}
