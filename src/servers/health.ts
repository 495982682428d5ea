// One aggregation server's health, from what the uplinks' probes hear of it: ping replies
// from its address (each uplink at its own pace) and TCP connects (which, through the relay's
// probe helper, also say whether it takes our key). Pure: the clock arrives as an argument.
import type { ConnectOutcome } from '../model/health.js';

export type ServerState = 'up' | 'down' | 'unknown';

export interface ServerVerdict {
  state: ServerState;
  /** Why it is down (or what is known of it), in a few words; null when up. */
  reason: string | null;
}

export type { ConnectOutcome };

/** Pings in a row, through every judging uplink, that a server which answers pings must miss to count as silent. */
export const SILENT_AFTER_PINGS = 2;
/** On top of that many probe intervals: timers, scheduling, a round trip's jitter. */
export const SILENT_SLACK_MS = 200;
/** Connects that failed in a row (through whatever uplink) before a server counts as refusing. */
export const REFUSED_AFTER = 2;
/** A connect result older than this says nothing about an uplink any more. */
const CONNECT_FRESH_MS = 30000;
/** A ping-silent server that still takes connects filters ICMP: it is judged by its connects from then on. */
const ICMP_GIVEN_UP_MS = 5000;

export class ServerHealth {
  /** Per uplink: its last reply from the server, and its pace. */
  private readonly replies = new Map<string, { at: number; intervalMs: number }>();
  private rttMs = 0;
  /** The latest connect through each uplink. */
  private readonly connects = new Map<string, { at: number; outcome: ConnectOutcome }>();
  private failedInRow = 0;
  private deafWhy: string | null = null;

  /** A ping reply from the server's address through `uplink`, which pings every `intervalMs`. */
  reply(uplink: string, intervalMs: number, rttMs: number, now: number) {
    this.replies.set(uplink, { at: now, intervalMs });
    this.rttMs = this.rttMs === 0 ? rttMs : 0.8 * this.rttMs + 0.2 * rttMs;
  }

  /** The latest reply through any uplink (null: none, or it filters pings). */
  private get lastReply(): number | null {
    return this.replies.size === 0 ? null : Math.max(...[...this.replies.values()].map((r) => r.at));
  }

  connect(uplink: string, outcome: ConnectOutcome, now: number) {
    this.connects.set(uplink, { at: now, outcome });
    if (!outcome.ok) { this.failedInRow++; return; }
    this.failedInRow = 0;
    const last = this.lastReply;
    if (last !== null && now - last > ICMP_GIVEN_UP_MS) this.replies.clear();
  }

  /** What the proxy's own connections show (it answered none of them): down until a reset (null: tried again). */
  deaf(why: string | null) {
    this.deafWhy = why;
  }

  /** A reload (a new key, perhaps): what connects and the proxy said is forgotten; pings keep counting. */
  reset() {
    this.connects.clear();
    this.failedInRow = 0;
    this.deafWhy = null;
  }

  /**
   * When the verdict turns to silent if nothing more is heard: once every judging uplink that
   * heard it has missed SILENT_AFTER_PINGS of its own pings. `judges`: the uplinks whose pings
   * decide (null: all); null when none of them ever heard it (pings say nothing of it).
   */
  silentAt(judges: ReadonlySet<string> | null = null): number | null {
    const by = [...this.replies].filter(([u]) => judges === null || judges.has(u)).map(([, r]) => r);
    if (by.length === 0) return null;
    return Math.max(...by.map((r) => r.at + SILENT_AFTER_PINGS * r.intervalMs + 2 * this.rttMs + SILENT_SLACK_MS));
  }

  verdict(now: number, judges: ReadonlySet<string> | null = null): ServerVerdict {
    if (this.deafWhy) return { state: 'down', reason: this.deafWhy };
    const fresh = [...this.connects.values()].filter((c) => now - c.at <= CONNECT_FRESH_MS);
    const wrongKey = fresh.find((c) => !c.outcome.ok && c.outcome.wrongKey);
    if (wrongKey && !wrongKey.outcome.ok) return { state: 'down', reason: wrongKey.outcome.error };
    const silentAt = this.silentAt(judges);
    if (silentAt !== null && now >= silentAt) {
      return { state: 'down', reason: `silent: no answer through any uplink for ${((now - this.lastReply!) / 1000).toFixed(1)} s` };
    }
    if (fresh.length > 0 && this.failedInRow >= REFUSED_AFTER && fresh.every((c) => !c.outcome.ok)) {
      const last = fresh.reduce((a, b) => (b.at > a.at ? b : a)).outcome;
      return { state: 'down', reason: `takes no connection (${last.ok ? '' : last.error})` };
    }
    if (this.lastReply !== null || fresh.some((c) => c.outcome.ok)) return { state: 'up', reason: null };
    return { state: 'unknown', reason: 'not heard from yet' };
  }
}
