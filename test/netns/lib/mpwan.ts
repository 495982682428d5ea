// The installed mpwan, run under real qjs inside the router namespace, with the ubus
// stand-in first on PATH (and optionally the `ip` spy that logs or fails chosen calls).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { installRoot } from '../../lib/install.js';
import { qjsPath } from '../../lib/qjs.js';
import { NetifdState, type NetifdIface } from './netifd.js';
import { Topology } from './topology.js';
import { waitFor } from './wait.js';

const STUBS = resolve(new URL('../../stubs', import.meta.url).pathname);
/** `ip` subcommands that change the kernel. */
const MUTATING = /\b(add|del|delete|replace|change|set|flush)\b/;

export interface RunOptions {
  /** Route `ip` through the spy (logs every call). */
  spy?: boolean;
  /** Make the spy fail the call with exactly these arguments. */
  failOn?: string;
}

export class Router {
  readonly dir = mkdtempSync(join(tmpdir(), 'mpwan-rtr-'));
  readonly netifd: NetifdState;
  readonly root = installRoot();
  private readonly daemons: number[] = [];

  constructor(readonly topo: Topology, ifaces?: NetifdIface[]) {
    mkdirSync(join(this.dir, 'etc'), { recursive: true });
    this.netifd = new NetifdState(topo, join(this.dir, 'netifd'),
      ifaces ?? topo.wans.map((w, i) => ({ interface: i === 0 ? 'wan' : `wan${i + 1}`, device: w.dev, metric: 10 * (i + 1) })));
  }

  writeConfig(text: string) {
    writeFileSync(join(this.dir, 'etc/mpwan'), text);
  }

  /** A config with one `uplink` section per netifd interface, plus extra lines. */
  writeDefaultConfig(extraGlobals = '', uplinkOptions: Record<string, string> = {}) {
    const ups = this.netifd.ifaces.map((i) => `config uplink '${i.interface}'\n${uplinkOptions[i.interface] ?? ''}`);
    this.writeConfig(`config globals 'globals'\n\toption enabled '1'\n${extraGlobals}\n${ups.join('\n')}`);
  }

  /** The environment mpwan runs with: config, run dir, the stand-ins of ubus and hotplug-call (and the ip spy) on PATH. */
  env(options: RunOptions = {}): Record<string, string> {
    this.ensureStandInsDir();
    return {
      // The installed root's /usr/sbin: the daemon runs the mpwan-relay installed beside it.
      PATH: `${options.spy || options.failOn ? STUBS : join(this.dir, 'stand-ins')}:${join(this.root, 'usr/sbin')}:${process.env.PATH}`,
      MPWAN_UCI_DIR: join(this.dir, 'etc'),
      MPWAN_RUN_DIR: join(this.dir, 'run'),
      MPWAN_TEST_NETIFD: this.netifd.dir,
      // ubusd's part for events (`ubus send`/`listen`), and /etc/hotplug.d.
      MPWAN_TEST_UBUSD: join(this.dir, 'ubusd'),
      MPWAN_TEST_QJS: qjsPath(),
      MPWAN_TEST_HOTPLUG_D: join(this.dir, 'hotplug.d'),
      MPWAN_LOG: 'stderr',
      MPWAN_TEST_UBUS_LOG: join(this.dir, 'ubus.log'),
      MPWAN_TEST_IP_LOG: join(this.dir, 'ip.log'),
      ...(options.failOn ? { MPWAN_TEST_IP_FAIL: options.failOn } : {}),
    };
  }

  /** argv of the installed CLI under qjs. */
  argv(args: string[]): string[] {
    return [qjsPath(), join(this.root, 'usr/sbin/mpwan'), ...args];
  }

