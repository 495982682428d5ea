// `mpwan daemon`: the one way mpwan runs as a service (procd runs exactly this command).
// It applies the plan, runs the proxy instances and restarts them with backoff, keeps the
// nft redirect only while a proxy is alive and the server answers (so LAN traffic falls
// back to the normal route instead of being black-holed), re-applies periodically so a
// deleted endpoint or rule comes back, reloads on SIGHUP and cleans up on SIGTERM.
import type { Runtime } from '../sys/runtime.js';
import { SIGHUP, SIGINT, SIGKILL, SIGTERM } from '../sys/runtime.js';
import type { Config } from '../model/config.js';
import { MpwanError } from '../model/errors.js';
import { reconcile } from '../engine/reconcile.js';
import { planProxy, type ProxyLaunch } from '../proxy/engine.js';
import { renderNft } from '../proxy/nft.js';
import { applyNft, removeNft } from '../sys/nft.js';
import { detectEngineCaps } from '../sys/engine.js';
import { cpuCount } from '../sys/procfs.js';
import { runDir } from '../sys/paths.js';
import { tcpConnect } from '../sys/probe.js';
import { readNetifd } from '../sys/ubus.js';
import { readSilentServerConnections } from '../sys/ss.js';
import { settled } from '../lib/async.js';
import { HealthMonitor } from '../health/monitor.js';
import type { Transition } from '../health/tracker.js';
import type { Snapshot } from '../engine/reconcile.js';
import { writeHealthState } from '../sys/health-state.js';

const TICK_MS = 1000;
const RECONCILE_EVERY_MS = 30000;
/** How often state.json is refreshed with latency and loss (state changes are written at once). */
const HEALTH_WRITE_EVERY_MS = 5000;
/** Consecutive failed probes before LAN traffic stops going to the proxy. */
const SERVER_DOWN_AFTER = 2;
/** A proxied connection whose data the server acknowledged this long ago, without a byte back, is silent. */
const SILENT_AFTER_MS = 5000;
/** Silent connections, with none answered, that mean the server cannot decrypt what the proxy sends. */
const SILENT_CONNECTIONS = 2;
/** After lifting the redirect for that, the proxy is tried again this much later (or on a reload). */
const SILENCE_RETRY_MS = 300000;
const BACKOFF_MAX_S = 30;
/** A proxy that ran this long is considered healthy again: its backoff resets. */
const HEALTHY_AFTER_MS = 60000;

interface Instance {
  argv: string[];
  pid: number | null;
  /** Started by an earlier daemon (killed with -9, then respawned by procd): not our child. */
  adopted: boolean;
  startedAt: number;
  failures: number;
  nextStartAt: number;
}

export interface DaemonState {
  pid: number;
  since: number;
  proxy: null | {
    engine: string;
    port: number;
    mptcp_by: string;
    instances: { pid: number | null; restarts: number }[];
    redirect_active: boolean;
    server: string;
    server_reachable: boolean | null;
    /** false: the server takes connections but answers none through the proxy (wrong password or cipher?). */
    server_answers: boolean | null;
  };
  /** Re-plans done so far (start, SIGHUP), and the latest one: lets status and tests see that a reload happened. */
  reloads: number;
  last_reload: { why: string; at: number } | null;
  last_error: string | null;
}

export class Daemon {
  private instances: Instance[] = [];
  private launchKey = '';
  private launch: (ProxyLaunch & { engine: string; port: number; server: string }) | null = null;
  private nftText: string | null = null;
  private nftApplied = false;
  private serverFailures = 0;
  private serverReachable: boolean | null = null;
  private serverAnswers: boolean | null = null;
  private silentSince = 0;
  /** When the proxies or the server last (re)started: only connections used since then are evidence. */
  private answersSince = 0;
  private checkIntervalMs = 10000;
  private lastError: string | null = null;
  private reloads = 0;
  private lastReload: { why: string; at: number } | null = null;
  private queue: Promise<void> = Promise.resolve();
  private readonly monitor: HealthMonitor;
  private stopping = false;
  private readonly since: number;
  private resolveExit: (code: number) => void = () => {};
  readonly exited = new Promise<number>((resolve) => { this.resolveExit = resolve; });

