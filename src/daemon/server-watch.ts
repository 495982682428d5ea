// Whether the server in use answers what the proxy sends it (a server that accepts but never
// answers has the wrong password or key; whether it answers at all is the server keeper's).
// Pure: the clock arrives as an argument, and transitions come back as sentences for the log
// (and a few words for scripts).

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
  /** Whether the server is worth LAN traffic again (false: found deaf), and why, in a few words. */
  reachable: boolean;
  why: string;
}

export class ServerWatch {
  answers: boolean | null = null;
  private silentSince = 0;
  /** When the proxies or the server last (re)started: only connections used since then are evidence. */
  private evidenceSince = 0;

  /** `secret`: what a server that answers nothing has wrong ('key', or 'password or cipher'). */
  constructor(private readonly server: string, private readonly secret = 'password or cipher') {}

  /** A new launch or a reload: everything is unknown again. */
  reset(now: number) {
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

  /** After a deaf spell, the proxy is tried again once SILENCE_RETRY_MS have passed. */
  retry(now: number): ServerTransition | null {
    if (this.answers !== false || now - this.silentSince < SILENCE_RETRY_MS) return null;
    this.answers = null;
    this.evidenceSince = now;
    return { level: 'notice', message: `trying the proxy to ${this.server} again`, reachable: true, why: 'trying the proxy again' };
  }

  /** Whether evidence is wanted now: the server is not already found deaf. */
  get wantsEvidence(): boolean {
    return this.answers !== false;
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
        `wrong ${this.secret}? (tried again in 5 min or on reload)`,
      reachable: false,
      why: `answered none of ${e.silent} proxied connections: wrong ${this.secret}?`,
    };
  }
}
