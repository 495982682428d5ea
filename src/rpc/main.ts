// Entry point of the rpcd plugin (/usr/libexec/rpcd/mpwan, run by qjs). qjs parses the whole
// file at every call, so this one is small: `list` is built in (scripts/build.mjs computes it
// from the method table), `status` is answered from the running daemon's report with the
// reading part of the runtime (quick.ts), and the method table with the whole runtime
// (full.ts, installed as /usr/share/mpwan/rpcd-methods.js) is loaded only for everything else.
import * as std from 'std';
import { qjsReader } from '../sys/qjs/reader.js';
import { MAX_REQUEST_BYTES } from './args.js';
import { quickCall } from './quick.js';

declare const scriptArgs: string[];
/** JSON of rpcList(), the method table's signature, computed at build time. */
declare const __MPWAN_RPC_LIST__: string;

/** Relative to this file, as installed (qjs resolves it against the script's own path). */
const METHODS_MODULE = '../../share/mpwan/rpcd-methods.js';
const methods = () => import(METHODS_MODULE) as Promise<typeof import('./full.js')>;

function reply(obj: object | string): never {
  std.out.puts(typeof obj === 'string' ? obj : JSON.stringify(obj));
  std.out.flush();
  std.exit(0);
}

/** Never an exception out of a call: rpcd reads only stdout, so the failure must be in the reply. */
const internalError = (e: unknown) => ({ error: { code: 'internal', message: `internal error: ${String((e as Error)?.message ?? e)}` } });

async function call(method: string, input: string): Promise<object> {
  const quick = await quickCall(qjsReader, method, input);
  if (quick) return quick;
  return (await methods()).call(method, input);
}

const [, verb, method] = scriptArgs;
if (verb === 'list') {
  reply(__MPWAN_RPC_LIST__);
} else if (verb === 'call' && typeof method === 'string') {
  // One byte over the limit is enough to know the request is too large.
  const input = std.in.readAsString(MAX_REQUEST_BYTES + 1) ?? '';
  call(method, input).then(reply, (e) => reply(internalError(e)));
} else {
  std.err.puts('usage: mpwan list | call <method>\n');
  std.exit(2);
}
