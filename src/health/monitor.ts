// Runs each uplink's health probes on its own timer and feeds the results to its tracker.
// Carrier is read from sysfs every round (a static WAN that loses carrier gets no ifdown
// from netifd); probes run only while there is carrier.
import type { Runtime } from '../sys/runtime.js';
import type { HealthConfig, ServerConfig } from '../model/config.js';
import { ping, tcpConnect } from '../sys/probe.js';
import { readCarrier } from '../sys/procfs.js';
import { HealthTracker, type RoundResult, type Transition, type UplinkHealth } from './tracker.js';
import { probeTargets, type ProbeTarget } from './targets.js';

export interface MonitoredUplink {
  name: string;
  dev: string;
  /** Addresses with a `from` rule into the uplink's table. */
  sources: string[];
  health: HealthConfig;
}

interface Watch {
  uplink: MonitoredUplink;
  targets: ProbeTarget[];
  tracker: HealthTracker;
  timer: unknown;
  inFlight: number;
  rounds: number;
  /** Whether the last round that pinged got an ICMP answer. */
  icmpAnswers: boolean;
}

/** Rounds still waiting for answers per uplink before a tick is skipped. */
const MAX_IN_FLIGHT = 4;
/**
 * While ICMP answers, the TCP connect to the server (socat, twice the CPU of a ping) runs every
 * this many rounds; in every round while ICMP does not (a dead path or filtered ICMP), so a
 * round fails only when both fail, as before.
 */
export const SERVER_PROBE_EVERY = 4;

export class HealthMonitor {
  private readonly watches = new Map<string, Watch>();
  private stopped = false;
  /** When a TCP probe last reached the server through any uplink (or server probing began). */
  private serverAnsweredAt: number | null = null;
  /** Whether TCP probes to the server run at all (they need socat). */
  private serverProbesRun = false;

  constructor(
    private readonly rt: Runtime,
    private readonly onChange: (uplink: string, t: Transition) => void,
    /** An up uplink started or stopped missing probe rounds (see HealthTracker.suspect). */
    private readonly onSuspect: (uplink: string, suspect: boolean) => void = () => {},
  ) {}

  /** Follows the plan: new uplinks are watched, gone ones dropped, the rest keep their state. */
  update(uplinks: MonitoredUplink[], server: ServerConfig | undefined) {
    for (const [name, w] of this.watches) {
      if (!uplinks.some((u) => u.name === name)) {
        this.rt.clearTimer(w.timer);
        this.watches.delete(name);
      }
    }
    for (const u of uplinks) {
      const targets = probeTargets(u.health, server, u.sources);
      if (this.serverAnsweredAt === null && targets.some((t) => t.kind === 'tcp')) this.serverAnsweredAt = this.rt.monotonicMs();
      const w = this.watches.get(u.name);
      if (w && (w.targets.length > 0) === (targets.length > 0)) {
        w.uplink = u;
        w.targets = targets;
        w.tracker.reconfigure(u.health);
        continue;
      }
      if (w) this.rt.clearTimer(w.timer);
      const fresh: Watch = {
        uplink: u, targets, tracker: new HealthTracker(u.health, this.rt.nowSeconds(), targets.length > 0), timer: null, inFlight: 0, rounds: 0, icmpAnswers: false,
      };
      this.watches.set(u.name, fresh);
      this.tick(fresh);
    }
  }

  private tick(w: Watch) {
    if (this.stopped || this.watches.get(w.uplink.name) !== w) return;
    w.timer = this.rt.setTimer(() => this.tick(w), w.uplink.health.interval * 1000);
    const carrier = readCarrier(this.rt, w.uplink.dev);
    const t = w.tracker.setCarrier(carrier, this.rt.nowSeconds());
    if (t) this.onChange(w.uplink.name, t);
    if (!carrier || w.targets.length === 0 || w.inFlight >= MAX_IN_FLIGHT) return;
    w.inFlight++;
    const withServer = !w.icmpAnswers || w.rounds % SERVER_PROBE_EVERY === 0;
    if (w.icmpAnswers) w.rounds++;
    void this.round(w, withServer ? w.targets : w.targets.filter((t) => t.kind !== 'tcp')).then((r) => {
      w.inFlight--;
      if (this.stopped || this.watches.get(w.uplink.name) !== w) return;
      const wasSuspect = w.tracker.suspect;
      const change = w.tracker.record(r, this.rt.nowSeconds());
      if (change) this.onChange(w.uplink.name, change);
      else if (w.tracker.suspect !== wasSuspect) this.onSuspect(w.uplink.name, w.tracker.suspect);
    });
  }

