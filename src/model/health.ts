// Uplink health as the daemon tracks it and as state.json, status and the planner see it.

export type HealthState = 'up' | 'down';

/** One probe round through the uplink: any target answering counts as success. */
export interface RoundResult {
  ok: boolean;
  /** Round-trip time of the fastest answer. */
  ms?: number;
  /** Why no target answered (the first error). */
  error?: string;
}

/** What state.json and `mpwan status` show per uplink. */
export interface UplinkHealth {
  state: HealthState;
  /** Epoch seconds of the last state change (or of the daemon's start). */
  since: number;
  /** Mean round-trip time of the last answered rounds. */
  latency_ms: number | null;
  /** Share of the last LOSS_WINDOW rounds without an answer, 0..1. */
  loss: number;
  last_error: string | null;
  /** Why it is down, in a sentence; null when up. */
  reason: string | null;
  /** Up, but missed a probe round lately (see HealthTracker.suspect): new connections start elsewhere if they can. */
  suspect: boolean;
  /** false when there is nothing to probe: only carrier is tracked. */
  probed: boolean;
}

export interface Transition {
  to: HealthState;
  reason: string;
}

/** MPWAN_RUN_DIR/state.json: the running daemon's view of each uplink's health. */
export interface HealthFile {
  updated: number;
  uplinks: Record<string, UplinkHealth>;
}

/** A TCP connect to a server through an uplink: done, or why not (wrongKey: the server closed a signed handshake unanswered). */
export type ConnectOutcome = { ok: true } | { ok: false; error: string; wrongKey?: boolean };

/** Hears what the probes learn of the servers: ping replies from their addresses and connects to them. */
export interface ServerListener {
  /** A ping reply from `host` through `uplink`, which pings every `intervalMs`. */
  reply(host: string, rttMs: number, uplink: string, intervalMs: number): void;
  connect(host: string, port: number, uplink: string, outcome: ConnectOutcome): void;
}
