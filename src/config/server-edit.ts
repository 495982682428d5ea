// What `mpwan server import` and `mpwan server remove` do to the config text: add a server (or
// give the one at the same host and port its new secret), remove one. Every other byte stays.
// Pure; the caller validates the result before writing it.
import type { RelayLink, SsLink } from '../server/uri.js';
import type { ProxyEngine } from '../model/config.js';
import { parseUci } from './uci-read.js';
import { removeSection, upsertSection } from './uci-edit.js';
import { canonicalAddress } from '../lib/inet.js';
import { SERVER } from './options.js';
import type { UciSection } from './uci-syntax.js';
import { isEnabled } from './servers.js';

export interface ImportResult {
  text: string;
  name: string;
  /** 'added': a new section; 'updated': the section at the same host and port got the link's secret. */
  action: 'added' | 'updated';
}

const get = (s: UciSection, option: string) => s.options.get(option)?.values[0];
const sameHost = (a: string, b: string) => (canonicalAddress(a) ?? a.toLowerCase()) === (canonicalAddress(b) ?? b.toLowerCase());
const servers = (text: string) => parseUci(text).sections.filter((s) => s.type === 'server' && s.name !== undefined);

/** The server section at this host and port, if any. */
function twinOf(text: string, host: string, port: number): UciSection | undefined {
  return servers(text).find((s) => sameHost(get(s, 'host') ?? '', host) && Number(get(s, 'port') ?? SERVER.port.default) === port);
}

/** `vps`, then `vps2`, `vps3`... : the first name no section has. */
function freeName(text: string): string {
  const taken = new Set(parseUci(text).sections.map((s) => s.name));
  for (let n = 1; ; n++) if (!taken.has(n === 1 ? 'vps' : `vps${n}`)) return n === 1 ? 'vps' : `vps${n}`;
}

/** Enabled servers (but the link's own) whose secret is the other engine's: one engine carries every server. */
export function otherEngineServers(text: string, link: RelayLink | SsLink): string[] {
  const other = 'key' in link ? 'password' : 'key';
  const twin = twinOf(text, link.host, link.port);
  return servers(text).filter((s) => s.name !== twin?.name && s.options.has(other) && isEnabled(s))
    .map((s) => s.name!);
}

/**
 * Adds the link's server, or updates the secret of the one at the same host and port (and
 * enables it). `name` names a new section (default: vps, vps2...); an existing section of
 * another server is never overwritten. The proxy section follows: enabled when it is new or
 * had no server to carry traffic to (server remove turned it off), the engine that reads this
 * link, and LAN UDP left to the relay engine.
 */
export function importServer(text: string, link: RelayLink | SsLink, engine: ProxyEngine, opts: { name?: string; priority?: number } = {}): ImportResult {
  const twin = twinOf(text, link.host, link.port);
  if (!twin && opts.name !== undefined && parseUci(text).sections.some((s) => s.name === opts.name)) {
    throw new Error(`a section named '${opts.name}' exists already and is not ${link.host}:${link.port}: choose another --name, or 'mpwan server remove ${opts.name}' first`);
  }
  const name = twin?.name ?? opts.name ?? freeName(text);
  const hadServer = servers(text).some(isEnabled);
  const secret: [string, string | null][] = 'key' in link
    ? [['key', link.key], ['password', null], ['method', null]]
    : [['password', link.password], ['method', link.method], ['key', null]];
  const options: [string, string | null][] = [
    ...(twin ? [] : [['host', link.host], ['port', String(link.port)]] as [string, string][]),
    ...secret, ['enabled', '1'],
    ...(opts.priority !== undefined ? [['priority', String(opts.priority)]] as [string, string][] : []),
  ];
  let out = upsertSection(text, 'server', name, options);
  const hasProxy = parseUci(out).sections.some((s) => s.type === 'proxy');
  // The shadowsocks engines carry TCP only: LAN UDP then takes the normal route.
  out = upsertSection(out, 'proxy', 'proxy', [
    ...(!hasProxy || !hadServer ? [['enabled', '1'] as [string, string]] : []), ['engine', engine],
    ...(engine === 'relay' ? [] : [['udp', null] as [string, null]]),
  ]);
  return { text: out, name, action: twin ? 'updated' : 'added' };
}

/** Removes a server section; without an enabled server left, the proxy is turned off (it would have nowhere to go). */
export function removeServer(text: string, name: string): { text: string; proxyOff: boolean } {
  if (!servers(text).some((s) => s.name === name)) {
    const known = servers(text).map((s) => s.name).join(', ');
    throw new Error(`no server '${name}' in the config (${known ? `servers: ${known}` : 'there is none'})`);
  }
  let out = removeSection(text, name);
  const left = servers(out).filter(isEnabled);
  const proxy = parseUci(out).sections.find((s) => s.type === 'proxy' && s.name !== undefined);
  const proxyOff = left.length === 0 && proxy !== undefined && isEnabled(proxy);
  if (proxyOff) out = upsertSection(out, 'proxy', proxy.name!, [['enabled', '0']]);
  return { text: out, proxyOff };
}