  constructor(private readonly rt: Runtime) {
    this.since = rt.nowSeconds();
    this.monitor = new HealthMonitor(rt,
      (uplink, t) => { void this.healthChanged(uplink, t); },
      (uplink, suspect) => { void this.suspectChanged(uplink, suspect); });
  }

  /** Runs one job at a time: reloads, reconciles and probes never interleave. */
  private serial(job: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(job).catch((e) => this.fail(e));
    return this.queue;
  }

  private async fail(e: unknown) {
    const msg = e instanceof MpwanError ? e.message : `internal error: ${(e as Error)?.stack ?? e}`;
    if (msg !== this.lastError) await this.rt.log('err', msg);
    this.lastError = msg;
    this.writeState();
  }

  async start(): Promise<void> {
    await settled();
    this.rt.makeDir(runDir(this.rt), 0o755);
    this.rt.writeFileAtomic(`${runDir(this.rt)}/daemon.pid`, `${this.pid()}\n`);
    this.rt.onSignal(SIGHUP, () => { void this.serial(() => this.reload('SIGHUP')); });
    this.rt.onSignal(SIGTERM, () => { void this.shutdown(); });
    this.rt.onSignal(SIGINT, () => { void this.shutdown(); });
    await this.rt.log('notice', 'daemon started');
    await this.serial(() => this.reload('start'));
    this.schedule(() => this.superviseProxies(), TICK_MS);
    this.schedule(() => this.serial(() => this.reconcileKernel()), RECONCILE_EVERY_MS);
    this.schedule(() => writeHealthState(this.rt, this.monitor.snapshot()), HEALTH_WRITE_EVERY_MS);
    this.schedule(() => this.serial(() => this.probeServer()), () => this.checkIntervalMs);
  }

  private pid(): number {
    const stat = this.rt.readFile('/proc/self/stat') ?? '0';
    return Number(stat.split(' ')[0]);
  }

  private schedule(job: () => Promise<void> | void, every: number | (() => number)) {
    const delay = () => (typeof every === 'number' ? every : every());
    const loop = () => {
      if (this.stopping) return;
      Promise.resolve(job()).finally(() => { if (!this.stopping) this.rt.setTimer(loop, delay()); });
    };
    this.rt.setTimer(loop, delay());
  }

  /** What the planner needs of the health checks: the down uplinks and the suspect ones. */
  private healthView() {
    return { unhealthy: this.monitor.unhealthy(), suspect: this.monitor.suspects() };
  }

  /** Re-read the config, apply the plan, and (re)start the proxies if their setup changed. */
  private async reload(why: string): Promise<void> {
    const report = await reconcile(this.rt, { dryRun: false, ...this.healthView() });
    this.watchUplinks(report.snapshot);
    if (report.failure) throw new MpwanError('apply_failed', `apply failed (${why}): ${report.failure.error.message}; previous state restored`);
    if (report.changes.length > 0) await this.rt.log('notice', `${why}: ${report.changes.length} change(s): ${report.descriptions.join('; ')}`);
    this.lastError = null;
    await this.configureProxy(report.snapshot.config, why);
    this.reloads++;
    this.lastReload = { why, at: this.rt.nowSeconds() };
    this.writeState();
  }

  /** Health probes follow the plan: every uplink that is up (or failed) with a device. */
  private watchUplinks(snap: Snapshot) {
    const configs = new Map(snap.config.uplinks.map((u) => [u.name, u]));
    this.monitor.update(
      snap.desired.uplinks
        .filter((u) => (u.state === 'active' || u.state === 'failed') && u.dev !== undefined)
        .map((u) => ({ name: u.name, dev: u.dev!, sources: u.sources, health: configs.get(u.name)!.health })),
      snap.config.servers.find((s) => s.enabled),
    );
    writeHealthState(this.rt, this.monitor.snapshot());
  }

  /** One log line per change; the plan then withdraws or restores the uplink's endpoints. */
  private async healthChanged(uplink: string, t: Transition) {
    writeHealthState(this.rt, this.monitor.snapshot());
    await this.rt.log(t.to === 'down' ? 'warning' : 'notice', t.to === 'down'
      ? `uplink ${uplink} is down: ${t.reason}; its subflows move to the other uplinks`
      : `uplink ${uplink} is up again (${t.reason}); its endpoints return`);
    await this.serial(() => this.reconcileKernel(`uplink ${uplink} ${t.to}`));
  }

