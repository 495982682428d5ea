// What the kernel should hold and what must change to get there: the pure planner and the
// pure diff over one SystemState. No I/O.
import type { Observed } from '../model/kernel.js';
import type { Desired } from '../model/plan.js';
import { planDesired, MAX_ENDPOINTS } from '../plan/plan.js';
import { classifyEndpoints, diffState, ownsTable, type DiffResult } from '../diff/diff.js';
import { suspectsFrom, unhealthyFrom } from '../health/conditions.js';
import type { SystemState } from './read-system.js';
import { overQuota, quotasOf } from '../quota/usage.js';

/** What the health checks say, as the planner takes it. */
export interface HealthView {
  /** Uplink -> why its health checks say it is down. */
  unhealthy: Record<string, string>;
  /** Up uplinks that missed a probe round lately. */
  suspect: string[];
}

export interface Assessment extends SystemState {
  desired: Desired;
  /** The kernel state mpwan compares with the plan (routes only in its tables). */
  observed: Observed;
  diff: DiffResult;
}

/** The devices of configured uplinks and of recorded endpoints: where mpwan may adopt endpoints. */
function managedDevices(state: SystemState): Set<string> {
  const devs = new Set<string>(state.owned.endpoints.map((e) => e.dev));
  for (const u of state.config.uplinks) {
    const dev = state.netifd.find((i) => i.name === u.name)?.l3Device;
    if (dev) devs.add(dev);
  }
  return devs;
}

/** mwan3 keeps its rules at priorities 1000-3999: while any is there, it owns the default route. */
export const mwan3Runs = (state: Pick<SystemState, 'rules'>) => state.rules.some((r) => r.pref >= 1000 && r.pref <= 3999);

/** Plans with `health` (default: the daemon's state.json read with the state). */
export function assess(state: SystemState, health?: HealthView): Assessment {
  const managed = managedDevices(state);
  const { foreign } = classifyEndpoints(state.endpoints, state.owned.endpoints, managed);
  const desired = planDesired(state.config, state.netifd, state.addresses, {
    endpointSlots: MAX_ENDPOINTS - foreign.length,
    sysctls: state.caps.sysctls,
    schedulers: state.caps.schedulers,
    pathManagers: state.caps.pathManagers,
  }, {
    links: state.links,
    unhealthy: health?.unhealthy ?? unhealthyFrom(state.health),
    suspect: health?.suspect ?? suspectsFrom(state.health),
    mwan3: mwan3Runs(state),
    quota: overQuota(state.usage, quotasOf(state.config)),
  });
  const observed: Observed = {
    links: state.links,
    addresses: state.addresses,
    endpoints: state.endpoints,
    limits: state.limits,
    rules: state.rules,
    routes: state.routes.filter((r) => ownsTable(r.table, desired, state.owned)),
    sysctls: state.sysctls,
  };
  return { ...state, desired, observed, diff: diffState(desired, observed, state.owned, managed) };
}
