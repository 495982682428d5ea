// The pure reconciler: (Desired, Observed, what mpwan owns) -> the minimal ordered Change[].
// An empty list means the kernel already matches the plan; nothing is "refreshed", because
// deleting and re-adding an unchanged endpoint closes its subflows on every connection.
import { ruleSelector, ruleSuffix, type DesiredRule, type Limits, type ObservedEndpoint, type Observed, type ObservedRoute, type ObservedRule, type OwnedEndpoint } from '../model/kernel.js';
import { RULE } from '../model/owned-ranges.js';
import type { Change, Desired, OwnedState } from '../model/plan.js';
import { TCP_RMEM_PATH, TCP_WMEM_PATH } from '../model/tcp-buffers.js';

/** Endpoint ids the kernel accepts (0 is the initial subflow). */
const MIN_ID = 1;
const MAX_ID = 255;

/** Phase order: make room and routes first, endpoints next, remove leftovers last. */
const PHASES: Change['kind'][] = [
  'sysctl', 'limits', 'route-replace', 'rule-add', 'endpoint-del', 'endpoint-backup', 'endpoint-add', 'rule-del', 'route-del',
];

export interface DiffResult {
  changes: Change[];
  /** What mpwan owns once the changes are applied. */
  owned: OwnedState;
  /** Endpoint id per desired address (kept or newly allocated). */
  ids: Record<string, number>;
  warnings: string[];
}

/**
 * Endpoints mpwan may change: those it recorded adding, and subflow endpoints without a port
 * on the devices of its uplinks (adopted, e.g. after a crash before the record was written).
 * Everything else (signal endpoints, ports, other devices) belongs to someone else.
 */
export function classifyEndpoints(
  endpoints: ObservedEndpoint[],
  owned: OwnedEndpoint[],
  managedDevs: Set<string>,
): { ours: ObservedEndpoint[]; foreign: ObservedEndpoint[] } {
  const ours: ObservedEndpoint[] = [];
  const foreign: ObservedEndpoint[] = [];
  for (const e of endpoints) {
    const recorded = owned.some((o) => o.id === e.id && o.address === e.address);
    const adoptable = e.subflow && !e.signal && e.port === undefined && e.dev !== undefined && managedDevs.has(e.dev);
    (recorded || adoptable ? ours : foreign).push(e);
  }
  return { ours, foreign };
}

export function ownsTable(table: number, desired: Desired, prev: OwnedState): boolean {
  const within = (r?: [number, number]) => r !== undefined && table >= r[0] && table <= r[1];
  return within(desired.tableRange) || within(prev.tableRange);
}

/**
 * mpwan's rules (model/owned-ranges.ts RULE): at rule_pref + their offset, each of its own
 * shape, looking up one of mpwan's tables (or main, for the suppress rule), nothing else in them.
 */
function ownsRule(r: ObservedRule, desired: Desired, prev: OwnedState): boolean {
  if (r.extra) return false;
  const prefs = [desired.rulePref, prev.rulePref].filter((p): p is number => p !== undefined);
  const offsets = prefs.map((p) => r.pref - p);
  const at = (offset: number) => offsets.includes(offset);
  const hostLen = r.family === 4 ? 32 : 128;
  const host = (a: string | undefined, len: number | undefined) => a !== undefined && (len === undefined || len === hostLen);
  const only = (...keys: (keyof ObservedRule)[]) => (['src', 'dst', 'fwmark', 'suppressPrefixlength'] as const).every((k) => keys.includes(k) === (r[k] !== undefined));
  if (r.table === 'main') return at(RULE.MAIN_SPECIFIC) && only('suppressPrefixlength') && r.suppressPrefixlength === 0;
  const table = Number(r.table);
  if (!Number.isInteger(table) || !ownsTable(table, desired, prev)) return false;
  return (at(RULE.FROM) && only('src') && host(r.src, r.srcLen))
    || (at(RULE.TO_SERVER) && only('dst') && host(r.dst, r.dstLen))
    || ((at(RULE.TPROXY) || at(RULE.STICKY)) && only('fwmark'))
    || (at(RULE.DEFAULT) && only());
}

const routeKey = (r: { family: number; table: number; dst: string }) => `${r.family} ${r.table} ${r.dst}`;
const ruleKey = (r: DesiredRule | ObservedRule) =>
  `${r.family} ${r.pref} ${ruleSelector(r).join(' ')} ${r.table} ${ruleSuffix(r).join(' ')}`;

