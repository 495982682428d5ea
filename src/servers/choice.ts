// Which server carries new LAN traffic: the most preferred one that is not down. It moves on at
// once when the one in use goes down and another answers (fail-over), and back to a more
// preferred one only after that one has answered for the whole hold-down (fail-back), so a
// flapping server does not drag traffic to and fro. Pure: the clock arrives as an argument.
import type { ServerVerdict } from './health.js';

export interface ServerView extends ServerVerdict {
  name: string;
}

export interface Choice {
  /** The server new traffic goes to (null: none is configured, or none answers). */
  server: string | null;
  /** Why this one, in a sentence (for status, the log and events). */
  why: string;
  /** When it was chosen (clock of the caller). */
  since: number;
}

export interface ChoiceChange extends Choice {
  /** The server used before (null: none). */
  from: string | null;
  /** first: at start; failover, failback; none: no server answers; back: one answers again after none did; config: the servers changed. */
  kind: 'first' | 'failover' | 'failback' | 'none' | 'back' | 'config';
}

export class ServerChoice {
  private current: Choice = { server: null, why: 'no server is configured', since: 0 };
  private started = false;
  /** Since when each server has been up without a break. */
  private readonly upSince = new Map<string, number>();

  constructor(private holdDownMs: number) {}

  setHoldDown(ms: number) {
    this.holdDownMs = ms;
  }

  get choice(): Choice {
    return this.current;
  }

  /**
   * Follows the servers' verdicts, most preferred first. Returns the change, or null when the
   * same server stays (its reason may still change: see choice).
   */
  update(servers: ServerView[], now: number): ChoiceChange | null {
    for (const s of servers) {
      if (s.state !== 'up') this.upSince.delete(s.name);
      else if (!this.upSince.has(s.name)) this.upSince.set(s.name, now);
    }
    for (const name of this.upSince.keys()) if (!servers.some((s) => s.name === name)) this.upSince.delete(name);
    const from = this.current.server;
    const active = servers.find((s) => s.name === from);
    const next = this.decide(servers, active, now);
    if (next === null) return null;
    this.started = true;
    this.current = { server: next.server, why: next.why, since: now };
    return { ...this.current, from, kind: next.kind };
  }

  private decide(servers: ServerView[], active: ServerView | undefined, now: number): { server: string | null; why: string; kind: ChoiceChange['kind'] } | null {
    const up = servers.filter((s) => s.state === 'up');
    const usable = servers.filter((s) => s.state !== 'down');
    if (servers.length === 0) {
      return this.current.server === null && this.started ? null : { server: null, why: 'no server is configured', kind: 'config' };
    }
    if (!active) {
      // At start, when the one in use left the config, or when one answers again after none
      // did: the most preferred one not known to be down.
      const first = usable[0];
      if (!first) return this.current.server === null && this.started ? null : this.none(servers);
      const passed = servers.slice(0, servers.indexOf(first));
      const kind = !this.started ? 'first' : this.current.server === null && this.current.why.startsWith('no server answers') ? 'back' : 'config';
      return { server: first.name, why: passed.length === 0 ? 'the most preferred server' : describeDown(passed), kind };
    }
    if (active.state === 'down') {
      const to = up[0] ?? usable[0];
      if (!to) return this.none(servers);
      return { server: to.name, why: `${active.name} is down (${active.reason}); ${to.name} ${to.state === 'up' ? 'answers' : 'is not known to be down'}`, kind: 'failover' };
    }
    const better = up.find((s) => servers.indexOf(s) < servers.indexOf(active) && now - this.upSince.get(s.name)! >= this.holdDownMs);
    if (better) return { server: better.name, why: `${better.name} is preferred and has answered for ${Math.round((now - this.upSince.get(better.name)!) / 1000)} s`, kind: 'failback' };
    return null;
  }

  private none(servers: ServerView[]) {
    return { server: null, why: `no server answers: ${describeDown(servers)}`, kind: 'none' as const };
  }

  /** The more preferred server new traffic will go back to once its hold-down ends, and when (null: none waits). */
  pendingFailback(servers: ServerView[]): { server: string; at: number } | null {
    const at = servers.findIndex((s) => s.name === this.current.server);
    const waiting = servers.slice(0, Math.max(0, at)).filter((s) => this.upSince.has(s.name));
    return waiting.length === 0 ? null : { server: waiting[0].name, at: this.upSince.get(waiting[0].name)! + this.holdDownMs };
  }
}

const describeDown = (servers: ServerView[]) => servers.map((s) => `${s.name} is down (${s.reason})`).join('; ');
