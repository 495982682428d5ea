// `mpwan daemon`: how mpwan runs as a service (procd runs exactly this command), and while it
// runs the one writer of kernel state (writer/). It wires the parts: the job loop, health probes,
// the kernel plan, requests from the CLI and ubus, the LAN side, the default route, events for
// scripts. Every decision lives in those; this file says when each runs and writes what they report.
import type { Runtime } from '../sys/runtime.js';
import { SIGHUP, SIGINT, SIGTERM } from '../sys/runtime.js';
import type { DaemonState } from '../model/daemon-state.js';
import type { Transition } from '../model/health.js';
import { MpwanError } from '../model/errors.js';
import { settled } from '../lib/async.js';
import { reconcile, type ApplyReport } from '../reconcile/reconcile.js';
import type { Assessment } from '../reconcile/assess.js';
import { HealthMonitor } from '../health/monitor.js';
import { makeRunDir, removeDaemonFiles, writeDaemonState, writeHealth, writeStatusBasis } from '../sys/run-dir.js';
import { ownPid } from '../sys/procfs.js';
import { startNftEvents } from '../sys/nft.js';
import { KeptStream } from '../sys/kept-stream.js';
import { statusOf } from '../status/collect.js';
import { registerDaemon } from '../writer/write.js';
import { EventPublisher } from '../events/publisher.js';
import { UplinkConditions } from '../events/uplink-conditions.js';
import { ProxyRunner } from './proxies.js';
import { NftTable } from './nft-table.js';
import { JobLoop, type JobName } from './loop.js';
import { LanTraffic } from './lan-traffic.js';
import { cleanUp } from './cleanup.js';
import { DefaultRouteFollower } from './default-route.js';
import { ConfigKeeper } from './config-keeper.js';
import { serveRequests } from './requests.js';
import { describeReason, isExplicit, isRoutine, whyChanged, type ReplanReason } from './reasons.js';

const SUPERVISE_EVERY_MS = 1000;
/** The repair check: kernel state that changed without an event (a deleted endpoint or rule) comes back. */
const REPLAN_EVERY_MS = 60000;
/** How often state.json is refreshed with latency and loss (state changes are written at once). */
const HEALTH_WRITE_EVERY_MS = 5000;

export class Daemon {
  private readonly loop: JobLoop<ReplanReason>;
  private readonly monitor: HealthMonitor;
  private readonly lan: LanTraffic;
  private readonly routes: DefaultRouteFollower;
  private readonly configs: ConfigKeeper;
  private readonly events: EventPublisher;
  private readonly uplinks = new UplinkConditions();
  /** `nft monitor`: table inet mpwan changed by someone else is loaded again at once. */
  private readonly tableWatch: KeptStream;
  private lastError: string | null = null;
  private reloads = 0;
  private lastReload: DaemonState['last_reload'] = null;
  private registered = false;
  private stopping = false;
  private readonly since: number;
  private written = '';
  private resolveExit: (code: number) => void = () => {};
  readonly exited = new Promise<number>((resolve) => { this.resolveExit = resolve; });

  constructor(private readonly rt: Runtime) {
    this.since = rt.nowSeconds();
    const log = (level: 'warning' | 'notice' | 'err', message: string) => this.rt.log(level, message);
    this.events = new EventPublisher(rt, log);
    const publish = this.events.publish.bind(this.events);
    this.configs = new ConfigKeeper(rt);
    this.loop = new JobLoop<ReplanReason>(rt, (job, reasons) => this.run(job, reasons), (e) => this.fail(e));
    this.monitor = new HealthMonitor(rt, (u, t) => this.healthChanged(u, t), (u, suspect) => this.suspectChanged(u, suspect));
    this.routes = new DefaultRouteFollower(rt, publish);
    this.lan = new LanTraffic(rt, this.monitor, new ProxyRunner(rt, log), new NftTable(rt), log, publish);
    this.tableWatch = new KeptStream(rt, (onExit) => {
      const stream = startNftEvents(rt, () => this.loop.request('table'), onExit);
      this.loop.request('table'); // (re)started: what changed while none watched is checked now
      return stream;
    });
  }

  async start(): Promise<void> {
    await settled();
    makeRunDir(this.rt);
    // Handlers first: a SIGHUP must never kill the daemon. Until it is the writer, it has nothing to re-plan.
    this.rt.onSignal(SIGHUP, () => { if (this.registered) this.loop.request('replan', { kind: 'reload' }); });
    this.rt.onSignal(SIGTERM, () => { void this.shutdown(); });
    this.rt.onSignal(SIGINT, () => { void this.shutdown(); });
    try {
      await registerDaemon(this.rt, this.pid());
    } catch (e) {
      await this.rt.log('err', `daemon not started: ${e instanceof MpwanError ? e.message : e}`);
      this.resolveExit(1);
      return;
    }
    this.registered = true;
    // SIGTERM while it waited to register: it set nothing up (`mpwan stop` cleans what others left).
    if (this.stopping) { removeDaemonFiles(this.rt); this.resolveExit(0); return; }
    await this.rt.log('notice', 'daemon started');
    this.loop.request('replan', { kind: 'start' });
    this.loop.every('supervise', undefined, SUPERVISE_EVERY_MS, () => this.lan.needsSupervision());
    this.loop.every('replan', { kind: 'periodic' }, REPLAN_EVERY_MS);
    this.loop.every('health', undefined, HEALTH_WRITE_EVERY_MS);
    this.loop.every('server', undefined, () => this.lan.checkIntervalMs);
    this.tableWatch.ensure();
  }

