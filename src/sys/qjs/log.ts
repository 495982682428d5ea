// Syslog through `logger -t mpwan`; stderr when there is no logger or MPWAN_LOG=stderr.
import * as std from 'std';
import type { LogLevel } from '../runtime.js';
import { exec } from './exec.js';

let loggerMissing = false;

export async function log(level: LogLevel, message: string): Promise<void> {
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

