// Entry point of the rpcd plugin (/usr/libexec/rpcd/mpwan, run by qjs).
import * as std from 'std';
import { qjsRuntime } from '../sys/qjs/runtime.js';
import { MAX_REQUEST_BYTES } from './args.js';
import { errorReply, rpcCall, rpcList } from './dispatch.js';

declare const scriptArgs: string[];

function reply(obj: object): never {
  std.out.puts(JSON.stringify(obj));
  std.out.flush();
  std.exit(0);
}

const [, verb, method] = scriptArgs;
if (verb === 'list') {
  reply(rpcList());
} else if (verb === 'call' && typeof method === 'string') {
  // One byte over the limit is enough to know the request is too large.
  const input = std.in.readAsString(MAX_REQUEST_BYTES + 1) ?? '';
  rpcCall(qjsRuntime, method, input).then(reply, (e) => reply(errorReply(e)));
} else {
  std.err.puts('usage: mpwan list | call <method>\n');
  std.exit(2);
}
