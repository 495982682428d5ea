// The reading part of the qjs runtime: files, the environment, programs run to completion.
// The rpcd plugin answers a status with this alone, so it parses none of the code for
// writing, spawning and signals at every call (rpc/main.ts).
import * as std from 'std';
import type { Reader } from '../runtime.js';
import { exec } from './exec.js';
import { readFile } from './files.js';

export const qjsReader: Reader = {
  exec,
  readFile,
  env: (name) => std.getenv(name),
};
