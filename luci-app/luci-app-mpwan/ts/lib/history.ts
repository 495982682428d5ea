// Throughput history from successive byte counters: the status page keeps the last few
// minutes per uplink. Rates come from counter deltas between two replies divided by the
// router's own time between them (`sampled_ms`, ms since boot, when it sends one): the
// browser's clock would count network and plugin delays into the window. Pure.

export interface Rate { rx: number; tx: number }
export interface Point { t: number; rates: Record<string, Rate | null> }

export class History {
  readonly points: Point[] = [];
  private last: { t: number; bytes: Record<string, { rx: number; tx: number } | null> } | null = null;

  /** `minMs`: a shorter window is skipped (its rate would be mostly noise); the next sample
   *  is measured from the same earlier one. */
  constructor(readonly keepMs: number, readonly minMs = 0) {}

  /** Adds one sample of byte counters (null: no device) read at `t` ms; returns the rates it gave. */
  push(t: number, bytes: Record<string, { rx: number; tx: number } | null>): Point | null {
    const prev = this.last;
    if (prev && t < prev.t) {
      // The clock started again (the router rebooted): the history is of another boot.
      this.points.length = 0;
      this.last = { t, bytes };
      return null;
    }
    if (prev && (t === prev.t || t - prev.t < this.minMs)) return null;
    this.last = { t, bytes };
    if (!prev) return null;
    const dt = (t - prev.t) / 1000;
    const rates: Record<string, Rate | null> = {};
    for (const [name, b] of Object.entries(bytes)) {
      const p = prev.bytes[name];
      // A counter that went backwards was reset (the device came back): no rate this time.
      rates[name] = b && p && b.rx >= p.rx && b.tx >= p.tx ? { rx: ((b.rx - p.rx) * 8) / dt, tx: ((b.tx - p.tx) * 8) / dt } : null;
    }
    const point = { t, rates };
    this.points.push(point);
    while (this.points.length && this.points[0].t < t - this.keepMs) this.points.shift();
    return point;
  }

  /** The series of one uplink (0 where it had no rate), oldest first. */
  series(name: string, dir: keyof Rate): number[] {
    return this.points.map((p) => p.rates[name]?.[dir] ?? 0);
  }

  /** Download plus upload of one uplink: how busy it is. */
  both(name: string): number[] {
    return this.points.map((p) => (p.rates[name]?.rx ?? 0) + (p.rates[name]?.tx ?? 0));
  }

  total(dir: keyof Rate): number[] {
    return this.points.map((p) => Object.values(p.rates).reduce((n, r) => n + (r?.[dir] ?? 0), 0));
  }

  /** The rate of `name` in the latest interval; null before two samples, or when it had none. */
  latest(name: string): Rate | null {
    return this.points[this.points.length - 1]?.rates[name] ?? null;
  }

  /** Each uplink's share of the bytes moved in the latest interval (empty when nothing moved). */
  shares(): Record<string, number> {
    const p = this.points[this.points.length - 1];
    if (!p) return {};
    const sum = Object.values(p.rates).reduce((n, r) => n + (r ? r.rx + r.tx : 0), 0);
    if (sum <= 0) return {};
    return Object.fromEntries(Object.entries(p.rates).map(([k, r]) => [k, r ? (r.rx + r.tx) / sum : 0]));
  }
}
