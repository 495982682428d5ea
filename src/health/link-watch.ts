// Keeps one `ip monitor link` running for the health monitor (restarted after a pause when it
// exits): a lost carrier is then seen when the kernel announces it, not at the next round.
import type { LineStream, Runtime } from '../sys/runtime.js';
import { startLinkEvents } from '../sys/link-events.js';

const RESTART_MS = 5000;

export class LinkWatch {
  private stream: LineStream | null = null;
  private restartAt = 0;
  private stopped = false;

  constructor(private readonly rt: Runtime, private readonly onDevice: (dev: string) => void) {}

  /** Starts the stream when it is not running (and not pausing); whether it runs. */
  ensure(now: number): boolean {
    if (this.stream || this.stopped || now < this.restartAt) return this.stream !== null;
    try {
      const stream: LineStream = startLinkEvents(this.rt, this.onDevice, () => {
        if (this.stream !== stream) return;
        this.stream = null;
        this.restartAt = this.rt.monotonicMs() + RESTART_MS;
      });
      this.stream = stream;
    } catch {
      this.restartAt = now + RESTART_MS;
    }
    return this.stream !== null;
  }

  stop() {
    this.stopped = true;
    this.stream?.stop();
    this.stream = null;
  }
}
