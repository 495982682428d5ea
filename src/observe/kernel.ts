// Pure parsers for what `ip -j` (iproute2 >= 5.x) prints. Each throws on output that is not
// the documented shape, so a changed tool is an error rather than a wrong reconcile.
import type { Family, KernelAddress, KernelLink, Limits, ObservedEndpoint, ObservedRoute, ObservedRule } from '../model/kernel.js';
import { canonicalAddress } from '../lib/inet.js';

type Json = Record<string, unknown>;

function jsonArray(text: string, what: string): Json[] {
  let v: unknown;
  try {
    v = JSON.parse(text.trim() === '' ? '[]' : text);
  } catch {
    throw new Error(`${what}: not JSON`);
  }
  if (!Array.isArray(v)) throw new Error(`${what}: expected a JSON array`);
  return v.filter((x): x is Json => typeof x === 'object' && x !== null);
}

/** `ip -j addr show` */
export function parseAddrShow(text: string): { links: KernelLink[]; addresses: KernelAddress[] } {
  const links: KernelLink[] = [];
  const addresses: KernelAddress[] = [];
  for (const l of jsonArray(text, 'ip addr')) {
    if (typeof l.ifindex !== 'number' || typeof l.ifname !== 'string') continue;
    const flags = Array.isArray(l.flags) ? l.flags : [];
    links.push({ ifindex: l.ifindex, dev: l.ifname, up: flags.includes('UP'), carrier: flags.includes('LOWER_UP') });
    for (const a of Array.isArray(l.addr_info) ? (l.addr_info as Json[]) : []) {
      if (typeof a.local !== 'string' || (a.family !== 'inet' && a.family !== 'inet6')) continue;
      const address = canonicalAddress(a.local);
      if (!address) continue;
      const aflags = ['tentative', 'dadfailed', 'deprecated', 'temporary', 'optimistic']
        .filter((f) => a[f] === true);
      // A preferred lifetime of 0 is how the kernel marks a deprecated address.
      if (a.preferred_life_time === 0 && !aflags.includes('deprecated')) aflags.push('deprecated');
      addresses.push({
        ifindex: l.ifindex,
        dev: l.ifname,
        family: a.family === 'inet' ? 4 : 6,
        address,
        prefixlen: typeof a.prefixlen === 'number' ? a.prefixlen : 0,
        scope: typeof a.scope === 'string' ? a.scope : '',
        flags: aflags,
      });
    }
  }
  return { links, addresses };
}

/** `ip -j mptcp endpoint show` */
export function parseEndpoints(text: string): ObservedEndpoint[] {
  return jsonArray(text, 'ip mptcp endpoint').flatMap((e): ObservedEndpoint[] => {
    const address = typeof e.address === 'string' ? canonicalAddress(e.address) : null;
    if (typeof e.id !== 'number' || !address) return [];
    const ep: ObservedEndpoint = {
      id: e.id,
      address,
      subflow: e.subflow === true,
      signal: e.signal === true,
      backup: e.backup === true,
      fullmesh: e.fullmesh === true,
    };
    if (typeof e.dev === 'string') ep.dev = e.dev;
    if (typeof e.port === 'number') ep.port = e.port;
    return [ep];
  });
}

/** `ip mptcp limits show` prints text even with -j: `add_addr_accepted 0 subflows 2`. */
export function parseLimits(text: string): Limits {
  const num = (key: string): number => {
    const m = new RegExp(`(?:^|\\s)${key}\\s+(\\d+)`).exec(text);
    if (!m) throw new Error(`ip mptcp limits: no ${key} in "${text.trim()}"`);
    return Number(m[1]);
  };
  return { subflows: num('subflows'), addAddrAccepted: num('add_addr_accepted') };
}

const RULE_KEYS = new Set(['priority', 'src', 'srclen', 'dst', 'dstlen', 'table', 'flags', 'fwmark', 'fwmask', 'suppress_prefixlen']);

/** `ip -j -4 rule` / `ip -j -6 rule` */
export function parseRules(text: string, family: Family): ObservedRule[] {
  return jsonArray(text, 'ip rule').flatMap((r): ObservedRule[] => {
    if (typeof r.priority !== 'number' || typeof r.table !== 'string') return [];
    const rule: ObservedRule = {
      family,
      pref: r.priority,
      table: r.table,
      // Anything beyond pref/from/lookup means a rule mpwan did not write.
      extra: Object.keys(r).some((k) => !RULE_KEYS.has(k)) || (Array.isArray(r.flags) && r.flags.length > 0),
    };
    if (typeof r.src === 'string' && r.src !== 'all') {
      const src = canonicalAddress(r.src);
      if (src) rule.src = src;
    }
    if (typeof r.srclen === 'number') rule.srcLen = r.srclen;
    if (typeof r.dst === 'string' && r.dst !== 'all') {
      const dst = canonicalAddress(r.dst);
      if (dst) rule.dst = dst;
    }
    if (typeof r.dstlen === 'number') rule.dstLen = r.dstlen;
    if (typeof r.fwmark === 'string') rule.fwmark = Number(r.fwmark);
    if (typeof r.fwmask === 'string') rule.fwmask = Number(r.fwmask);
    if (typeof r.suppress_prefixlen === 'number') rule.suppressPrefixlength = r.suppress_prefixlen;
    return [rule];
  });
}

/** `ip -j route show table all` (both families); keeps routes in tables `owned` accepts. */
export function parseRoutes(text: string, owned: (table: number) => boolean): ObservedRoute[] {
  return jsonArray(text, 'ip route').flatMap((r): ObservedRoute[] => {
    const table = Number(r.table);
    if (typeof r.table !== 'string' || !Number.isInteger(table) || !owned(table)) return [];
    if (typeof r.dst !== 'string') return [];
    if (r.type !== undefined && r.type !== 'unicast' && r.type !== 'local') return [];
    const gateway = typeof r.gateway === 'string' ? canonicalAddress(r.gateway) : null;
    const isV6 = r.dst.includes(':') || (gateway?.includes(':') ?? false) || r.pref !== undefined;
    const route: ObservedRoute = { family: isV6 ? 6 : 4, table, dst: r.dst };
    if (gateway) route.gateway = gateway;
    if (typeof r.dev === 'string') route.dev = r.dev;
    if (typeof r.prefsrc === 'string') route.prefsrc = r.prefsrc;
    if (typeof r.scope === 'string') route.scope = r.scope;
    if (r.type === 'local') route.type = 'local';
    return [route];
  });
}

/** MPTcpExt counters from /proc/net/netstat (header line, then value line). */
export function parseNetstat(text: string): Record<string, number> {
  // Found by string search and split on the kernel's single spaces: a regex split of the whole
  // file took half of what a status poll spends reading (qjs's regexps are slow).
  const out: Record<string, number> = {};
  const names = text.startsWith('MPTcpExt:') ? 0 : text.indexOf('\nMPTcpExt:') + 1;
  if (names === 0 && !text.startsWith('MPTcpExt:')) return out;
  const end = (from: number) => { const e = text.indexOf('\n', from); return e < 0 ? text.length : e; };
  const values = end(names) + 1;
  if (!text.startsWith('MPTcpExt:', values)) return out;
  const fields = (from: number) => text.slice(from, end(from)).split(' ').filter(Boolean);
  const keys = fields(names), vals = fields(values);
  for (let j = 1; j < keys.length; j++) out[keys[j]] = Number(vals[j]);
  return out;
}
