// The servers as status shows them. Pure.
import type { Config } from '../model/config.js';
import type { DaemonState, ServerReport } from '../model/daemon-state.js';
import { serverOrder } from '../config/servers.js';
import { hostPort } from '../lib/inet.js';

/** The servers as the daemon sees them; without a daemon, as configured (nothing known of them). */
export function serverReports(config: Config, daemon: DaemonState | null): ServerReport[] {
  if (daemon?.proxy?.servers) return daemon.proxy.servers;
  return serverOrder(config.servers).map((s) => ({
    name: s.name, address: hostPort(s.host, s.port), priority: s.priority,
    state: 'unknown', reason: daemon ? 'not in use' : 'the daemon does not run', active: false,
  }));
}
