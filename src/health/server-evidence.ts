// When the uplinks' TCP probes last reached the aggregation server, through any uplink. Pure.

export class ServerEvidence {
  private answeredAt: number | null = null;
  /** Whether a TCP probe ever ran (mpwan-relay probe, or socat without it). */
  private ran = false;

  /** Server probing begins: the silence is counted from now. */
  probing(now: number) {
    if (this.answeredAt === null) this.answeredAt = now;
  }

  result(ok: boolean, now: number) {
    this.ran = true;
    if (ok) this.answeredAt = now;
  }

  /** Unreachable after `silenceMs` without an answer through any uplink; null when the probes cannot tell. */
  reachable(now: number, silenceMs: number): { ok: boolean; error?: string } | null {
    if (!this.ran || this.answeredAt === null) return null;
    const silent = now - this.answeredAt;
    return silent < silenceMs ? { ok: true } : { ok: false, error: `no uplink reached it for ${Math.round(silent / 1000)} s` };
  }
}
