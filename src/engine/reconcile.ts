// Read -> plan -> diff -> apply: the thin shell around the pure core, shared by the CLI and
// (later) the daemon and the ubus plugin.
import type { Runtime } from '../sys/runtime.js';
import type { Config } from '../model/config.js';
import type { KernelLink, Observed } from '../model/kernel.js';
import type { NetifdInterface } from '../model/netifd.js';
import type { Change, Desired, OwnedState } from '../model/plan.js';
import { MpwanError } from '../model/errors.js';
import { settled } from '../lib/async.js';
import { validateConfig } from '../config/schema.js';
import { planDesired, MAX_ENDPOINTS, TABLE_SPAN } from '../plan/plan.js';
import { classifyEndpoints, diffState, ownsTable, rpFilterPath, type DiffResult } from '../diff/diff.js';
import { applyChanges, type ApplyFailure } from '../apply/apply.js';
import { describeChange } from '../apply/render.js';
import { configFile } from '../sys/paths.js';
import { readAddresses, readEndpoints, readLimits, readRoutes, readRules } from '../sys/ip.js';
import { readNetifd } from '../sys/ubus.js';
import { MPTCP_SYSCTL_DIR, readMptcpCaps, readSysctls } from '../sys/procfs.js';
import { readOwned, writeOwned } from '../sys/owned.js';
import { readHealthState, suspectsFrom, unhealthyFrom, type HealthFile } from '../sys/health-state.js';

/** Reads and validates the config; throws invalid_config listing every problem. */
export function loadConfig(rt: Runtime): Config {
  const file = configFile(rt);
  const text = rt.readFile(file);
  if (text === null) {
    throw new MpwanError('invalid_config', `${file}: cannot read the config file`, {
      errors: [{ file, line: 0, option: '', message: 'cannot read the config file' }],
    });
  }
  const result = validateConfig(text, file);
  if (!result.config) {
    const lines = result.errors.map((p) => `${p.file}:${p.line}: ${p.option ? p.option + ': ' : ''}${p.message}`);
    throw new MpwanError('invalid_config', `invalid configuration:\n  ${lines.join('\n  ')}`, { errors: result.errors });
  }
  return result.config;
}

export interface Snapshot {
  config: Config;
  netifd: NetifdInterface[];
  links: KernelLink[];
  observed: Observed;
  owned: OwnedState;
  desired: Desired;
  diff: DiffResult;
  /** The running daemon's state.json, when it was read (not when the caller gave `unhealthy`). */
  health: HealthFile | null;
}

export interface SnapshotOptions {
  /** `stop` plans "disabled". */
  override?: (c: Config) => Config;
  /** Uplinks whose health checks fail (the daemon passes its own view; others read state.json). */
  unhealthy?: Record<string, string>;
  /** Up uplinks that missed a probe round lately (the daemon passes its own view; others read state.json). */
  suspect?: string[];
}

/** Everything one reconcile needs, read once. */
export async function snapshot(rt: Runtime, options: SnapshotOptions = {}): Promise<Snapshot> {
  const { override } = options;
  await settled();
  const health = options.unhealthy ? null : readHealthState(rt);
  let config = loadConfig(rt);
  if (override) config = override(config);
  const caps = readMptcpCaps(rt);
  const owned = readOwned(rt);
  // Independent reads run concurrently; netifd is asked exactly once.
  const [netifd, kernel, endpoints, limits, rules4, rules6] = await Promise.all([
    readNetifd(rt), readAddresses(rt), readEndpoints(rt), readLimits(rt), readRules(rt, 4), readRules(rt, 6),
  ]);
  const base = config.globals.tableBase;
  const prevRange = owned.tableRange;
  const mayOwn = (t: number) => (t >= base && t < base + TABLE_SPAN) || (prevRange !== undefined && t >= prevRange[0] && t <= prevRange[1]);
  const routes = await readRoutes(rt, mayOwn);

  const managedDevs = new Set<string>(owned.endpoints.map((e) => e.dev));
  for (const u of config.uplinks) {
    const dev = netifd.find((i) => i.name === u.name)?.l3Device;
    if (dev) managedDevs.add(dev);
  }
  const { foreign } = classifyEndpoints(endpoints, owned.endpoints, managedDevs);
  const desired = planDesired(config, netifd, kernel.addresses, {
    endpointSlots: MAX_ENDPOINTS - foreign.length,
    sysctls: caps.sysctls,
    schedulers: caps.schedulers,
    pathManagers: caps.pathManagers,
  }, {
    links: kernel.links,
    unhealthy: options.unhealthy ?? unhealthyFrom(health),
    suspect: options.suspect ?? suspectsFrom(health),
  });
  const sysctlPaths = [
    ...Object.keys(config.globals.sysctls).map((n) => `${MPTCP_SYSCTL_DIR}/${n}`),
    ...desired.looseRpFilter.map(rpFilterPath),
  ];
  const observed: Observed = {
    links: kernel.links,
    addresses: kernel.addresses,
    endpoints,
    limits,
    rules: [...rules4, ...rules6],
    routes: routes.filter((r) => ownsTable(r.table, desired, owned)),
    sysctls: readSysctls(rt, sysctlPaths),
  };
  const diff = diffState(desired, observed, owned, managedDevs);
  return { config, netifd, links: kernel.links, observed, owned, desired, diff, health };
}

export interface ApplyReport {
  changes: Change[];
  descriptions: string[];
  warnings: string[];
  applied: boolean;
  failure?: ApplyFailure;
  snapshot: Snapshot;
}

export async function reconcile(rt: Runtime, options: SnapshotOptions & { dryRun: boolean }): Promise<ApplyReport> {
  const snap = await snapshot(rt, options);
  const { changes } = snap.diff;
  const report: ApplyReport = {
    changes,
    descriptions: changes.map(describeChange),
    warnings: [...snap.desired.warnings, ...snap.diff.warnings],
    applied: false,
    snapshot: snap,
  };
  if (options.dryRun) return report;
  if (changes.length > 0) {
    const failure = await applyChanges(rt, changes);
    if (failure) {
      report.failure = failure;
      return report;
    }
  }
  // Rewritten only when it changed, so a no-op run writes nothing at all.
  if (JSON.stringify(snap.diff.owned) !== JSON.stringify(snap.owned)) writeOwned(rt, snap.diff.owned);
  report.applied = true;
  return report;
}
