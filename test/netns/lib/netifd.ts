// What netifd would report for the router namespace, written where the ubus stand-in
// (test/stubs/ubus) reads it. Derived from the namespace's real interfaces; call update()
// after changing them, as netifd updates its state when it handles an event.
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Topology } from './topology.js';

export interface NetifdIface {
  interface: string;
  device: string;
  proto?: string;
  metric?: number;
  /** false: netifd reports it down (e.g. DHCP lost carrier, or ifdown). */
  up?: boolean;
}

interface AddrInfo { family: string; local: string; prefixlen: number; scope: string; preferred_life_time?: number; valid_life_time?: number }

const EMPTY_LISTS = { 'ipv6-prefix': [], 'ipv6-prefix-assignment': [], 'dns-server': [], 'dns-search': [], neighbors: [] };
const INACTIVE = { inactive: { 'ipv4-address': [], 'ipv6-address': [], route: [], 'dns-server': [], 'dns-search': [], neighbors: [] } };

export class NetifdState {
  constructor(private readonly topo: Topology, readonly dir: string, public ifaces: NetifdIface[]) {
    mkdirSync(dir, { recursive: true });
    this.update();
  }

  private status(i: NetifdIface): Record<string, unknown> {
    const ns = this.topo.rtr;
    const links = this.topo.ipJson<{ ifname: string; flags: string[]; addr_info: AddrInfo[] }[]>(ns, 'addr', 'show')
      .filter((l) => l.ifname === i.device);
    const link = links[0];
    const base = { pending: false, available: true, autostart: true, dynamic: false, proto: i.proto ?? 'static', device: i.device };
    if (!link || i.up === false || !link.flags.includes('UP')) return { up: false, ...base, data: {} };
    const addrs = link.addr_info.filter((a) => a.scope === 'global');
    const defaults = (fam: '-4' | '-6') =>
      this.topo.ipJson<{ dst: string; gateway?: string; dev: string }[]>(ns, fam, 'route', 'show', 'default', 'dev', i.device);
    return {
      up: true,
      ...base,
      uptime: 10,
      l3_device: i.device,
      updated: ['addresses', 'routes'],
      metric: i.metric ?? 0,
      dns_metric: 0,
      delegation: true,
      'ipv4-address': addrs.filter((a) => a.family === 'inet').map((a) => ({ address: a.local, mask: a.prefixlen })),
      'ipv6-address': addrs.filter((a) => a.family === 'inet6').map((a) => ({
        address: a.local, mask: a.prefixlen, preferred: a.preferred_life_time ?? 0, valid: a.valid_life_time ?? 0,
      })),
      ...EMPTY_LISTS,
      route: [
        ...defaults('-4').map((r) => ({ target: '0.0.0.0', mask: 0, nexthop: r.gateway ?? '0.0.0.0', source: '0.0.0.0/0' })),
        ...defaults('-6').map((r) => ({ target: '::', mask: 0, nexthop: r.gateway ?? '::', source: '::/0' })),
      ],
      ...INACTIVE,
      data: {},
    };
  }

  /**
   * Rewrites the dump and per-interface status files (tab-indented, as ubus prints them).
   * Each file is replaced by rename, so a daemon reading concurrently (as mpwan's may, while
   * a test fires events at it) sees the old state or the new one, never a missing file.
   */
  update(): void {
    const all = this.ifaces.map((i) => ({ name: i.interface, status: this.status(i) }));
    const dump = { interface: all.map(({ name, status }) => ({ interface: name, ...status })) };
    const write = (file: string, data: unknown) => {
      const tmp = join(this.dir, `.${file}.tmp`);
      writeFileSync(tmp, JSON.stringify(data, null, '\t') + '\n');
      renameSync(tmp, join(this.dir, file));
    };
    write('network.interface.dump.json', dump);
    const wanted = new Set(['network.interface.dump.json']);
    for (const { name, status } of all) {
      write(`network.interface.${name}.status.json`, status);
      wanted.add(`network.interface.${name}.status.json`);
    }
    for (const f of readdirSync(this.dir)) if (!wanted.has(f)) rmSync(join(this.dir, f), { force: true });
  }
}
