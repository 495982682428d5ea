// The rpcd exec protocol: `list` prints the static signature; `call <method>` reads one JSON
// object and answers exactly one JSON object, errors included (rpcd ignores exit codes).
import type { Runtime } from '../sys/runtime.js';
import { MpwanError } from '../model/errors.js';
import { parseRequest, signature, validateArgs } from './args.js';
import { METHODS } from './methods.js';

export function rpcList(): Record<string, Record<string, string | number | boolean>> {
  return Object.fromEntries(Object.entries(METHODS).map(([name, m]) => [name, signature(m.args)]));
}

export function errorReply(e: unknown): { error: { code: string; message: string; details?: unknown } } {
  const err = e instanceof MpwanError ? e : new MpwanError('internal', `internal error: ${String((e as Error)?.message ?? e)}`);
  return { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
}

export async function rpcCall(rt: Runtime, method: string, input: string): Promise<object> {
  try {
    const m = Object.prototype.hasOwnProperty.call(METHODS, method) ? METHODS[method] : undefined;
    if (!m) throw new MpwanError('invalid_argument', `unknown method '${method.slice(0, 32)}'`);
    const args = validateArgs(m.args, parseRequest(input));
    return await m.run(rt, args);
  } catch (e) {
    return errorReply(e);
  }
}
