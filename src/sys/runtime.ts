// The one interface between mpwan's logic and the operating system. On the router it is
// implemented over QuickJS std/os (sys/qjs/); tests may implement it under Node.
// Nothing outside sys/ touches std, os, process or the file system directly.

export interface ExecOptions {
  /** Written to the program's stdin, which is /dev/null when absent. */
  input?: string;
  /** Kill (SIGKILL) the program after this many milliseconds. Default 10000. */
  timeoutMs?: number;
  /** Extra environment variables (merged over the current environment). */
  env?: Record<string, string>;
}

export interface ExecResult {
  argv: string[];
  /** Exit status; -N when killed by signal N; 127 when the program could not be started. */
  status: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** A long-running child whose output is read line by line. */
export interface LineStream {
  pid: number;
  /** SIGTERM; the stream's onExit still runs once it has gone. */
  stop(): void;
}

/** A long-running helper that takes requests on stdin and answers line by line. */
export interface LineChannel extends LineStream {
  /** Sends text to the helper's stdin; false once it cannot (the helper has gone). */
  write(text: string): boolean;
}

export type LogLevel = 'err' | 'warning' | 'notice' | 'info' | 'debug';

export interface Runtime {
  /** Run a program with an argv array (never a shell), searching PATH for argv[0]. */
  exec(argv: string[], options?: ExecOptions): Promise<ExecResult>;
  /** File contents, or null when it does not exist or cannot be read. */
  readFile(path: string): string | null;
  /** Write to a temporary file beside `path`, then rename over it. `mode` applies on creation. */
  writeFileAtomic(path: string, data: string, mode?: number): void;
  /** Write in place (for /proc/sys files, which cannot be renamed over). */
  writeFile(path: string, data: string): void;
  removeFile(path: string): void;
  /**
   * An exclusive lock on `path` (created if missing), held until the returned function is
   * called or this process dies; null when it was not had within `timeoutMs`.
   */
  lockFile(path: string, timeoutMs: number): Promise<(() => void) | null>;
  /** Names in a directory (without . and ..), or null when it cannot be read. */
  listDir(path: string): string[] | null;
  exists(path: string): boolean;
  /** Permission bits and size, or null when the file does not exist. */
  fileStat(path: string): { mode: number; size: number } | null;
  /** mkdir -p */
  makeDir(path: string, mode?: number): void;
  env(name: string): string | undefined;
  /** Monotonic milliseconds, for measuring durations. */
  monotonicMs(): number;
  /** Wall-clock seconds since the epoch, for timestamps shown to people. */
  nowSeconds(): number;
  sleep(ms: number): Promise<void>;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  /** Syslog through `logger -t mpwan`; stderr when logger is absent. */
  log(level: LogLevel, message: string): Promise<void>;
  stdout(text: string): void;
  stderr(text: string): void;

  // Long-running children (the proxies) and signals, for `mpwan daemon`.
  /** Starts a program in the background (argv, no shell); output appended to logFile. */
  spawn(argv: string[], options?: { env?: Record<string, string>; logFile?: string }): number;
  /** Starts a program whose stdout and stderr come back line by line (streaming probes). */
  spawnLines(argv: string[], onLine: (line: string) => void, onExit: (status: number) => void): LineStream;
  /** As spawnLines, with a pipe to the program's stdin. */
  spawnChannel(argv: string[], onLine: (line: string) => void, onExit: (status: number) => void): LineChannel;
  kill(pid: number, signal: number): void;
  /** The exit status (as in ExecResult) once the child has exited, reaping it; else null. */
  reap(pid: number): number | null;
  onSignal(signal: number, handler: () => void): void;
  randomBytes(count: number): Uint8Array;
  exit(code: number): never;
}

/** What reading mpwan's state takes: the rpcd plugin answers a status with this alone (sys/qjs/reader.ts). */
export type Reader = Pick<Runtime, 'readFile' | 'env' | 'exec'>;

export const SIGHUP = 1;
export const SIGINT = 2;
export const SIGKILL = 9;
export const SIGTERM = 15;
