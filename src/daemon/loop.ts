// The daemon's one loop: every piece of work is a job, jobs run one at a time, and a burst of
// requests for a job while it waits or runs coalesces into one run that knows every reason.
// Timers only request jobs, so nothing ever runs beside a job.
import type { Runtime } from '../sys/runtime.js';

export type JobName = 'replan' | 'table' | 'supervise' | 'server' | 'health';
/** Which pending job runs first. */
const ORDER: JobName[] = ['replan', 'table', 'supervise', 'server', 'health'];

/** `R`: what a reason is (the daemon's are typed; equal reasons count once). */
export class JobLoop<R = string> {
  private readonly pending = new Map<JobName, R[]>();
  private readonly timers: unknown[] = [];
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly rt: Runtime,
    private readonly run: (job: JobName, reasons: R[]) => Promise<void>,
    private readonly onError: (e: unknown) => Promise<void>,
  ) {}

  request(job: JobName, reason?: R) {
    if (this.stopped) return;
    const reasons = this.pending.get(job) ?? [];
    const key = JSON.stringify(reason);
    if (reason !== undefined && reason !== '' && !reasons.some((r) => JSON.stringify(r) === key)) reasons.push(reason);
    this.pending.set(job, reasons);
    this.running ??= this.drain();
  }

  /**
   * Requests `job` every `ms` (a function: re-read before each wait); with `when`, only on the
   * ticks where it says there is work (a cheap check instead of a whole job).
   */
  every(job: JobName, reason: R | undefined, ms: number | (() => number), when: () => boolean = () => true) {
    const delay = () => (typeof ms === 'number' ? ms : ms());
    const slot = this.timers.length;
    const tick = () => {
      if (this.stopped) return;
      if (when()) this.request(job, reason);
      this.timers[slot] = this.rt.setTimer(tick, delay());
    };
    this.timers.push(this.rt.setTimer(tick, delay()));
  }

  private async drain(): Promise<void> {
    for (;;) {
      const job = ORDER.find((j) => this.pending.has(j));
      if (job === undefined || this.stopped) break;
      const reasons = this.pending.get(job)!;
      this.pending.delete(job);
      try {
        await this.run(job, reasons);
      } catch (e) {
        await this.onError(e);
      }
    }
    this.running = null;
  }

  /** No job starts after this; resolves once the running one has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) this.rt.clearTimer(t);
    await this.running;
  }
}