function diffEndpoints(desired: Desired, observed: Observed, prev: OwnedState, managedDevs: Set<string>, out: DiffResult) {
  const { ours, foreign } = classifyEndpoints(observed.endpoints, prev.endpoints, managedDevs);
  const current = new Map(ours.map((e) => [e.address, e]));
  const used = new Set(observed.endpoints.map((e) => e.id));
  const nextId = () => {
    for (let id = MIN_ID; id <= MAX_ID; id++) if (!used.has(id)) { used.add(id); return id; }
    throw new Error('no free MPTCP endpoint id');
  };
  for (const d of desired.endpoints) {
    const cur = current.get(d.address);
    if (!cur) {
      const other = foreign.find((f) => f.address === d.address);
      if (other) {
        out.warnings.push(`${d.uplink}: ${d.address} already has endpoint id ${other.id} that mpwan did not create; leaving it alone`);
        continue;
      }
      const id = nextId();
      out.changes.push({ kind: 'endpoint-add', endpoint: d, id });
      out.ids[d.address] = id;
      continue;
    }
    current.delete(d.address);
    const rec = prev.endpoints.find((o) => o.id === cur.id && o.address === cur.address);
    const sameDevice = cur.dev === d.dev && (rec === undefined || rec.ifindex === d.ifindex);
    if (sameDevice && cur.subflow && !cur.signal && cur.fullmesh === d.fullmesh) {
      if (cur.backup !== d.backup) out.changes.push({ kind: 'endpoint-backup', endpoint: cur, backup: d.backup });
    } else {
      // `ip mptcp endpoint change` only toggles backup/fullmesh: anything else is delete + add.
      const reason = sameDevice ? 'flags changed'
        : cur.dev === d.dev ? `${d.dev} is a new device (ifindex ${rec?.ifindex} -> ${d.ifindex})`
        : `device changed (${cur.dev ?? 'none'} -> ${d.dev})`;
      out.changes.push({ kind: 'endpoint-del', endpoint: cur, reason });
      out.changes.push({ kind: 'endpoint-add', endpoint: d, id: cur.id });
    }
    out.ids[d.address] = cur.id;
  }
  for (const stale of current.values()) {
    out.changes.push({ kind: 'endpoint-del', endpoint: stale, reason: 'no longer in the plan' });
  }
  out.owned.endpoints = desired.endpoints
    .filter((d) => out.ids[d.address] !== undefined)
    .map((d) => ({ id: out.ids[d.address], address: d.address, dev: d.dev, ifindex: d.ifindex }));
}

function diffRules(desired: Desired, observed: Observed, prev: OwnedState, out: DiffResult) {
  const ours = observed.rules.filter((r) => ownsRule(r, desired, prev));
  const have = new Set(ours.map(ruleKey));
  const want = new Set(desired.rules.map(ruleKey));
  for (const r of desired.rules) if (!have.has(ruleKey(r))) out.changes.push({ kind: 'rule-add', rule: r });
  for (const r of ours) if (!want.has(ruleKey(r))) out.changes.push({ kind: 'rule-del', rule: r });
}

function diffRoutes(desired: Desired, observed: Observed, prev: OwnedState, out: DiffResult) {
  const ours = observed.routes.filter((r) => ownsTable(r.table, desired, prev));
  const matched = new Set<ObservedRoute>();
  for (const d of desired.routes) {
    const same = ours.filter((r) => routeKey(r) === routeKey(d) && !matched.has(r));
    const exact = same.find((r) => r.dev === d.dev && r.gateway === d.gateway && r.type === d.type);
    if (exact) { matched.add(exact); continue; }
    const old = same[0];
    if (old) matched.add(old);
    out.changes.push(old ? { kind: 'route-replace', route: d, old } : { kind: 'route-replace', route: d });
  }
  for (const r of ours) if (!matched.has(r)) out.changes.push({ kind: 'route-del', route: r });
}

function diffSysctls(desired: Desired, observed: Observed, out: DiffResult) {
  for (const [path, value] of Object.entries(desired.sysctls)) {
    const old = observed.sysctls[path];
    if (old !== undefined && old !== value) out.changes.push({ kind: 'sysctl', path, value, old });
  }
  // The router's TCP buffer limits: the third field raised to the plan's floor, never lowered.
  const floors: [string, number | undefined][] = [[TCP_RMEM_PATH, desired.tcpLimits?.rmem], [TCP_WMEM_PATH, desired.tcpLimits?.wmem]];
  for (const [path, floor] of floors) {
    const old = observed.sysctls[path];
    const f = old?.split(' ');
    if (floor !== undefined && f?.length === 3 && Number(f[2]) < floor) out.changes.push({ kind: 'sysctl', path, value: `${f[0]} ${f[1]} ${floor}`, old });
  }
  for (const dev of desired.looseRpFilter) {
    const path = rpFilterPath(dev);
    // Only strict (1) is relaxed; 0 and 2 already let replies in on any uplink.
    if (observed.sysctls[path] === '1') out.changes.push({ kind: 'sysctl', path, value: '2', old: '1' });
  }
}

/** The plan's limits; the ones mpwan found (recorded at its first change) once it is disabled. */
function diffLimits(desired: Desired, observed: Observed, prev: OwnedState, out: DiffResult) {
  const same = (a: Limits, b: Limits) => a.subflows === b.subflows && a.addAddrAccepted === b.addAddrAccepted;
  const found = prev.limitsFound;
  const want = desired.enabled ? desired.limits : found ?? null;
  if (want && !same(want, observed.limits)) out.changes.push({ kind: 'limits', limits: want, old: observed.limits });
  if (!desired.enabled) return; // put back: nothing left to record
  if (found) out.owned.limitsFound = found;
  else if (want && !same(want, observed.limits)) out.owned.limitsFound = observed.limits;
}

export const rpFilterPath = (dev: string) => `/proc/sys/net/ipv4/conf/${dev}/rp_filter`;

export function diffState(desired: Desired, observed: Observed, prev: OwnedState, managedDevs: Set<string>): DiffResult {
  const out: DiffResult = {
    changes: [],
    owned: { endpoints: [], rulePref: desired.rulePref, tableRange: desired.tableRange },
    ids: {},
    warnings: [],
  };
  diffSysctls(desired, observed, out);
  diffLimits(desired, observed, prev, out);
  diffRoutes(desired, observed, prev, out);
  diffRules(desired, observed, prev, out);
  diffEndpoints(desired, observed, prev, managedDevs, out);
  out.changes.sort((a, b) => PHASES.indexOf(a.kind) - PHASES.indexOf(b.kind));
  return out;
}
