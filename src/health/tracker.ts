// Per-uplink health as a small state machine over probe rounds and carrier changes. Pure:
// the clock arrives as an argument, so the daemon and the unit tests drive it the same way.
import type { HealthConfig } from '../model/config.js';
import type { HealthState, RoundResult, Transition, UplinkHealth } from '../model/health.js';

export const LOSS_WINDOW = 20;
const LATENCY_WINDOW = 5;

export class HealthTracker {
  private state: HealthState = 'up';
  private since: number;
  private failures = 0;
  private successes = 0;
  /** Rounds answered since the last one that was not (never missed: Infinity). */
  private answeredSinceMiss = Infinity;
  private carrier = true;
  private reason: string | null = null;
  private lastError: string | null = null;
  private readonly rounds: boolean[] = [];
  private readonly latencies: number[] = [];

  /** Starts up: a restarted daemon must not withdraw uplinks that carry live connections. */
  constructor(private config: HealthConfig, now: number, private readonly probed: boolean) {
    this.since = now;
  }

  reconfigure(config: HealthConfig) {
    this.config = config;
  }

  /** Carrier loss takes the uplink down at once; its return still needs good rounds. */
  setCarrier(carrier: boolean, now: number): Transition | null {
    if (carrier === this.carrier) return null;
    this.carrier = carrier;
    this.successes = 0;
    if (!carrier) return this.go('down', 'no carrier', now);
    // Without probes, carrier is all there is to go by.
    return this.probed ? null : this.go('up', 'carrier is back', now);
  }

  /** The mean round trip of the last answered rounds (ms); null before any. */
  latencyMs(): number | null {
    return this.latencies.length ? this.latencies.reduce((a, b) => a + b, 0) / this.latencies.length : null;
  }

  record(r: RoundResult, now: number): Transition | null {
    this.rounds.push(r.ok);
    if (this.rounds.length > LOSS_WINDOW) this.rounds.shift();
    if (r.ok) {
      if (r.ms !== undefined) {
        this.latencies.push(r.ms);
        if (this.latencies.length > LATENCY_WINDOW) this.latencies.shift();
      }
      this.failures = 0;
      this.successes++;
      this.answeredSinceMiss++;
      if (this.state === 'down' && this.carrier && this.successes >= this.config.upAfter) {
        return this.go('up', `${this.successes} probe rounds answered`, now);
      }
      return null;
    }
    this.lastError = r.error ?? 'no answer';
    this.successes = 0;
    this.answeredSinceMiss = 0;
    this.failures++;
    if (this.state === 'up' && this.failures >= this.config.downAfter) {
      return this.go('down', `${this.failures} probe rounds without an answer (${this.lastError})`, now);
    }
    return null;
  }

  private go(to: HealthState, reason: string, now: number): Transition | null {
    if (to === this.state) return null;
    this.state = to;
    this.since = now;
    this.reason = to === 'down' ? reason : null;
    return { to, reason };
  }

  get current(): HealthState {
    return this.state;
  }

  /**
   * Up, but a probe round went unanswered and fewer than up_after have been answered since. A
   * silent failure takes down_after rounds to confirm; moving only new connections' first
   * subflow off the uplink at the first miss is cheap, and it moves back once the uplink
   * answers as steadily as a returning one must (so a lossy uplink does not flip it to and fro).
   */
  get suspect(): boolean {
    return this.state === 'up' && this.answeredSinceMiss < this.config.upAfter;
  }

  snapshot(): UplinkHealth {
    const lost = this.rounds.filter((ok) => !ok).length;
    return {
      state: this.state,
      since: this.since,
      latency_ms: this.latencies.length ? Math.round((this.latencies.reduce((a, b) => a + b, 0) / this.latencies.length) * 100) / 100 : null,
      loss: this.rounds.length ? Math.round((lost / this.rounds.length) * 100) / 100 : 0,
      last_error: this.lastError,
      reason: this.reason,
      suspect: this.suspect,
      probed: this.probed,
    };
  }
}
