// The MPTCP sysctls and path-manager limits of the plan. Pure.
import type { Config } from '../model/config.js';
import type { DesiredEndpoint, Family, Limits } from '../model/kernel.js';
import type { Capabilities } from '../model/kernel.js';

/** Largest value `ip mptcp limits` accepts for either limit. */
export const MAX_LIMIT = 8;

const MPTCP_SYSCTL_DIR = '/proc/sys/net/mptcp/';

export function planSysctls(config: Config, caps: Capabilities, warnings: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.globals.sysctls)) {
    if (value === undefined) continue;
    if (!caps.sysctls.includes(name)) {
      warnings.push(`this kernel has no net.mptcp.${name}; option ignored`);
      continue;
    }
    if (name === 'scheduler' && caps.schedulers.length > 0 && !caps.schedulers.includes(value)) {
      warnings.push(`scheduler '${value}' is not available (have: ${caps.schedulers.join(', ')}); option ignored`);
      continue;
    }
    if (name === 'path_manager' && caps.pathManagers.length > 0 && !caps.pathManagers.includes(value)) {
      warnings.push(`path manager '${value}' is not available (have: ${caps.pathManagers.join(', ')}); option ignored`);
      continue;
    }
    out[MPTCP_SYSCTL_DIR + name] = value;
  }
  return out;
}

export function planLimits(config: Config, endpoints: DesiredEndpoint[], uplinkCount: number): Limits | null {
  if (endpoints.length === 0) return null;
  const perFamily = (f: Family) => endpoints.filter((e) => e.family === f).length;
  // One extra subflow per endpoint of the larger family is enough even when the initial
  // subflow leaves from an address that has no endpoint.
  const needed = Math.max(perFamily(4), perFamily(6));
  return {
    subflows: Math.min(MAX_LIMIT, Math.max(needed, config.globals.subflowsMin)),
    addAddrAccepted: Math.min(MAX_LIMIT, Math.max(uplinkCount, config.globals.addAddrAcceptedMin)),
  };
}

