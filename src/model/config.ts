// Typed configuration, as produced by config/ from /etc/config/mpwan.

export type UplinkMode = 'on' | 'backup' | 'off';

/** MPTCP sysctls mpwan may manage (files under /proc/sys/net/mptcp). */
export const MANAGED_SYSCTLS = [
  'scheduler',
  'path_manager',
  'checksum_enabled',
  'allow_join_initial_addr_port',
  'add_addr_timeout',
  'close_timeout',
  'stale_loss_cnt',
  'blackhole_timeout',
  'syn_retrans_before_tcp_fallback',
] as const;
export type SysctlName = (typeof MANAGED_SYSCTLS)[number];

export interface Globals {
  enabled: boolean;
  /** Health-check defaults for every uplink. */
  health: HealthConfig;
  /** Only the sysctls the user set; the rest are left as the kernel has them. */
  sysctls: Partial<Record<SysctlName, string>>;
  /** First routing table id; uplink n (config order) gets tableBase + n unless it sets `table`. */
  tableBase: number;
  /** Priority of every `from <addr> lookup <table>` rule mpwan installs. */
  rulePref: number;
  /** Minimum for `ip mptcp limits` (mpwan raises them to what the plan needs, never above 8). */
  subflowsMin: number;
  addAddrAcceptedMin: number;
  /** Set rp_filter to loose (2) on uplink devices that have it strict (1). */
  looseRpFilter: boolean;
  /** Traffic without a more specific route leaves by the best healthy uplink (mpwan's rules), not netifd's main default. */
  defaultRoute: boolean;
}

/** How an uplink's health is checked (globals give the defaults, an uplink may override). */
export interface HealthConfig {
  /** ICMP echo targets; with none, the aggregation server's address is pinged. */
  hosts: string[];
  /** Also TCP-connect to the aggregation server through the uplink. */
  probeServer: boolean;
  /** Seconds between probe rounds (fractions allowed). */
  interval: number;
  /** Seconds a probe waits for an answer (whole seconds: BusyBox ping takes no fraction). */
  timeout: number;
  /** Failed rounds in a row that take the uplink down. */
  downAfter: number;
  /** Good rounds in a row that bring it back. */
  upAfter: number;
  /** What a down uplink's endpoints become: withdrawn, or kept as `backup`. */
  onDown: 'withdraw' | 'backup';
}

export interface UplinkConfig {
  /** netifd interface name (the section name). */
  name: string;
  mode: UplinkMode;
  /** Lower ranks first when more than 8 endpoints are wanted. */
  priority: number;
  /** Routing table id for this uplink. */
  table: number;
  /** Also use IPv6 unique-local addresses (fc00::/7). */
  ula: boolean;
  /** Add the `fullmesh` flag to this uplink's endpoints. */
  fullmesh: boolean;
  health: HealthConfig;
  /** Data costs money here (LTE, satellite): its endpoint is `backup` unless `mode` says otherwise; UDP and the default route prefer unmetered uplinks. */
  metered: boolean;
  /** What the uplink may carry per period (metered uplinks only); null: no quota. */
  quota: QuotaConfig | null;
  /** Mbit/s each way and the idle RTT (ms) as configured, for the buffer check in status. */
  rates: { downMbit?: number; upMbit?: number; rttMs?: number };
  /** 1-based line of the section header, for messages. */
  line: number;
}

export const QUOTA_ACTIONS = ['backup', 'off'] as const;
export type QuotaAction = (typeof QUOTA_ACTIONS)[number];

/** A metered uplink's data allowance: bytes both ways together, counted per period. */
export interface QuotaConfig {
  bytes: number;
  period: 'month' | 'day';
  /** month: the day of the month (1-31) the count starts again, at local midnight; past a short month's end, its last day. */
  resetDay: number;
  /** At the quota: `backup` carries traffic only when no unmetered uplink is healthy; `off` carries none. */
  action: QuotaAction;
}

/** Shadowsocks AEAD ciphers (2022-blake3 ones need shadowsocks-rust). */
export const SS_METHODS = [
  'aes-128-gcm', 'aes-256-gcm', 'chacha20-ietf-poly1305',
  '2022-blake3-aes-128-gcm', '2022-blake3-aes-256-gcm', '2022-blake3-chacha20-poly1305',
] as const;
export type SsMethod = (typeof SS_METHODS)[number];

/** The aggregation server LAN traffic is carried to. */
export interface ServerConfig {
  name: string;
  enabled: boolean;
  /** Lower is preferred (ties: config order); LAN traffic goes to the best healthy server. */
  priority: number;
  host: string;
  port: number;
  /** The relay engine's key: 64 lower-case hex digits (mpwan server setup generates it). */
  key?: string;
  /** The shadowsocks engines' password and cipher. */
  password?: string;
  method: SsMethod;
  line: number;
}

/** `relay`: mpwan-relay, in the package (authenticates, does not encrypt); the others where installed. */
export const PROXY_ENGINES = ['relay', 'shadowsocks-rust', 'shadowsocks-libev'] as const;
export type ProxyEngine = (typeof PROXY_ENGINES)[number];
/** What the relay may ask the kernel for (kmod-tcp-bbr brings bbr; cubic is OpenWrt's default). */
export const CONGESTION_CONTROLS = ['bbr', 'cubic', 'reno', 'system'] as const;
export type CongestionControl = (typeof CONGESTION_CONTROLS)[number];

/** The transparent proxy that carries LAN TCP to the server over MPTCP. */
export interface ProxyConfig {
  enabled: boolean;
  engine: ProxyEngine;
  /** Local port the nft redirect sends LAN TCP to. */
  port: number;
  /** netifd interfaces whose clients are redirected. */
  lan: string[];
  /** Addresses or prefixes never proxied (CIDR or single address). */
  bypass: string[];
  /** Proxy instances sharing the port with SO_REUSEPORT; null: one per CPU. */
  threads: number | null;
  /** Seconds between checks that the server answers (two misses: LAN traffic bypasses). */
  checkInterval: number;
  /** LAN UDP to port 443 of proxied destinations: 'tcp' rejects it (browsers fall back to TCP, which is aggregated); 'direct' lets it pass. */
  quic: 'tcp' | 'direct';
  /** LAN UDP: 'server' through the relay to the server (keeps its address when an uplink dies); 'direct' on the default route. */
  udp: 'server' | 'direct';
  /** LAN UDP flows sent on two uplinks at once (relay spelling: `dscp:46`, `port:3478`). */
  duplicate: string[];
  /** TCP congestion control of the relay's MPTCP connections ('system': the router's default). */
  congestion: CongestionControl;
  /** Seconds a better server must stay healthy before new LAN traffic goes back to it. */
  holdDown: number;
  /** 1-based line of the section header (0: no proxy section), for messages. */
  line: number;
}

export interface Config {
  globals: Globals;
  proxy: ProxyConfig;
  /** In config file order. */
  uplinks: UplinkConfig[];
  /** In config file order (serverOrder() in config/servers.ts: by preference). */
  servers: ServerConfig[];
}

export interface ConfigProblem {
  file: string;
  line: number;
  /** `globals.enabled`, `wan.mode`, or '' for file-level problems. */
  option: string;
  message: string;
}

export interface ConfigResult {
  config: Config | null;
  errors: ConfigProblem[];
  warnings: ConfigProblem[];
}
