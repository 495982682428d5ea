// /etc/config/mpwan -> typed Config. Validation is data (as in fw4): one option-spec table
// per section type, small parse functions that return null on bad input, and a few range
// rules. Every problem is collected with file, line, option path and reason; config is
// null if there is any. Pure.
import {
  SS_METHODS, type Config, type ConfigProblem, type ConfigResult, type Globals, type ProxyConfig,
  type ProxyEngine, type ServerConfig, type SysctlName, type UplinkConfig, type UplinkMode,
} from '../model/config.js';
import { familyOf } from '../lib/inet.js';
import { parseUci, sectionLabel, show, type UciSection } from './uci.js';

/** Tables an uplink may get: table_base .. table_base + MAX_UPLINKS - 1. */
export const MAX_UPLINKS = 64;

// ---- value types: parse returns null on bad input; expect says what was wanted ----

interface Type<T> {
  expect: string;
  parse(raw: string): T | null;
}

const TRUE = ['1', 'yes', 'on', 'true', 'enabled'];
const FALSE = ['0', 'no', 'off', 'false', 'disabled'];

/** Booleans as uci and /lib/functions.sh spell them. */
const bool: Type<boolean> = {
  expect: "a boolean ('1' or '0'; yes/no, on/off, true/false and enabled/disabled also work)",
  parse: (v) => (TRUE.includes(v) ? true : FALSE.includes(v) ? false : null),
};

/** Decimal only: no sign, exponent, hex or padding, and no leading zero (the kernel reads 010 as octal). */
const int = (min: number, max: number): Type<number> => ({
  expect: `a decimal integer from ${min} to ${max}`,
  parse: (v) => {
    if (!/^(0|[1-9][0-9]{0,9})$/.test(v)) return null;
    const n = Number(v);
    return n >= min && n <= max ? n : null;
  },
});

const oneOf = <T extends string>(values: readonly T[]): Type<T> => ({
  expect: `one of ${values.join(', ')}`,
  parse: (v) => ((values as readonly string[]).includes(v) ? (v as T) : null),
});

/** What a sysctl file is written with: a boolean as '0'/'1', a number in decimal. */
const asSysctl = <T extends boolean | number>(type: Type<T>): Type<string> => ({
  expect: type.expect,
  parse: (v) => {
    const p = type.parse(v);
    return p === null ? null : typeof p === 'boolean' ? (p ? '1' : '0') : String(p);
  },
});

/** The kernel keeps 15 characters (MPTCP_SCHED_NAME_MAX 16) and would truncate silently. */
const schedulerName: Type<string> = {
  expect: 'a scheduler name: 1 to 15 lower-case letters, digits or _ (see net.mptcp.available_schedulers)',
  parse: (v) => (/^[a-z0-9_]{1,15}$/.test(v) ? v : null),
};

const INT_MAX = 2 ** 31 - 1;
const UINT_MAX = 2 ** 32 - 1;
/** proc_dointvec_jiffies refuses seconds above INT_MAX / HZ; HZ is at most 1000. */
const JIFFIES_SECONDS_MAX = Math.floor(INT_MAX / 1000);

/** Seconds with at most one decimal: 0.5, 2, 10. */
const seconds = (min: number, max: number): Type<number> => ({
  expect: `a number of seconds from ${min} to ${max} (like 0.5 or 2)`,
  parse: (v) => {
    if (!/^(0|[1-9][0-9]{0,4})(\.[0-9])?$/.test(v)) return null;
    const n = Number(v);
    return n >= min && n <= max ? n : null;
  },
});

const ipAddress: Type<string> = {
  expect: 'an IPv4 or IPv6 address',
  parse: (v) => (familyOf(v) !== null ? v : null),
};

const host: Type<string> = {
  expect: 'an IP address or a host name',
  parse: (v) => (familyOf(v) !== null || /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(v) ? v : null),
};
const password: Type<string> = {
  expect: '1 to 256 printable characters',
  parse: (v) => (/^[\x21-\x7e]{1,256}$/.test(v) ? v : null),
};
const netifdName: Type<string> = {
  expect: 'a netifd interface name',
  parse: (v) => (/^[A-Za-z0-9_]{1,64}$/.test(v) ? v : null),
};
const prefix: Type<string> = {
  expect: 'an IPv4 or IPv6 address or prefix (192.0.2.0/24, 2001:db8::/32)',
  parse: (v) => {
    const [addr, len, ...rest] = v.split('/');
    const fam = familyOf(addr);
    if (!fam || rest.length > 0) return null;
    if (len === undefined) return v;
    return /^[0-9]{1,3}$/.test(len) && Number(len) <= (fam === 4 ? 32 : 128) ? v : null;
  },
};