  /**
   * An uplink missed a probe round (or answered again): only where new connections start
   * may change, and that is logged at info level, as a lossy uplink can do it often.
   */
  private async suspectChanged(uplink: string, suspect: boolean) {
    writeHealthState(this.rt, this.monitor.snapshot());
    await this.serial(() => this.reconcileKernel(suspect ? `uplink ${uplink} missed a probe round` : `uplink ${uplink} answers again`, 'info'));
  }

  private async reconcileKernel(why = 'periodic', level: 'notice' | 'info' = 'notice'): Promise<void> {
    const report = await reconcile(this.rt, { dryRun: false, ...this.healthView() });
    this.watchUplinks(report.snapshot);
    if (report.failure) throw new MpwanError('apply_failed', `${why} apply failed: ${report.failure.error.message}; previous state restored`);
    if (report.changes.length > 0) await this.rt.log(level, `${why === 'periodic' ? 'repaired' : why}: ${report.descriptions.join('; ')}`);
  }

  private async configureProxy(config: Config, why: string) {
    const server = config.servers.find((s) => s.enabled);
    const wanted = config.globals.enabled && config.proxy.enabled && server !== undefined;
    if (!wanted) {
      if (this.launch) await this.rt.log('notice', `${why}: proxy disabled`);
      await this.stopProxies();
      await this.setRedirect(false);
      this.launch = null;
      this.launchKey = '';
      return;
    }
    this.checkIntervalMs = config.proxy.checkInterval * 1000;
    const file = this.proxyFile();
    const caps = await detectEngineCaps(this.rt, config.proxy.engine);
    const launch = planProxy(config.proxy, server!, file, cpuCount(this.rt), caps);
    const key = JSON.stringify(launch);
    const netifd = await readNetifd(this.rt);
    const lanDevices = config.proxy.lan.map((n) => netifd.find((i) => i.name === n)?.l3Device).filter((d): d is string => !!d);
    this.nftText = lanDevices.length > 0
      ? renderNft({ lanDevices, port: config.proxy.port, bypass: [server!.host, ...config.proxy.bypass].filter((b) => /^[0-9a-f:.]+(\/\d+)?$/i.test(b)) })
      : null;
    if (key !== this.launchKey) {
      const adopted = this.launchKey === '' ? this.adoptable(key) : [];
      await this.stopProxies();
      if (adopted.length === 0) {
        await this.setRedirect(false);
        // Written with mode 0600 before any instance reads it: it holds the password.
        this.rt.writeFileAtomic(file, JSON.stringify(launch.config, null, 2) + '\n', 0o600);
      }
      this.launch = { ...launch, engine: config.proxy.engine, port: config.proxy.port, server: `${server!.host}:${server!.port}` };
      this.launchKey = key;
      this.instances = launch.instances.map((argv, i) => ({
        argv, pid: adopted[i] ?? null, adopted: adopted[i] !== undefined, startedAt: this.rt.monotonicMs(), failures: 0, nextStartAt: 0,
      }));
      this.serverReachable = null;
      this.serverAnswers = null;
      this.answersSince = this.rt.monotonicMs();
      this.serverFailures = 0;
      await this.rt.log('notice', `proxy: ${config.proxy.engine} x${launch.instances.length} on port ${config.proxy.port} to ${server!.host}:${server!.port} (MPTCP by ${launch.mptcpBy})` +
        (adopted.length > 0 ? `; adopted ${adopted.length} running instance(s) from the previous daemon` : ''));
      this.startDueInstances();
    }
    if (lanDevices.length === 0) await this.rt.log('warning', `proxy: none of the lan interfaces (${config.proxy.lan.join(', ')}) is up; nothing is redirected`);
    this.nftApplied = false; // the rules may differ (devices, bypass): render again
    await this.updateRedirect();
  }

  private proxyFile() {
    return `${runDir(this.rt)}/proxy.json`;
  }

  /** Whether `pid` is a proxy reading our config file (pids are reused after a reboot or a crash). */
  private isOurProxy(pid: number): boolean {
    return (this.rt.readFile(`/proc/${pid}/cmdline`) ?? '').split('\0').includes(this.proxyFile());
  }

  /** The exit status once a running instance has exited (reaping our children), else null. */
  private exitStatus(i: Instance, pid: number): number | 'unknown' | null {
    // An adopted proxy is not our child: it cannot be reaped, only seen gone.
    if (i.adopted) return this.isOurProxy(pid) ? null : 'unknown';
    return this.rt.reap(pid);
  }

