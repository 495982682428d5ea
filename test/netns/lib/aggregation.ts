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
  startServer(): number;
  setupOutput: string;
  editConfig(type: string, name: string, options: [string, string][]): void;
  cleanup(): void;
}

export function setupAggregation(topo: Topology, proxyOptions: [string, string][] = []): Aggregation {
  const rtr = new Router(topo, [
    ...topo.wans.map((w, i) => ({ interface: i === 0 ? 'wan' : `wan${i + 1}`, device: w.dev, metric: 10 * (i + 1) })),
    { interface: 'lan', device: 'lan0' },
  ]);
  const port = 8300 + (process.pid % 500);
  const serverRoot = mkdtempSync(join(tmpdir(), 'mpwan-vps-'));
  const mpwan = join(rtr.root, 'usr/sbin/mpwan');
  const setup = topo.exec(topo.vps, [qjsPath(), mpwan, 'server', 'setup', '--root', serverRoot, '--address', topo.server, '--port', String(port), '--engine', 'shadowsocks-libev']);
  if (setup.status !== 0) throw new Error(`server setup failed: ${setup.stderr}`);
  const link = /mpwan server import '(ss:\/\/[^']+)'/.exec(setup.stdout)![1];
  const startServer = () => {
    const unit = readFileSync(join(serverRoot, 'etc/systemd/system/mpwan-server.service'), 'utf8');
    const exec = /^ExecStart=(.*)$/m.exec(unit)![1].replace('/etc/mpwan-server/', join(serverRoot, 'etc/mpwan-server/') + '/').split(' ');
    const child = topo.spawn(topo.vps, exec);
    waitListening(topo, topo.vps, port);
    return child.pid!;
  };
  startServer();
  rtr.writeConfig(`config globals 'globals'\n\toption enabled '1'\n\n${rtr.netifd.ifaces.filter((i) => i.interface !== 'lan').map((i) => `config uplink '${i.interface}'\n`).join('\n')}`);
  const imported = rtr.run(['server', 'import', link]);
  if (imported.status !== 0) throw new Error(`server import failed: ${imported.stderr}`);
  const configPath = join(rtr.dir, 'etc/mpwan');
  const editConfig = (type: string, name: string, options: [string, string][]) =>
    writeFileSync(configPath, upsertSection(readFileSync(configPath, 'utf8'), type, name, options));
  // This machine has shadowsocks-libev 3.3.5 (MPTCP through mptcpize); routers default to rust.
  editConfig('proxy', 'proxy', [['engine', 'shadowsocks-libev'], ['threads', '2'], ...proxyOptions]);
  const daemon = rtr.startDaemon();
  waitFor('the LAN redirect', () => rtr.daemonState()?.proxy?.redirect_active === true);
  return {
    rtr, link, port, serverRoot, daemon, startServer, setupOutput: setup.stdout, editConfig,
    cleanup() {
      rtr.cleanup();
      rmSync(serverRoot, { recursive: true, force: true });
    },
  };
}