// ---- option specs ----

interface OptionSpec<T> {
  type: Type<unknown>;
  /** The value when the option is absent (and, with an error reported, when it is bad). */
  default: T;
  required?: boolean;
  /** Takes `list` lines (one `option` line is also accepted). */
  list?: boolean;
}
type Spec = Record<string, OptionSpec<unknown>>;
type Values<S extends Spec> = { [K in keyof S]: S[K]['default'] };

const option = <T>(type: Type<T>, dflt: T): OptionSpec<T> => ({ type, default: dflt });
const optional = <T>(type: Type<T>): OptionSpec<T | undefined> => ({ type, default: undefined });
const required = <T>(type: Type<T>): OptionSpec<T | undefined> => ({ type, default: undefined, required: true });
const list = <T>(type: Type<T>, dflt: T[]): OptionSpec<T[]> => ({ type, default: dflt, list: true });

/** Health checks: defaults in globals, overrides per uplink. */
const HEALTH = {
  probe_host: list(ipAddress, [] as string[]),
  probe_server: option(bool, true),
  probe_interval: option(seconds(0.2, 3600), 0.5),
  probe_timeout: option(int(1, 30), 1),
  down_after: option(int(1, 100), 3),
  up_after: option(int(1, 100), 3),
  on_down: option(oneOf(['withdraw', 'backup'] as const), 'withdraw' as 'withdraw' | 'backup'),
};

const GLOBALS = {
  ...HEALTH,
  enabled: option(bool, true),
  table_base: option(int(0, INT_MAX), 5100),
  rule_pref: option(int(0, UINT_MAX), 5000),
  subflows: option(int(0, 8), 0),
  add_addr_accepted: option(int(0, 8), 0),
  rp_filter_loose: option(bool, true),
  scheduler: optional(schedulerName),
  path_manager: optional(oneOf(['kernel', 'userspace'])),
  checksum: optional(asSysctl(bool)),
  allow_join_initial_addr_port: optional(asSysctl(bool)),
  add_addr_timeout: optional(asSysctl(int(0, JIFFIES_SECONDS_MAX))),
  close_timeout: optional(asSysctl(int(0, JIFFIES_SECONDS_MAX))),
  stale_loss_cnt: optional(asSysctl(int(0, UINT_MAX))),
  blackhole_timeout: optional(asSysctl(int(0, INT_MAX))),
  syn_retrans_before_tcp_fallback: optional(asSysctl(int(0, 255))),
};

/** globals option -> the net.mptcp sysctl it sets. */
const SYSCTL_OF = {
  scheduler: 'scheduler',
  path_manager: 'path_manager',
  checksum: 'checksum_enabled',
  allow_join_initial_addr_port: 'allow_join_initial_addr_port',
  add_addr_timeout: 'add_addr_timeout',
  close_timeout: 'close_timeout',
  stale_loss_cnt: 'stale_loss_cnt',
  blackhole_timeout: 'blackhole_timeout',
  syn_retrans_before_tcp_fallback: 'syn_retrans_before_tcp_fallback',
} as const satisfies Partial<Record<keyof typeof GLOBALS, SysctlName>>;

const UPLINK = {
  mode: option(oneOf<UplinkMode>(['on', 'backup', 'off']), 'on'),
  priority: option(int(0, 1000), 50),
  ula: option(bool, false),
  fullmesh: option(bool, false),
  // Absent: the globals value applies.
  ...Object.fromEntries(Object.entries(HEALTH).map(([k, o]) => [k, { ...o, default: undefined }])) as
    { [K in keyof typeof HEALTH]: OptionSpec<(typeof HEALTH)[K]['default'] | undefined> },
};

const PROXY = {
  // A proxy section is there to be used: enabled unless it says otherwise.
  enabled: option(bool, true),
  engine: option(oneOf<ProxyEngine>(['shadowsocks-rust', 'shadowsocks-libev']), 'shadowsocks-rust'),
  port: option(int(1, 65535), 1100),
  threads: option<number | null>(int(1, 64), null),
  check_interval: option(int(1, 3600), 10),
  lan: list(netifdName, ['lan']),
  bypass: list(prefix, []),
};

