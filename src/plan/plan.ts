// The pure core: (config, netifd, kernel addresses, capabilities) -> Desired.
// No I/O, no clock: everything arrives as arguments.
import type { Config, UplinkConfig } from '../model/config.js';
import type { DesiredEndpoint, DesiredRoute, DesiredRule, Family, KernelAddress, KernelLink, Limits } from '../model/kernel.js';
import type { NetifdAddress, NetifdInterface } from '../model/netifd.js';
import type { Desired, UplinkPlan } from '../model/plan.js';
import { canonicalAddress, familyOf, unusableReason } from '../lib/inet.js';

/** The kernel's MPTCP_PM_ADDR_MAX: at most 8 endpoints per network namespace. */
export const MAX_ENDPOINTS = 8;
/** Largest value `ip mptcp limits` accepts for either limit. */
export const MAX_LIMIT = 8;
/** Table ids owned by mpwan: table_base .. table_base + TABLE_SPAN - 1. */
export const TABLE_SPAN = 64;

export interface Capabilities {
  /** Endpoint slots left once endpoints mpwan does not own are counted. */
  endpointSlots: number;
  /** Sysctl names present under /proc/sys/net/mptcp. */
  sysctls: string[];
  schedulers: string[];
  pathManagers: string[];
}

/** What is known about uplinks beyond netifd: carrier, and the daemon's health checks. */
export interface Conditions {
  links?: KernelLink[];
  /** Uplink name -> why its health checks say it is down. */
  unhealthy?: Record<string, string>;
  /** Up uplinks that missed a probe round lately: new connections start elsewhere if they can. */
  suspect?: string[];
}

interface Candidate {
  uplink: UplinkConfig;
  rank: number;
  endpoint: DesiredEndpoint;
  /** No carrier or failing health checks. */
  failed: boolean;
}

/** A failed uplink with on_down 'withdraw' keeps its rule and table (probes leave by it) but no endpoint. */
const withdrawn = (c: Candidate) => c.failed && c.uplink.health.onDown === 'withdraw';

/** Why an up uplink cannot carry subflows right now, or null. */
function failureOf(uplink: UplinkConfig, dev: string, conditions: Conditions): string | null {
  const link = conditions.links?.find((l) => l.dev === dev);
  if (link && !link.carrier) return `no carrier on ${dev}`;
  return conditions.unhealthy?.[uplink.name] ?? null;
}

/**
 * The uplink new connections to the server start on: healthy, not suspect if another is
 * not, `on` before `backup`, then priority and config order. Its table gets a `to <server>`
 * rule, so the first subflow never sits on a failed uplink (the main table's default route
 * may still point there): its SYN is tied to that uplink's address and cannot move later.
 */
function serverRule(config: Config, candidates: Candidate[], defaults: Map<string, DesiredRoute>, suspect: string[]): DesiredRule | null {
  const server = config.servers.find((s) => s.enabled);
  const family = server ? familyOf(server.host) : null;
  if (!server || family === null) return null;
  const usable = candidates.filter((c) => !c.failed && c.endpoint.family === family);
  const first = (cs: Candidate[]) => cs.find((c) => c.uplink.mode === 'on') ?? cs[0];
  const best = first(usable.filter((c) => !suspect.includes(c.uplink.name))) ?? first(usable);
  if (!best) return null;
  return { family, pref: config.globals.rulePref + 1, dst: canonicalAddress(server.host) ?? server.host, table: defaults.get(`${best.uplink.name}/${family}`)!.table };
}

const MPTCP_SYSCTL_DIR = '/proc/sys/net/mptcp/';

/** The default route netifd reports for one family, if any. */
function defaultRoute(iface: NetifdInterface, family: Family, dev: string): DesiredRoute | null {
  const any = family === 4 ? '0.0.0.0' : '::';
  const r = iface.routes.find((x) => x.mask === 0 && x.target === any && (x.table === undefined || x.table === 'main'));
  if (!r) return null;
  const route: DesiredRoute = { family, table: 0, dst: 'default', dev };
  if (r.nexthop && r.nexthop !== any) route.gateway = r.nexthop;
  return route;
}

function addressSkipReason(
  a: NetifdAddress,
  family: Family,
  uplink: UplinkConfig,
  dev: string,
  kernel: KernelAddress[],
  hasDefault: boolean,
): string | null {
  const bad = unusableReason(a.address, uplink.ula);
  if (bad) return bad;
  const k = kernel.find((x) => x.address === a.address && x.dev === dev);
  if (!k) return `not (yet) on ${dev} in the kernel`;
  if (k.flags.includes('tentative') || k.flags.includes('dadfailed')) return 'tentative (duplicate address detection)';
  if (k.flags.includes('temporary')) return 'privacy (temporary) address';
  if (k.flags.includes('deprecated')) return 'deprecated';
  if (!hasDefault) return `no IPv${family} default route on this uplink`;
  return null;
}

