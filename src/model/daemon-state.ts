// What the running daemon reports about itself (MPWAN_RUN_DIR/daemon.json), for status,
// ubus and LuCI. Written by daemon/, read by status/.
import type { ConfigProblem } from './config.js';

export interface ProxyState {
  engine: string;
  port: number;
  mptcp_by: string;
  instances: { pid: number | null; restarts: number }[];
  redirect_active: boolean;
  /** Why the redirect is off while a proxy is configured, in a sentence; null while on. */
  redirect_off_reason: string | null;
  server: string;
  server_reachable: boolean | null;
  /** false: the server takes connections but answers none through the proxy (wrong password or key?). */
  server_answers: boolean | null;
  /** The server new LAN traffic goes to (null: none answers), why that one, since when (epoch seconds). */
  active_server: string | null;
  active_why: string;
  active_since: number;
  /** A more preferred server that answers again: new traffic goes back to it at `at` (epoch seconds). */
  failback: { server: string; at: number } | null;
  /** Every enabled server, most preferred first. */
  servers: ServerReport[];
}

export interface ServerReport {
  name: string;
  /** host:port */
  address: string;
  priority: number;
  state: 'up' | 'down' | 'unknown';
  /** Why it is down (or what is known of it), in a few words; null when up. */
  reason: string | null;
  active: boolean;
}

/** Which uplink carries traffic without a more specific route, per family, and since when. */
export interface DefaultRouteState {
  family: 4 | 6;
  uplink: string | null;
  /** Epoch seconds since this uplink (or none) carries it. */
  since: number;
  /** Why no uplink does (mpwan's default route is off, mwan3 runs, none is healthy). */
  reason: string | null;
}

export interface DaemonState {
  pid: number;
  since: number;
  proxy: ProxyState | null;
  /** The configured proxy engine cannot run (not installed): what to do, in a sentence. */
  proxy_error: string | null;
  /** Re-plans done so far (start, SIGHUP, events): lets status and tests see that a reload happened. */
  reloads: number;
  last_reload: { why: string; at: number } | null;
  last_error: string | null;
  default_route: DefaultRouteState[];
  /** The config file on disk does not validate: the last good one stays in force. */
  config_error: { message: string; errors: ConfigProblem[] } | null;
}
