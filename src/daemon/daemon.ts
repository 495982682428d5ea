// `mpwan daemon`: the one way mpwan runs as a service (procd runs exactly this command). It
// wires the parts together: the job loop (loop.ts), health probes (health/), the kernel plan
// (reconcile/), the proxy instances (proxies.ts, supervisor.ts), the server's state
// (server-watch.ts) and the LAN redirect (redirect.ts, lan-rules.ts). Every decision lives
// in those; this file only says when each runs and writes what the others report.
import type { Runtime } from '../sys/runtime.js';
import { SIGHUP, SIGINT, SIGTERM } from '../sys/runtime.js';
import type { Config } from '../model/config.js';
import type { DaemonState } from '../model/daemon-state.js';
import type { Transition } from '../model/health.js';
import { MpwanError } from '../model/errors.js';
import { settled } from '../lib/async.js';
import { validateConfig } from '../config/validate.js';
import { formatProblems } from '../reconcile/config-file.js';
import { reconcile } from '../reconcile/reconcile.js';
import type { Assessment } from '../reconcile/assess.js';
import { HealthMonitor } from '../health/monitor.js';
import { configFile } from '../sys/paths.js';
import { makeRunDir, removeDaemonFiles, writeDaemonPid, writeDaemonState, writeHealth, writeStatusBasis } from '../sys/run-dir.js';
import { statusOf } from '../status/collect.js';
import { ProxyRunner } from './proxies.js';
import { NftTable } from './nft-table.js';
import { JobLoop, type JobName } from './loop.js';
import { LanTraffic } from './lan-traffic.js';
import { cleanUp } from './cleanup.js';
import { DefaultRouteFollower } from './default-route.js';
import { ServerKeeper, probeKeyFiles } from './server-keeper.js';
import { QuotaKeeper, type QuotaCrossing } from './quotas.js';
import type { ChoiceChange } from '../servers/choice.js';
import type { NetifdInterface } from '../model/netifd.js';
import { serverOrder } from '../config/servers.js';
import { choiceLine, quotaLine } from './lines.js';

const SUPERVISE_EVERY_MS = 1000;
/** The repair check: kernel state that changed without an event (a deleted endpoint or rule) comes back. */
const REPLAN_EVERY_MS = 60000;
/** How often state.json is refreshed with latency and loss (state changes are written at once). */
const HEALTH_WRITE_EVERY_MS = 5000;
/** Re-plans for these reasons read the config and the engine afresh (others reuse what they know). */
const EXPLICIT = ['start', 'SIGHUP'];

export class Daemon {
  private readonly loop: JobLoop;
  private readonly monitor: HealthMonitor;
  private readonly lan: LanTraffic;
  private readonly quotas: QuotaKeeper;
  /** netifd's interfaces as the last re-plan read them (quotas count their devices). */
  private netifd: NetifdInterface[] = [];
  /** The last config that validated: an invalid edit never undoes a working setup. */
  private config: Config | null = null;
  private configError: DaemonState['config_error'] = null;
  private lastError: string | null = null;
  private reloads = 0;
  private lastReload: DaemonState['last_reload'] = null;
  private stopping = false;
  private readonly routes: DefaultRouteFollower;
  private readonly since: number;
  private written = '';
  private resolveExit: (code: number) => void = () => {};
  readonly exited = new Promise<number>((resolve) => { this.resolveExit = resolve; });

  constructor(private readonly rt: Runtime) {
    this.since = rt.nowSeconds();
    this.loop = new JobLoop(rt, (job, reasons) => this.run(job, reasons), (e) => this.fail(e));
    const servers = new ServerKeeper(rt, (c) => this.serverChanged(c));
    this.monitor = new HealthMonitor(rt, (u, t) => this.healthChanged(u, t), (u, suspect) => this.suspectChanged(u, suspect), servers);
    this.routes = new DefaultRouteFollower(rt);
    const log = (level: 'warning' | 'notice' | 'err', message: string) => this.rt.log(level, message);
    this.lan = new LanTraffic(rt, servers, new ProxyRunner(rt, log), new NftTable(rt), log);
    this.quotas = new QuotaKeeper(rt, (c) => this.quotaCrossed(c), log);
  }

