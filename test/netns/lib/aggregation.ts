// The whole LAN aggregation path, set up the way a user does it: `mpwan server setup` on
// the server (into a temporary root), the printed link imported on the router, the server
// started from the systemd unit's ExecStart, and `mpwan daemon` on the router.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { upsertSection } from '../../../src/config/uci-edit.js';
import { qjsPath } from '../../lib/qjs.js';
import { Router } from './mpwan.js';
import type { Topology } from './topology.js';
import { waitFor, waitListening } from './wait.js';

export interface Aggregation {
  rtr: Router;
  link: string;
  port: number;
  serverRoot: string;
  daemon: ReturnType<Router['startDaemon']>;
  /** Starts the server as its unit would; its pid is serverPid. */
  startServer(): number;
  serverPid: number;
  engine: Engine;
  setupOutput: string;
  editConfig(type: string, name: string, options: [string, string | null][]): void;
  cleanup(): void;
}

export type Engine = 'relay' | 'shadowsocks-libev';

/** The server as `mpwan server setup` leaves it: the unit's ExecStart with its paths inside the root. */
export function serverCommand(serverRoot: string): string[] {
  const unit = readFileSync(join(serverRoot, 'etc/systemd/system/mpwan-server.service'), 'utf8');
  return /^ExecStart=(.*)$/m.exec(unit)![1].split(' ')
    .map((a) => a.replace(/^\/etc\/mpwan-server\//, `${serverRoot}/etc/mpwan-server/`).replace(/^\/usr\/local\/sbin\//, `${serverRoot}/usr/local/sbin/`));
}

/**
 * engine 'relay' (the default): mpwan-relay on both sides, the server's binary installed by
 * `server setup --relay` from the router's install root. 'shadowsocks-libev': ss-server and
 * ss-redir 3.3.5 under mptcpize, as this machine has them.
 */
export function setupAggregation(topo: Topology, proxyOptions: [string, string][] = [], engine: Engine = 'relay', serverSetupArgs: string[] = []): Aggregation {
  const rtr = new Router(topo, [
    ...topo.wans.map((w, i) => ({ interface: i === 0 ? 'wan' : `wan${i + 1}`, device: w.dev, metric: 10 * (i + 1) })),
    { interface: 'lan', device: 'lan0' },
  ]);
  const port = 8300 + (process.pid % 500);
  const serverRoot = mkdtempSync(join(tmpdir(), 'mpwan-vps-'));
  const mpwan = join(rtr.root, 'usr/sbin/mpwan');
  const engineArgs = engine === 'relay' ? ['--relay', join(rtr.root, 'usr/sbin/mpwan-relay')] : ['--engine', engine];
  const setup = topo.exec(topo.vps, [qjsPath(), mpwan, 'server', 'setup', '--root', serverRoot, '--address', topo.server, '--port', String(port), ...engineArgs, ...serverSetupArgs]);
  if (setup.status !== 0) throw new Error(`server setup failed: ${setup.stderr}`);
  const link = /mpwan server import '((?:ss|mpwan):\/\/[^']+)'/.exec(setup.stdout)![1];
  const startServer = () => {
    const child = topo.spawn(topo.vps, serverCommand(serverRoot));
    waitListening(topo, topo.vps, port);
    agg.serverPid = child.pid!;
    return child.pid!;
  };
  rtr.writeConfig(`config globals 'globals'\n\toption enabled '1'\n\n${rtr.netifd.ifaces.filter((i) => i.interface !== 'lan').map((i) => `config uplink '${i.interface}'\n`).join('\n')}`);
  const imported = rtr.run(['server', 'import', link]);
  if (imported.status !== 0) throw new Error(`server import failed: ${imported.stderr}`);
  const configPath = join(rtr.dir, 'etc/mpwan');
  const editConfig = (type: string, name: string, options: [string, string | null][]) =>
    writeFileSync(configPath, upsertSection(readFileSync(configPath, 'utf8'), type, name, options));
  editConfig('proxy', 'proxy', [['engine', engine], ['threads', '2'], ...proxyOptions]);
  const agg: Aggregation = {
    rtr, link, port, serverRoot, daemon: null!, startServer, serverPid: 0, engine, setupOutput: setup.stdout, editConfig,
    cleanup() {
      rtr.cleanup();
      rmSync(serverRoot, { recursive: true, force: true });
    },
  };
  startServer();
  agg.daemon = rtr.startDaemon();
  waitFor('the LAN redirect', () => rtr.daemonState()?.proxy?.redirect_active === true);
  return agg;
}

/**
 * Takes the destination host out of mpwan and routes it through WAN `i` alone (mpwan's rules
 * look up main's more specific routes first), to measure what that link carries without
 * mpwan; `null` puts it back through mpwan.
 */
export function routeAlone(topo: Topology, agg: Aggregation, i: number | null) {
  topo.exec(topo.rtr, ['ip', 'route', 'del', `${topo.destination}/32`]);
  agg.editConfig('proxy', 'proxy', [['bypass', i === null ? '192.0.2.99' : `${topo.destination}/32`]]);
  agg.rtr.reload();
  if (i !== null) topo.ip(topo.rtr, 'route', 'add', `${topo.destination}/32`, 'via', topo.wans[i].gw, 'dev', topo.wans[i].dev);
}
