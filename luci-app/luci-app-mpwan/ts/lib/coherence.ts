// The rules of mpwan's validator (src/config/validate.ts: single, parseServers, parseProxy,
// validateConfig) that tie options of different sections together, which no field's datatype
// can check: the engine a proxy without `engine` gets from the server's secret, udp 'server'
// only with the relay, the secret each engine needs, one proxy and one enabled server. The
// settings form runs them on Save (settings/save-check.ts) over the config as it would be
// written; test/luci/coherence.test.ts holds them to validateConfig. Pure.
import { bool } from '../../../../src/config/value-types.js';
import type { ProxyEngine } from '../../../../src/model/config.js';

/** A section as uci.js holds it: options as strings or lists, '.type' and '.name'. */
export type Section = { '.type': string; '.name': string; [option: string]: unknown };

export type Problem =
  | { kind: 'proxies' }
  | { kind: 'servers'; servers: string[] }
  | { kind: 'no-server' }
  | { kind: 'udp-engine'; engine: ProxyEngine }
  | { kind: 'needs-key'; server: string }
  | { kind: 'needs-password'; server: string; engine: ProxyEngine };

const has = (s: Section, option: string) => s[option] !== undefined && s[option] !== null && s[option] !== '';

/** As mpwan reads `enabled`: absent is on; a value it does not take is the field's problem. */
const enabled = (s: Section) => typeof s.enabled !== 'string' || bool.parse(s.enabled) !== false;

const isEngine = (v: unknown): v is ProxyEngine => v === 'relay' || v === 'shadowsocks-rust' || v === 'shadowsocks-libev';

/** The enabled server whose secret and engine count: the first one. */
export const activeServer = (sections: Section[]) => sections.find((s) => s['.type'] === 'server' && enabled(s));

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
  if (servers.length > 1) out.push({ kind: 'servers', servers: servers.map((s) => s['.name']) });
  const proxy = proxies[0];
  if (!proxy) return out;
  const engine = engineOf(proxy, sections);
  if (proxy.udp === 'server' && engine !== 'relay') out.push({ kind: 'udp-engine', engine });
  if (!enabled(proxy)) return out;
  const server = servers[0];
  if (!server) out.push({ kind: 'no-server' });
  else if (engine === 'relay' && !has(server, 'key')) out.push({ kind: 'needs-key', server: server['.name'] });
  else if (engine !== 'relay' && !has(server, 'password')) out.push({ kind: 'needs-password', server: server['.name'], engine });
  return out;
}
