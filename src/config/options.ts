// The option-spec table of each UCI section type (fw4's parse_options specs): type, default,
// required, list. One table drives the validator and the LuCI forms' datatypes. Pure.
import { CONGESTION_CONTROLS, PROXY_ENGINES, QUOTA_ACTIONS, SS_METHODS, type SysctlName, type UplinkMode } from '../model/config.js';
import {
  JIFFIES_SECONDS_MAX, INT_MAX, UINT_MAX, asSysctl, bool, byteSize, duplicateMatch, host, int, ipAddress, netifdName, oneOf, password, prefix, relayKey,
  schedulerName, seconds, type Type,
} from './value-types.js';
import { anyOf, decimalInts } from './luci-datatype.js';
import { rulePrefAllowed, tableBaseAllowed } from './ranges.js';

export interface OptionSpec<T> {
  type: Type<unknown>;
  /** The value when the option is absent (and, with an error reported, when it is bad). */
  default: T;
  required?: boolean;
  /** Takes `list` lines (one `option` line is also accepted). */
  list?: boolean;
}
export type Spec = Record<string, OptionSpec<unknown>>;
export type Values<S extends Spec> = { [K in keyof S]: S[K]['default'] };

const option = <T>(type: Type<T>, dflt: T): OptionSpec<T> => ({ type, default: dflt });
const optional = <T>(type: Type<T>): OptionSpec<T | undefined> => ({ type, default: undefined });
const required = <T>(type: Type<T>): OptionSpec<T | undefined> => ({ type, default: undefined, required: true });
const list = <T>(type: Type<T>, dflt: T[]): OptionSpec<T[]> => ({ type, default: dflt, list: true });

/** Health checks: defaults in globals, overrides per uplink. */
export const HEALTH = {
  probe_host: list(ipAddress, [] as string[]),
  probe_server: option(bool, true),
  probe_interval: option(seconds(0.2, 3600), 0.5),
  probe_timeout: option(int(1, 30), 1),
  down_after: option(int(1, 100), 3),
  up_after: option(int(1, 100), 3),
  on_down: option(oneOf(['withdraw', 'backup'] as const), 'withdraw' as 'withdraw' | 'backup'),
};

export const GLOBALS = {
  ...HEALTH,
  enabled: option(bool, true),
  table_base: option(int(0, INT_MAX), 5100),
  rule_pref: option(int(0, UINT_MAX), 5000),
  subflows: option(int(0, 8), 0),
  add_addr_accepted: option(int(0, 8), 0),
  rp_filter_loose: option(bool, true),
  default_route: option(bool, true),
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
export const SYSCTL_OF = {
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

export const UPLINK = {
  // Absent: 'backup' on a metered uplink, else 'on'.
  mode: optional(oneOf<UplinkMode>(['on', 'backup', 'off'])),
  priority: option(int(0, 1000), 50),
  ula: option(bool, false),
  fullmesh: option(bool, false),
  metered: option(bool, false),
  quota: optional(byteSize),
  quota_period: option(oneOf(['month', 'day'] as const), 'month' as 'month' | 'day'),
  quota_reset_day: option(int(1, 31), 1),
  quota_action: option(oneOf(QUOTA_ACTIONS), 'backup' as (typeof QUOTA_ACTIONS)[number]),
  // What the link carries (Mbit/s) and its idle round trip (ms): only for `mpwan status`'s check
  // of the TCP buffer limits (status/buffer-needs.ts). Absent rtt: the relay's measured one.
  download: optional(int(1, 100000)),
  upload: optional(int(1, 100000)),
  rtt: optional(int(1, 10000)),
  // Absent: the globals value applies.
  ...Object.fromEntries(Object.entries(HEALTH).map(([k, o]) => [k, { ...o, default: undefined }])) as
    { [K in keyof typeof HEALTH]: OptionSpec<(typeof HEALTH)[K]['default'] | undefined> },
};

export const PROXY = {
  // A proxy section is there to be used: enabled unless it says otherwise.
  enabled: option(bool, true),
  // Absent: the relay when the server has a key, shadowsocks-rust when it has a password (configs from before the relay).
  engine: optional(oneOf(PROXY_ENGINES)),
  port: option(int(1, 65535), 1100),
  threads: option<number | null>(int(1, 64), null),
  check_interval: option(int(1, 3600), 10),
  quic: option(oneOf(['tcp', 'direct'] as const), 'tcp' as 'tcp' | 'direct'),
  // Absent: 'server' with the relay engine (the shadowsocks engines carry TCP only).
  udp: optional(oneOf(['server', 'direct'] as const)),
  duplicate: list(duplicateMatch, []),
  // Of the relay's MPTCP connections (bench/results.md, profileTuning: bbr keeps a lossy uplink's share; 'system': the router's default).
  congestion: option(oneOf(CONGESTION_CONTROLS), 'bbr' as (typeof CONGESTION_CONTROLS)[number]),
  hold_down: option(int(0, 86400), 60),
  lan: list(netifdName, ['lan']),
  bypass: list(prefix, []),
};

export const SERVER = {
  enabled: option(bool, true),
  priority: option(int(0, 1000), 50),
  host: required(host),
  port: option(int(1, 65535), 8388),
  // The relay engine needs the key, the shadowsocks engines the password (checked with the proxy).
  key: optional(relayKey),
  password: optional(password),
  method: option(oneOf(SS_METHODS), 'chacha20-ietf-poly1305'),
};

export const SECTION_TYPES = ['globals', 'uplink', 'proxy', 'server'];

/** Hints for options people expect but that do not exist. */
export const UPLINK_HINTS: Record<string, string> = {
  table: ': the table is computed as globals.table_base + the position of the uplink section',
};

export type SectionType = 'globals' | 'uplink' | 'proxy' | 'server';

/**
 * The LuCI datatype of every option, for the forms (the LuCI build calls this): each accepts
 * what the validator accepts, range rules included (table_base, rule_pref); for a list option
 * it is the datatype of one item (a DynamicList). An empty field is never checked by LuCI:
 * it removes the option, which then takes its default.
 */
export function luciDatatypes(): Record<SectionType, Record<string, string>> {
  const of = (spec: Spec) => Object.fromEntries(Object.entries(spec).map(([k, o]) => [k, o.type.datatype]));
  return {
    globals: {
      ...of(GLOBALS),
      table_base: anyOf(decimalInts(tableBaseAllowed())),
      rule_pref: anyOf(decimalInts(rulePrefAllowed())),
    },
    uplink: of(UPLINK),
    proxy: of(PROXY),
    server: of(SERVER),
  };
}
