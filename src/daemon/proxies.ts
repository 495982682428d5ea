// Carries out what the proxy supervisor decides: writes the engine's config file (0600),
// starts, reaps and stops the instances, and records their pids (never the config) so a
// daemon restarted after kill -9 can adopt them. The decisions are in supervisor.ts.
import type { Runtime } from '../sys/runtime.js';
import { SIGKILL, SIGTERM } from '../sys/runtime.js';
import { readProxyRecord, runPath, writeProxyRecord, writeSecretFile } from '../sys/run-dir.js';
import { runDir } from '../sys/paths.js';
import { ProxySupervisor, type Launch } from './supervisor.js';

/** A launch with the files its instances read (their argv names them: that marks them as ours). */
export interface EngineLaunch extends Launch {
  /** Files to write, mode 0600, before the instances start. */
  files: { path: string; text: string }[];
  /** Files the instances write (their counters), removed before new ones start: what is there then is theirs. */
  outputs?: string[];
}

export class ProxyRunner {
  readonly supervisor = new ProxySupervisor();
  /** Instances seen gone by check(), for the next supervise(). */
  private exits: { index: number; status: number | 'unknown' }[] = [];

  constructor(private readonly rt: Runtime, private readonly log: (level: 'warning' | 'notice', message: string) => Promise<void>) {}

  /** Whether `pid` runs with a file of our run dir in its argv (pids are reused after a reboot or a crash). */
  private ours(pid: number): boolean {
    const dir = `${runDir(this.rt)}/`;
    return (this.rt.readFile(`/proc/${pid}/cmdline`) ?? '').split('\0').some((a) => a.startsWith(dir));
  }

  /** Follows the launch (null: no proxy). Returns whether it changed and how many instances were adopted. */
  async configure(launch: EngineLaunch | null): Promise<{ changed: boolean; adopted: number }> {
    const saved = this.supervisor.isConfigured ? null : readProxyRecord(this.rt);
    const predecessor = saved && { launch: saved.launch, alive: saved.pids.filter((p) => this.ours(p)) };
    const before = this.supervisor.digest;
    const { stop, adopted } = this.supervisor.configure(launch, predecessor, this.rt.monotonicMs());
    if (stop.length > 0 || before !== this.supervisor.digest) this.exits = []; // a new list: old indexes mean nothing
    await this.stop(stop);
    if (before === this.supervisor.digest && stop.length === 0) return { changed: false, adopted: 0 };
    if (launch && adopted === 0) {
      for (const f of launch.files) writeSecretFile(this.rt, f.path, f.text);
      for (const path of launch.outputs ?? []) this.rt.removeFile(path);
    }
    this.startDue();
    this.record();
    return { changed: before !== this.supervisor.digest, adopted };
  }

  /**
   * Reaps exited instances (waitpid, or /proc for adopted ones) and says whether supervise()
   * has work: an exit to handle or a restart due. Cheap, so it can run every second while the
   * job itself runs only when needed.
   */
  check(): boolean {
    for (const r of this.supervisor.running()) {
      if (this.exits.some((e) => e.index === r.index)) continue;
      // An adopted proxy is not our child: it cannot be reaped, only seen gone.
      const status = r.adopted ? (this.ours(r.pid) ? null : 'unknown') : this.rt.reap(r.pid);
      if (status !== null) this.exits.push({ index: r.index, status });
    }
    return this.exits.length > 0 || this.supervisor.due(this.rt.monotonicMs()).length > 0;
  }

  /** Schedules the restart of what check() saw exit, starts what is due. */
  async supervise(): Promise<void> {
    const now = this.rt.monotonicMs();
    this.supervisor.settle(now); // first: an instance that ran long enough exited healthy
    for (const { index, status } of this.exits.splice(0)) {
      const { restartInS } = this.supervisor.exited(index, now);
      const tail = (this.rt.readFile(runPath.proxyLog(this.rt, index)) ?? '').trim().split('\n').slice(-1)[0] ?? '';
      await this.log('warning', `proxy instance ${index} exited (status ${status})${tail ? `: ${tail}` : ''}; restarting in ${restartInS} s`);
    }
    this.startDue();
  }

  private startDue() {
    const now = this.rt.monotonicMs();
    const due = this.supervisor.due(now);
    for (const { index, argv } of due) {
      try {
        this.supervisor.started(index, this.rt.spawn(argv, { logFile: runPath.proxyLog(this.rt, index) }), now);
      } catch (e) {
        this.supervisor.startFailed(index, now);
        void this.log('warning', `proxy instance ${index}: ${(e as Error).message}`);
      }
    }
    if (due.length > 0) this.record();
  }

  private record() {
    writeProxyRecord(this.rt, { launch: this.supervisor.digest ?? '', pids: this.supervisor.runningPids() });
  }

  /** SIGTERM, up to 2 s to exit, then SIGKILL. */
  private async stop(pids: number[]) {
    if (pids.length === 0) return;
    // Our children are reaped; an adopted predecessor's instance can only be seen gone.
    const gone = (pid: number) => { const st = this.rt.reap(pid); return (st !== null && st !== 127) || !this.ours(pid); };
    for (const pid of pids) this.rt.kill(pid, SIGTERM);
    let left = pids;
    for (let waited = 0; waited < 2000 && left.length > 0; waited += 50) {
      left = left.filter((p) => !gone(p));
      if (left.length > 0) await this.rt.sleep(50);
    }
    for (const pid of left) { this.rt.kill(pid, SIGKILL); this.rt.reap(pid); }
    this.supervisor.stopped(pids);
  }

  async stopAll(): Promise<void> {
    await this.configure(null);
  }

  get running(): boolean {
    return this.supervisor.running().length > 0;
  }
}
