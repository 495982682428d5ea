// What mpwan reads from and writes to the kernel. Observed* is parsed from `ip -j`;
// Desired* is the plan.

export type Family = 4 | 6;

export interface KernelAddress {
  ifindex: number;
  dev: string;
  family: Family;
  address: string;
  prefixlen: number;
  scope: string;
  /** tentative, dadfailed, deprecated, temporary (privacy) and similar. */
  flags: string[];
}

export interface KernelLink {
  ifindex: number;
  dev: string;
  /** Administratively up (IFF_UP). */
  up: boolean;
  /** The link layer reports carrier (LOWER_UP). */
  carrier: boolean;
}

export interface EndpointFlags {
  subflow: boolean;
  signal: boolean;
  backup: boolean;
  fullmesh: boolean;
}

export interface ObservedEndpoint extends EndpointFlags {
  id: number;
  address: string;
  /** Device name, `if<N>` once the device is gone, absent when not bound. */
  dev?: string;
  port?: number;
}

export interface Limits {
  subflows: number;
  addAddrAccepted: number;
}

export interface ObservedRule {
  family: Family;
  pref: number;
  src?: string;
  srcLen?: number;
  dst?: string;
  dstLen?: number;
  table: string;
  /** Anything beyond pref/from/lookup (iif, oif, fwmark...) makes the rule not ours. */
  extra: boolean;
}

export interface ObservedRoute {
  family: Family;
  table: number;
  dst: string;
  gateway?: string;
  dev?: string;
  prefsrc?: string;
  scope?: string;
}

export interface Observed {
  links: KernelLink[];
  addresses: KernelAddress[];
  endpoints: ObservedEndpoint[];
  limits: Limits;
  rules: ObservedRule[];
  /** Only routes in tables mpwan owns. */
  routes: ObservedRoute[];
  /** Current value of every managed sysctl file that exists, keyed by path. */
  sysctls: Record<string, string>;
}

/** An endpoint mpwan wants. The id is assigned by diff (kept when the kernel already has it). */
export interface DesiredEndpoint {
  uplink: string;
  address: string;
  family: Family;
  dev: string;
  ifindex: number;
  backup: boolean;
  fullmesh: boolean;
}

/** `from <src> lookup <table>` (an uplink address) or `to <dst> lookup <table>` (the server). */
export interface DesiredRule {
  family: Family;
  pref: number;
  src?: string;
  dst?: string;
  table: number;
}

/** The selector of a rule as `ip rule` spells it. */
export function ruleSelector(r: { src?: string; dst?: string }): string[] {
  return r.src !== undefined ? ['from', r.src] : ['to', r.dst ?? 'all'];
}

export interface DesiredRoute {
  family: Family;
  table: number;
  /** `default` or a prefix in CIDR form. */
  dst: string;
  gateway?: string;
  dev: string;
  prefsrc?: string;
  scope?: 'link';
}

/** Endpoint record kept in MPWAN_RUN_DIR so mpwan deletes only endpoints it added. */
export interface OwnedEndpoint {
  id: number;
  address: string;
  dev: string;
  ifindex: number;
}
