// The settings form's Save check (ts/lib/coherence.ts) refuses exactly the configs mpwan's
// validator refuses for the rules that tie sections together, and derives the engine a proxy
// without `engine` runs as mpwan does: every combination of server and proxy options that
// matter, held to validateConfig (the code `mpwan check` runs; settings-relay.test.ts runs
// the installed CLI on what the form saves).
import assert from 'node:assert/strict';
import { validateConfig } from '../../src/config/validate.js';
import { crossProblems, engineOf, type Problem, type Section } from '../../luci-app/luci-app-mpwan/ts/lib/coherence.js';

const KEY = 'a'.repeat(64);

/** validateConfig's error -> the kind of problem the form names for it (null: another rule). */
function kindOf(message: string, option: string): Problem['kind'] | null {
  if (/only one 'proxy' section/.test(message)) return 'proxies';
  if (/too many enabled servers/.test(message)) return 'servers';
  if (/same host and port as server/.test(message)) return 'same-server';
  if (/the proxy needs an enabled 'config server'/.test(message)) return 'no-server';
  if (option.endsWith('.udp') && /needs the relay engine/.test(message)) return 'udp-engine';
  if (/is required by the relay engine/.test(message)) return 'needs-key';
  if (/is required by engine/.test(message)) return 'needs-password';
  return null;
}

type Options = Record<string, string | undefined>;

function uciText(sections: Section[]): string {
  const lines = ["config globals 'globals'", "\toption enabled '1'", '', "config uplink 'wan'", ''];
  for (const s of sections) {
    lines.push(s['.name'].startsWith('@') ? `config ${s['.type']}` : `config ${s['.type']} '${s['.name']}'`);
    for (const [k, v] of Object.entries(s)) if (k[0] !== '.' && v !== undefined) lines.push(`\toption ${k} '${v}'`);
    lines.push('');
  }
  return lines.join('\n');
}

const section = (type: string, name: string, o: Options): Section => ({ '.type': type, '.name': name, ...o });

/** Each value an option may have here, absent included. */
function* combos(choices: Record<string, (string | undefined)[]>): Generator<Options> {
  const keys = Object.keys(choices);
  const walk = function* (i: number, acc: Options): Generator<Options> {
    if (i === keys.length) { yield { ...acc }; return; }
    for (const v of choices[keys[i]]) yield* walk(i + 1, { ...acc, [keys[i]]: v });
  };
  yield* walk(0, {});
}

const SERVER_CHOICES = { host: ['192.0.2.10'], enabled: [undefined, '0', 'yes'], key: [undefined, KEY], password: [undefined, 'secret'] };
const PROXY_CHOICES = {
  enabled: [undefined, '0'], engine: [undefined, 'relay', 'shadowsocks-rust', 'shadowsocks-libev'], udp: [undefined, 'server', 'direct'],
};

function* configs(): Generator<Section[]> {
  const servers: Section[][] = [[]];
  for (const a of combos(SERVER_CHOICES)) {
    servers.push([section('server', 'vps', a)]);
    for (const b of combos({ ...SERVER_CHOICES, host: ['192.0.2.10', '192.0.2.11'], key: [undefined, KEY], password: [undefined, 'other'], priority: [undefined, '10'] })) {
      servers.push([section('server', 'vps', a), section('server', 'b', b)]);
    }
  }
  for (const srv of servers) {
    yield srv;
    for (const p of combos(PROXY_CHOICES)) yield [...srv, section('proxy', '@proxy[0]', p)];
    yield [...srv, section('proxy', '@proxy[0]', { engine: 'relay' }), section('proxy', '@proxy[1]', {})];
  }
}

describe('LuCI settings: the Save check agrees with mpwan check across sections', () => {
  it('finds the same problems as validateConfig in every combination, and no other errors arise', () => {
    const wrong: string[] = [];
    let n = 0;
    for (const sections of configs()) {
      n++;
      const text = uciText(sections);
      const r = validateConfig(text, '/etc/config/mpwan');
      const other = r.errors.filter((e) => kindOf(e.message, e.option) === null);
      if (other.length) wrong.push(`${text}\n-> unexpected: ${other.map((e) => e.message).join('; ')}`);
      const want = [...new Set(r.errors.map((e) => kindOf(e.message, e.option)).filter((k) => k !== null))].sort();
      const got = [...new Set(crossProblems(sections).map((p) => p.kind))].sort();
      if (JSON.stringify(want) !== JSON.stringify(got)) wrong.push(`${text}\n-> mpwan check: ${want.join(', ') || 'ok'}; the form: ${got.join(', ') || 'ok'}`);
      // The engine the form shows for a valid config is the one mpwan runs.
      if (r.config?.proxy.enabled) {
        const proxy = sections.find((s) => s['.type'] === 'proxy');
        if (engineOf(proxy, sections) !== r.config.proxy.engine) wrong.push(`${text}\n-> engine ${r.config.proxy.engine}, the form shows ${engineOf(proxy, sections)}`);
      }
    }
    assert.ok(n > 1000, `${n} configurations`);
    assert.deepEqual(wrong.slice(0, 5), []);
  });

  it('a proxy without engine runs the relay unless the server has only a password', () => {
    const proxy = section('proxy', '@proxy[0]', {});
    assert.equal(engineOf(proxy, []), 'relay');
    assert.equal(engineOf(proxy, [section('server', 'vps', { key: KEY, password: 'x' })]), 'relay');
    assert.equal(engineOf(proxy, [section('server', 'vps', { password: 'x' })]), 'shadowsocks-rust');
    assert.equal(engineOf(proxy, [section('server', 'off', { password: 'x', enabled: 'off' }), section('server', 'vps', { key: KEY })]), 'relay');
    assert.equal(engineOf(section('proxy', '@proxy[0]', { engine: 'shadowsocks-libev' }), [section('server', 'vps', { key: KEY })]), 'shadowsocks-libev');
    assert.equal(engineOf(proxy, [section('server', 'vps', { key: KEY }), section('server', 'b', { password: 'x', priority: '10' })]), 'shadowsocks-rust', 'the most preferred server decides');
  });

  it('more than 8 enabled servers, as mpwan check refuses them', () => {
    const nine = Array.from({ length: 9 }, (_, i) => section('server', `s${i}`, { host: `192.0.2.${i + 1}`, key: KEY }));
    assert.deepEqual(crossProblems(nine).map((p) => p.kind), ['servers']);
    assert.deepEqual(validateConfig(uciText(nine), 'mpwan').errors.map((e) => kindOf(e.message, e.option)), ['servers']);
    assert.deepEqual(crossProblems(nine.slice(0, 8)), []);
  });
});
