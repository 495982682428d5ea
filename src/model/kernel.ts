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

/** What a rule matches, beside its priority: one of these (or nothing: every packet). */
export interface RuleMatch {
  src?: string;
  dst?: string;
  /** `fwmark MARK/MASK` */
  fwmark?: number;
  fwmask?: number;
  /** `suppress_prefixlength N`: the table's routes this short or shorter do not count (0: its default route). */
  suppressPrefixlength?: number;
}

export interface ObservedRule extends RuleMatch {
  family: Family;
  pref: number;
  srcLen?: number;
  dstLen?: number;
  table: string;
  /** Anything beyond what RuleMatch knows (iif, oif, ipproto...) makes the rule not ours. */
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
  /** Only 'local' is kept besides unicast (the relay's TPROXY table). */
  type?: 'local';
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

/**
 * A rule mpwan wants: `from <uplink address>`, `to <server>`, `fwmark` (a flow's uplink, or
 * TPROXY), `lookup main suppress_prefixlength 0` or a plain `lookup` (the default route).
 */
export interface DesiredRule extends RuleMatch {
  family: Family;
  pref: number;
  table: number | 'main';
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** The selector of a rule as `ip rule` spells it. */
export function ruleSelector(r: RuleMatch): string[] {
  if (r.src !== undefined) return ['from', r.src];
  if (r.dst !== undefined) return ['to', r.dst];
  if (r.fwmark !== undefined) return ['fwmark', `${hex(r.fwmark)}/${hex(r.fwmask ?? 0xffffffff)}`];
  return ['from', 'all'];
}

/** What follows `lookup <table>`. */
export function ruleSuffix(r: RuleMatch): string[] {
  return r.suppressPrefixlength !== undefined ? ['suppress_prefixlength', String(r.suppressPrefixlength)] : [];
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
  /** `local default dev lo`: packets routed here are delivered to a local socket (TPROXY). */
  type?: 'local';
}

/** Endpoint record kept in MPWAN_RUN_DIR so mpwan deletes only endpoints it added. */
export interface OwnedEndpoint {
  id: number;
  address: string;
  dev: string;
  ifindex: number;
}

/** What the kernel offers mpwan, read before planning. */
export interface Capabilities {
  /** Endpoint slots left once endpoints mpwan does not own are counted. */
  endpointSlots: number;
  /** Sysctl names present under /proc/sys/net/mptcp. */
  sysctls: string[];
  schedulers: string[];
  pathManagers: string[];
}
