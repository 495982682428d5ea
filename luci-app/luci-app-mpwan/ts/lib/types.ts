// What the views read from the `mpwan` ubus object (src/rpc/methods.ts). Fields the
// plugin may not send yet (health is being added) are optional: the views must render
// whatever a given router's mpwan returns.
import type { StatusReport } from '../../../../src/status/status.js';

export interface Health {
  state: 'up' | 'down' | string;
  /** Unix seconds (or an ISO string) when `state` began. */
  since?: number | string | null;
  latency_ms?: number | null;
  /** Fraction 0..1 of probes lost. */
  loss?: number | null;
  last_error?: string | null;
  /** Why it is down, in a sentence; null when up. */
  reason?: string | null;
  /** false: nothing to probe, only carrier is tracked. */
  probed?: boolean;
  /** Up, but missed a probe round lately: new connections start on another uplink. */
  suspect?: boolean;
}

export interface Uplink {
  name: string;
  mode: string;
  state: string;
  device: string | null;
  addresses: string[];
  skipped?: { address: string; reason: string }[];
  endpoints: { id: number; address: string; flags: string[] }[];
  rx_bytes: number | null;
  tx_bytes: number | null;
  health?: Health | null;
  /** Why a 'failed' uplink failed (no carrier, probes unanswered). */
  failure?: string | null;
  /** Metered: what it carried in its quota period against its quota (null: not metered). */
  usage?: StatusReport['uplinks'][number]['usage'];
}

/** The proxy and server block, as the plugin sends it. `redirect_off_reason` is the daemon's
 *  sentence for why LAN traffic is not redirected (daemon.json has it; a newer status may). */
export type Proxy = StatusReport['proxy'] & { redirect_off_reason?: string | null };
export type Udp = StatusReport['proxy']['udp'];

export interface Status {
  version: string;
  enabled: boolean;
  in_sync: boolean;
  pending: string[];
  uplinks: Uplink[];
  limits?: { subflows: number; add_addr_accepted: number };
  counters: Record<string, number>;
  daemon?: { running: boolean; pid: number | null; last_error: string | null };
  proxy?: Proxy;
  warnings: string[];
  /** The config file on disk is invalid; the daemon keeps the last valid one in force. */
  config_error?: StatusReport['config_error'];
  /** Per family: the uplink that carries traffic without a more specific route, or why none. */
  default_route?: StatusReport['default_route'];
  /** Milliseconds since boot when counters and byte counts were read. */
  sampled_ms?: number;
}

export interface Check { check: string; status: 'pass' | 'fail' | 'warn' | 'skip'; message: string; latency_ms?: number }
export interface Diagnosis { uplinks: { uplink: string; checks: Check[] }[] }

export interface Connections {
  available: boolean;
  reason?: string;
  connections: {
    token: string;
    remote: string;
    bytes_sent: number;
    bytes_received: number;
    subflows: { uplink: string | null; local: string; bytes_sent: number; bytes_received: number }[];
  }[];
}
