// /etc/config/mpwan -> typed Config. One option-spec table per section type; every problem
// is collected with file, line, option and reason, and config is null if there is any. Pure.
import { SS_METHODS, type Config, type ConfigProblem, type ConfigResult, type Globals, type ProxyConfig, type ProxyEngine, type ServerConfig, type SsMethod, type SysctlName, type UplinkConfig, type UplinkMode } from '../model/config.js';
import { familyOf } from '../lib/inet.js';
import { parseUci, sectionLabel, type UciSection } from './uci.js';

/** Tables an uplink may get: table_base .. table_base + MAX_UPLINKS - 1. */
export const MAX_UPLINKS = 64;

type Parser<T> = (raw: string) => T | null;

interface OptionSpec<T> {
  parse: Parser<T>;
  /** What the value must look like, for the error message. */
  expect: string;
}

const BOOL_TRUE = ['1', 'yes', 'on', 'true', 'enabled'];
const BOOL_FALSE = ['0', 'no', 'off', 'false', 'disabled'];

const bool: OptionSpec<boolean> = {
  expect: "a boolean ('0' or '1')",
  parse: (v) => (BOOL_TRUE.includes(v) ? true : BOOL_FALSE.includes(v) ? false : null),
};
const int = (min: number, max: number): OptionSpec<number> => ({
  expect: `an integer from ${min} to ${max}`,
  parse: (v) => {
    if (!/^(0|[1-9][0-9]{0,9})$/.test(v)) return null;
    const n = Number(v);
    return n >= min && n <= max ? n : null;
  },
});
const oneOf = <T extends string>(values: readonly T[]): OptionSpec<T> => ({
  expect: `one of ${values.join(', ')}`,
  parse: (v) => ((values as readonly string[]).includes(v) ? (v as T) : null),
});
const word: OptionSpec<string> = { expect: 'a name of lower-case letters, digits and _', parse: (v) => (/^[a-z0-9_]{1,32}$/.test(v) ? v : null) };
const boolSysctl: OptionSpec<string> = { expect: bool.expect, parse: (v) => { const b = bool.parse(v); return b === null ? null : b ? '1' : '0'; } };
const uintSysctl: OptionSpec<string> = { expect: 'a non-negative integer', parse: (v) => (/^(0|[1-9][0-9]{0,9})$/.test(v) ? v : null) };

/** globals option -> the sysctl it sets. */
const SYSCTL_OPTIONS: Record<string, { sysctl: SysctlName; spec: OptionSpec<string> }> = {
  scheduler: { sysctl: 'scheduler', spec: word },
  path_manager: { sysctl: 'path_manager', spec: oneOf(['kernel', 'userspace']) },
  checksum: { sysctl: 'checksum_enabled', spec: boolSysctl },
  allow_join_initial_addr_port: { sysctl: 'allow_join_initial_addr_port', spec: boolSysctl },
  add_addr_timeout: { sysctl: 'add_addr_timeout', spec: uintSysctl },
  close_timeout: { sysctl: 'close_timeout', spec: uintSysctl },
  stale_loss_cnt: { sysctl: 'stale_loss_cnt', spec: uintSysctl },
  blackhole_timeout: { sysctl: 'blackhole_timeout', spec: uintSysctl },
  syn_retrans_before_tcp_fallback: { sysctl: 'syn_retrans_before_tcp_fallback', spec: uintSysctl },
};

const GLOBAL_OPTIONS = {
  enabled: bool,
  table_base: int(61, 2 ** 31 - MAX_UPLINKS),
  rule_pref: int(1, 32765),
  subflows: int(0, 8),
  add_addr_accepted: int(0, 8),
  rp_filter_loose: bool,
};

const UPLINK_OPTIONS = {
  mode: oneOf<UplinkMode>(['on', 'backup', 'off']),
  priority: int(0, 1000),
  ula: bool,
  fullmesh: bool,
};

const host: OptionSpec<string> = {
  expect: 'an IP address or a host name',
  parse: (v) => (familyOf(v) !== null || (/^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(v)) ? v : null),
};
const password: OptionSpec<string> = {
  expect: '1 to 256 printable characters',
  parse: (v) => (/^[\x21-\x7e]{1,256}$/.test(v) ? v : null),
};

const SERVER_OPTIONS = {
  enabled: bool,
  host,
  port: int(1, 65535),
  password,
  method: oneOf<SsMethod>(SS_METHODS),
};

const netifdName: OptionSpec<string> = { expect: 'a netifd interface name', parse: (v) => (/^[A-Za-z0-9_]{1,64}$/.test(v) ? v : null) };
const prefix: OptionSpec<string> = {
  expect: 'an IPv4 or IPv6 address or prefix (192.0.2.0/24, 2001:db8::/32)',
  parse: (v) => {
    const [addr, len, ...rest] = v.split('/');
    const fam = familyOf(addr);
    if (!fam || rest.length > 0) return null;
    if (len === undefined) return v;
    return /^\d{1,3}$/.test(len) && Number(len) <= (fam === 4 ? 32 : 128) ? v : null;
  },
};

