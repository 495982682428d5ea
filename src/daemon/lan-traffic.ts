// The LAN side of the daemon: which proxy runs (from the config), whether the server is
// worth sending LAN traffic to, and the nft table: the flow marks of the plan, and the LAN
// redirect (with the QUIC reject) that follows from the proxy and the server.
import type { Runtime } from '../sys/runtime.js';
import type { Config, ServerConfig } from '../model/config.js';
import type { NetifdInterface } from '../model/netifd.js';
import type { Desired, UplinkMark } from '../model/plan.js';
import type { ProxyState } from '../model/daemon-state.js';
import type { HealthMonitor } from '../health/monitor.js';
import { engineLaunch, planProxy, type EngineCaps } from '../proxy/launch.js';
import { renderTable, type RedirectPlan } from '../nft/table.js';
import { udpThroughServer } from '../plan/routing.js';
import { detectEngineCaps } from '../sys/proxy-binary.js';
import { cpuCount } from '../sys/procfs.js';
import { runPath } from '../sys/run-dir.js';
import { SIGHUP } from '../sys/runtime.js';
import { MpwanError } from '../model/errors.js';
import type { ProxyRunner } from './proxies.js';
import type { NftTable } from './nft-table.js';
import { ServerWatch, type Evidence, type ServerTransition } from './server-watch.js';
import { decideRedirect } from './redirect.js';
import { checkReachable, readEvidence, readRelayCounts } from './server-check.js';
import { hostPort } from '../lib/inet.js';
import type { MpwanEvent } from '../events/events.js';

type Log = (level: 'warning' | 'notice' | 'err', message: string) => Promise<void>;

interface Active {
  engine: Config['proxy']['engine'];
  port: number;
  mptcpBy: string;
  server: ServerConfig;
  watch: ServerWatch;
}

export class LanTraffic {
  private active: Active | null = null;
  private caps: { engine: string; caps: EngineCaps } | null = null;
  /** The redirect's part of the table while it is on, and the plan's flow marks. */
  private redirect: RedirectPlan | null = null;
  private marks: UplinkMark[] = [];
  private offReason: string | null = null;
  /** Why the configured engine cannot run (not installed), for status. */
  missing: string | null = null;
  /** The relay's counters when the current evidence window began. */
  private relayBaseline: { since: number; answered: number; rejected: number } | null = null;
  /** The relay's uplinks for LAN UDP, best first, as scripts were last told. */
  private udpUplinks: string | null = null;
  checkIntervalMs = 10000;

  constructor(
    private readonly rt: Runtime,
    private readonly monitor: HealthMonitor,
    readonly runner: ProxyRunner,
    readonly table: NftTable,
    private readonly log: Log,
    private readonly publish: (e: MpwanEvent) => void,
  ) {}

  /** Follows the config: starts, replaces or stops the proxy; re-renders and checks the redirect. */
  async follow(config: Config, netifd: NetifdInterface[], desired: Pick<Desired, 'marks' | 'udpPaths'>, explicit: boolean): Promise<void> {
    this.marks = desired.marks;
    const server = config.servers.find((s) => s.enabled);
    if (!config.globals.enabled || !config.proxy.enabled || !server) {
      this.missing = null;
      if (this.active) await this.log('notice', 'proxy disabled');
      await this.turnOff();
      return;
    }
    this.checkIntervalMs = config.proxy.checkInterval * 1000;
    const engine = config.proxy.engine;
    if (explicit || this.caps?.engine !== engine) {
      try {
        this.caps = { engine, caps: await detectEngineCaps(this.rt, engine) };
        this.missing = null;
      } catch (e) {
        // No engine: LAN traffic keeps the normal route, and status says what to install.
        const message = e instanceof MpwanError ? e.message : String(e);
        if (message !== this.missing) await this.log('err', message);
        this.missing = message;
        this.caps = null;
        await this.turnOff();
        return;
      }
    }
    if (!this.caps) return;
    const plan = planProxy(config.proxy, server, runPath.engine(this.rt), cpuCount(this.rt), this.caps.caps);
    // Written before the relay starts, which reads it then; it is told of later changes by SIGHUP.
    const pathsChanged = engine === 'relay' && this.writeUdpPaths(desired.udpPaths);
    const { changed, adopted } = await this.runner.configure(engineLaunch(plan));
    if (pathsChanged && !changed) for (const pid of this.runner.supervisor.runningPids()) this.rt.kill(pid, SIGHUP);
    if (changed || !this.active) {
      const watch = new ServerWatch(hostPort(server.host, server.port), engine === 'relay' ? 'key' : 'password or cipher');
      watch.reset(this.rt.monotonicMs());
      this.active = { engine, port: config.proxy.port, mptcpBy: plan.mptcpBy, server, watch };
      await this.log('notice', `proxy: ${engine} x${plan.instances.length} on port ${config.proxy.port} to ${hostPort(server.host, server.port)} (MPTCP by ${plan.mptcpBy})` +
        (adopted > 0 ? `; adopted ${adopted} running instance(s) from the previous daemon` : ''));
    }
    const lanDevices = config.proxy.lan.map((n) => netifd.find((i) => i.name === n)?.l3Device).filter((d): d is string => !!d);
    if (lanDevices.length === 0 && (explicit || this.redirect !== null)) {
      await this.log('warning', `proxy: none of the lan interfaces (${config.proxy.lan.join(', ')}) is up; nothing is redirected`);
    }
    const bypass = [server.host, ...config.proxy.bypass].filter((b) => /^[0-9a-f:.]+(\/\d+)?$/i.test(b));
    this.redirect = lanDevices.length > 0 ? {
      lanDevices, port: config.proxy.port, bypass, rejectQuic: config.proxy.quic === 'tcp', udpPort: udpThroughServer(config) ? config.proxy.port : null,
    } : null;
    await this.syncRedirect(true);
  }

