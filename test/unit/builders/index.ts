// Builders for unit tests: configs, kernel addresses, and a pure model of the kernel that
// applies Change[] so "the second run changes nothing" can be checked without a kernel.
import { readFileSync } from 'node:fs';
import type { Config, HealthConfig, UplinkConfig } from '../../../src/model/config.js';
import type { KernelAddress, Observed } from '../../../src/model/kernel.js';
import type { NetifdInterface } from '../../../src/model/netifd.js';
import type { Change } from '../../../src/model/plan.js';
import { parseNetifdDump, parseInterface } from '../../../src/observe/netifd.js';

export const fixture = (name: string) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');
export const netifdFixture = (name: string): NetifdInterface[] => parseNetifdDump(fixture(`netifd/${name}`));
export const netifdStatusFixture = (iface: string, name: string): NetifdInterface =>
  parseInterface(iface, JSON.parse(fixture(`netifd/${name}`)));

export const HEALTH: HealthConfig = { hosts: [], probeServer: true, interval: 0.5, timeout: 1, downAfter: 3, upAfter: 3, onDown: 'withdraw' };

export function uplink(name: string, over: Partial<UplinkConfig> = {}, index = 0): UplinkConfig {
  return { name, mode: 'on', priority: 50, table: 5100 + index, ula: false, fullmesh: false, health: HEALTH, metered: false, quota: null, rates: {}, line: 1, ...over };
}

export function config(uplinks: (string | UplinkConfig)[], globals: Partial<Config['globals']> = {}): Config {
  return {
    globals: {
      enabled: true, health: HEALTH, sysctls: {}, tableBase: 5100, rulePref: 5000, subflowsMin: 0, addAddrAcceptedMin: 0, looseRpFilter: true,
      // Off unless a test is about it: its rules would fill every other expected rule list.
      defaultRoute: false,
      ...globals,
    },
    uplinks: uplinks.map((u, i) => (typeof u === 'string' ? uplink(u, {}, i) : u)),
    servers: [],
    proxy: { enabled: false, engine: 'shadowsocks-libev', port: 1100, lan: ['lan'], bypass: [], threads: null, checkInterval: 10, quic: 'tcp', udp: 'direct', duplicate: [], congestion: 'bbr', holdDown: 60, line: 0 },
  };
}

/** Kernel addresses matching every netifd address (what a healthy router has). */
export function kernelFromNetifd(ifaces: NetifdInterface[], flags: Record<string, string[]> = {}): KernelAddress[] {
  const out: KernelAddress[] = [];
  ifaces.forEach((i, n) => {
    if (!i.l3Device) return;
    for (const a of i.ipv4) out.push({ ifindex: 10 + n, dev: i.l3Device, family: 4, address: a.address, prefixlen: a.mask, scope: 'global', flags: flags[a.address] ?? [] });
    for (const a of i.ipv6) out.push({ ifindex: 10 + n, dev: i.l3Device, family: 6, address: a.address, prefixlen: a.mask, scope: 'global', flags: flags[a.address] ?? [] });
  });
  return out;
}

export const caps = { endpointSlots: 8, sysctls: ['enabled', 'scheduler', 'stale_loss_cnt', 'checksum_enabled'], schedulers: ['default'], pathManagers: ['kernel', 'userspace'] };

export function emptyObserved(addresses: KernelAddress[] = []): Observed {
  return { links: [], addresses, endpoints: [], limits: { subflows: 2, addAddrAccepted: 0 }, rules: [], routes: [], sysctls: {} };
}

/** Applies changes to an Observed the way the kernel would (for idempotence tests). */
export function applyToModel(o: Observed, changes: Change[]): Observed {
  const next: Observed = structuredClone(o);
  for (const c of changes) {
    switch (c.kind) {
      case 'sysctl': next.sysctls[c.path] = c.value; break;
      case 'limits': next.limits = { ...c.limits }; break;
      case 'route-replace':
        next.routes = next.routes.filter((r) => !(r.family === c.route.family && r.table === c.route.table && r.dst === c.route.dst));
        next.routes.push({ family: c.route.family, table: c.route.table, dst: c.route.dst, dev: c.route.dev, ...(c.route.gateway ? { gateway: c.route.gateway } : {}), ...(c.route.type ? { type: c.route.type } : {}) });
        break;
      case 'route-del': next.routes = next.routes.filter((r) => r !== o.routes.find((x) => JSON.stringify(x) === JSON.stringify(c.route)) && JSON.stringify(r) !== JSON.stringify(c.route)); break;
      case 'rule-add': {
        const { family, pref, src, dst, fwmark, fwmask, suppressPrefixlength } = c.rule;
        const rule = { family, pref, src, dst, fwmark, fwmask, suppressPrefixlength, table: String(c.rule.table), extra: false };
        next.rules.push(Object.fromEntries(Object.entries(rule).filter(([, v]) => v !== undefined)) as unknown as typeof next.rules[number]);
        break;
      }
      case 'rule-del': next.rules = next.rules.filter((r) => !(['pref', 'src', 'dst', 'fwmark', 'fwmask', 'suppressPrefixlength', 'table'] as const).every((k) => r[k] === c.rule[k]) || r.extra); break;
      case 'endpoint-add':
        next.endpoints.push({ id: c.id, address: c.endpoint.address, dev: c.endpoint.dev, subflow: true, signal: false, backup: c.endpoint.backup, fullmesh: c.endpoint.fullmesh });
        break;
      case 'endpoint-del': next.endpoints = next.endpoints.filter((e) => e.id !== c.endpoint.id); break;
      case 'endpoint-backup': next.endpoints = next.endpoints.map((e) => (e.id === c.endpoint.id ? { ...e, backup: c.backup } : e)); break;
    }
  }
  return next;
}
