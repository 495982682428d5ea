// Which server new LAN traffic goes to, kept up to date as the probes hear from the servers:
// each server's health (servers/health.ts) from ping replies and connects, the choice
// (servers/choice.ts) re-made at each, and a timer for what changes without a sound (a server
// falling silent, a hold-down ending). Changes go to onChange at once, and each server's
// turn from answering to not (and back) to scripts as an event.
//
// A server falls silent by the pings of the uplinks that judge: those that still hear
// something (any target) and ping fastest. An uplink that died hears nothing and says nothing
// of the servers; a slow one (a metered uplink probed every few seconds) judges only when no
// faster one is alive, so it does not hold back the verdict of a fast one.
import type { Runtime } from '../sys/runtime.js';
import type { Config, ServerConfig } from '../model/config.js';
import { writeServerKeys } from '../sys/run-dir.js';
import { serverOrder } from '../config/servers.js';
import type { ServerListener } from '../model/health.js';
import type { ServerReport } from '../model/daemon-state.js';
import { hostPort } from '../lib/inet.js';
import { SILENT_AFTER_PINGS, SILENT_SLACK_MS, ServerHealth, type ConnectOutcome } from '../servers/health.js';
import { ServerChoice, type ChoiceChange, type ServerView } from '../servers/choice.js';
import type { MpwanEvent } from '../events/events.js';

const identity = (s: ServerConfig) => `${s.host} ${s.port} ${s.key ?? ''} ${s.password ?? ''} ${s.method}`;

export class ServerKeeper implements ServerListener {
  private servers: ServerConfig[] = [];
  private readonly health = new Map<string, { id: string; h: ServerHealth }>();
  private readonly choice = new ServerChoice(60000);
  private timer: unknown = null;
  /** Per uplink: when it last heard any ping reply, and its pace. */
  private readonly heard = new Map<string, { at: number; intervalMs: number }>();
  /** Per server: whether scripts were last told it answers. */
  private readonly told = new Map<string, boolean>();

  constructor(
    private readonly rt: Runtime,
    private readonly onChange: (c: ChoiceChange) => void,
    private readonly publish: (e: MpwanEvent) => void = () => {},
  ) {}

  /** The enabled servers, most preferred first, and the hold-down. A server whose address or secret changed starts afresh (unknown). */
  configure(servers: ServerConfig[], holdDownS: number) {
    this.servers = servers;
    this.choice.setHoldDown(holdDownS * 1000);
    for (const name of [...this.health.keys()]) if (!servers.some((s) => s.name === name)) { this.health.delete(name); this.told.delete(name); }
    for (const s of servers) {
      const known = this.health.get(s.name);
      if (!known || known.id !== identity(s)) this.health.set(s.name, { id: identity(s), h: new ServerHealth() });
    }
    this.evaluate();
  }

  /** A reload: what connects and the proxy said of each server is forgotten (a new key may fix it). */
  reset() {
    for (const { h } of this.health.values()) h.reset();
    this.evaluate();
  }

  reply(host: string, rttMs: number, uplink: string, intervalMs: number) {
    const now = this.rt.monotonicMs();
    this.heard.set(uplink, { at: now, intervalMs });
    let mine = false;
    for (const s of this.servers) if (s.host === host) { this.health.get(s.name)!.h.reply(uplink, intervalMs, rttMs, now); mine = true; }
    if (mine) this.evaluate();
  }

  connect(host: string, port: number, uplink: string, outcome: ConnectOutcome) {
    const s = this.servers.find((x) => x.host === host && x.port === port);
    if (!s) return;
    this.health.get(s.name)!.h.connect(uplink, outcome, this.rt.monotonicMs());
    this.evaluate();
  }

  /** The proxy's connections to the server in use went unanswered (null: try it again). */
  deaf(name: string, why: string | null) {
    this.health.get(name)?.h.deaf(why);
    this.evaluate();
  }

  /** The server new traffic goes to (null: none configured or none answers). */
  get active(): ServerConfig | null {
    return this.servers.find((s) => s.name === this.choice.choice.server) ?? null;
  }

