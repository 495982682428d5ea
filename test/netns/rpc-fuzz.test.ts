// 10,000 generated payloads across all methods, through the installed plugin as rpcd runs it:
// every reply is exactly one JSON object, nothing crashes or times out, and no invalid call
// changes the config file or the kernel.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Topology, sweepStale } from './lib/topology.js';
import { Router } from './lib/mpwan.js';
import { Rpcd, type RpcdReply } from './lib/rpcd.js';

const COUNT = Number(process.env.FUZZ_COUNT ?? 10000);
const PARALLEL = 4;
const CODES = new Set(['invalid_argument', 'invalid_config', 'kernel_unsupported', 'netifd_unavailable', 'command_failed', 'apply_failed', 'internal']);
const METHODS = ['status', 'uplinks', 'endpoints', 'counters', 'connections', 'plan', 'reload', 'set_uplink', 'diagnose'];

/** Deterministic PRNG (mulberry32) so a failure can be replayed with the same seed. */
function prng(seed: number) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY = ['wan; reboot', '$(reboot)', '`id`', 'wan\nreboot', '../../etc/passwd', 'wan\u0000', 'wän', ' wan', 'wan ', '', '-all',
  'x'.repeat(65), 'x'.repeat(5000), '%s%n', '{"a":1}', '\\', "'", '"', 'on', 'backup', 'wan', 'wan2', 'lte', 'wan2 ', 'ON', 'off\n'];
const VALUES: unknown[] = [null, true, false, 0, -1, 1.5, 2 ** 53, 1e308, [], [1, 2], {}, { uplink: 'wan' }, ...NASTY];

interface Case { method: string; input: string; valid: boolean }

/** Argument rules per method, written again here as an independent oracle. */
const ARGS: Record<string, Record<string, (v: unknown) => boolean>> = {
  status: {}, uplinks: {}, endpoints: {}, counters: {}, connections: {}, plan: {}, reload: {},
  set_uplink: {
    uplink: (v) => typeof v === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(v),
    mode: (v) => v === 'on' || v === 'backup' || v === 'off',
  },
  // Only configured uplinks can be diagnosed.
  diagnose: { uplink: (v) => v === 'wan' || v === 'wan2' },
};
const REQUIRED: Record<string, string[]> = { set_uplink: ['uplink', 'mode'] };

