// Runs each uplink's probes and feeds the rounds to its tracker: one long-running `ping -i`
// per ICMP target (no process per probe), a TCP connect to each server now and then (every
// round while ICMP goes unanswered; all through one helper, sys/tcp-prober.ts), and carrier
// (a static WAN that loses carrier gets no ifdown from netifd): read from sysfs at once when
// `ip monitor link` reports its device, and every few rounds as a safety net (every round
// without the monitor). What the probes hear of each server goes to the server listener too.
import type { Runtime } from '../sys/runtime.js';
import type { HealthConfig, ServerConfig } from '../model/config.js';
import type { RoundResult, ServerListener, Transition, UplinkHealth } from '../model/health.js';
import { ping, startPinger, type Pinger } from '../sys/probe.js';
import { TcpProber } from '../sys/tcp-prober.js';
import { readCarrier } from '../sys/procfs.js';
import { parsePingLine } from '../observe/ping.js';
import { HealthTracker } from './tracker.js';
import { KeptStream } from '../sys/kept-stream.js';
import { startLinkEvents } from '../sys/link-events.js';
import { ProbeRounds } from './rounds.js';
import { probeTargets, type ProbeTarget } from './targets.js';
import { SERVER_PROBE_ROUNDS, SERVER_PROBE_SPACING_MS, serverProbeTimeoutS } from './server-probe.js';
export interface MonitoredUplink {
  name: string;
  dev: string;
  /** Addresses with a `from` rule into the uplink's table. */
  sources: string[];
  health: HealthConfig;
}

interface PingerSlot {
  target: ProbeTarget;
  pinger: Pinger | null;
  /** Exits in a row that ended before any reply: the restart backoff grows with them. */
  quickExits: number;
  restartAt: number;
  /** This ping cannot stream (BusyBox without fractional -i): one ping per round instead. */
  oneShot: boolean;
}

interface Watch {
  uplink: MonitoredUplink;
  targets: ProbeTarget[];
  tracker: HealthTracker;
  rounds: ProbeRounds;
  pingers: PingerSlot[];
  timer: unknown;
  /** The last round that got one-shot probes, and when a TCP connect last started. */
  lastShotRound: number;
  lastTcpAt: number;
}

const RESTART_MAX_MS = 30000;
/** While link events arrive, carrier is also read every this many rounds, in case one was missed. */
const CARRIER_SAFETY_ROUNDS = 10;

export class HealthMonitor {
  private readonly watches = new Map<string, Watch>();
  private stopped = false;
  private readonly tcp: TcpProber;
  private readonly links: KeptStream; // one `ip monitor link`

  constructor(
    private readonly rt: Runtime,
    private readonly onChange: (uplink: string, t: Transition) => void,
    /** An up uplink started or stopped missing probe rounds (see HealthTracker.suspect). */
    private readonly onSuspect: (uplink: string, suspect: boolean) => void = () => {},
    private readonly servers: ServerListener | null = null,
  ) {
    this.tcp = new TcpProber(rt);
    this.links = new KeptStream(rt, (onExit) => startLinkEvents(rt, (dev) => {
      for (const w of this.watches.values()) if (w.uplink.dev === dev) this.checkCarrier(w);
    }, onExit));
  }

  /** Follows the plan: new uplinks are watched, gone ones dropped, the rest keep their state. */
  update(uplinks: MonitoredUplink[], servers: ServerConfig[], keyFile?: (s: ServerConfig) => string | null) {
    for (const [name, w] of this.watches) if (!uplinks.some((u) => u.name === name)) this.drop(name, w);
    for (const u of uplinks) {
      const targets = probeTargets(u.health, servers, u.sources, keyFile);
      const w = this.watches.get(u.name);
      const same = (a: HealthConfig, b: HealthConfig) => a.interval === b.interval && a.timeout === b.timeout;
      if (w && (w.targets.length > 0) === (targets.length > 0) && same(w.uplink.health, u.health)) {
        const changed = JSON.stringify(w.targets) !== JSON.stringify(targets);
        w.uplink = u;
        w.tracker.reconfigure(u.health);
        if (changed) { w.targets = targets; this.restartPingers(w); }
        continue;
      }
      if (w) this.drop(u.name, w);
      const fresh: Watch = {
        uplink: u, targets, tracker: new HealthTracker(u.health, this.rt.nowSeconds(), targets.length > 0),
        rounds: new ProbeRounds(u.health.interval * 1000, u.health.timeout * 1000, this.rt.monotonicMs()), pingers: [], timer: null,
        lastShotRound: -1, lastTcpAt: -Infinity,
      };
      this.watches.set(u.name, fresh);
      this.restartPingers(fresh);
      this.tick(fresh);
    }
  }

  /** The next round of every uplink connects to the servers (after a reload: a new key is checked at once). */
  connectSoon() {
    for (const w of this.watches.values()) w.lastTcpAt = -Infinity;
  }

  private drop(name: string, w: Watch) {
    this.rt.clearTimer(w.timer);
    for (const p of w.pingers) p.pinger?.stop();
    this.watches.delete(name);
  }

  private current = (w: Watch) => this.watches.get(w.uplink.name) === w && !this.stopped;

  private restartPingers(w: Watch) {
    for (const p of w.pingers) { p.pinger?.stop(); w.rounds.dropped(p.target.host); }
    w.pingers = w.targets.filter((t) => t.kind === 'icmp').map((target) => ({ target, pinger: null, quickExits: 0, restartAt: 0, oneShot: false }));
    for (const p of w.pingers) this.startPinger(w, p);
  }