function planSysctls(config: Config, caps: Capabilities, warnings: string[]): Record<string, string> {
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

function planLimits(config: Config, endpoints: DesiredEndpoint[], uplinkCount: number): Limits | null {
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

export function planDesired(
  config: Config,
  netifd: NetifdInterface[],
  kernel: KernelAddress[],
  caps: Capabilities,
  conditions: Conditions = {},
): Desired {
  const { globals } = config;
  const warnings: string[] = [];
  const tableRange: [number, number] = [globals.tableBase, globals.tableBase + TABLE_SPAN - 1];
  const desired: Desired = {
    enabled: globals.enabled,
    uplinks: [],
    endpoints: [],
    rules: [],
    routes: [],
    tables: config.uplinks.map((u) => u.table),
    limits: null,
    sysctls: {},
    looseRpFilter: [],
    rulePref: globals.rulePref,
    tableRange,
    warnings,
  };
  if (!globals.enabled) {
    desired.uplinks = config.uplinks.map((u) => ({
      name: u.name, mode: u.mode, state: 'disabled', table: u.table, addresses: [], sources: [], skipped: [],
    }));
    return desired;
  }

  const candidates: Candidate[] = [];
  const defaults = new Map<string, DesiredRoute>(); // `${uplink}/${family}`
  const plans = new Map<string, UplinkPlan>();
  config.uplinks.forEach((uplink, order) => {
    const plan: UplinkPlan = {
      name: uplink.name, mode: uplink.mode, state: 'active', table: uplink.table, addresses: [], sources: [], skipped: [],
    };
    plans.set(uplink.name, plan);
    desired.uplinks.push(plan);
    if (uplink.mode === 'off') { plan.state = 'disabled'; return; }
    const iface = netifd.find((i) => i.name === uplink.name);
    if (!iface) { plan.state = 'unknown'; return; }
    if (!iface.up || !iface.l3Device) { plan.state = 'down'; return; }
    const dev = iface.l3Device;
    plan.dev = dev;
    const failure = failureOf(uplink, dev, conditions);
    if (failure) { plan.state = 'failed'; plan.failure = failure; }
    for (const family of [4, 6] as Family[]) {
      const route = defaultRoute(iface, family, dev);
      if (route) defaults.set(`${uplink.name}/${family}`, { ...route, table: uplink.table });
      for (const a of family === 4 ? iface.ipv4 : iface.ipv6) {
        const why = addressSkipReason(a, family, uplink, dev, kernel, route !== null);
        if (why) { plan.skipped.push({ address: a.address, reason: why }); continue; }
        const k = kernel.find((x) => x.address === a.address && x.dev === dev)!;
        candidates.push({
          uplink,
          rank: order,
          endpoint: {
            uplink: uplink.name, address: a.address, family, dev, ifindex: k.ifindex,
            backup: uplink.mode === 'backup' || failure !== null, fullmesh: uplink.fullmesh,
          },
          failed: failure !== null,
        });
      }
    }
  });

  // Rank like NetworkManager: stable by priority, then config order; dedupe by address;
  // truncate at the slots the kernel has left.
  candidates.sort((a, b) => a.uplink.priority - b.uplink.priority || a.rank - b.rank);
  const seen = new Map<string, string>();
  const routedCandidates: Candidate[] = [];
  const slots = Math.max(0, Math.min(MAX_ENDPOINTS, caps.endpointSlots));
  for (const c of candidates) {
    const plan = plans.get(c.uplink.name)!;
    const owner = seen.get(c.endpoint.address);
    if (owner !== undefined) {
      plan.skipped.push({ address: c.endpoint.address, reason: `duplicate of uplink ${owner}` });
      continue;
    }
    seen.set(c.endpoint.address, c.uplink.name);
    if (withdrawn(c)) {
      plan.skipped.push({ address: c.endpoint.address, reason: `withdrawn: ${plan.failure}` });
      routedCandidates.push(c);
      continue;
    }
    if (desired.endpoints.length >= slots) {
      plan.skipped.push({ address: c.endpoint.address, reason: `over the limit of ${slots} endpoints` });
      warnings.push(`${c.uplink.name}: ${c.endpoint.address} left out: the kernel allows ${MAX_ENDPOINTS} endpoints and ${slots} are free for mpwan`);
      continue;
    }
    desired.endpoints.push(c.endpoint);
    routedCandidates.push(c);
    plan.addresses.push(c.endpoint.address);
  }

  // Routing follows the endpoints: a table per uplink with its default route, and a
  // `from <addr>` rule per endpoint address, so every subflow leaves by its own uplink.
  // Withdrawn addresses keep theirs: health probes from them must still leave by that uplink.
  const routed = new Set<string>();
  for (const { endpoint: e } of routedCandidates) {
    const key = `${e.uplink}/${e.family}`;
    const route = defaults.get(key)!;
    if (!routed.has(key)) { routed.add(key); desired.routes.push(route); }
    const rule: DesiredRule = { family: e.family, pref: globals.rulePref, src: e.address, table: route.table };
    desired.rules.push(rule);
    plans.get(e.uplink)!.sources.push(e.address);
  }
  const toServer = serverRule(config, routedCandidates, defaults, conditions.suspect ?? []);
  if (toServer) desired.rules.push(toServer);
  for (const plan of desired.uplinks) {
    if (plan.state === 'active' && plan.addresses.length === 0) plan.state = 'no-address';
  }
  if (globals.looseRpFilter) {
    desired.looseRpFilter = [...new Set(desired.endpoints.filter((e) => e.family === 4).map((e) => e.dev))];
  }
  // Limits count withdrawn endpoints too, so a failover does not also churn the limits.
  const counted = routedCandidates.map((c) => c.endpoint);
  const activeUplinks = new Set(counted.map((e) => e.uplink)).size;
  desired.limits = planLimits(config, counted, activeUplinks);
  desired.sysctls = planSysctls(config, caps, warnings);
  return desired;
}
