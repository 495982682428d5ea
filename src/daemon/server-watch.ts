// Whether the aggregation server is worth sending LAN traffic to: it must answer TCP
// connects (through the uplinks' probes) and answer what the proxy sends it (a server that
// accepts but never answers has the wrong password or key). Pure: the clock arrives as an
// argument, and transitions come back as sentences for the log (and a few words for scripts).

/** Failed reachability checks in a row before LAN traffic stops going to the proxy. */
export const SERVER_DOWN_AFTER = 2;
/** Silent proxied connections, with none answered, that mean the server cannot read what the proxy sends. */
export const SILENT_CONNECTIONS = 2;
/** After that, the proxy is tried again this much later (or on a reload). */
export const SILENCE_RETRY_MS = 300000;

/** What the proxy's connections to the server show: sent but unanswered, and answered. */
export interface Evidence {
  silent: number;
  answered: number;
}

export interface ServerTransition {
  level: 'err' | 'notice';
  message: string;
  /** Whether LAN traffic goes to the server again (false: it bypasses the proxy), and why, in a few words. */
  reachable: boolean;
  why: string;
}

export class ServerWatch {
  private failures = 0;
  reachable: boolean | null = null;
  answers: boolean | null = null;
  private silentSince = 0;
  /** When the proxies or the server last (re)started: only connections used since then are evidence. */
  private evidenceSince = 0;

  /** `secret`: what a server that answers nothing has wrong ('key', or 'password or cipher'). */
  constructor(private readonly server: string, private readonly secret = 'password or cipher') {}

  /** A new launch or a reload: everything is unknown again. */
  reset(now: number) {
    this.failures = 0;
    this.reachable = null;
    this.answers = null;
    this.evidenceSince = now;
  }

  /** When connections started to count as evidence (it moves on a reset, a recovery, a retry). */
  get evidenceStart(): number {
    return this.evidenceSince;
  }

  /** How far back connections count as evidence. */
  evidenceWindowMs(now: number): number {
    return now - this.evidenceSince;
  }

  reachability(ok: boolean, error: string | undefined, now: number): ServerTransition | null {
    if (ok) {
      this.failures = 0;
      const was = this.reachable;
      this.reachable = true;
      if (was !== false) return null;
      this.evidenceSince = now;
      return { level: 'notice', message: `server ${this.server} answers again: LAN TCP goes through the proxy`, reachable: true, why: 'answers again' };
    }
    if (++this.failures < SERVER_DOWN_AFTER || this.reachable === false) return null;
    this.reachable = false;
    const why = error ?? 'no answer';
    return { level: 'err', message: `server ${this.server} unreachable (${why}): LAN traffic bypasses the proxy and uses the normal route until it answers`, reachable: false, why };
  }

  /** After a deaf spell, the proxy is tried again once SILENCE_RETRY_MS have passed. */
  retry(now: number): ServerTransition | null {
    if (this.answers !== false || now - this.silentSince < SILENCE_RETRY_MS) return null;
    this.answers = null;
    this.evidenceSince = now;
    return { level: 'notice', message: `trying the proxy to ${this.server} again`, reachable: true, why: 'trying the proxy again' };
  }

  /** Whether evidence is wanted now: the server is reachable and not already found deaf. */
  get wantsEvidence(): boolean {
    return this.reachable !== false && this.answers !== false;
  }

  evidence(e: Evidence, now: number): ServerTransition | null {
    if (e.answered > 0) {
      this.answers = true;
      return null;
    }
    if (e.silent < SILENT_CONNECTIONS) return null;
    this.answers = false;
    this.silentSince = now;
    return {
      level: 'err',
      message: `server ${this.server} accepts connections but answered none of ${e.silent} proxied ones: ` +
        `wrong ${this.secret}? LAN traffic bypasses the proxy and uses the normal route (tried again in 5 min or on reload)`,
      reachable: false,
      why: `answered none of ${e.silent} proxied connections: wrong ${this.secret}?`,
    };
  }
}