  /**
   * Proxies a previous daemon left running (after kill -9) with the same launch: adopted, so
   * the LAN connections they carry live on. With a different launch they are stopped.
   */
  private adoptable(key: string): number[] {
    const saved = this.readProxyRecord();
    if (!saved) return [];
    const alive = saved.pids.filter((pid) => this.isOurProxy(pid));
    if (saved.key === key && alive.length === saved.pids.length) return alive;
    for (const pid of alive) this.rt.kill(pid, SIGKILL);
    return [];
  }

  private readProxyRecord(): { key: string; pids: number[] } | null {
    try {
      const v = JSON.parse(this.rt.readFile(`${runDir(this.rt)}/proxies.json`) ?? 'null') as { key?: unknown; pids?: unknown } | null;
      if (!v || typeof v.key !== 'string' || !Array.isArray(v.pids) || !v.pids.every((p) => Number.isInteger(p) && p > 1)) return null;
      return { key: v.key, pids: v.pids as number[] };
    } catch {
      return null;
    }
  }

  /** What a daemon restarted after kill -9 needs to adopt the running proxies. */
  private recordProxies() {
    const pids = this.instances.map((i) => i.pid).filter((p): p is number => p !== null);
    this.rt.writeFileAtomic(`${runDir(this.rt)}/proxies.json`, JSON.stringify({ key: this.launchKey, pids }) + '\n');
  }

  private startDueInstances() {
    const now = this.rt.monotonicMs();
    let started = false;
    this.instances.forEach((inst, i) => {
      if (inst.pid !== null || now < inst.nextStartAt) return;
      started = true;
      try {
        inst.pid = this.rt.spawn(inst.argv, { logFile: `${runDir(this.rt)}/proxy-${i}.log` });
        inst.startedAt = now;
        inst.adopted = false;
      } catch (e) {
        void this.fail(e);
        inst.nextStartAt = now + BACKOFF_MAX_S * 1000;
      }
    });
    if (started) this.recordProxies();
  }

  /** Reaps exited proxies, restarts them with backoff, and keeps the redirect in step. */
  private async superviseProxies(): Promise<void> {
    const now = this.rt.monotonicMs();
    for (const [i, inst] of this.instances.entries()) {
      if (inst.pid === null) continue;
      const status = this.exitStatus(inst, inst.pid);
      if (status === null) {
        if (inst.failures > 0 && now - inst.startedAt > HEALTHY_AFTER_MS) inst.failures = 0;
        continue;
      }
      inst.failures++;
      const delay = Math.min(BACKOFF_MAX_S, 2 ** (inst.failures - 1));
      inst.pid = null;
      inst.nextStartAt = now + delay * 1000;
      const tail = (this.rt.readFile(`${runDir(this.rt)}/proxy-${i}.log`) ?? '').trim().split('\n').slice(-1)[0] ?? '';
      await this.rt.log('warning', `proxy instance ${i} exited (status ${status})${tail ? `: ${tail}` : ''}; restarting in ${delay} s`);
    }
    this.startDueInstances();
    await this.updateRedirect();
    this.writeState();
  }

  private async probeServer(): Promise<void> {
    if (!this.launch) return;
    const [host, port] = [this.launch.config.server as string, this.launch.config.server_port as number];
    const r = await this.reachServer(host, port);
    if (r.ok) {
      if (this.serverReachable === false) {
        await this.rt.log('notice', `server ${host}:${port} answers again: LAN TCP goes through the proxy`);
        this.answersSince = this.rt.monotonicMs();
      }
      this.serverFailures = 0;
      this.serverReachable = true;
    } else if (++this.serverFailures >= SERVER_DOWN_AFTER && this.serverReachable !== false) {
      this.serverReachable = false;
      await this.rt.log('err', `server ${host}:${port} unreachable (${r.error}): LAN traffic bypasses the proxy and uses the normal route until it answers`);
    }
    if (r.ok) await this.checkAnswers(host, port);
    await this.updateRedirect();
    this.writeState();
  }

  /**
   * Whether the server accepts connections, as the uplinks' health probes see it. A probe of
   * our own (only without them) follows the route to the server, which points at a silently
   * dead uplink until that uplink's health checks fail, and would blame the server for it.
   */
  private async reachServer(host: string, port: number): Promise<{ ok: boolean; error?: string }> {
    return this.monitor.serverReachable(this.checkIntervalMs) ?? tcpConnect(this.rt, host, port);
  }

