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
        host.pid = topo.spawn(h.ns, [...serverCommand(root), '--verbose', '--stats', join(root, 'stats.json')], {}, join(root, 'server.log')).pid!;
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

const TCP_PROBE = new URL('./tcp-probe.mjs', import.meta.url).pathname;

export interface ConnectionLine { ok: boolean; seq: number; openedMs: number; endMs: number }

/** New LAN TCP connections to `port` on the destination every `everyMs` for `forMs` (tcp-probe.mjs), each given up after `timeoutMs`. */
export function startConnections(topo: Topology, dir: string, name: string, port: number, forMs: number, everyMs = 100, timeoutMs = 5000) {
  const out = join(dir, `tcp-${name}.log`);
  const child = topo.spawn(topo.cli, [process.execPath, TCP_PROBE, '--to', `${topo.destination}:${port}`, '--every', String(everyMs), '--timeout', String(timeoutMs), '--for', String(forMs)], {}, out);
  return {
    child,
    lines(): ConnectionLine[] {
      let text = '';
      try { text = readFileSync(out, 'utf8'); } catch { /* not yet */ }
      return text.split('\n').filter((l) => /^(ok|err) /.test(l)).map((l) => {
        const [kind, seq, opened, end] = l.split(' ');
        return { ok: kind === 'ok', seq: Number(seq), openedMs: Number(opened), endMs: Number(end) };
      }).sort((a, b) => a.seq - b.seq);
    },
  };
}

/** Seconds after `cutMs` from which every new connection was answered (null: not even the last one). */
export function answeredFrom(lines: ConnectionLine[], cutMs: number): number | null {
  const after = lines.filter((l) => l.openedMs >= cutMs);
  const lastFailed = after.map((l) => l.ok).lastIndexOf(false);
  if (lastFailed === after.length - 1) return null;
  return (after[lastFailed + 1].openedMs - cutMs) / 1000;
}

/** A TCP server on the destination that answers every connection at once. */
export function startAnswering(topo: Topology, port: number) {
  const child = topo.spawn(topo.dst, ['socat', `TCP-LISTEN:${port},fork,reuseaddr`, 'EXEC:echo hi']);
  waitListening(topo, topo.dst, port);
  return { stop: () => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } } };
}

/** New MPTCP connections each server host has accepted so far. */
export const accepted = (topo: Topology, s: Servers) => s.hosts.map((h) => topo.mptcpCounters(h.ns).MPCapableSYNRX);
