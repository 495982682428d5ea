// Probe rounds from long-running `ping -i` streams (one per target) and one-shot probes
// (occasional TCP connects). Round k is the k-th ping of every stream: answered when any stream's reply to
// it arrives, or a one-shot probe attached to it succeeds; failed once every part has
// passed its own deadline (its send time + the timeout). Send times are learnt from the
// replies (receive time - round trip), so a stream's drift or restart never shifts which
// reply belongs to which round. Pure: the clock arrives as an argument.
import type { RoundResult } from '../model/health.js';

/** Deadlines wait this much longer than the timeout: a reply read a moment late still counts. */
export const SLACK_MS = 30;
const SEQ_SPAN = 65536;

interface Stream {
  /** The round of the stream's first ping, and when the stream started. */
  startIndex: number;
  startAt: number;
  /** The sequence number of its first ping (iputils starts at 1, BusyBox at 0), learnt from the first reply. */
  base: number | null;
  /** A round whose send time a reply told. */
  anchor: { index: number; at: number } | null;
  /** Round -> round trip in ms. */
  answered: Map<number, number>;
  /** What the stream last said instead of a reply. */
  error: string | null;
}

export interface RoundOutcome extends RoundResult {
  index: number;
  /** Whether any ping of the round was answered (the TCP connect aside). */
  icmp: boolean;
}

export class ProbeRounds {
  private readonly streams = new Map<string, Stream>();
  /** Round -> one-shot probes attached to it (TCP connects, or pings where ping cannot stream). */
  private readonly attached = new Map<number, { running: number; results: RoundResult[] }>();
  /** The next round to resolve. */
  private next = 0;
  /** The latest round any stream's reply answered. */
  private lastAnswered = -1;
  /** Round 0 is sent at `start`: the pace until a stream sets its own (and without streams: TCP only). */
  constructor(private readonly intervalMs: number, private readonly timeoutMs: number, private readonly start: number) {}

  /** A stream for `target` (re)started now: its first ping belongs to the round sent nearest to now. */
  started(target: string, now: number) {
    const startIndex = Math.max(this.next, Math.round((now - this.sendTime(0)) / this.intervalMs));
    this.streams.set(target, { startIndex, startAt: now, base: null, anchor: null, answered: new Map(), error: null });
  }

  /** The stream is gone for good (the target left the config). */
  dropped(target: string) {
    this.streams.delete(target);
  }

  reply(target: string, seq: number, ms: number, now: number) {
    const s = this.streams.get(target);
    if (!s) return;
    const sentAt = now - ms;
    const estimate = Math.round((sentAt - s.startAt) / this.intervalMs);
    if (s.base === null) s.base = (((seq - estimate) % SEQ_SPAN) + SEQ_SPAN) % SEQ_SPAN;
    const offset = (((seq - s.base) % SEQ_SPAN) + SEQ_SPAN) % SEQ_SPAN;
    const index = s.startIndex + offset + SEQ_SPAN * Math.round((estimate - offset) / SEQ_SPAN);
    s.anchor = { index, at: sentAt };
    this.lastAnswered = Math.max(this.lastAnswered, index);
    if (index >= this.next) s.answered.set(index, ms);
  }

  /** Whether a ping of round `index` or a later one was answered. */
  answeredSince(index: number): boolean {
    return this.lastAnswered >= index;
  }

  error(target: string, text: string) {
    const s = this.streams.get(target);
    if (s) s.error = text;
  }

  /** A one-shot probe starts for round `index`. */
  attach(index: number) {
    const a = this.attached.get(index) ?? { running: 0, results: [] };
    a.running++;
    this.attached.set(index, a);
  }

  /** A one-shot probe of round `index` has its result. */
  attachedResult(index: number, result: RoundResult) {
    const a = this.attached.get(index);
    if (!a) return;
    a.running--;
    a.results.push(result);
  }

  private streamSendTime(s: Stream, index: number): number {
    const a = s.anchor ?? { index: s.startIndex, at: s.startAt };
    return a.at + (index - a.index) * this.intervalMs;
  }

  /** When round `index` is sent: the first stream's pace, else the plain clock. */
  sendTime(index: number): number {
    const first = this.streams.values().next();
    if (!first.done) return this.streamSendTime(first.value, index);
    return this.start + index * this.intervalMs;
  }

  /** The latest round sent by `now` (next - 1 when none is). */
  roundAt(now: number): number {
    return Math.max(this.next - 1, Math.floor((now - this.sendTime(0)) / this.intervalMs + 1e-9));
  }

  private streamDone(s: Stream, index: number, now: number): boolean {
    return s.answered.has(index) || now >= this.streamSendTime(s, index) + this.timeoutMs + SLACK_MS;
  }

  /** Rounds whose every part is answered or past its deadline, in order; each once. */
  resolve(now: number): RoundOutcome[] {
    const out: RoundOutcome[] = [];
    const last = this.roundAt(now);
    for (; this.next <= last; this.next++) {
      const k = this.next;
      const shots = this.attached.get(k);
      if (shots && shots.running > 0) break;
      const streams = [...this.streams.entries()];
      // Without a stream, a round is only what the probes attached to it say.
      if (streams.length === 0 && !shots) continue;
      if (!streams.every(([, s]) => this.streamDone(s, k, now))) break;
      const times = streams.map(([, s]) => s.answered.get(k)).filter((ms): ms is number => ms !== undefined);
      const icmp = times.length > 0;
      const good = (shots?.results ?? []).filter((r) => r.ok);
      for (const r of good) if (r.ms !== undefined) times.push(r.ms);
      if (icmp || good.length > 0) {
        out.push({ index: k, ok: true, icmp, ...(times.length ? { ms: Math.min(...times) } : {}) });
      } else {
        const [target, s] = streams.find(([, x]) => x.error !== null) ?? streams[0] ?? [undefined, undefined];
        const why = shots?.results.find((r) => r.error)?.error ?? (target !== undefined ? `ping ${target}: ${s?.error ?? 'no reply'}` : 'no answer');
        out.push({ index: k, ok: false, icmp: false, error: why });
      }
      this.attached.delete(k);
      for (const [, s] of streams) s.answered.delete(k);
    }
    return out;
  }

  /** When something next becomes due: the next round's send time or a pending deadline. */
  nextWake(now: number): number {
    let wake = this.sendTime(this.roundAt(now) + 1);
    for (let k = this.next; k <= this.roundAt(now); k++) {
      for (const s of this.streams.values()) {
        if (!s.answered.has(k)) wake = Math.min(wake, this.streamSendTime(s, k) + this.timeoutMs + SLACK_MS);
      }
    }
    return Math.max(wake, now + 1);
  }
}