  /**
   * A reachable server that answers none of the proxied connections: a wrong password or
   * cipher (shadowsocks servers then stall every connection, and LAN clients would hang). The
   * redirect is lifted, and the proxy tried again after SILENCE_RETRY_MS or on a reload.
   */
  private async checkAnswers(host: string, port: number) {
    const now = this.rt.monotonicMs();
    if (this.serverAnswers === false) {
      if (now - this.silentSince < SILENCE_RETRY_MS) return;
      this.serverAnswers = null;
      this.answersSince = now;
      await this.rt.log('notice', `trying the proxy to ${host}:${port} again`);
      return;
    }
    const pids = this.instances.map((i) => i.pid).filter((p): p is number => p !== null);
    const seen = await readSilentServerConnections(this.rt, host, port, SILENT_AFTER_MS, now - this.answersSince, pids);
    if (!seen) return;
    if (seen.answered > 0) this.serverAnswers = true;
    else if (seen.silent >= SILENT_CONNECTIONS) {
      this.serverAnswers = false;
      this.silentSince = now;
      await this.rt.log('err', `server ${host}:${port} accepts connections but answered none of ${seen.silent} proxied ones: ` +
        'wrong password or cipher? LAN traffic bypasses the proxy and uses the normal route (tried again in 5 min or on reload)');
    }
  }

  /** The redirect is on only while a proxy runs and the server is not known to be down or deaf. */
  private async updateRedirect() {
    const alive = this.instances.some((i) => i.pid !== null);
    await this.setRedirect(alive && this.serverReachable !== false && this.serverAnswers !== false && this.nftText !== null);
  }

  private async setRedirect(on: boolean) {
    if (on && !this.nftApplied && this.nftText) {
      await applyNft(this.rt, this.nftText);
      this.nftApplied = true;
    } else if (!on && (this.nftApplied || this.nftText === null)) {
      await removeNft(this.rt);
      this.nftApplied = false;
    }
  }

  private async stopProxies() {
    const running = this.instances.filter((i) => i.pid !== null);
    for (const i of running) this.rt.kill(i.pid!, SIGTERM);
    for (let waited = 0; waited < 2000 && running.some((i) => i.pid !== null); waited += 50) {
      for (const i of running) if (i.pid !== null && this.exitStatus(i, i.pid) !== null) i.pid = null;
      if (running.some((i) => i.pid !== null)) await this.rt.sleep(50);
    }
    for (const i of running) {
      if (i.pid !== null) { this.rt.kill(i.pid, SIGKILL); if (!i.adopted) this.rt.reap(i.pid); i.pid = null; }
    }
    if (running.length > 0) this.recordProxies();
  }

  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.monitor.stop();
    await this.queue;
    await this.stopProxies();
    await removeNft(this.rt).catch((e) => this.fail(e));
    this.instances = [];
    this.launch = null;
    this.rt.removeFile(`${runDir(this.rt)}/daemon.pid`);
    this.rt.removeFile(`${runDir(this.rt)}/state.json`);
    this.writeState();
    await this.rt.log('notice', 'daemon stopped: proxies stopped, LAN traffic uses the normal route');
    this.resolveExit(0);
  }

  private writeState() {
    const state: DaemonState = {
      pid: this.stopping ? 0 : this.pid(),
      since: this.since,
      proxy: this.launch && {
        engine: this.launch.engine,
        port: this.launch.port,
        mptcp_by: this.launch.mptcpBy,
        instances: this.instances.map((i) => ({ pid: i.pid, restarts: i.failures })),
        redirect_active: this.nftApplied,
        server: this.launch.server,
        server_reachable: this.serverReachable,
        server_answers: this.serverAnswers,
      },
      reloads: this.reloads,
      last_reload: this.lastReload,
      last_error: this.lastError,
    };
    try {
      this.rt.writeFileAtomic(`${runDir(this.rt)}/daemon.json`, JSON.stringify(state) + '\n');
    } catch { /* the run dir vanished: nothing to report to */ }
  }
}

export async function runDaemon(rt: Runtime): Promise<number> {
  const d = new Daemon(rt);
  await d.start();
  return d.exited;
}