  /** No proxy, no redirect: LAN traffic takes the normal route. */
  private async turnOff() {
    this.active = null;
    this.redirect = null;
    await this.runner.configure(null);
    await this.syncRedirect(true);
  }

  /** The relay's ways to the server, best first (`<uplink> <source address>` lines); whether the file changed. */
  private writeUdpPaths(paths: Desired['udpPaths']): boolean {
    const uplinks = [...new Set(paths.map((p) => p.uplink))];
    if (uplinks.join(' ') !== this.udpUplinks) {
      this.udpUplinks = uplinks.join(' ');
      this.publish({ type: 'mpwan.udp', uplink: uplinks[0] ?? null, paths: uplinks });
    }
    const text = paths.map((p) => `${p.uplink} ${p.source}\n`).join('');
    const file = runPath.engine(this.rt).paths;
    if (this.rt.readFile(file) === text) return false;
    this.rt.writeFileAtomic(file, text, 0o644);
    return true;
  }

  /** Whether a proxy instance exited or is due to start (the supervise job is needed). */
  needsSupervision(): boolean {
    return this.runner.check();
  }

  async supervise(): Promise<void> {
    await this.runner.supervise();
    await this.syncRedirect(false);
  }

  /** Reachability through the uplinks' probes, and whether the server answers what the proxies send. */
  async checkServer(): Promise<void> {
    const a = this.active;
    if (!a) return;
    const now = () => this.rt.monotonicMs();
    const r = await checkReachable(this.rt, this.monitor, a.server.host, a.server.port, this.checkIntervalMs);
    await this.say(a.watch.reachability(r.ok, r.error, now()));
    if (r.ok) await this.say(a.watch.retry(now()));
    if (r.ok && a.watch.wantsEvidence) {
      const e = a.engine === 'relay' ? this.relayEvidence(a.watch.evidenceStart)
        : await readEvidence(this.rt, a.server.host, a.server.port, a.watch.evidenceWindowMs(now()), this.runner.supervisor.runningPids());
      if (e) await this.say(a.watch.evidence(e, now()));
    }
    await this.syncRedirect(false);
  }

  /** Connections the server answered, and closed unanswered (a wrong key), since `since`. */
  private relayEvidence(since: number): Evidence | null {
    const now = readRelayCounts(this.rt);
    if (!now) return null;
    if (this.relayBaseline?.since !== since) this.relayBaseline = { since, ...now };
    return { answered: now.answered - this.relayBaseline.answered, silent: now.rejected - this.relayBaseline.rejected };
  }

  private async say(t: ServerTransition | null) {
    if (!t || !this.active) return;
    this.publish({ type: 'mpwan.server', server: `${this.active.server.host}:${this.active.server.port}`, reachable: t.reachable, why: t.why });
    await this.log(t.level, t.message);
  }

  /** The nft table changed (nft monitor): read it back and load it again if it is not ours any more. */
  async repairTable(): Promise<void> {
    await this.syncRedirect(true);
  }

  /** Loads or removes the redirect as decideRedirect says; `observe` also repairs a changed table. */
  private async syncRedirect(observe: boolean) {
    const d = decideRedirect({
      wanted: this.active !== null,
      proxyRunning: this.runner.running,
      serverReachable: this.active?.watch.reachable ?? null,
      serverAnswers: this.active?.watch.answers ?? null,
      lanDevices: this.redirect?.lanDevices.length ?? 0,
    });
    this.offReason = d.reason;
    const done = await this.table.sync(renderTable({ marks: this.marks, redirect: d.on ? this.redirect : null }), observe);
    if (done === 'repaired') await this.log('notice', 'the LAN redirect and flow marks (nft table inet mpwan) were changed or removed by something else: loaded again');
  }

  state(): ProxyState | null {
    const a = this.active;
    if (!a) return null;
    return {
      engine: a.engine,
      port: a.port,
      mptcp_by: a.mptcpBy,
      instances: this.runner.supervisor.instances.map((i) => ({ pid: i.pid, restarts: i.failures })),
      redirect_active: this.redirectOn,
      redirect_off_reason: this.redirectOn ? null : this.offReason,
      server: hostPort(a.server.host, a.server.port),
      server_reachable: a.watch.reachable,
      server_answers: a.watch.answers,
    };
  }

  private get redirectOn(): boolean {
    return this.offReason === null && this.redirect !== null && this.table.active;
  }

  /** Stops the proxies and removes the table; returns what failed. */
  async stop(): Promise<string[]> {
    const problems: string[] = [];
    await this.runner.configure(null).catch((e: unknown) => problems.push(e instanceof MpwanError ? e.message : String(e)));
    await this.table.remove().catch((e: unknown) => problems.push(e instanceof MpwanError ? e.message : String(e)));
    this.active = null;
    this.marks = [];
    return problems;
  }
}
