// The planner's output (Desired) and the reconciler's ordered changes (Change).
import type {
  DesiredEndpoint, DesiredRoute, DesiredRule, Family, Limits, ObservedEndpoint, ObservedRoute, ObservedRule, OwnedEndpoint,
} from './kernel.js';

export type UplinkState =
  | 'active' // has endpoints in the plan
  | 'disabled' // mode off in config
  | 'down' // netifd reports it down or without a device
  | 'failed' // up, but no carrier or its health checks fail: endpoints withdrawn (or backup)
  | 'no-address' // up, but no usable address
  | 'unknown'; // configured, but netifd does not know it

export interface UplinkPlan {
  name: string;
  mode: 'on' | 'backup' | 'off';
  state: UplinkState;
  dev?: string;
  table: number;
  /** Addresses that will get an endpoint. */
  addresses: string[];
  /** Addresses skipped, with why (link-local, ULA, tentative, over the limit...). */
  skipped: { address: string; reason: string }[];
  /** Addresses with a `from` rule into the uplink's table (endpoints and withdrawn ones): health probes leave from these. */
  sources: string[];
  /** Why a 'failed' uplink failed. */
  failure?: string;
  /** A metered uplink at its quota: `mode` is what quota_action made of it. */
  overQuota?: 'backup' | 'off';
}

/** Which uplink carries traffic that has no more specific route, per family (null: none, and why). */
export interface DefaultRoutePlan {
  family: Family;
  uplink: string | null;
  reason: string | null;
}

/** The mark a flow leaving by an uplink carries, so it stays there while that uplink is healthy. */
export interface UplinkMark {
  uplink: string;
  dev: string;
  mark: number;
}

export interface Desired {
  enabled: boolean;
  uplinks: UplinkPlan[];
  endpoints: DesiredEndpoint[];
  rules: DesiredRule[];
  routes: DesiredRoute[];
  /** Table ids that belong to configured uplinks; with tableRange, what mpwan owns. */
  tables: number[];
  /** null: leave the kernel's limits alone (nothing to manage). */
  limits: Limits | null;
  /** /proc/sys path -> value. */
  sysctls: Record<string, string>;
  defaultRoutes: DefaultRoutePlan[];
  /** Healthy uplinks' flow marks (nft table inet mpwan sets them, the STICKY rules follow them). */
  marks: UplinkMark[];
  /** Where the relay sends LAN UDP to the server: healthy uplinks best first, with the source address to use. */
  udpPaths: { uplink: string; source: string; metered: boolean }[];
  /** Devices whose rp_filter goes from strict (1) to loose (2). */
  looseRpFilter: string[];
  /** The router's TCP buffer limits are raised to at least these (plan/tcp-buffers.ts); null: left alone. */
  tcpLimits: { rmem: number; wmem: number } | null;
  rulePref: number;
  /** Inclusive range of table ids mpwan owns (routes in them not in the plan are removed). */
  tableRange: [number, number];
  warnings: string[];
}

export type Change =
  | { kind: 'sysctl'; path: string; value: string; old: string }
  | { kind: 'limits'; limits: Limits; old: Limits }
  | { kind: 'route-replace'; route: DesiredRoute; old?: ObservedRoute }
  | { kind: 'route-del'; route: ObservedRoute }
  | { kind: 'rule-add'; rule: DesiredRule }
  | { kind: 'rule-del'; rule: ObservedRule }
  | { kind: 'endpoint-add'; endpoint: DesiredEndpoint; id: number }
  | { kind: 'endpoint-del'; endpoint: ObservedEndpoint; reason: string }
  | { kind: 'endpoint-backup'; endpoint: ObservedEndpoint; backup: boolean };

/** What mpwan recorded as its own after the last apply (MPWAN_RUN_DIR/owned.json). */
export interface OwnedState {
  endpoints: OwnedEndpoint[];
  rulePref?: number;
  tableRange?: [number, number];
  /** The MPTCP limits as mpwan found them before it first changed them: put back when it stops. */
  limitsFound?: Limits;
}

export type { Family };