  private ownPid = 0;
  private pid(): number {
    this.ownPid ||= ownPid(this.rt);
    return this.ownPid;
  }

  private async run(job: JobName, reasons: ReplanReason[]) {
    if (job === 'replan') await this.replan(reasons);
    else if (job === 'table') await this.lan.repairTable();
    else if (job === 'supervise') await this.lan.supervise();
    else if (job === 'server') await this.lan.checkServer();
    else writeHealth(this.rt, this.monitor.snapshot());
    this.writeState();
  }

  private async fail(e: unknown) {
    const msg = e instanceof MpwanError ? e.message : `internal error: ${(e as Error)?.stack ?? e}`;
    if (msg !== this.lastError) await this.rt.log('err', msg);
    this.lastError = msg;
    this.writeState();
  }

  /** A re-plan; an explicit one answers every request that waited for it. */
  private async replan(reasons: ReplanReason[]) {
    const report = reasons.some(isExplicit)
      ? await serveRequests(this.rt, this.pid(), this.configs, () => this.plan(reasons, true), () => this.plan([{ kind: 'restore' }], true))
      : await this.plan(reasons, false);
    if (report.failure) {
      throw new MpwanError('apply_failed', `${reasons.map(describeReason).join(', ')}: apply failed: ${report.failure.error.message}; previous state restored`);
    }
  }

  /** Re-reads what the reasons call for, applies the kernel plan, and brings everything else in step. */
  private async plan(reasons: ReplanReason[], explicit: boolean): Promise<ApplyReport> {
    const config = explicit || !this.configs.config ? await this.configs.read() : this.configs.config;
    const report = await reconcile(this.rt, { dryRun: false, config, health: { unhealthy: this.monitor.unhealthy(), suspect: this.monitor.suspects() } });
    this.watch(report.assessment);
    if (report.failure) return report;
    if (report.changes.length > 0) {
      await this.rt.log(reasons.every(isRoutine) ? 'info' : 'notice', `${whyChanged(reasons)}: ${report.descriptions.join('; ')}`);
    }
    await this.routes.follow(report.assessment, this.monitor.suspects());
    await this.lan.follow(config, report.assessment.netifd, report.assessment.desired, explicit);
    for (const e of this.uplinks.follow(report.assessment.desired.uplinks, this.monitor.snapshot(), this.rt.nowSeconds())) this.events.publish(e);
    writeStatusBasis(this.rt, statusOf(this.rt, report.assessment, this.state()));
    if (explicit) {
      this.reloads++;
      this.lastReload = { why: reasons.filter(isExplicit).map(describeReason).join(', '), at: this.rt.nowSeconds() };
    }
    this.lastError = null;
    return report;
  }

  /** Health probes follow the plan: every uplink that is up (or failed) with a device. */
  private watch(a: Assessment) {
    const configs = new Map(a.config.uplinks.map((u) => [u.name, u]));
    this.monitor.update(
      a.desired.uplinks
        .filter((u) => (u.state === 'active' || u.state === 'failed') && u.dev !== undefined)
        .map((u) => ({ name: u.name, dev: u.dev!, sources: u.sources, health: configs.get(u.name)!.health })),
      a.config.servers.find((s) => s.enabled),
    );
    writeHealth(this.rt, this.monitor.snapshot());
  }

  /** Scripts hear of it at once; then one log line, and the re-plan withdraws or restores the uplink's endpoints. */
  private healthChanged(uplink: string, t: Transition) {
    this.events.publish(this.uplinks.decided(uplink, t.to, t.reason, this.rt.nowSeconds()));
    writeHealth(this.rt, this.monitor.snapshot());
    void this.rt.log(t.to === 'down' ? 'warning' : 'notice', t.to === 'down'
      ? `uplink ${uplink} is down: ${t.reason}; its subflows move to the other uplinks`
      : `uplink ${uplink} is up again (${t.reason}); its endpoints return`);
    this.loop.request('replan', { kind: 'health', uplink, to: t.to });
  }

  /** An uplink missed a probe round (or answers again): only where new connections start may change. */
  private suspectChanged(uplink: string, suspect: boolean) {
    this.events.publish(this.uplinks.decided(uplink, suspect ? 'degraded' : 'up', suspect ? 'missed a probe round' : 'answers again', this.rt.nowSeconds()));
    writeHealth(this.rt, this.monitor.snapshot());
    this.loop.request('replan', { kind: 'suspect', uplink, suspect });
  }

  /** SIGTERM: everything mpwan set up goes (proxies, redirect, endpoints, rules, routes). */
  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (!this.registered) return; // start() ends it once registered
    this.monitor.stop();
    this.tableWatch.stop();
    await this.loop.stop();
    const problems = await cleanUp(this.rt, this.configs.config, this.lan);
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
      config_error: this.configs.error,
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
