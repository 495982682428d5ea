// Several aggregation servers, each on a host of its own behind the same internet (topology
// option `servers`), set up the way a user does it: `mpwan server setup` on each, every
// printed link imported on the router (the first imported is the most preferred), each
// server started from its unit's ExecStart, then `mpwan daemon` on the router.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { upsertSection } from '../../../src/config/uci-edit.js';
import { qjsPath } from '../../lib/qjs.js';
import { Router } from './mpwan.js';
import { serverCommand } from './aggregation.js';
import type { Topology } from './topology.js';
import { waitFor, waitListening } from './wait.js';

export interface ServerHost {
  /** The section name import gave it (vps, vps2...). */
  name: string;
  ns: string;
  address: string;
  root: string;
  link: string;
  pid: number;
  /** Starts its relay as the unit would (again, after stop). */
  start(): void;
  stop(): void;
}

export interface Servers {
  rtr: Router;
  port: number;
  hosts: ServerHost[];
  daemon: ReturnType<Router['startDaemon']>;
  editConfig(type: string, name: string, options: [string, string | null][]): void;
  cleanup(): void;
}

/** Every server host of the topology, imported in order, the relay engine on both sides. */
export function setupServers(topo: Topology, proxyOptions: [string, string][] = [], uplinkOptions: Record<string, [string, string][]> = {}): Servers {
  const rtr = new Router(topo, [
    ...topo.wans.map((w, i) => ({ interface: i === 0 ? 'wan' : `wan${i + 1}`, device: w.dev, metric: 10 * (i + 1) })),
    { interface: 'lan', device: 'lan0' },
  ]);
  const port = 8300 + (process.pid % 500);
  const mpwan = join(rtr.root, 'usr/sbin/mpwan');
  rtr.writeConfig(`config globals 'globals'\n\toption enabled '1'\n\n${rtr.netifd.ifaces.filter((i) => i.interface !== 'lan').map((i) => `config uplink '${i.interface}'\n`).join('\n')}`);
  const configPath = join(rtr.dir, 'etc/mpwan');
  const editConfig = (type: string, name: string, options: [string, string | null][]) =>
    writeFileSync(configPath, upsertSection(readFileSync(configPath, 'utf8'), type, name, options));
  const hosts = topo.srvHosts.map((h, i): ServerHost => {
    const root = mkdtempSync(join(tmpdir(), `mpwan-srv${i}-`));
    const setup = topo.exec(h.ns, [qjsPath(), mpwan, 'server', 'setup', '--root', root, '--address', h.address, '--port', String(port), '--relay', join(rtr.root, 'usr/sbin/mpwan-relay')]);
    if (setup.status !== 0) throw new Error(`server setup on ${h.ns} failed: ${setup.stderr}`);
    const link = /mpwan server import '(mpwan:\/\/[^']+)'/.exec(setup.stdout)![1];
    const imported = rtr.run(['server', 'import', link]);
    if (imported.status !== 0) throw new Error(`server import failed: ${imported.stderr}`);
    const host: ServerHost = {
      name: /Server '(\w+)'/.exec(imported.stdout)![1], ns: h.ns, address: h.address, root, link, pid: 0,
      start() {
        host.pid = topo.spawn(h.ns, serverCommand(root)).pid!;
        waitListening(topo, h.ns, port);
      },
      stop() {
        try { process.kill(-host.pid, 'SIGKILL'); } catch { /* gone */ }
        waitFor(`the server on ${h.ns} to stop`, () => topo.exec(h.ns, ['ss', '-Hltn', `sport = :${port}`]).stdout.trim() === '', 100);
      },
    };
    return host;
  });
  for (const [uplink, options] of Object.entries(uplinkOptions)) editConfig('uplink', uplink, options);
  editConfig('proxy', 'proxy', [['threads', '2'], ...proxyOptions]);
  for (const h of hosts) h.start();
  const servers: Servers = {
    rtr, port, hosts, daemon: rtr.startDaemon(), editConfig,
    cleanup() {
      rtr.cleanup();
      for (const h of hosts) rmSync(h.root, { recursive: true, force: true });
    },
  };
  waitFor('the LAN redirect', () => rtr.daemonState()?.proxy?.redirect_active === true);
  return servers;
}
