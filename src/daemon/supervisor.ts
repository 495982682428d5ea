// Which proxy instances run: started when due, restarted with backoff when they exit,
// replaced when the launch changes, adopted from a predecessor killed with -9. Pure: the
// clock arrives as an argument and the shell (proxies.ts) carries out what it decides.

/** What to run: one argv per instance, and a digest that changes whenever any of it does. */
export interface Launch {
  digest: string;
  instances: string[][];
}

export interface Instance {
  argv: string[];
  pid: number | null;
  /** Started by an earlier daemon (killed with -9, then respawned by procd): not our child. */
  adopted: boolean;
  startedAt: number;
  /** Exits in a row without a healthy run: the backoff grows with them. */
  failures: number;
  nextStartAt: number;
}

/** Running instances left by a predecessor, as proxies.json recorded them and /proc confirms. */
export interface Predecessor {
  launch: string;
  alive: number[];
}

export const BACKOFF_MAX_S = 30;
/** An instance that ran this long is healthy again: its backoff resets. */
export const HEALTHY_AFTER_MS = 60000;

export interface ExitDecision {
  index: number;
  restartInS: number;
}

export class ProxySupervisor {
  private launch: string | null = null;
  private list: Instance[] = [];
  private configured = false;

  /**
   * Follows the launch the config asks for (null: none). Returns the pids to stop: every
   * running instance when the launch changed, and a predecessor's instances it cannot adopt.
   * A predecessor's instances are adopted only when they are all alive and run this launch.
   */
  configure(launch: Launch | null, predecessor: Predecessor | null, now: number): { stop: number[]; adopted: number } {
    if (this.configured && (launch?.digest ?? null) === this.launch) return { stop: [], adopted: 0 };
    const stop = this.runningPids();
    const alive = !this.configured && predecessor ? predecessor.alive : [];
    this.configured = true;
    const adopt = launch !== null && predecessor?.launch === launch.digest && alive.length === launch.instances.length ? alive : [];
    stop.push(...alive.filter((p) => !adopt.includes(p)));
    this.launch = launch?.digest ?? null;
    this.list = (launch?.instances ?? []).map((argv, i) => ({
      argv, pid: adopt[i] ?? null, adopted: adopt[i] !== undefined, startedAt: now, failures: 0, nextStartAt: now,
    }));
    return { stop, adopted: adopt.length };
  }

  /** An instance's process is gone: when to start it again (exponential backoff, capped). */
  exited(index: number, now: number): ExitDecision {
    const inst = this.list[index];
    inst.failures++;
    const delay = Math.min(BACKOFF_MAX_S, 2 ** (inst.failures - 1));
    inst.pid = null;
    inst.adopted = false;
    inst.nextStartAt = now + delay * 1000;
    return { index, restartInS: delay };
  }

  /** Instances to start now: not running and past their backoff. */
  due(now: number): { index: number; argv: string[] }[] {
    return this.list.flatMap((inst, index) => (inst.pid === null && now >= inst.nextStartAt ? [{ index, argv: inst.argv }] : []));
  }

  started(index: number, pid: number, now: number) {
    Object.assign(this.list[index], { pid, adopted: false, startedAt: now });
  }

  /** Starting failed (the program is missing): try again after the longest backoff. */
  startFailed(index: number, now: number) {
    this.list[index].nextStartAt = now + BACKOFF_MAX_S * 1000;
  }

  /** Forgets instances the shell stopped. */
  stopped(pids: number[]) {
    for (const inst of this.list) if (inst.pid !== null && pids.includes(inst.pid)) inst.pid = null;
  }

  /** Instances that have run long enough are healthy again. */
  settle(now: number) {
    for (const inst of this.list) if (inst.pid !== null && inst.failures > 0 && now - inst.startedAt > HEALTHY_AFTER_MS) inst.failures = 0;
  }

  running(): { index: number; pid: number; adopted: boolean }[] {
    return this.list.flatMap((inst, index) => (inst.pid !== null ? [{ index, pid: inst.pid, adopted: inst.adopted }] : []));
  }

  runningPids(): number[] {
    return this.running().map((r) => r.pid);
  }

  /** Whether configure has run: a predecessor matters only before that. */
  get isConfigured(): boolean {
    return this.configured;
  }

  get digest(): string | null {
    return this.launch;
  }

  get instances(): readonly Instance[] {
    return this.list;
  }
}
