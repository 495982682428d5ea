// Entry point of the `mpwan` bundle (/usr/sbin/mpwan, run by qjs).
import * as std from 'std';
import { qjsRuntime } from '../sys/qjs/runtime.js';
import { runCli } from './cli.js';

declare const scriptArgs: string[];

runCli(qjsRuntime, scriptArgs.slice(1)).then(
  (code) => std.exit(code),
  (e) => {
    std.err.puts(`mpwan: internal error: ${e}\n`);
    std.exit(1);
  },
);