function isValid(method: string, input: string): boolean {
  if (!Object.prototype.hasOwnProperty.call(ARGS, method)) return false;
  if (input.length > 16384) return false;
  let args: unknown = {};
  if (input.trim() !== '') {
    try { args = JSON.parse(input); } catch { return false; }
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return false;
  if (/[[{]/.test(input) && input.split(/[[{]/).length > 9) return false; // deeper than 8 (no strings with brackets are valid anyway)
  const obj = args as Record<string, unknown>;
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'ubus_rpc_session') { if (typeof v !== 'string') return false; continue; }
    const rule = Object.prototype.hasOwnProperty.call(ARGS[method], k) ? ARGS[method][k] : undefined;
    if (!rule || !rule(v)) return false;
  }
  return (REQUIRED[method] ?? []).every((k) => Object.prototype.hasOwnProperty.call(obj, k));
}

/** JSON text of an object with the given own keys (even `__proto__`), in order. */
const objectText = (entries: [string, unknown][]) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`;

function generate(rand: () => number): Case {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const r = rand();
  const method = rand() < 0.06 ? pick(['', 'Status', 'status;reboot', '../status', 'x'.repeat(300), 'list', '__proto__', 'constructor']) : pick(METHODS);
  let input: string;
  if (r < 0.05) {
    input = rand() < 0.5 ? '{}' : '{"ubus_rpc_session":"abc"}';
  } else if (r < 0.2) {
    const text = objectText([['uplink', pick(NASTY)], ['mode', pick(NASTY)]]);
    input = text.slice(0, Math.floor(rand() * text.length)); // truncated stdin
  } else if (r < 0.27) {
    input = pick(['null', '[]', '"status"', '1', 'true', '{', '}', '{"a":}', '\u0000', 'NaN', '{"uplink":"wan",}', '{}{}']);
  } else if (r < 0.3) {
    input = '{"a":' + '['.repeat(20 + Math.floor(rand() * 2000)) + ']'.repeat(20) + '}';
  } else if (r < 0.33) {
    input = objectText([['uplink', 'wan'], ['mode', 'on'], ['pad', 'x'.repeat(16384 + Math.floor(rand() * 100000))]]);
  } else {
    const keys = ['uplink', 'mode', 'ubus_rpc_session', 'extra', '__proto__', 'constructor', 'toString', 'UPLINK', 'x'.repeat(40)];
    input = objectText(Array.from({ length: 1 + Math.floor(rand() * 3) }, () => [pick(keys), pick(VALUES)] as [string, unknown]));
  }
  const valid = isValid(method, input);
  // A valid set_uplink would change the config on purpose: send an invalid one instead.
  if (valid && method === 'set_uplink') return { method, input: '{"uplink":1}', valid: false };
  return { method, input, valid };
}

describe('ubus API fuzz', function () {
  this.timeout(20 * 60 * 1000);
  let topo: Topology;
  let rtr: Router;

  before(() => {
    sweepStale();
    topo = new Topology({ wans: 2 });
    rtr = new Router(topo);
    rtr.writeDefaultConfig();
    assert.equal(rtr.run(['apply']).status, 0);
  });
  after(() => {
    rtr?.cleanup();
    topo?.destroy();
  });

  it(`answers ${COUNT} generated payloads with one JSON object each and changes nothing`, async () => {
    const rpcd = new Rpcd(rtr);
    const configFile = join(rtr.dir, 'etc/mpwan');
    const config = readFileSync(configFile, 'utf8');
    // Everything mpwan could change (not the whole route dump: the kernel adds IPv6
    // link-local routes by itself once DAD completes).
    const kernel = () => JSON.stringify([
      topo.ipJson(topo.rtr, 'mptcp', 'endpoint', 'show'), topo.ipJson(topo.rtr, 'rule', 'show'), topo.ipJson(topo.rtr, '-6', 'rule', 'show'),
      topo.ipJson(topo.rtr, 'route', 'show', 'table', '5100'), topo.ipJson(topo.rtr, 'route', 'show', 'table', '5101'),
      topo.ip(topo.rtr, 'mptcp', 'limits', 'show'), topo.readFile(topo.rtr, '/proc/sys/net/mptcp/stale_loss_cnt'),
    ]);
    const state = kernel();
    const seed = Number(process.env.FUZZ_SEED ?? 20261124);
    const rand = prng(seed);
    const cases = Array.from({ length: COUNT }, () => generate(rand));
    const failures: string[] = [];
    const codes = new Map<string, number>();
    let next = 0;
    const check = (c: Case, r: RpcdReply) => {
      const where = `${c.method} ${JSON.stringify(c.input.slice(0, 80))}`;
      if (r.status !== 'ok') { failures.push(`${where}: rpcd would see ${r.status}: ${r.stdout.slice(0, 200)} ${r.stderr.slice(0, 200)}`); return; }
      if (/unhandled|internal error/i.test(r.stderr + r.stdout)) { failures.push(`${where}: ${r.stderr.slice(0, 300)} ${r.stdout.slice(0, 300)}`); return; }
      const err = r.data.error as { code?: string; message?: string } | undefined;
      if (c.valid) {
        if (err) failures.push(`${where}: valid call failed: ${err.message}`);
      } else if (!err || !CODES.has(err.code ?? '') || typeof err.message !== 'string') {
        failures.push(`${where}: invalid call got ${JSON.stringify(r.data).slice(0, 200)}`);
      } else {
        codes.set(err.code!, (codes.get(err.code!) ?? 0) + 1);
      }
    };
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++];
        check(c, await rpcd.callAsync(c.method, c.input));
        if (next % 1000 === 0) assert.equal(kernel(), state, `kernel state changed by payload ~${next}`);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    console.log(`      seed ${seed}: ${cases.filter((c) => c.valid).length} valid, ${cases.filter((c) => !c.valid).length} invalid; error codes ${JSON.stringify(Object.fromEntries(codes))}`);
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} failures`);
    assert.equal(readFileSync(configFile, 'utf8'), config, 'the config file is untouched');
    assert.equal(kernel(), state, 'the kernel state is untouched');
  });
});