  private startPinger(w: Watch, slot: PingerSlot) {
    const now = this.rt.monotonicMs();
    let replied = false;
    const startedAt = now;
    const host = slot.target.host;
    try {
      slot.pinger = startPinger(this.rt, slot.target.source, host, w.uplink.health.interval, (line) => {
        if (!this.current(w)) return;
        const p = parsePingLine(line);
        const t = this.rt.monotonicMs();
        if (p.kind === 'reply') { replied = true; w.rounds.reply(host, p.seq, p.ms, t); this.servers?.reply(host, p.ms, w.uplink.name, w.uplink.health.interval * 1000); this.evaluate(w); }
        else if (p.kind === 'error') w.rounds.error(host, p.text);
      }, (status) => {
        slot.pinger = null;
        if (!this.current(w) || !w.pingers.includes(slot)) return;
        const t = this.rt.monotonicMs();
        // A ping that exits at once, answering nothing, cannot stream here: one ping per round.
        if (!replied && t - startedAt < 1000 && status !== 0 && ++slot.quickExits >= 2) slot.oneShot = true;
        if (replied) slot.quickExits = 0;
        slot.restartAt = t + Math.min(RESTART_MAX_MS, 1000 * 2 ** slot.quickExits);
        w.rounds.error(host, `the ping process exited (status ${status})`);
      });
      w.rounds.started(host, now);
    } catch (e) {
      w.rounds.error(host, (e as Error).message);
      slot.restartAt = now + RESTART_MAX_MS;
    }
  }

  private checkCarrier(w: Watch) {
    const t = w.tracker.setCarrier(readCarrier(this.rt, w.uplink.dev), this.rt.nowSeconds());
    if (t) this.onChange(w.uplink.name, t);
  }

  private tick(w: Watch) {
    if (!this.current(w)) return;
    const now = this.rt.monotonicMs();
    const k = w.rounds.roundAt(now);
    if (!this.links.ensure() || k % CARRIER_SAFETY_ROUNDS === 0) this.checkCarrier(w);
    for (const p of w.pingers) if (!p.oneShot && p.pinger === null && now >= p.restartAt) this.startPinger(w, p);
    if (k > w.lastShotRound && w.targets.length > 0) {
      w.lastShotRound = k;
      this.attachOneShots(w, k, now);
    }
    this.evaluate(w);
  }

  /** The TCP connect to the server when due, and a ping per round for targets that cannot stream. */
  private attachOneShots(w: Watch, k: number, now: number) {
    const timeoutS = w.uplink.health.timeout;
    const streaming = w.pingers.some((p) => !p.oneShot);
    const run = (what: string, probe: Promise<{ ok: boolean; ms?: number; error?: string; missing?: boolean; wrongKey?: boolean }>, tcp?: ProbeTarget) => {
      w.rounds.attach(k);
      void probe.then((r) => {
        if (tcp && !r.missing) {
          this.servers?.connect(tcp.host, tcp.port!, w.uplink.name, r.ok ? { ok: true } : { ok: false, error: r.error ?? 'no answer', ...(r.wrongKey ? { wrongKey: true } : {}) });
        }
        // A wrong key says nothing of the uplink: it reached the server.
        if (r.wrongKey) r = { ok: true };
        const result: RoundResult = r.ok ? { ok: true, ...(r.ms !== undefined ? { ms: r.ms } : {}) } : { ok: false, error: `${what}: ${r.error}` };
        // A probe that cannot run (neither the probe helper nor socat) says nothing about the uplink.
        w.rounds.attachedResult(k, r.missing ? { ok: false } : result);
        if (this.current(w)) this.evaluate(w);
      });
    };
    for (const p of w.pingers) {
      if (!p.oneShot) continue;
      const host = p.target.host;
      run(`ping ${host}`, ping(this.rt, p.target.source, host, timeoutS).then((r) => {
        if (r.ok) this.servers?.reply(host, r.ms ?? 0, w.uplink.name, w.uplink.health.interval * 1000);
        return r;
      }));
    }
    const tcp = w.targets.filter((t) => t.kind === 'tcp');
    // ICMP is late when the round before this one has no reply yet (a reply takes a round trip,
    // far less than a round): from then on every round connects too, so filtered ICMP alone
    // never takes the uplink down.
    const icmpLate = !w.rounds.answeredSince(k - 1);
    const spacing = Math.max(SERVER_PROBE_SPACING_MS, SERVER_PROBE_ROUNDS * w.uplink.health.interval * 1000);
    if (tcp.length > 0 && (!streaming || icmpLate || now - w.lastTcpAt >= spacing)) {
      w.lastTcpAt = now;
      const tcpTimeoutS = serverProbeTimeoutS(timeoutS, w.tracker.latencyMs());
      for (const t of tcp) run(`tcp ${t.host}`, this.tcp.connect(t.source, t.host, t.port!, tcpTimeoutS, t.keyFile), t);
    }
  }

  /** Records every round that is complete, then sleeps until the next one is due. */
  private evaluate(w: Watch) {
    const now = this.rt.monotonicMs();
    for (const r of w.rounds.resolve(now)) {
      const wasSuspect = w.tracker.suspect;
      const change = w.tracker.record(r, this.rt.nowSeconds());
      if (change) this.onChange(w.uplink.name, change);
      else if (w.tracker.suspect !== wasSuspect) this.onSuspect(w.uplink.name, w.tracker.suspect);
    }
    this.rt.clearTimer(w.timer);
    const wake = Math.min(w.rounds.nextWake(now), now + w.uplink.health.interval * 1000);
    w.timer = this.rt.setTimer(() => this.tick(w), wake - now);
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
    for (const [name, w] of this.watches) this.drop(name, w);
    this.tcp.stop();
    this.links.stop();
  }
}
