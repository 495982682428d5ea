// A long-running monitor (`ip monitor link`, `nft monitor`) kept running: started on first
// use, and started again a pause after it exits or cannot start.
import type { LineStream, Runtime } from './runtime.js';

export const RESTART_MS = 5000;

export class KeptStream {
  private stream: LineStream | null = null;
  private timer: unknown = null;
  private stopped = false;

  /** `start` launches the monitor, which calls back when it exits. */
  constructor(private readonly rt: Runtime, private readonly start: (onExit: () => void) => LineStream) {}

  /** Starts the monitor unless it runs or waits to restart; whether it runs. */
  ensure(): boolean {
    if (this.stream === null && this.timer === null && !this.stopped) this.launch();
    return this.stream !== null;
  }

  private launch() {
    try {
      const stream = this.start(() => {
        if (this.stream !== stream) return;
        this.stream = null;
        this.later();
      });
      this.stream = stream;
    } catch {
      this.later();
    }
  }

  private later() {
    if (this.stopped) return;
    this.timer = this.rt.setTimer(() => { this.timer = null; this.launch(); }, RESTART_MS);
  }

  stop() {
    this.stopped = true;
    this.rt.clearTimer(this.timer);
    this.stream?.stop();
    this.stream = null;
  }
}
