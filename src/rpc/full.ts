// The rpcd plugin's method table with the whole qjs runtime: the module rpc/main.ts loads
// for every call it does not answer itself (installed as /usr/share/mpwan/rpcd-methods.js).
import { qjsRuntime } from '../sys/qjs/runtime.js';
import { rpcCall } from './dispatch.js';

export const call = (method: string, input: string): Promise<object> => rpcCall(qjsRuntime, method, input);
