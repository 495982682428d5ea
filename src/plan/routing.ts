// Where traffic goes when uplinks fail: the rules that send new connections to the server,
// and everything without a more specific route, out through the best healthy uplink; and
// the marks that keep a flow on the uplink it started on while that one stays healthy. Pure.
import type { Config, UplinkConfig } from '../model/config.js';
import type { DesiredEndpoint, DesiredRoute, DesiredRule, Family } from '../model/kernel.js';
import type { DefaultRoutePlan, UplinkMark } from '../model/plan.js';
import { RULE, TABLE_SPAN, TPROXY_MARK, UPLINK_MARK_MASK, uplinkMark } from '../model/owned-ranges.js';
import { canonicalAddress, familyOf } from '../lib/inet.js';
import { serverOrder } from '../config/servers.js';

export interface Candidate {
  uplink: UplinkConfig;
  /** Position in the config (its table and mark follow it). */
  position: number;
  /** netifd's interface metric: the order netifd itself prefers default routes in. */
  metric: number;
  endpoint: DesiredEndpoint;
  /** No carrier or failing health checks. */
  failed: boolean;
}

export interface RoutingConditions {
  /** Up uplinks that missed a probe round lately: new connections start elsewhere if they can. */
  suspect: string[];
  /** mwan3 runs: it owns the default route. */
  mwan3: boolean;
}

/** One way to the server for the relay's UDP: an uplink and the address its datagrams leave from. */
export interface UdpPath {
  uplink: string;
  source: string;
  /** The relay keeps it quiet (no keepalives) while paths before it answer. */
  metered: boolean;
}

export interface RoutingPlan {
  rules: DesiredRule[];
  /** Routes of mpwan's own making (the TPROXY table); uplink tables come from the planner. */
  routes: DesiredRoute[];
  defaultRoutes: DefaultRoutePlan[];
  marks: UplinkMark[];
  udpPaths: UdpPath[];
}

/**
 * Healthy uplinks of a family, best first: not suspect before suspect, unmetered before
 * metered, `on` before `backup`, then the interface metric (what netifd's main table prefers),
 * then priority and config order. On a healthy router without metered uplinks the first is the
 * uplink netifd's own default route uses.
 */
function ranked(candidates: Candidate[], family: Family, suspect: string[]): Candidate[] {
  const seen = new Set<string>();
  const usable = candidates.filter((c) => !c.failed && c.endpoint.family === family && !seen.has(c.uplink.name) && seen.add(c.uplink.name));
  const key = (c: Candidate) => [suspect.includes(c.uplink.name) ? 1 : 0, c.uplink.metered ? 1 : 0, c.uplink.mode === 'on' ? 0 : 1, c.metric, c.uplink.priority, c.position];
  return usable.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    const i = x.findIndex((v, j) => v !== y[j]);
    return i < 0 ? 0 : x[i] - y[i];
  });
}

/**
 * LAN UDP through the server: the nft TPROXY chain marks it, this rule sends marked packets
 * to a table whose one route delivers them to the local relay socket. The last table of
 * mpwan's range is kept for it (at most TABLE_SPAN - 1 uplinks).
 */
export const tproxyTable = (config: Config) => config.globals.tableBase + TABLE_SPAN - 1;

/** Whether LAN UDP goes to the relay (the nft chain itself follows the server's reachability). */
export const udpThroughServer = (config: Config) =>
  config.proxy.enabled && config.proxy.engine === 'relay' && config.proxy.udp === 'server' && config.servers.some((s) => s.enabled);

function planTproxy(config: Config, out: RoutingPlan) {
  if (!udpThroughServer(config)) return;
  const table = tproxyTable(config);
  for (const family of [4, 6] as Family[]) {
    out.rules.push({ family, pref: config.globals.rulePref + RULE.TPROXY, fwmark: TPROXY_MARK, fwmask: TPROXY_MARK, table });
    out.routes.push({ family, table, dst: 'default', dev: 'lo', type: 'local' });
  }
}

export function planRouting(config: Config, candidates: Candidate[], defaults: Map<string, DesiredRoute>, cond: RoutingConditions): RoutingPlan {
  const pref = (offset: number) => config.globals.rulePref + offset;
  const table = (c: Candidate) => defaults.get(`${c.uplink.name}/${c.endpoint.family}`)!.table;
  const out: RoutingPlan = { rules: [], routes: [], defaultRoutes: [], marks: [], udpPaths: [] };

  // The first subflow of a new connection to a server: on a healthy uplink from the first SYN.
  const servers = serverOrder(config.servers).filter((s) => familyOf(s.host) !== null);
  for (const server of servers) {
    const family = familyOf(server.host)!;
    const dst = canonicalAddress(server.host) ?? server.host;
    const best = ranked(candidates, family, cond.suspect)[0];
    if (best && !out.rules.some((r) => r.dst === dst)) out.rules.push({ family, pref: pref(RULE.TO_SERVER), dst, table: table(best) });
  }
  // The relay's UDP leaves from these sources, best first: each one's `from` rule picks its
  // uplink (the family of the most preferred server first; the daemon writes the server's own).
  for (const family of [...new Set(servers.map((s) => familyOf(s.host)!))]) {
    out.udpPaths.push(...ranked(candidates, family, cond.suspect).map((c) => ({ uplink: c.uplink.name, source: c.endpoint.address, metered: c.uplink.metered })));
  }
  planTproxy(config, out);

  const off = !config.globals.defaultRoute ? "option default_route is '0'" : cond.mwan3 ? 'mwan3 runs and manages the default route' : null;
  for (const family of [4, 6] as Family[]) {
    const best = ranked(candidates, family, cond.suspect);
    if (off || best.length === 0) {
      out.defaultRoutes.push({ family, uplink: null, reason: off ?? `no healthy uplink has an IPv${family} default route` });
      continue;
    }
    out.defaultRoutes.push({ family, uplink: best[0].uplink.name, reason: null });
    out.rules.push({ family, pref: pref(RULE.MAIN_SPECIFIC), table: 'main', suppressPrefixlength: 0 });
    for (const c of best) {
      const mark = uplinkMark(c.position);
      out.rules.push({ family, pref: pref(RULE.STICKY), fwmark: mark, fwmask: UPLINK_MARK_MASK, table: table(c) });
      if (!out.marks.some((m) => m.uplink === c.uplink.name)) out.marks.push({ uplink: c.uplink.name, dev: c.endpoint.dev, mark });
    }
    out.rules.push({ family, pref: pref(RULE.DEFAULT), table: table(best[0]) });
  }
  return out;
}