const SERVER = {
  enabled: option(bool, true),
  host: required(host),
  port: option(int(1, 65535), 8388),
  password: required(password),
  method: option(oneOf(SS_METHODS), 'chacha20-ietf-poly1305'),
};

const SECTION_TYPES = ['globals', 'uplink', 'proxy', 'server'];

/** Hints for options people expect but that do not exist. */
const UPLINK_HINTS: Record<string, string> = {
  table: ': the table is computed as globals.table_base + the position of the uplink section',
};

// ---- range rules: each returns why a value collides, or null ----

/** Tables table_base .. table_base+63 must miss 0, mwan3's 1-60 and the kernel's 253-255. */
function tableBaseProblems(base: number): string[] {
  const last = base + MAX_UPLINKS - 1;
  const span = `tables ${base}-${last}`;
  const out: string[] = [];
  if (base === 0) out.push(`${span} would include 0, which the kernel reserves (RT_TABLE_UNSPEC)`);
  if (base <= 60) out.push(`${span} would overlap mwan3's tables 1-60`);
  if (base <= 255 && last >= 253) out.push(`${span} would include the kernel's tables 253-255 (default, main, local)`);
  if (last > INT_MAX) out.push(`${span} would go past ${INT_MAX}: use at most ${INT_MAX - MAX_UPLINKS + 1}`);
  return out;
}

/** mpwan's rules must miss the kernel's, mwan3's and netifd's, and come before the main table. */
function rulePrefProblem(p: number): string | null {
  if (p === 0) return "0 is the kernel's rule for the local table";
  if (p >= 1000 && p <= 3999) return `${p} is in mwan3's range 1000-3999`;
  if (p === 10000 || p === 20000) return `${p} is used by netifd's source routing (ip4table)`;
  if (p === 32766 || p === 32767) return `${p} is the kernel's rule for the ${p === 32766 ? 'main' : 'default'} table`;
  if (p > 32767) return `${p} comes after the kernel's main-table rule (32766), so it would never be reached: use 1-32765`;
  return null;
}

// ---- collecting problems ----

class Collector {
  errors: ConfigProblem[] = [];
  warnings: ConfigProblem[] = [];
  constructor(readonly file: string) {}
  error(line: number, option: string, message: string) {
    this.errors.push({ file: this.file, line, option, message });
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
  // rule_pref holds the `from <address>` rules, rule_pref + 1 the `to <server>` rule.
  const nextProblem = rulePrefProblem(v.rule_pref + 1);
  const prefProblem = rulePrefProblem(v.rule_pref) ?? (nextProblem && `rule_pref + 1 = ${nextProblem}: mpwan uses both`);
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
    uplinks.push({ name: s.name, mode: v.mode, priority: v.priority, table: g.tableBase + n, ula: v.ula, fullmesh: v.fullmesh, health, line: s.line });
  });
  return uplinks;
}

function parseProxy(c: Collector, sections: UciSection[]): ProxyConfig {
  const s = single(c, sections, 'proxy');
  const v = s ? parseOptions(c, s, PROXY) : { ...defaults(PROXY), enabled: false };
  return { enabled: v.enabled, engine: v.engine, port: v.port, lan: v.lan, bypass: v.bypass, threads: v.threads, checkInterval: v.check_interval };
}

function parseServers(c: Collector, sections: UciSection[]): ServerConfig[] {
  const servers: ServerConfig[] = [];
  for (const s of sections.filter((x) => x.type === 'server')) {
    const v = parseOptions(c, s, SERVER);
    if (v.host === undefined || v.password === undefined) continue; // reported
    servers.push({ name: sectionLabel(s), enabled: v.enabled, host: v.host, port: v.port, password: v.password, method: v.method, line: s.line });
  }
  const enabled = servers.filter((x) => x.enabled);
  for (const extra of enabled.slice(1)) c.error(extra.line, extra.name, `only one server can be enabled ('${enabled[0].name}' already is)`);
  return servers;
}

export function validateConfig(text: string, file: string): ConfigResult {
  const c = new Collector(file);
  const { sections, errors } = parseUci(text);
  for (const e of errors) c.error(e.line, '', e.message);
  for (const s of sections) {
    if (!SECTION_TYPES.includes(s.type)) c.error(s.line, sectionLabel(s), `unknown section type '${s.type}'${suggest(s.type, SECTION_TYPES)}`);
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