  run(args: string[], options: RunOptions = {}) {
    const env = this.env(options);
    rmSync(env.MPWAN_TEST_UBUS_LOG, { force: true });
    rmSync(env.MPWAN_TEST_IP_LOG, { force: true });
    const r = this.topo.exec(this.topo.rtr, this.argv(args), { env });
    const lines = (f: string) => { try { return readFileSync(f, 'utf8').split('\n').filter(Boolean); } catch { return []; } };
    // qjs before 2025-09 exits on an early async rejection even when it is caught: never ok.
    if (/unhandled promise rejection/i.test(r.stderr)) throw new Error(`mpwan died on an unhandled rejection:\n${r.stderr}`);
    const ipCalls = lines(env.MPWAN_TEST_IP_LOG);
    return { ...r, ubusCalls: lines(env.MPWAN_TEST_UBUS_LOG), ipCalls, mutatingIpCalls: ipCalls.filter((c) => MUTATING.test(c) && !c.includes(' show')) };
  }

  /** The CLI in the background (for several at once): its exit status and output once it has exited. */
  runAsync(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
    const argv = ['ip', 'netns', 'exec', this.topo.rtr, 'env', ...Object.entries(this.env()).map(([k, v]) => `${k}=${v}`), ...this.argv(args)];
    return new Promise((resolve) => {
      const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '', stderr = '';
      child.stdout.on('data', (d) => { stdout += d; });
      child.stderr.on('data', (d) => { stderr += d; });
      child.on('close', (status) => resolve({ status: status ?? -1, stdout, stderr }));
    });
  }

  json(args: string[], options: RunOptions = {}) {
    const r = this.run([...args, '--json'], options);
    return { ...r, json: JSON.parse(r.stdout) };
  }

  /** `mpwan daemon` in the background in the router namespace, as procd would run it. */
  startDaemon() {
    const logFile = join(this.dir, 'daemon.log');
    const child = this.topo.spawn(this.topo.rtr, this.argv(['daemon']), this.env(), logFile);
    this.daemons.push(child.pid!);
    return {
      pid: child.pid!,
      alive: () => Topology.alive(child.pid!),
      log: () => { try { return readFileSync(logFile, 'utf8'); } catch { return ''; } },
    };
  }

  /** The daemon's state file, once it exists. */
  daemonState(): Record<string, any> | null { // eslint-disable-line @typescript-eslint/no-explicit-any
    try { return JSON.parse(readFileSync(join(this.dir, 'run/daemon.json'), 'utf8')); } catch { return null; }
  }

  /** Each uplink's health from the daemon's state.json ({} before it exists). */
  health(): Record<string, { state: string; reason: string | null; suspect?: boolean }> {
    try { return JSON.parse(readFileSync(join(this.dir, 'run/state.json'), 'utf8')).uplinks; } catch { return {}; }
  }

  /** The daemon's report once its first round is over (daemon.json is written after the routes and the proxies). */
  settledDaemonState(): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
    return waitFor('the daemon to write daemon.json', () => this.daemonState());
  }

  /** `mpwan reload`, then until the running daemon has re-planned once. */
  reload() {
    const before = this.settledDaemonState().reloads as number;
    const r = this.run(['reload']);
    if (r.status !== 0) throw new Error(`mpwan reload: ${r.stderr}`);
    waitFor('the daemon to reload', () => this.daemonState()?.reloads === before + 1);
  }

  /** Command lines of this router's proxy processes (they read its run dir's proxy.json). */
  /** The proxy processes: `<pid> <argv>` of every process whose argv names a file of this router's run dir. */
  proxies(): string[] {
    const run = join(this.dir, 'run/');
    return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((d) => {
      try { return `${d} ${readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ')}`; } catch { return ''; }
    }).filter((c) => c.includes(run));
  }

  /** A PATH entry with only the stand-ins of OpenWrt's ubus and hotplug-call (the real `ip` stays in charge). */
  private ensureStandInsDir() {
    const d = join(this.dir, 'stand-ins');
    if (existsSync(d)) return;
    mkdirSync(d, { recursive: true });
    for (const name of ['ubus', 'hotplug-call']) writeFileSync(join(d, name), `#!/bin/sh\nexec '${join(STUBS, name)}' "$@"\n`, { mode: 0o755 });
  }

  cleanup() {
    // A daemon still running would keep writing into the directory being removed.
    for (const pid of this.daemons) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
      for (let i = 0; i < 100 && Topology.alive(pid); i++) spawnSync('sleep', ['0.02']);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
