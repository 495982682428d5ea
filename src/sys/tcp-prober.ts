// The health probes' TCP connects, through one long-running `mpwan-relay probe` (it comes with
// mpwan): a request line each instead of a socat process each, which was most of the daemon's
// CPU. While the helper cannot run (not installed, or it keeps exiting) each connect runs
// socat as before.
import { SIGKILL, type LineChannel, type Runtime } from './runtime.js';
import { tcpConnect, type PingResult } from './probe.js';
import { parseProbeAnswer, probeRequest } from '../observe/tcp-probe.js';

const HELPER = ['mpwan-relay', 'probe'];
const RETRY_MAX_MS = 60000;
/**
 * The helper answers each connect within its timeout. One answer this late means it is stuck
 * (stopped, or wedged): it is killed, long before its stdin pipe could fill and block the
 * daemon, and the connects it held say nothing about their uplinks.
 */
const GRACE_MS = 1000;

export class TcpProber {
  private helper: LineChannel | null = null;
  private readonly pending = new Map<number, { resolve: (r: PingResult) => void; retry: () => Promise<PingResult> }>();
  private nextId = 1;
  private exits = 0;
  private retryAt = 0;
  private stopped = false;

  constructor(private readonly rt: Runtime) {}

  /** A TCP handshake from `source` to host:port within `timeoutS`; with `keyFile`, and the server's answer to a signed handshake. */
  connect(source: string, host: string, port: number, timeoutS: number, keyFile?: string): Promise<PingResult> {
    const helper = this.running();
    const bySocat = () => tcpConnect(this.rt, host, port, timeoutS, source);
    if (!helper) return bySocat();
    const id = this.nextId;
    this.nextId = this.nextId >= 999999999 ? 1 : this.nextId + 1;
    return new Promise((resolve) => {
      const overdue = this.rt.setTimer(() => this.stuck(helper), timeoutS * 1000 + GRACE_MS);
      if (!helper.write(probeRequest(id, source, host, port, timeoutS * 1000, keyFile))) {
        this.rt.clearTimer(overdue); // it has gone already
        void bySocat().then(resolve);
        return;
      }
      // (Its answer comes by the read handler, after this.)
      this.pending.set(id, { resolve: (r) => { this.rt.clearTimer(overdue); resolve(r); }, retry: bySocat });
    });
  }

  stop() {
    this.stopped = true;
    this.helper?.stop();
    this.helper = null;
    for (const id of [...this.pending.keys()]) this.settle(id, { ok: false, missing: true, error: 'stopped' });
  }

  private running(): LineChannel | null {
    if (this.helper || this.stopped || this.rt.monotonicMs() < this.retryAt) return this.helper;
    try {
      // Only the current helper's exit counts (one killed as stuck has been dealt with).
      const child: LineChannel = this.rt.spawnChannel(HELPER, (line) => this.answer(line), (status) => { if (this.helper === child) this.exited(status); });
      this.helper = child;
    } catch {
      this.exited(127);
    }
    return this.helper;
  }

  private answer(line: string) {
    const a = parseProbeAnswer(line);
    if (!a) return;
    this.exits = 0;
    // An unreadable key file says nothing of the server (a file not written yet): a plain connect's answer is missing.
    this.settle(a.id, a.ok ? { ok: true, ms: a.ms } : a.noKey ? { ok: false, missing: true, error: a.error } : { ok: false, error: a.error, ...(a.wrongKey ? { wrongKey: true } : {}) });
  }

  private settle(id: number, r: PingResult) {
    const p = this.pending.get(id);
    this.pending.delete(id);
    p?.resolve(r);
  }

  private stuck(helper: LineChannel) {
    if (this.helper !== helper) return;
    this.rt.kill(helper.pid, SIGKILL);
    this.exited(-SIGKILL);
  }

  /**
   * The helper is not installed (127): its connects run by socat now. Otherwise the connects
   * it took say nothing about their uplink. The next ones use socat until the retry.
   */
  private exited(status: number) {
    this.helper = null;
    for (const [id, p] of [...this.pending]) {
      if (status === 127) { this.pending.delete(id); void p.retry().then(p.resolve); }
      else this.settle(id, { ok: false, missing: true, error: `the probe helper exited (status ${status})` });
    }
    this.exits++;
    // 127: not installed (execvp's child says so); no point in trying again soon.
    this.retryAt = this.rt.monotonicMs() + (status === 127 ? RETRY_MAX_MS : Math.min(RETRY_MAX_MS, 1000 * 2 ** this.exits));
  }
}