  /** All targets at once; the round succeeds when any answers. */
  private async round(w: Watch, targets: ProbeTarget[]): Promise<RoundResult> {
    const timeoutS = w.uplink.health.timeout;
    const results = await Promise.all(targets.map((t) => (t.kind === 'icmp'
      ? ping(this.rt, t.source, t.host, timeoutS)
      : tcpConnect(this.rt, t.host, t.port!, timeoutS, t.source))
      .then((r) => ({ ...r, what: `${t.kind === 'icmp' ? 'ping' : 'tcp'} ${t.host}` }))));
    const icmpResults = results.filter((_, i) => targets[i].kind === 'icmp');
    w.icmpAnswers = icmpResults.some((r) => r.ok);
    const serverResults = results.filter((_, i) => targets[i].kind === 'tcp');
    if (serverResults.length > 0) this.serverProbesRun = !serverResults.some((r) => r.missing);
    if (serverResults.some((r) => r.ok)) this.serverAnsweredAt = this.rt.monotonicMs();
    const ok = results.filter((r) => r.ok);
    if (ok.length > 0) {
      const times = ok.map((r) => r.ms).filter((ms): ms is number => ms !== undefined);
      return { ok: true, ms: times.length ? Math.min(...times) : undefined };
    }
    const failed = results.find((r) => !r.missing) ?? results[0];
    return { ok: false, error: `${failed.what}: ${failed.error}` };
  }

  /** The uplinks that TCP-connect to the server. */
  private serverWatches(): Watch[] {
    return [...this.watches.values()].filter((w) => w.targets.some((t) => t.kind === 'tcp'));
  }

  /**
   * How long no uplink's TCP probe has reached the server, or null when no uplink probes it
   * (or none has yet, or socat is missing).
   */
  serverSilentMs(): number | null {
    const probing = this.serverProbesRun && this.serverWatches().length > 0;
    return probing && this.serverAnsweredAt !== null ? this.rt.monotonicMs() - this.serverAnsweredAt : null;
  }

  /**
   * Whether the uplinks' probes reach the server, or null when they cannot tell. It is
   * unreachable once no uplink got through for `minSilenceMs`, and for at least two TCP probes
   * through every uplink (one lost SYN is no dead server). An uplink that died silently fails
   * its probes until it is withdrawn while the others still reach the server.
   */
  serverReachable(minSilenceMs: number): { ok: boolean; error?: string } | null {
    const silentMs = this.serverSilentMs();
    if (silentMs === null) return null;
    const spacingMs = Math.max(0, ...this.serverWatches().map((w) => (SERVER_PROBE_EVERY * w.uplink.health.interval + w.uplink.health.timeout) * 1000));
    return silentMs < Math.max(minSilenceMs, 2 * spacingMs)
      ? { ok: true }
      : { ok: false, error: `no uplink reached it for ${Math.round(silentMs / 1000)} s` };
  }

  /** Uplink -> why it is down, for the planner. */
  unhealthy(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, w] of this.watches) {
      const s = w.tracker.snapshot();
      if (s.state === 'down') out[name] = s.reason ?? 'health checks fail';
    }
    return out;
  }

  /** Up uplinks that missed a probe round lately. */
  suspects(): string[] {
    return [...this.watches].filter(([, w]) => w.tracker.suspect).map(([name]) => name);
  }

  snapshot(): Record<string, UplinkHealth> {
    const out: Record<string, UplinkHealth> = {};
    for (const [name, w] of this.watches) out[name] = w.tracker.snapshot();
    return out;
  }

  stop() {
    this.stopped = true;
    for (const w of this.watches.values()) this.rt.clearTimer(w.timer);
  }
}
