// What the QuickJS runtime modules share: errno text and wait status decoding.
import * as std from 'std';

export const SIGKILL = 9;
export const ENOENT = 2;
export const EEXIST = 17;

/** waitpid status -> ExecResult status: the exit code, or -N when killed by signal N. */
export function decodeStatus(status: number): number {
  const sig = status & 0x7f;
  return sig === 0 ? (status >> 8) & 0xff : -sig;
}

/** QuickJS's os calls return -errno. */
export function errnoText(ret: number): string {
  return std.strerror(-ret);
}
