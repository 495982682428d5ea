// The rules of mpwan's validator (src/config/validate.ts, servers.ts: single, parseServers,
// parseProxy, validateConfig) that tie options of different sections together, which no
// field's datatype can check: the engine a proxy without `engine` gets from the most preferred
// server's secret, udp 'server' only with the relay, the secret each engine needs from every
// enabled server, one proxy, at most 8 enabled servers, no two for one host and port. The
// settings form runs them on Save (settings/save-check.ts) over the config as it would be
// written; test/luci/coherence.test.ts holds them to validateConfig. Pure.
import { bool } from '../../../../src/config/value-types.js';
import type { ProxyEngine } from '../../../../src/model/config.js';

/** A section as uci.js holds it: options as strings or lists, '.type' and '.name'. */
export type Section = { '.type': string; '.name': string; [option: string]: unknown };

export type Problem =
  | { kind: 'proxies' }
  | { kind: 'servers'; servers: string[] }
  | { kind: 'same-server'; servers: [string, string] }
  | { kind: 'no-server' }
  | { kind: 'udp-engine'; engine: ProxyEngine }
  | { kind: 'needs-key'; server: string }
  | { kind: 'needs-password'; server: string; engine: ProxyEngine };

const has = (s: Section, option: string) => s[option] !== undefined && s[option] !== null && s[option] !== '';

/** As mpwan reads `enabled`: absent is on; a value it does not take is the field's problem. */
const enabled = (s: Section) => typeof s.enabled !== 'string' || bool.parse(s.enabled) !== false;

const isEngine = (v: unknown): v is ProxyEngine => v === 'relay' || v === 'shadowsocks-rust' || v === 'shadowsocks-libev';

/** As mpwan reads a priority: a number, else its default (a bad value is the field's problem). */
const priority = (s: Section) => (typeof s.priority === 'string' && /^\d+$/.test(s.priority) ? Number(s.priority) : 50);

/** The enabled server whose secret decides the engine: the most preferred (lowest priority, then config order). */
export const activeServer = (sections: Section[]) => sections.map((s, i) => [s, i] as const)
  .filter(([s]) => s['.type'] === 'server' && enabled(s))
  .sort(([a, i], [b, j]) => priority(a) - priority(b) || i - j)[0]?.[0];

/** mpwan's limit on enabled servers (src/config/servers.ts MAX_SERVERS). */
export const MAX_SERVERS = 8;

/**
 * The engine mpwan runs: the proxy's `engine`, or when it has none the one the enabled
 * server's secret is for (a key: the relay; only a password: shadowsocks-rust, as configs from
 * before the relay have it).
 */
export function engineOf(proxy: Section | undefined, sections: Section[]): ProxyEngine {
  if (proxy && isEngine(proxy.engine)) return proxy.engine;
  const server = activeServer(sections);
  return server && !has(server, 'key') && has(server, 'password') ? 'shadowsocks-rust' : 'relay';
}

/** What mpwan check would refuse across sections, in the order it reports them. */
export function crossProblems(sections: Section[]): Problem[] {
  const out: Problem[] = [];
  const proxies = sections.filter((s) => s['.type'] === 'proxy');
  if (proxies.length > 1) out.push({ kind: 'proxies' });
  const servers = sections.filter((s) => s['.type'] === 'server' && enabled(s));
  if (servers.length > MAX_SERVERS) out.push({ kind: 'servers', servers: servers.map((s) => s['.name']) });
  const all = sections.filter((s) => s['.type'] === 'server' && has(s, 'host'));
  const port = (s: Section) => (typeof s.port === 'string' && s.port !== '' ? s.port : '8388');
  all.forEach((s, i) => {
    const twin = all.slice(0, i).find((t) => t.host === s.host && port(t) === port(s));
    if (twin) out.push({ kind: 'same-server', servers: [twin['.name'], s['.name']] });
  });
  const proxy = proxies[0];
  if (!proxy) return out;
  const engine = engineOf(proxy, sections);
  if (proxy.udp === 'server' && engine !== 'relay') out.push({ kind: 'udp-engine', engine });
  if (!enabled(proxy)) return out;
  if (servers.length === 0) out.push({ kind: 'no-server' });
  for (const server of servers) {
    if (engine === 'relay' && !has(server, 'key')) out.push({ kind: 'needs-key', server: server['.name'] });
    else if (engine !== 'relay' && !has(server, 'password')) out.push({ kind: 'needs-password', server: server['.name'], engine });
  }
  return out;
}
