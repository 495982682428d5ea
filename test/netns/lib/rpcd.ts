// Drives the installed rpcd plugin the way rpcd does (rpcd/exec.c): `PLUGIN list` with stdin
// /dev/null, `PLUGIN call METHOD` with the arguments as one JSON object on stdin, stdout read
// to EOF and parsed as exactly one JSON object (anything else is UBUS_STATUS_INVALID_ARGUMENT,
// empty output UBUS_STATUS_NO_DATA), stderr and exit code ignored, killed after the timeout.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { qjsPath } from '../../lib/qjs.js';
import type { Router } from './mpwan.js';

export const RPCD_TIMEOUT_MS = 30000;

export type RpcdReply =
  | { status: 'ok'; data: Record<string, unknown>; stdout: string; stderr: string }
  | { status: 'invalid_argument' | 'no_data' | 'timeout'; stdout: string; stderr: string };

function interpret(stdout: string, stderr: string, timedOut: boolean): RpcdReply {
  if (timedOut) return { status: 'timeout', stdout, stderr };
  if (stdout.trim() === '') return { status: 'no_data', stdout, stderr };
  try {
    const data = JSON.parse(stdout);
    if (typeof data === 'object' && data !== null && !Array.isArray(data)) return { status: 'ok', data, stdout, stderr };
  } catch { /* fall through */ }
  return { status: 'invalid_argument', stdout, stderr };
}

export class Rpcd {
  constructor(private readonly rtr: Router) {}

  private argv(verb: string[]): string[] {
    return ['ip', 'netns', 'exec', this.rtr.topo.rtr, 'env', ...Object.entries(this.rtr.env()).map(([k, v]) => `${k}=${v}`),
      qjsPath(), join(this.rtr.root, 'usr/libexec/rpcd/mpwan'), ...verb];
  }

  list(): RpcdReply {
    const argv = this.argv(['list']);
    const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', input: '', timeout: RPCD_TIMEOUT_MS });
    return interpret(r.stdout, r.stderr, r.error !== undefined);
  }

  /** `input` is sent as is (for malformed payloads); objects are serialised. */
  call(method: string, input: Record<string, unknown> | string = {}): RpcdReply {
    const argv = this.argv(['call', method]);
    const text = typeof input === 'string' ? input : JSON.stringify(input);
    const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', input: text, timeout: RPCD_TIMEOUT_MS, maxBuffer: 16 << 20 });
    return interpret(r.stdout, r.stderr, r.error !== undefined);
  }

  callAsync(method: string, input: string): Promise<RpcdReply> {
    const argv = this.argv(['call', method]);
    return new Promise((resolve) => {
      const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '', err = '', timedOut = false;
      const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, RPCD_TIMEOUT_MS);
      child.stdout.on('data', (d) => { out += d; });
      child.stderr.on('data', (d) => { err += d; });
      child.stdin.on('error', () => { /* the plugin may stop reading a huge payload */ });
      child.stdin.end(input);
      child.on('close', () => { clearTimeout(timer); resolve(interpret(out, err, timedOut)); });
    });
  }

  /** What `ubus call mpwan METHOD` prints: the reply re-encoded by blobmsg, tab-indented. */
  static asUbusCli(data: Record<string, unknown>): string {
    return JSON.stringify(data, null, '\t');
  }

  /** What `ubus -v list mpwan` shows for a `list` signature (types from the example values). */
  static signatureTypes(list: Record<string, Record<string, unknown>>): Record<string, Record<string, string>> {
    const type = (v: unknown) => (typeof v === 'string' ? 'String' : typeof v === 'boolean' ? 'Boolean'
      : typeof v === 'number' ? (Number.isInteger(v) ? 'Integer' : 'Double') : Array.isArray(v) ? 'Array' : 'Table');
    return Object.fromEntries(Object.entries(list).map(([m, args]) => [m, Object.fromEntries(Object.entries(args).map(([k, v]) => [k, type(v)]))]));
  }
}