const PROXY_OPTIONS = {
  enabled: bool,
  engine: oneOf<ProxyEngine>(['shadowsocks-rust', 'shadowsocks-libev']),
  port: int(1, 65535),
  threads: int(1, 64),
  check_interval: int(1, 3600),
};
const PROXY_LISTS = { lan: netifdName, bypass: prefix };

const KNOWN: Record<string, string[]> = {
  proxy: [...Object.keys(PROXY_OPTIONS), ...Object.keys(PROXY_LISTS)],
  globals: [...Object.keys(GLOBAL_OPTIONS), ...Object.keys(SYSCTL_OPTIONS)],
  uplink: Object.keys(UPLINK_OPTIONS),
  server: Object.keys(SERVER_OPTIONS),
};

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

function suggest(name: string, known: string[]): string {
  const best = known.map((k) => [k, editDistance(name, k)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= 2 ? ` (did you mean '${best[0]}'?)` : '';
}

class Collector {
  errors: ConfigProblem[] = [];
  warnings: ConfigProblem[] = [];
  constructor(readonly file: string) {}
  error(line: number, option: string, message: string) {
    this.errors.push({ file: this.file, line, option, message });
  }
}

/** Reads one option with its spec; reports and returns undefined when absent or invalid. */
function read<T>(c: Collector, s: UciSection, name: string, spec: OptionSpec<T>): T | undefined {
  const o = s.options.get(name);
  if (!o) return undefined;
  const path = `${sectionLabel(s)}.${name}`;
  if (o.list) { c.error(o.line, path, 'is a single value: use option, not list'); return undefined; }
  const v = spec.parse(o.values[0]);
  if (v === null) { c.error(o.line, path, `'${o.values[0]}' is not valid: expected ${spec.expect}`); return undefined; }
  return v;
}

function checkUnknown(c: Collector, s: UciSection) {
  const known = KNOWN[s.type];
  for (const [name, o] of s.options) {
    if (!known.includes(name)) c.error(o.line, `${sectionLabel(s)}.${name}`, `unknown option${suggest(name, known)}`);
  }
}

/** Table ids and rule priorities that belong to the kernel, mwan3 or netifd. */
function checkRanges(c: Collector, g: Globals, s: UciSection | undefined) {
  const line = (opt: string) => s?.options.get(opt)?.line ?? s?.line ?? 0;
  const last = g.tableBase + MAX_UPLINKS - 1;
  if (g.tableBase <= 255 && last >= 253) {
    c.error(line('table_base'), 'globals.table_base', `tables ${g.tableBase}-${last} would include the kernel's tables 253-255`);
  }
  const p = g.rulePref;
  if (p >= 1000 && p <= 3999) c.error(line('rule_pref'), 'globals.rule_pref', `${p} is in mwan3's range 1000-3999`);
  if (p === 10000 || p === 20000) c.error(line('rule_pref'), 'globals.rule_pref', `${p} is used by netifd's source routing`);
}

function parseGlobals(c: Collector, sections: UciSection[]): Globals {
  const g: Globals = {
    enabled: true, sysctls: {}, tableBase: 5100, rulePref: 5000, subflowsMin: 0, addAddrAcceptedMin: 0, looseRpFilter: true,
  };
  const all = sections.filter((s) => s.type === 'globals');
  for (const extra of all.slice(1)) c.error(extra.line, sectionLabel(extra), "only one 'globals' section is allowed");
  const s = all[0];
  if (!s) return g;
  if (s.name !== undefined && s.name !== 'globals') c.error(s.line, sectionLabel(s), "the globals section must be named 'globals'");
  checkUnknown(c, s);
  g.enabled = read(c, s, 'enabled', GLOBAL_OPTIONS.enabled) ?? g.enabled;
  g.tableBase = read(c, s, 'table_base', GLOBAL_OPTIONS.table_base) ?? g.tableBase;
  g.rulePref = read(c, s, 'rule_pref', GLOBAL_OPTIONS.rule_pref) ?? g.rulePref;
  g.subflowsMin = read(c, s, 'subflows', GLOBAL_OPTIONS.subflows) ?? g.subflowsMin;
  g.addAddrAcceptedMin = read(c, s, 'add_addr_accepted', GLOBAL_OPTIONS.add_addr_accepted) ?? g.addAddrAcceptedMin;
  g.looseRpFilter = read(c, s, 'rp_filter_loose', GLOBAL_OPTIONS.rp_filter_loose) ?? g.looseRpFilter;
  for (const [option, { sysctl, spec }] of Object.entries(SYSCTL_OPTIONS)) {
    const v = read(c, s, option, spec);
    if (v !== undefined) g.sysctls[sysctl] = v;
  }
  checkRanges(c, g, s);
  return g;
}

function parseUplinks(c: Collector, sections: UciSection[], g: Globals): UplinkConfig[] {
  const uplinks: UplinkConfig[] = [];
  const all = sections.filter((s) => s.type === 'uplink');
  if (all.length > MAX_UPLINKS) c.error(all[MAX_UPLINKS].line, sectionLabel(all[MAX_UPLINKS]), `at most ${MAX_UPLINKS} uplinks`);
  all.forEach((s, n) => {
    if (s.name === undefined) {
      c.error(s.line, sectionLabel(s), "an uplink section must be named after its netifd interface (config uplink 'wan')");
      return;
    }
    if (s.name.length > 64) c.error(s.line, s.name, 'interface name longer than 64 characters');
    checkUnknown(c, s);
    uplinks.push({
      name: s.name,
      mode: read(c, s, 'mode', UPLINK_OPTIONS.mode) ?? 'on',
      priority: read(c, s, 'priority', UPLINK_OPTIONS.priority) ?? 50,
      ula: read(c, s, 'ula', UPLINK_OPTIONS.ula) ?? false,
      fullmesh: read(c, s, 'fullmesh', UPLINK_OPTIONS.fullmesh) ?? false,
      table: g.tableBase + n,
      line: s.line,
    });
  });
  return uplinks;
}

/** A list option (also accepted as a single `option`). */
function readList(c: Collector, s: UciSection, name: string, spec: OptionSpec<string>): string[] | undefined {
  const o = s.options.get(name);
  if (!o) return undefined;
  const out: string[] = [];
  for (const v of o.values) {
    const p = spec.parse(v);
    if (p === null) c.error(o.line, `${sectionLabel(s)}.${name}`, `'${v}' is not valid: expected ${spec.expect}`);
    else out.push(p);
  }
  return out;
}

function parseProxy(c: Collector, sections: UciSection[]): ProxyConfig {
  const proxy: ProxyConfig = { enabled: false, engine: 'shadowsocks-rust', port: 1100, lan: ['lan'], bypass: [], threads: null, checkInterval: 10 };
  const all = sections.filter((x) => x.type === 'proxy');
  for (const extra of all.slice(1)) c.error(extra.line, sectionLabel(extra), "only one 'proxy' section is allowed");
  const s = all[0];
  if (!s) return proxy;
  checkUnknown(c, s);
  // A proxy section is there to be used: enabled unless it says otherwise.
  proxy.enabled = read(c, s, 'enabled', PROXY_OPTIONS.enabled) ?? true;
  proxy.engine = read(c, s, 'engine', PROXY_OPTIONS.engine) ?? proxy.engine;
  proxy.port = read(c, s, 'port', PROXY_OPTIONS.port) ?? proxy.port;
  proxy.threads = read(c, s, 'threads', PROXY_OPTIONS.threads) ?? null;
  proxy.checkInterval = read(c, s, 'check_interval', PROXY_OPTIONS.check_interval) ?? proxy.checkInterval;
  proxy.lan = readList(c, s, 'lan', PROXY_LISTS.lan) ?? proxy.lan;
  proxy.bypass = readList(c, s, 'bypass', PROXY_LISTS.bypass) ?? [];
  return proxy;
}

function parseServers(c: Collector, sections: UciSection[]): ServerConfig[] {
  const servers: ServerConfig[] = [];
  for (const s of sections.filter((x) => x.type === 'server')) {
    checkUnknown(c, s);
    const name = sectionLabel(s);
    const server = {
      name,
      enabled: read(c, s, 'enabled', SERVER_OPTIONS.enabled) ?? true,
      host: read(c, s, 'host', SERVER_OPTIONS.host),
      port: read(c, s, 'port', SERVER_OPTIONS.port) ?? 8388,
      password: read(c, s, 'password', SERVER_OPTIONS.password),
      method: read(c, s, 'method', SERVER_OPTIONS.method) ?? 'chacha20-ietf-poly1305',
      line: s.line,
    };
    for (const required of ['host', 'password'] as const) {
      if (server[required] === undefined && !s.options.has(required)) c.error(s.line, `${name}.${required}`, 'is required');
    }
    if (server.host !== undefined && server.password !== undefined) servers.push(server as ServerConfig);
  }
  const enabled = servers.filter((x) => x.enabled);
  for (const extra of enabled.slice(1)) c.error(extra.line, extra.name, 'only one server can be enabled');
  return servers;
}

export function validateConfig(text: string, file: string): ConfigResult {
  const c = new Collector(file);
  const { sections, errors } = parseUci(text);
  for (const e of errors) c.error(e.line, '', e.message);
  for (const s of sections) {
    if (!(s.type in KNOWN)) c.error(s.line, sectionLabel(s), `unknown section type '${s.type}'${suggest(s.type, Object.keys(KNOWN))}`);
  }
  const globals = parseGlobals(c, sections);
  const uplinks = parseUplinks(c, sections, globals);
  const servers = parseServers(c, sections);
  const proxy = parseProxy(c, sections);
  if (proxy.enabled && !servers.some((x) => x.enabled)) {
    const line = sections.find((x) => x.type === 'proxy')?.line ?? 0;
    c.error(line, 'proxy', "the proxy needs an enabled 'config server' section (mpwan server import <ss:// link>)");
  }
  const config: Config = { globals, proxy, uplinks, servers };
  c.errors.sort((a, b) => a.line - b.line);
  return { config: c.errors.length === 0 ? config : null, errors: c.errors, warnings: c.warnings };
}
