// The `server` sections: each one's options, several may be enabled (the best healthy one
// carries new LAN traffic), and the order they are preferred in. Pure.
import type { ServerConfig } from '../model/config.js';
import { sectionLabel, type UciSection } from './uci-syntax.js';
import { SERVER } from './options.js';
import { bool } from './value-types.js';
import { parseOptions, type Collector } from './parse-options.js';

/** Enabled servers the daemon probes and the relay may use (each is probed on every uplink). */
export const MAX_SERVERS = 8;

/** A section not turned off by `option enabled` (a bad value counts as on: its error says what to fix). */
export const isEnabled = (s: UciSection) => bool.parse(s.options.get('enabled')?.values[0] ?? '1') !== false;
const enabledSection = (s: UciSection) => s.type === 'server' && isEnabled(s);

/** Enabled servers, most preferred first: lower priority, then config order. */
export function serverOrder(servers: ServerConfig[]): ServerConfig[] {
  return servers.map((s, i) => [s, i] as const).filter(([s]) => s.enabled)
    .sort(([a, i], [b, j]) => a.priority - b.priority || i - j).map(([s]) => s);
}

/** Whether the most preferred enabled server section sets a key or a password (valid or not): the engine follows it. */
export function serverSecret(sections: UciSection[]): 'key' | 'password' | null {
  const enabled = sections.filter(enabledSection);
  const priority = (s: UciSection) => Number(s.options.get('priority')?.values[0] ?? SERVER.priority.default) || 0;
  const s = enabled.map((x, i) => [x, i] as const).sort(([a, i], [b, j]) => priority(a) - priority(b) || i - j)[0]?.[0];
  return s?.options.has('key') ? 'key' : s?.options.has('password') ? 'password' : null;
}

/** The servers that are valid, and whether any server section is enabled (valid or not). */
export function parseServers(c: Collector, sections: UciSection[]): { servers: ServerConfig[]; anyEnabled: boolean } {
  const servers: ServerConfig[] = [];
  const all = sections.filter((x) => x.type === 'server');
  const enabled = all.filter(enabledSection);
  if (enabled.length > MAX_SERVERS) {
    const first = enabled[MAX_SERVERS];
    c.error(first.line, sectionLabel(first), `too many enabled servers: at most ${MAX_SERVERS} (this is number ${MAX_SERVERS + 1} of ${enabled.length})`);
  }
  // A section with a bad value is still the user's server: its errors say what to fix.
  for (const s of all) {
    const v = parseOptions(c, s, SERVER);
    const name = sectionLabel(s);
    if (v.host === undefined) continue; // reported
    const twin = servers.find((x) => x.host === v.host && x.port === v.port);
    if (twin) c.error(s.line, name, `same host and port as server '${twin.name}' (line ${twin.line}): one section per server`);
    servers.push({
      name, enabled: v.enabled, priority: v.priority, host: v.host, port: v.port, method: v.method, line: s.line,
      ...(v.key !== undefined ? { key: v.key } : {}), ...(v.password !== undefined ? { password: v.password } : {}),
    });
  }
  return { servers, anyEnabled: enabled.length > 0 };
}

/** Every enabled server must have what the engine reads: the relay its key, shadowsocks the password. */
export function checkSecrets(c: Collector, servers: ServerConfig[], engine: string) {
  const needs = engine === 'relay' ? 'key' : 'password';
  for (const server of servers.filter((s) => s.enabled)) {
    if (server[needs] !== undefined || c.errors.some((e) => e.option.startsWith(`${server.name}.`))) continue;
    c.error(server.line, `${server.name}.${needs}`, engine === 'relay'
      ? "is required by the relay engine: import the mpwan:// link 'mpwan server setup' printed"
      : `is required by engine ${engine}: import the ss:// link of the shadowsocks server`);
  }
}
