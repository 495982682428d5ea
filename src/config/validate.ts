// /etc/config/mpwan -> typed Config. Validation is data (as in fw4): one option-spec table
// per section type, small parse functions that return null on bad input, and a few range
// rules. Every problem is collected with file, line, option path and reason; config is
// null if there is any. Pure.
import {
  type Config, type ConfigProblem, type ConfigResult, type Globals, type ProxyConfig,
  type ServerConfig, type SysctlName, type UplinkConfig,
} from '../model/config.js';
import { parseUci } from './uci-read.js';
import { sectionLabel, show, type UciSection } from './uci-syntax.js';
import {
  GLOBALS, PROXY, SECTION_TYPES, SERVER, SYSCTL_OF, UPLINK, UPLINK_HINTS, type Spec, type Values,
} from './options.js';
import { MAX_UPLINKS, rulePrefProblems, tableBaseProblems } from './ranges.js';
import { configWarnings } from './warnings.js';

// ---- collecting problems ----

class Collector {
  errors: ConfigProblem[] = [];
  warnings: ConfigProblem[] = [];
  constructor(readonly file: string) {}
  error(line: number, option: string, message: string) {
    this.errors.push({ file: this.file, line, option, message });
  }
  warn(line: number, option: string, message: string) {
    this.warnings.push({ file: this.file, line, option, message });
  }
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

function suggest(name: string, known: string[]): string {
  const best = known.map((k) => [k, editDistance(name, k)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= 2 ? ` (did you mean '${best[0]}'?)` : '';
}

const has = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

function defaults<S extends Spec>(spec: S): Values<S> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(spec)) out[name] = spec[name].default;
  return out as Values<S>;
}

/**
 * Reads a section with its spec (fw4's parse_options): unknown options, `list` for a
 * single value, bad values and missing required options are reported; absent or bad
 * options get the default.
 */
function parseOptions<S extends Spec>(c: Collector, s: UciSection, spec: S, hints: Record<string, string> = {}): Values<S> {
  const label = sectionLabel(s);
  const out: Record<string, unknown> = defaults(spec);
  for (const [name, o] of s.options) {
    const path = `${label}.${name}`;
    if (!has(spec, name)) {
      c.error(o.line, path, `unknown option${has(hints, name) ? hints[name] : suggest(name, Object.keys(spec))}`);
      continue;
    }
    const { type, list: isList } = spec[name];
    if (o.list && !isList) {
      c.error(o.line, path, `takes one value: use 'option ${name}', not 'list ${name}'`);
      continue;
    }
    const parsed = o.values.map((raw, i) => {
      const v = type.parse(raw);
      if (v === null) {
        const spans = raw.includes('\n') ? ' (the value runs over several lines: is a closing quote missing?)' : '';
        c.error(o.lines[i], path, `${show(raw)} is not valid: expected ${type.expect}${spans}`);
      }
      return v;
    });
    if (parsed.every((v) => v !== null)) out[name] = isList ? parsed : parsed[0];
  }
  for (const name of Object.keys(spec)) {
    if (spec[name].required && !s.options.has(name)) c.error(s.line, `${label}.${name}`, 'is required');
  }
  return out as Values<S>;
}

/** The one section of a type that may appear at most once. */
function single(c: Collector, sections: UciSection[], type: string): UciSection | undefined {
  const all = sections.filter((s) => s.type === type);
  for (const extra of all.slice(1)) c.error(extra.line, sectionLabel(extra), `only one '${type}' section is allowed (the first is on line ${all[0].line})`);
  return all[0];
}

// ---- section parsers ----

function parseGlobals(c: Collector, sections: UciSection[]): Globals {
  const s = single(c, sections, 'globals');
  const v = s ? parseOptions(c, s, GLOBALS) : defaults(GLOBALS);
  if (s && s.name !== undefined && s.name !== 'globals') {
    c.error(s.line, sectionLabel(s), "the globals section must be named 'globals' (config globals 'globals')");
  }
  // Defaults pass these rules, so a problem always has an option line to point at.
  const at = (opt: string) => [s?.options.get(opt)?.line ?? 0, `${s ? sectionLabel(s) : 'globals'}.${opt}`] as const;
  for (const problem of tableBaseProblems(v.table_base)) c.error(...at('table_base'), problem);
  const prefProblem = rulePrefProblems(v.rule_pref);
  if (prefProblem) c.error(...at('rule_pref'), prefProblem);

  const sysctls: Partial<Record<SysctlName, string>> = {};
  for (const [opt, sysctl] of Object.entries(SYSCTL_OF)) {
    const value = v[opt as keyof typeof SYSCTL_OF];
    if (value !== undefined) sysctls[sysctl] = value;
  }
  return {
    enabled: v.enabled,
    health: {
      hosts: v.probe_host, probeServer: v.probe_server, interval: v.probe_interval, timeout: v.probe_timeout,
      downAfter: v.down_after, upAfter: v.up_after, onDown: v.on_down,
    },
    sysctls,
    tableBase: v.table_base,
    rulePref: v.rule_pref,
    subflowsMin: v.subflows,
    addAddrAcceptedMin: v.add_addr_accepted,
    looseRpFilter: v.rp_filter_loose,
    defaultRoute: v.default_route,
  };
}

/** Uplink n (file order, counting every uplink section) gets table table_base + n. */
function parseUplinks(c: Collector, sections: UciSection[], g: Globals): UplinkConfig[] {
  const all = sections.filter((s) => s.type === 'uplink');
  if (all.length > MAX_UPLINKS) {
    const first = all[MAX_UPLINKS];
    c.error(first.line, sectionLabel(first), `too many uplinks: at most ${MAX_UPLINKS} (this is number ${MAX_UPLINKS + 1} of ${all.length})`);
  }
  const uplinks: UplinkConfig[] = [];
  all.forEach((s, n) => {
    const v = parseOptions(c, s, UPLINK, UPLINK_HINTS);
    if (s.name === undefined) {
      c.error(s.line, sectionLabel(s), "an uplink section must be named after its netifd interface (config uplink 'wan')");
      return;
    }
    if (s.name.length > 64) c.error(s.line, s.name, `interface name is ${s.name.length} characters long: at most 64`);
    const d = g.health;
    const health = {
      hosts: v.probe_host ?? d.hosts, probeServer: v.probe_server ?? d.probeServer, interval: v.probe_interval ?? d.interval,
      timeout: v.probe_timeout ?? d.timeout, downAfter: v.down_after ?? d.downAfter, upAfter: v.up_after ?? d.upAfter, onDown: v.on_down ?? d.onDown,
    };
    uplinks.push({ name: s.name, mode: v.mode, priority: v.priority, table: g.tableBase + n, ula: v.ula, fullmesh: v.fullmesh, health,
      rates: { ...(v.download ? { downMbit: v.download } : {}), ...(v.upload ? { upMbit: v.upload } : {}), ...(v.rtt ? { rttMs: v.rtt } : {}) }, line: s.line });
  });
  return uplinks;
}

/** `secret`: what the enabled server section has (its engine follows when the proxy names none). */
function parseProxy(c: Collector, sections: UciSection[], secret: 'key' | 'password' | null): ProxyConfig {
  const s = single(c, sections, 'proxy');
  const v = s ? parseOptions(c, s, PROXY) : { ...defaults(PROXY), enabled: false };
  const engine = v.engine ?? (secret === 'password' ? 'shadowsocks-rust' : 'relay');
  if (s && v.udp === 'server' && engine !== 'relay') {
    c.error(s.options.get('udp')?.line ?? s.line, `${sectionLabel(s)}.udp`, `'server' needs the relay engine: ${engine} carries TCP only (set udp 'direct', or engine 'relay')`);
  }
  const udp = v.udp ?? (engine === 'relay' ? 'server' : 'direct');
  return {
    enabled: v.enabled, engine, port: v.port, lan: v.lan, bypass: v.bypass, threads: v.threads, checkInterval: v.check_interval, quic: v.quic,
    udp, duplicate: v.duplicate, line: s?.line ?? 0,
  };
}

/** Whether the enabled server section sets a key or a password (valid or not). */
function serverSecret(sections: UciSection[]): 'key' | 'password' | null {
  const s = sections.find((x) => x.type === 'server' && !['0', 'no', 'off', 'false', 'disabled'].includes(x.options.get('enabled')?.values[0] ?? '1'));
  return s?.options.has('key') ? 'key' : s?.options.has('password') ? 'password' : null;
}

/** The servers that are valid, and whether any server section is enabled (valid or not). */
function parseServers(c: Collector, sections: UciSection[]): { servers: ServerConfig[]; anyEnabled: boolean } {
  const servers: ServerConfig[] = [];
  // A section with a bad value is still the user's server: its errors say what to fix.
  const enabled: string[] = [];
  for (const s of sections.filter((x) => x.type === 'server')) {
    const v = parseOptions(c, s, SERVER);
    const name = sectionLabel(s);
    if (v.enabled) {
      if (enabled.length > 0) c.error(s.line, name, `only one server can be enabled ('${enabled[0]}' already is)`);
      enabled.push(name);
    }
    if (v.host === undefined) continue; // reported
    servers.push({
      name, enabled: v.enabled, host: v.host, port: v.port, method: v.method, line: s.line,
      ...(v.key !== undefined ? { key: v.key } : {}), ...(v.password !== undefined ? { password: v.password } : {}),
    });
  }
  return { servers, anyEnabled: enabled.length > 0 };
}

export function validateConfig(text: string, file: string): ConfigResult {
  const c = new Collector(file);
  const { sections, errors, warnings } = parseUci(text);
  for (const e of errors) c.error(e.line, '', e.message);
  for (const w of warnings) c.warn(w.line, '', w.message);
  for (const s of sections) {
    if (!SECTION_TYPES.includes(s.type)) c.error(s.line, sectionLabel(s), `unknown section type '${s.type}'${suggest(s.type, SECTION_TYPES)}`);
  }
  const globals = parseGlobals(c, sections);
  const uplinks = parseUplinks(c, sections, globals);
  const { servers, anyEnabled } = parseServers(c, sections);
  const proxy = parseProxy(c, sections, serverSecret(sections));
  const proxyLine = sections.find((x) => x.type === 'proxy')?.line ?? 0;
  if (proxy.enabled && !anyEnabled) {
    c.error(proxyLine, 'proxy', "the proxy needs an enabled 'config server' section (mpwan server import '<the link mpwan server setup printed>')");
  }
  // What the engine reads from the server: the relay its key, shadowsocks the password.
  const server = servers.find((x) => x.enabled);
  if (proxy.enabled && server) {
    const needs = proxy.engine === 'relay' ? 'key' : 'password';
    if (server[needs] === undefined && !c.errors.some((e) => e.option.startsWith(`${server.name}.`))) {
      c.error(server.line, `${server.name}.${needs}`, proxy.engine === 'relay'
        ? "is required by the relay engine: import the mpwan:// link 'mpwan server setup' printed"
        : `is required by engine ${proxy.engine}: import the ss:// link of the shadowsocks server`);
    }
  }
  const config: Config = { globals, proxy, uplinks, servers };
  // Advice about a config that will not be used would only distract from its errors.
  if (c.errors.length === 0) for (const w of configWarnings(config)) c.warn(w.line, w.option, w.message);
  c.errors.sort((a, b) => a.line - b.line);
  c.warnings.sort((a, b) => a.line - b.line);
  return { config: c.errors.length === 0 ? config : null, errors: c.errors, warnings: c.warnings };
}