  async start(): Promise<void> {
    await settled();
    makeRunDir(this.rt);
    writeDaemonPid(this.rt, this.pid());
    this.rt.onSignal(SIGHUP, () => this.loop.request('replan', 'SIGHUP'));
    this.rt.onSignal(SIGTERM, () => { void this.shutdown(); });
    this.rt.onSignal(SIGINT, () => { void this.shutdown(); });
    await this.rt.log('notice', 'daemon started');
    this.quotas.load();
    this.loop.request('replan', 'start');
    this.loop.every('supervise', '', SUPERVISE_EVERY_MS, () => this.lan.needsSupervision());
    this.loop.every('replan', 'periodic', REPLAN_EVERY_MS);
    this.loop.every('health', '', HEALTH_WRITE_EVERY_MS);
    this.loop.every('server', '', () => this.lan.checkIntervalMs);
  }

  private ownPid = 0;
  private pid(): number {
    this.ownPid ||= Number((this.rt.readFile('/proc/self/stat') ?? '0').split(' ')[0]);
    return this.ownPid;
  }

  private async run(job: JobName, reasons: string[]) {
    if (job === 'replan') await this.replan(reasons);
    else if (job === 'supervise') await this.lan.supervise();
    else if (job === 'server') await this.lan.checkServer();
    else this.health();
    this.writeState();
  }

  private async fail(e: unknown) {
    const msg = e instanceof MpwanError ? e.message : `internal error: ${(e as Error)?.stack ?? e}`;
    if (msg !== this.lastError) await this.rt.log('err', msg);
    this.lastError = msg;
    this.writeState();
  }

  /** The config on disk, or the last good one when it does not validate (said once per problem). */
  private async readConfig(): Promise<Config> {
    const file = configFile(this.rt);
    const text = this.rt.readFile(file);
    const result = text === null
      ? { config: null, errors: [{ file, line: 0, option: '', message: 'cannot read the config file' }] }
      : validateConfig(text, file);
    if (result.config) {
      if (this.configError) await this.rt.log('notice', `${file} is valid again`);
      for (const w of formatProblems(result.warnings)) await this.rt.log('warning', `config: ${w}`);
      this.configError = null;
      return (this.config = result.config);
    }
    const message = `invalid configuration:\n  ${formatProblems(result.errors).join('\n  ')}`;
    if (message !== this.configError?.message) {
      await this.rt.log('err', `${message}\n${this.config ? 'the last valid configuration stays in force' : 'nothing is set up until it is fixed'}`);
    }
    this.configError = { message, errors: result.errors };
    if (!this.config) throw new MpwanError('invalid_config', message, { errors: result.errors });
    return this.config;
  }

  /** Re-reads everything, applies the kernel plan, and brings the proxies and the redirect in step. */
  private async replan(reasons: string[]) {
    const explicit = reasons.some((r) => EXPLICIT.includes(r));
    const config = explicit || !this.config ? await this.readConfig() : this.config;
    const report = await reconcile(this.rt, { dryRun: false, config, health: { unhealthy: this.monitor.unhealthy(), suspect: this.monitor.suspects() } });
    this.watch(report.assessment);
    if (explicit) this.monitor.connectSoon();
    if (report.failure) throw new MpwanError('apply_failed', `${reasons.join(', ')}: apply failed: ${report.failure.error.message}; previous state restored`);
    if (report.changes.length > 0) {
      const why = reasons.filter((r) => r !== 'periodic').join(', ') || 'repaired';
      const routine = reasons.every((r) => / missed a probe round$| answers again$/.test(r));
      await this.rt.log(routine ? 'info' : 'notice', `${why}: ${report.descriptions.join('; ')}`);
    }
    this.netifd = report.assessment.netifd;
    // Counted at every re-plan too, so a first count (the baseline) is taken at once.
    if (this.quotas.count(config, this.netifd)) this.loop.request('replan', 'quota');
    await this.routes.follow(report.assessment, this.monitor.suspects());
    await this.lan.follow(config, report.assessment.netifd, report.assessment.desired, explicit);
    writeStatusBasis(this.rt, statusOf(this.rt, report.assessment, this.state()));
    if (explicit) {
      this.reloads++;
      this.lastReload = { why: reasons.filter((r) => EXPLICIT.includes(r)).join(', '), at: this.rt.nowSeconds() };
    }
    this.lastError = null;
  }

