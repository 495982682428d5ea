// mpwan-relay in a Topology: the router namespace set up the way the daemon will (MPTCP
// endpoint, table and `from` rule per WAN, limits, the nft redirect of LAN TCP), the server
// side in the vps namespace, a key file of mode 0600; plus the peer tool and process probes.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../lib/install.js';
import type { Topology } from '../../netns/lib/topology.js';
import { sleepMs, waitFor, waitListening } from '../../netns/lib/wait.js';

const built = new Map<string, string>();

/**
 * Builds the relay once per process: 'release' (build/relay) or 'asan' (build/relay-asan).
 * MPWAN_RELAY_BIN runs the release tests against another build (a static or musl one).
 */
export function relayBinary(kind: 'release' | 'asan' = 'release'): string {
  if (kind === 'release' && process.env.MPWAN_RELAY_BIN) return process.env.MPWAN_RELAY_BIN;
  const cached = built.get(kind);
  if (cached) return cached;
  execFileSync('make', ['-s', '-C', join(repoRoot, 'src/relay'), ...(kind === 'asan' ? ['sanitize'] : [])], { stdio: ['ignore', 'ignore', 'inherit'] });
  const path = join(repoRoot, kind === 'asan' ? 'build/relay-asan/mpwan-relay' : 'build/relay/mpwan-relay');
  built.set(kind, path);
  return path;
}