  /** A configured server's host:port. */
  address(name: string | null): string | null {
    const s = this.servers.find((x) => x.name === name);
    return s ? hostPort(s.host, s.port) : null;
  }

  /** Why that one, and since when (epoch seconds). */
  get why(): { why: string; since: number } {
    const c = this.choice.choice;
    return { why: c.why, since: this.rt.nowSeconds() - Math.round((this.rt.monotonicMs() - c.since) / 1000) };
  }

  /** The more preferred server traffic goes back to when its hold-down ends, and in how many seconds. */
  failback(): { server: string; at: number } | null {
    const p = this.choice.pendingFailback(this.views(this.rt.monotonicMs()));
    return p && { server: p.server, at: this.rt.nowSeconds() + Math.max(0, Math.ceil((p.at - this.rt.monotonicMs()) / 1000)) };
  }

  report(): ServerReport[] {
    const now = this.rt.monotonicMs();
    return this.servers.map((s) => ({
      name: s.name, address: hostPort(s.host, s.port), priority: s.priority,
      active: s.name === this.choice.choice.server, ...this.health.get(s.name)!.h.verdict(now, this.judges(now)),
    }));
  }

  /** The uplinks that still hear something and ping fastest. */
  private judges(now: number): Set<string> {
    const alive = [...this.heard].filter(([, h]) => now < h.at + SILENT_AFTER_PINGS * h.intervalMs + SILENT_SLACK_MS);
    const fastest = Math.min(...alive.map(([, h]) => h.intervalMs));
    return new Set(alive.filter(([, h]) => h.intervalMs === fastest).map(([u]) => u));
  }

  private views(now: number): ServerView[] {
    const judges = this.judges(now);
    return this.servers.map((s) => ({ name: s.name, ...this.health.get(s.name)!.h.verdict(now, judges) }));
  }

  /** The choice re-made now; the timer set for the next moment it could change by itself. */
  private evaluate() {
    const now = this.rt.monotonicMs();
    const views = this.views(now);
    const change = this.choice.update(views, now);
    this.tell(views);
    this.rt.clearTimer(this.timer);
    const judges = this.judges(now);
    const times = this.servers.map((s) => this.health.get(s.name)!.h.silentAt(judges)).filter((t): t is number => t !== null && t > now);
    // An uplink falling quiet changes who judges.
    for (const h of this.heard.values()) if (h.at + SILENT_AFTER_PINGS * h.intervalMs + SILENT_SLACK_MS > now) times.push(h.at + SILENT_AFTER_PINGS * h.intervalMs + SILENT_SLACK_MS);
    const failback = this.choice.pendingFailback(views);
    if (failback) times.push(failback.at);
    this.timer = times.length > 0 ? this.rt.setTimer(() => this.evaluate(), Math.max(1, Math.min(...times) - now)) : null;
    if (change) this.onChange(change);
  }

  /** Scripts hear when a server starts or stops answering (not knowing yet is no news). */
  private tell(views: ServerView[]) {
    for (const v of views) {
      if (v.state === 'unknown' || this.told.get(v.name) === (v.state === 'up')) continue;
      const was = this.told.get(v.name);
      this.told.set(v.name, v.state === 'up');
      const s = this.servers.find((x) => x.name === v.name)!;
      this.publish({ type: 'mpwan.server', server: hostPort(s.host, s.port), name: s.name, reachable: v.state === 'up', why: v.reason ?? (was === false ? 'answers again' : 'answers') });
    }
  }

  stop() {
    this.rt.clearTimer(this.timer);
    this.timer = null;
  }
}

/** The relay servers' key files, for the probes' signed handshakes (a wrong key is found before any LAN traffic goes there). */
export function probeKeyFiles(rt: Runtime, config: Config): (s: ServerConfig) => string | null {
  const relay = config.proxy.enabled && config.proxy.engine === 'relay';
  const keys = relay ? Object.fromEntries(serverOrder(config.servers).filter((s) => s.key).map((s) => [s.name, s.key!])) : {};
  const files = writeServerKeys(rt, keys);
  return (s) => files[s.name] ?? null;
}