  /** Health probes follow the plan: every uplink that is up (or failed) with a device. */
  private watch(a: Assessment) {
    const configs = new Map(a.config.uplinks.map((u) => [u.name, u]));
    this.monitor.update(
      a.desired.uplinks
        .filter((u) => (u.state === 'active' || u.state === 'failed') && u.dev !== undefined)
        .map((u) => ({ name: u.name, dev: u.dev!, sources: u.sources, health: configs.get(u.name)!.health })),
      serverOrder(a.config.servers),
      probeKeyFiles(this.rt, a.config),
    );
    writeHealth(this.rt, this.monitor.snapshot());
  }

  /** One log line per change; the re-plan then withdraws or restores the uplink's endpoints. */
  private healthChanged(uplink: string, t: Transition) {
    writeHealth(this.rt, this.monitor.snapshot());
    void this.rt.log(t.to === 'down' ? 'warning' : 'notice', t.to === 'down'
      ? `uplink ${uplink} is down: ${t.reason}; its subflows move to the other uplinks`
      : `uplink ${uplink} is up again (${t.reason}); its endpoints return`);
    this.loop.request('replan', `uplink ${uplink} ${t.to}`);
  }

  /** An uplink missed a probe round (or answers again): only where new connections start may change. */
  private suspectChanged(uplink: string, suspect: boolean) {
    writeHealth(this.rt, this.monitor.snapshot());
    this.loop.request('replan', suspect ? `uplink ${uplink} missed a probe round` : `uplink ${uplink} answers again`);
  }

  /** Every few seconds: state.json, and what each uplink carried (a quota reached or a new period: re-plan). */
  private health() {
    writeHealth(this.rt, this.monitor.snapshot());
    if (this.config && this.quotas.count(this.config, this.netifd)) this.loop.request('replan', 'quota');
  }

  private quotaCrossed(c: QuotaCrossing) {
    const line = quotaLine(c);
    void this.rt.log(line.level, line.message);
  }

  /** The server new LAN traffic goes to changed: said once, and the switch made at once. */
  private serverChanged(c: ChoiceChange) {
    const line = choiceLine(c);
    if (line) void this.rt.log(line.level, line.message);
    this.loop.request('server', `server ${c.kind}`);
  }

  /** SIGTERM: everything mpwan set up goes (proxies, redirect, endpoints, rules, routes). */
  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.monitor.stop();
    await this.loop.stop();
    this.quotas.stop();
    const problems = await cleanUp(this.rt, this.config, this.lan);
    for (const p of problems) await this.rt.log('err', `stop: ${p}`);
    removeDaemonFiles(this.rt);
    this.writeState();
    await this.rt.log('notice', 'daemon stopped: everything mpwan set up is removed; LAN traffic uses the normal route');
    this.resolveExit(problems.length > 0 ? 1 : 0);
  }

  private state(): DaemonState {
    return {
      pid: this.stopping ? 0 : this.pid(),
      since: this.since,
      proxy: this.lan.state(),
      proxy_error: this.lan.missing,
      reloads: this.reloads,
      last_reload: this.lastReload,
      last_error: this.lastError,
      default_route: this.routes.state,
      config_error: this.configError,
    };
  }

  /** daemon.json, rewritten only when something in it changed. */
  private writeState() {
    const state = this.state();
    const text = JSON.stringify(state);
    if (text === this.written) return;
    this.written = text;
    writeDaemonState(this.rt, state);
  }
}

export async function runDaemon(rt: Runtime): Promise<number> {
  const d = new Daemon(rt);
  await d.start();
  return d.exited;
}