/** Sanitizers: any report is fatal, and is written to the side's log. */
export const ASAN_ENV = { ASAN_OPTIONS: 'abort_on_error=1:detect_leaks=1', UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1' };

export const PEER = join(repoRoot, 'test/relay/lib/peer.ts');
export const peerArgv = (mode: string, options: unknown) => [process.execPath, '--import', 'tsx', PEER, mode, JSON.stringify(options)];
export const UDP_PEER = join(repoRoot, 'test/relay/lib/udp-peer.ts');
export const LOAD = join(repoRoot, 'test/relay/lib/load.ts');
export const loadArgv = (mode: string, options: unknown) => [process.execPath, '--import', 'tsx', LOAD, mode, JSON.stringify(options)];
export const udpPeerArgv = (mode: string, options: unknown) => [process.execPath, '--import', 'tsx', UDP_PEER, mode, JSON.stringify(options)];

/** Runs the UDP peer tool in a namespace and returns its JSON answer. */
export function udpPeer<T = any>(topo: Topology, ns: string, mode: string, options: unknown): T { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = topo.exec(ns, udpPeerArgv(mode, options));
  if (r.status !== 0) throw new Error(`udp peer ${mode} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

/** Runs the peer tool in a namespace and returns its JSON answer. */
export function peer<T = any>(topo: Topology, ns: string, mode: string, options: unknown): T { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = topo.exec(ns, peerArgv(mode, options));
  if (r.status !== 0) throw new Error(`peer ${mode} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

export interface RelayOptions {
  binary?: string;
  env?: Record<string, string>;
  routerArgs?: string[];
  serverArgs?: string[];
  /** The router's key differs from the server's (a wrong key). */
  routerKeyHex?: string;
  /** Another Relay already set the namespaces up: share its key and ports. */
  sharing?: Relay;
  /** The router reaches the server at its IPv6 address (a Topology with ipv6 WANs). */
  serverIpv6?: boolean;
}

export class Relay {
  readonly dir = mkdtempSync(join(tmpdir(), 'mpwan-relay-'));
  readonly keyHex: string;
  readonly routerPort = 1100;
  readonly serverPort = 8400 + (process.pid % 500);
  readonly binary: string;
  routerPid = 0;
  serverPid = 0;

  constructor(readonly topo: Topology, readonly o: RelayOptions = {}) {
    this.binary = o.binary ?? relayBinary();
    this.keyHex = o.sharing?.keyHex ?? randomBytes(32).toString('hex');
    if (!o.sharing) this.setupRouterNs();
  }

  private setupRouterNs() {
    const t = this.topo;
    t.ip(t.rtr, 'mptcp', 'limits', 'set', 'subflows', '8', 'add_addr_accepted', '8');
    for (const w of t.wans) {
      const table = String(100 + w.index);
      t.ip(t.rtr, 'route', 'add', 'default', 'via', w.gw, 'dev', w.dev, 'table', table);
      t.ip(t.rtr, 'rule', 'add', 'from', w.addr, 'table', table, 'pref', '1000');
      t.ip(t.rtr, 'mptcp', 'endpoint', 'add', w.addr, 'dev', w.dev, 'subflow');
      if (w.addr6 && w.gw6) {
        t.ip(t.rtr, '-6', 'route', 'add', 'default', 'via', w.gw6, 'dev', w.dev, 'table', table);
        t.ip(t.rtr, '-6', 'rule', 'add', 'from', w.addr6, 'table', table, 'pref', '1000');
      }
    }
    if (t.options.lan) this.redirect(this.routerPort);
  }

  /** The nft redirect of LAN TCP (what the daemon installs), to `port`: the relay's, or another proxy's. */
  redirect(port: number) {
    const t = this.topo;
    const r = t.exec(t.rtr, ['nft', '-f', '-'], { input: [
      'table inet mpwantest {}',
      'delete table inet mpwantest',
      'table inet mpwantest {',
      '\tset bypass4 { type ipv4_addr; }',
      '\tchain prerouting {',
      '\t\ttype nat hook prerouting priority dstnat + 1; policy accept;',
      '\t\tfib daddr type { local, broadcast, multicast, anycast } return',
      '\t\tip daddr @bypass4 return',
      `\t\tiifname "lan0" meta l4proto tcp redirect to :${port}`,
      '\t}',
      '}',
    ].join('\n') });
    if (r.status !== 0) throw new Error(`nft: ${r.stderr}`);
  }

  /** Routes `address` past the relay (as the daemon's bypass list does), or stops doing so. */
  bypass(address: string, on: boolean) {
    const t = this.topo;
    const r = t.exec(t.rtr, ['nft', on ? 'add' : 'delete', 'element', 'inet', 'mpwantest', 'bypass4', `{ ${address} }`]);
    if (r.status !== 0) throw new Error(`nft bypass: ${r.stderr}`);
    // Connections already redirected keep their NAT: only new ones take the other path.
  }

  /**
   * LAN UDP to the relay by nft TPROXY, as the daemon sets it up (src/nft/table.ts,
   * src/plan/routing.ts): marked, and delivered locally by a fwmark rule and a local route.
   */
  tproxyUdp(port = this.routerPort) {
    const t = this.topo;
    const r = t.exec(t.rtr, ['nft', '-f', '-'], { input: [
      'table inet mpwantestudp {',
      '\tchain udp_to_relay {',
      '\t\ttype filter hook prerouting priority mangle + 1; policy accept;',
      '\t\tiifname != "lan0" return',
      '\t\tmeta l4proto != udp return',
      '\t\tfib daddr type { local, broadcast, multicast, anycast } return',
      `\t\tmeta l4proto udp tproxy to :${port} meta mark set 0x80000000 accept`,
      '\t}',
      '}',
    ].join('\n') });
    if (r.status !== 0) throw new Error(`nft: ${r.stderr}`);
    for (const family of ['-4', '-6']) {
      t.ip(t.rtr, family, 'rule', 'add', 'fwmark', '0x80000000/0x80000000', 'lookup', '250', 'pref', '900');
      t.ip(t.rtr, family, 'route', 'add', 'local', 'default', 'dev', 'lo', 'table', '250');
    }
  }

  get pathsFile(): string { return join(this.dir, 'paths'); }

  /** Writes the paths file as the daemon does (atomically); `hup` then tells the router. */
  /** `<name> <source>` lines, with a third word (`metered`) where given. */
  writePaths(paths: ([string, string] | [string, string, string])[], hup = false) {
    writeFileSync(`${this.pathsFile}.tmp`, paths.map((words) => `${words.join(' ')}\n`).join(''));
    renameSync(`${this.pathsFile}.tmp`, this.pathsFile);
    if (hup) process.kill(this.routerPid, 'SIGHUP');
  }

  keyFile(hex: string, name: string): string {
    const f = join(this.dir, name);
    writeFileSync(f, hex + '\n', { mode: 0o600 });
    return f;
  }

  log(side: 'router' | 'server'): string {
    try { return readFileSync(join(this.dir, `${side}.log`), 'utf8'); } catch { return ''; }
  }

  stats(side: 'router' | 'server'): Record<string, number> {
    return this.statsDoc(side).tcp ?? {};
  }

  udpStats(side: 'router' | 'server'): Record<string, number> {
    return this.statsDoc(side).udp ?? {};
  }

  /** The stats once they stand still: the relay rewrites the file at most once a second (when
   *  its text changed), so it may not yet show what just happened; unchanged over 1.2 s is current. */
  settledStatsDoc(side: 'router' | 'server'): any { // eslint-disable-line @typescript-eslint/no-explicit-any
    let last = this.statsText(side);
    return waitFor(`${side} stats to settle`, () => {
      sleepMs(1200);
      const now = this.statsText(side);
      if (now === last) return this.statsDoc(side);
      last = now;
      return null;
    }, 20, 0);
  }

  statsText(side: 'router' | 'server'): string | null {
    try { return readFileSync(join(this.dir, `${side}.json`), 'utf8'); } catch { return null; }
  }

  statsDoc(side: 'router' | 'server'): any { // eslint-disable-line @typescript-eslint/no-explicit-any
    try { return JSON.parse(this.statsText(side) ?? '{}'); } catch { return {}; }
  }

  startServer(extra: string[] = []): number {
    const t = this.topo;
    const argv = [this.binary, 'server', '--listen', String(this.serverPort), '--key-file', this.keyFile(this.keyHex, 'server.key'),
      '--stats', join(this.dir, 'server.json'), ...(this.o.serverArgs ?? []), ...extra];
    this.serverPid = t.spawn(t.vps, argv, this.o.env ?? {}, join(this.dir, 'server.log')).pid!;
    waitListening(t, t.vps, this.serverPort);
    return this.serverPid;
  }

  startRouter(extra: string[] = []): number {
    const t = this.topo;
    const server = this.o.serverIpv6 ? `[${t.server6}]` : t.server;
    const argv = [this.binary, 'router', '--port', String(this.routerPort), '--server', `${server}:${this.serverPort}`,
      '--key-file', this.keyFile(this.o.routerKeyHex ?? this.keyHex, 'router.key'), '--stats', join(this.dir, 'router.json'),
      ...(this.o.routerArgs ?? []), ...extra];
    this.routerPid = t.spawn(t.rtr, argv, this.o.env ?? {}, join(this.dir, 'router.log')).pid!;
    waitListening(t, t.rtr, this.routerPort);
    return this.routerPid;
  }

  start(): this {
    this.startServer();
    this.startRouter();
    return this;
  }

  /** SIGTERM, then until the process is gone: a prompt exit is part of the contract. */
  stop(pid: number, what: string): number {
    const t0 = Date.now();
    try { process.kill(pid, 'SIGTERM'); } catch { return 0; }
    waitFor(`${what} to exit after SIGTERM`, () => !alive(pid), 100);
    return Date.now() - t0;
  }

  cleanup() {
    for (const pid of [this.routerPid, this.serverPid]) if (pid && alive(pid)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function alive(pid: number): boolean {
  try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
}

export function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

/** utime + stime of a process (all its threads), in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return (Number(f[11]) + Number(f[12])) / hz;
}

/** TCP connections the kernel of a namespace completed passively (listener side). */
export function passiveOpens(topo: Topology, ns: string): number {
  const lines = topo.readFile(ns, '/proc/net/snmp').split('\n').filter((l) => l.startsWith('Tcp:'));
  const keys = lines[0].split(/\s+/), vals = lines[1].split(/\s+/);
  return Number(vals[keys.indexOf('PassiveOpens')]);
}

/** UDP datagrams the kernel of a namespace delivered to its sockets, IPv4 and IPv6. */
export function udpDelivered(topo: Topology, ns: string): number {
  const lines = topo.readFile(ns, '/proc/net/snmp').split('\n').filter((l) => l.startsWith('Udp:'));
  const keys = lines[0].split(/\s+/), vals = lines[1].split(/\s+/);
  const v6 = /Udp6InDatagrams\s+(\d+)/.exec(topo.readFile(ns, '/proc/net/snmp6'));
  return Number(vals[keys.indexOf('InDatagrams')]) + Number(v6?.[1] ?? 0);
}

/** Sanitizer or crash reports in a log. */
export const sanitizerReport = (log: string) => /(ERROR|WARNING): \w+Sanitizer|\w+Sanitizer has encountered|runtime error:|SUMMARY: \w+Sanitizer/.exec(log)?.[0] ?? null;
