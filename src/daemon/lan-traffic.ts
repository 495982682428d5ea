// The LAN side of the daemon: which proxy runs (from the config) and to which server (the
// server keeper's choice), whether that server answers what the proxy sends it, and the nft
// table: the flow marks of the plan, and the LAN redirect (with the QUIC reject) that follows
// from the proxy and the servers.
import type { Runtime } from '../sys/runtime.js';
import type { Config, ServerConfig } from '../model/config.js';
import type { NetifdInterface } from '../model/netifd.js';
import type { Desired, UplinkMark } from '../model/plan.js';
import type { ProxyState } from '../model/daemon-state.js';
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
import { connectUnlessProbed, readEvidence, readRelayCounts } from './server-check.js';
import type { ServerKeeper } from './server-keeper.js';
import { serverOrder } from '../config/servers.js';
import { familyOf, hostPort } from '../lib/inet.js';
import type { MpwanEvent } from '../events/events.js';
import { RelayFiles } from './relay-files.js';

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
  checkIntervalMs = 10000;
  private readonly files: RelayFiles;
  /** What the last follow() was given: a server switch launches with it. */
  private followed: { config: Config; udpPaths: Desired['udpPaths'] } | null = null;

  constructor(
    private readonly rt: Runtime,
    readonly servers: ServerKeeper,
    readonly runner: ProxyRunner,
    readonly table: NftTable,
    private readonly log: Log,
    publish: (e: MpwanEvent) => void,
  ) {
    this.files = new RelayFiles(rt, publish);
  }

  /** Follows the config: starts, replaces or stops the proxy; re-renders and checks the redirect. */
  async follow(config: Config, netifd: NetifdInterface[], desired: Pick<Desired, 'marks' | 'udpPaths'>, explicit: boolean): Promise<void> {
    this.marks = desired.marks;
    const servers = serverOrder(config.servers);
    this.servers.configure(servers, config.proxy.holdDown);
    if (explicit) this.servers.reset();
    if (!config.globals.enabled || !config.proxy.enabled || servers.length === 0) {
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
    this.followed = { config, udpPaths: desired.udpPaths };
    // While no server answers, the proxy stays with the one it has (the redirect is off meanwhile).
    const inUse = this.active && servers.find((x) => x.name === this.active!.server.name);
    await this.launch(this.servers.active ?? inUse ?? servers[0]);
    const lanDevices = config.proxy.lan.map((n) => netifd.find((i) => i.name === n)?.l3Device).filter((d): d is string => !!d);
    if (lanDevices.length === 0 && (explicit || this.redirect !== null)) {
      await this.log('warning', `proxy: none of the lan interfaces (${config.proxy.lan.join(', ')}) is up; nothing is redirected`);
    }
    const bypass = [...servers.map((x) => x.host), ...config.proxy.bypass].filter((b) => /^[0-9a-f:.]+(\/\d+)?$/i.test(b));
    this.redirect = lanDevices.length > 0 ? {
      lanDevices, port: config.proxy.port, bypass, rejectQuic: config.proxy.quic === 'tcp', udpPort: udpThroughServer(config) ? config.proxy.port : null,
    } : null;
    await this.syncRedirect(true);
  }

  /** Runs the proxy to `server` (a new launch when that differs from the running one's). */
  private async launch(server: ServerConfig) {
    const { config, udpPaths } = this.followed!;
    const engine = config.proxy.engine;
    const plan = planProxy(config.proxy, server, runPath.engine(this.rt), cpuCount(this.rt), this.caps!.caps);
    // Written before the relay starts, which reads them then; it is told of later changes by
    // SIGHUP (a new server: new connections go there, open ones stay where they are).
    const family = familyOf(server.host);
    const filesChanged = engine === 'relay' &&
      [this.files.server(server), this.files.paths(udpPaths.filter((p) => family === null || familyOf(p.source) === family))].some(Boolean);
    const { changed, adopted } = await this.runner.configure(engineLaunch(plan));
    if (filesChanged && !changed) for (const pid of this.runner.supervisor.runningPids()) this.rt.kill(pid, SIGHUP);
    if (changed || !this.active || this.active.server.name !== server.name) {
      const watch = new ServerWatch(hostPort(server.host, server.port), engine === 'relay' ? 'key' : 'password or cipher');
      watch.reset(this.rt.monotonicMs());
      // A new relay counts from zero (its predecessor's file is gone); one that stays, from what it has counted so far.
      const counts = changed ? { answered: 0, rejected: 0 } : readRelayCounts(this.rt);
      this.relayBaseline = counts && { since: watch.evidenceStart, ...counts };
      this.active = { engine, port: config.proxy.port, mptcpBy: plan.mptcpBy, server, watch };
      await this.log('notice', `proxy: ${engine} x${plan.instances.length} on port ${config.proxy.port} to server ${server.name} (${hostPort(server.host, server.port)}, MPTCP by ${plan.mptcpBy})` +
        (adopted > 0 ? `; adopted ${adopted} running instance(s) from the previous daemon` : ''));
    }
  }

  /** No proxy, no redirect: LAN traffic takes the normal route. */
  private async turnOff() {
    this.active = null;
    this.followed = null;
    this.redirect = null;
    await this.runner.configure(null);
    await this.syncRedirect(true);
  }

  /** Whether a proxy instance exited or is due to start (the supervise job is needed). */
  needsSupervision(): boolean {
    return this.runner.check();
  }

  async supervise(): Promise<void> {
    await this.runner.supervise();
    await this.syncRedirect(false);
  }

  /**
   * The server keeper's choice taken up (a switch, at once when it asks), and whether the
   * server in use answers what the proxies send it: a server that takes connections but
   * answers none (a wrong key) is reported to the keeper, which moves on from it.
   */
  async checkServer(): Promise<void> {
    const chosen = this.servers.active;
    if (this.followed && this.active && chosen && chosen.name !== this.active.server.name) await this.launch(chosen);
    const a = this.active;
    if (!a) return;
    const now = () => this.rt.monotonicMs();
    // Without probes of it (probe_server off and probe hosts set), a connect of our own tells whether it answers.
    const own = this.followed && await connectUnlessProbed(this.rt, this.followed.config, a.server);
    if (own) this.servers.connect(a.server.host, a.server.port, 'daemon', own);
    const retried = a.watch.retry(now());
    if (retried) { this.servers.deaf(a.server.name, null); await this.say(retried); }
    if (a.watch.wantsEvidence) {
      const e = a.engine === 'relay' ? this.relayEvidence(a.watch.evidenceStart)
        : await readEvidence(this.rt, a.server.host, a.server.port, a.watch.evidenceWindowMs(now()), this.runner.supervisor.runningPids());
      const deaf = e && a.watch.evidence(e, now());
      if (deaf) {
        this.servers.deaf(a.server.name, `answered none of ${e.silent} proxied connections: wrong ${a.engine === 'relay' ? 'key' : 'password or cipher'}?`);
        await this.say(deaf);
      }
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

  /** The log's sentence (scripts hear of a server's turn from the server keeper). */
  private async say(t: ServerTransition | null) {
    if (t) await this.log(t.level, t.message);
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
      serverReachable: this.servers.active !== null,
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
      server_reachable: this.servers.active !== null,
      server_answers: a.watch.answers,
      active_server: this.servers.active?.name ?? null,
      active_why: this.servers.why.why,
      active_since: this.servers.why.since,
      failback: this.servers.failback(),
      servers: this.servers.report(),
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
    this.servers.stop();
    return problems;
  }
}
