// The one call answered without loading the method table: `status` while the daemon runs,
// which LuCI polls every few seconds. Everything else, and a status without a running daemon,
// goes to the method table (full.ts, a module of its own): rpc/main.ts.
import type { Reader } from '../sys/runtime.js';
import { parseRequest, validateArgs } from './args.js';
import { daemonStatus } from '../status/refresh.js';

/** The reply, or null when the full table must answer (another method, bad arguments, no daemon). */
export async function quickCall(rt: Reader, method: string, input: string): Promise<object | null> {
  if (method !== 'status') return null;
  try {
    validateArgs({}, parseRequest(input)); // must agree with METHODS.status.args
    return await daemonStatus(rt);
  } catch {
    return null; // the full table says what is wrong
  }
}
