// The pure core: (config, netifd, kernel addresses, capabilities) -> Desired.
// No I/O, no clock: everything arrives as arguments.
import type { Config, QuotaAction, UplinkConfig } from '../model/config.js';
import type { Capabilities, DesiredRoute, DesiredRule, Family, KernelAddress, KernelLink } from '../model/kernel.js';
import type { NetifdAddress, NetifdInterface } from '../model/netifd.js';
import type { Desired, UplinkPlan } from '../model/plan.js';
import { unusableReason } from '../lib/inet.js';
import { RULE, TABLE_SPAN } from '../model/owned-ranges.js';
import { planRouting, type Candidate } from './routing.js';
import { planLimits, planSysctls } from './kernel-settings.js';
import { planTcpLimits } from './tcp-buffers.js';

export { TABLE_SPAN };
export type { Capabilities };

/** The kernel's MPTCP_PM_ADDR_MAX: at most 8 endpoints per network namespace. */
export const MAX_ENDPOINTS = 8;


/** What is known about uplinks beyond netifd: carrier, and the daemon's health checks. */
export interface Conditions {
  links?: KernelLink[];
  /** Uplink name -> why its health checks say it is down. */
  unhealthy?: Record<string, string>;
  /** Up uplinks that missed a probe round lately: new connections start elsewhere if they can. */
  suspect?: string[];
  /** mwan3 runs: it owns the default route. */
  mwan3?: boolean;
  /** Metered uplinks at their quota, and what that makes of them. */
  quota?: Record<string, QuotaAction>;
}

/** A failed uplink with on_down 'withdraw' keeps its rule and table (probes leave by it) but no endpoint. */
const withdrawn = (c: Candidate) => c.failed && c.uplink.health.onDown === 'withdraw';

/** Why an up uplink cannot carry subflows right now, or null. */
function failureOf(uplink: UplinkConfig, dev: string, conditions: Conditions): string | null {
  const link = conditions.links?.find((l) => l.dev === dev);
  if (link && !link.carrier) return `no carrier on ${dev}`;
  return conditions.unhealthy?.[uplink.name] ?? null;
}

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
    tcpLimits: null,
    looseRpFilter: [],
    defaultRoutes: [],
    marks: [],
    udpPaths: [],
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
  config.uplinks.forEach((configured, order) => {
    // At its quota a metered uplink becomes what quota_action says (unless it is off anyway).
    const over = configured.mode === 'off' ? undefined : conditions.quota?.[configured.name];
    const uplink = over ? { ...configured, mode: over } : configured;
    const plan: UplinkPlan = {
      name: uplink.name, mode: uplink.mode, state: 'active', table: uplink.table, addresses: [], sources: [], skipped: [],
      ...(over ? { overQuota: over } : {}),
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
          position: order,
          metric: iface.metric,
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
  candidates.sort((a, b) => a.uplink.priority - b.uplink.priority || a.position - b.position);
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
    const rule: DesiredRule = { family: e.family, pref: globals.rulePref + RULE.FROM, src: e.address, table: route.table };
    desired.rules.push(rule);
    plans.get(e.uplink)!.sources.push(e.address);
  }
  const routing = planRouting(config, routedCandidates, defaults, { suspect: conditions.suspect ?? [], mwan3: conditions.mwan3 ?? false });
  desired.rules.push(...routing.rules);
  desired.routes.push(...routing.routes);
  desired.udpPaths = routing.udpPaths;
  desired.defaultRoutes = routing.defaultRoutes;
  desired.marks = routing.marks;
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
  desired.tcpLimits = planTcpLimits(config);
  return desired;
}
