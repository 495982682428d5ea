// Runtime over QuickJS's std/os: the only code in mpwan that touches the operating system.
import * as std from 'std';
import * as os from 'os';
import type { Runtime } from '../runtime.js';
import { fileStat, listDir, makeDir, randomBytes, removeFile, writeFile, writeFileAtomic } from './files.js';
import { qjsReader } from './reader.js';
import { log } from './log.js';
import { lockFile } from './lock.js';
import { reap, spawnChannel, spawnChild, spawnLines } from './process.js';

const SIGPIPE = 13;
// A child that exits before reading all its input must not kill us with SIGPIPE:
// the write then fails with EPIPE, which exec handles.
os.signal(SIGPIPE, undefined);

export const qjsRuntime: Runtime = {
  ...qjsReader,
  writeFileAtomic,
  writeFile,
  removeFile,
  lockFile,
  listDir,
  exists: (path) => os.stat(path)[1] === 0,
  fileStat,
  makeDir,
  monotonicMs: () => os.now(),
  nowSeconds: () => Math.floor(Date.now() / 1000),
  sleep: (ms) => os.sleepAsync(ms),
  // qjs keeps timers in whole ms of a clock that os.now() reads finer: without the rounding up
  // (and 1 ms), a timer could fire a fraction of a ms early, and a caller waiting for a
  // moment would wake twice.
  setTimer: (fn, ms) => os.setTimeout(fn, Math.ceil(Math.max(0, ms)) + 1),
  clearTimer: (h) => os.clearTimeout(h),
  log,
  stdout(text) { std.out.puts(text); std.out.flush(); },
  stderr(text) { std.err.puts(text); std.err.flush(); },
  spawn: spawnChild,
  spawnLines,
  spawnChannel,
  kill: (pid, sig) => { os.kill(pid, sig); },
  reap,
  onSignal: (sig, fn) => os.signal(sig, fn),
  randomBytes,
  exit: (code) => std.exit(code),
};
