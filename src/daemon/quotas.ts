// The daemon's side of quotas: every few seconds it reads each uplink's counters, adds them to
// the ledger (quota/usage.ts), keeps the ledger in RAM and, at most once an hour, on flash;
// it says when an uplink reaches 80% and 100% of its quota, and whether the plan must change
// (an uplink reached its quota, or a new period began).
import type { Runtime } from '../sys/runtime.js';
import type { Config, QuotaAction } from '../model/config.js';
import type { NetifdInterface } from '../model/netifd.js';
import { account, overQuota, quotasOf, type Crossing, type Ledger, type Reading } from '../quota/usage.js';
import { bootId, localOffset, readCounters } from '../sys/counters.js';
import { readUsage, writeUsageFlash, writeUsageRam } from '../sys/usage-files.js';
import type { LocalOffset } from '../quota/period.js';

/** Flash is written at most this often. */
export const FLASH_EVERY_S = 3600;

export interface QuotaCrossing extends Crossing {
  action: QuotaAction;
}

/** What flash must keep: the counts (the last readings only matter within one boot). */
const counted = (l: Ledger | null) =>
  JSON.stringify(Object.entries(l?.uplinks ?? {}).filter(([, u]) => u.bytes > 0).map(([n, u]) => [n, u.bytes, u.period.start, u.announced]));

export class QuotaKeeper {
  private ledger: Ledger | null = null;
  private flashedAt = 0;
  private flashedText = '';
  private over = '{}';
  private loaded = false;
  private flashProblem = false;
  /** What the last count was given, for recount(). */
  private last: { config: Config; netifd: NetifdInterface[] } | null = null;

  constructor(
    private readonly rt: Runtime,
    private readonly onCrossing: (c: QuotaCrossing) => void,
    private readonly log: (level: 'warning' | 'notice', message: string) => Promise<void>,
    private readonly offset: LocalOffset = localOffset,
  ) {}

  /** Reads the saved ledger (RAM, else flash after a reboot) into the run dir, so the first plan sees it. */
  load() {
    if (this.loaded) return;
    this.loaded = true;
    const saved = readUsage(this.rt);
    if (saved) writeUsageRam(this.rt, saved);
    this.ledger = saved?.ledger ?? null;
    // A restart within the hour does not write flash again; after a reboot the flash copy is as old as it says.
    this.flashedAt = saved?.flashedAt ?? 0;
    this.flashedText = saved ? counted(saved.ledger) : counted(null);
  }

  /**
   * Counts what each configured uplink carried since the last count. Returns whether an
   * uplink's quota state changed (the plan must follow).
   */
  count(config: Config, netifd: NetifdInterface[]): boolean {
    this.load();
    this.last = { config, netifd };
    const quotas = quotasOf(config);
    const readings: Record<string, Reading | null> = {};
    for (const u of config.uplinks) {
      const dev = netifd.find((i) => i.name === u.name)?.l3Device;
      readings[u.name] = dev ? readCounters(this.rt, dev) : null;
    }
    const now = this.rt.nowSeconds();
    const r = account(this.ledger, quotas, { boot: bootId(this.rt), now, readings }, this.offset);
    this.ledger = r.ledger;
    for (const c of r.crossings) {
      const action = config.uplinks.find((u) => u.name === c.uplink)!.quota!.action;
      this.onCrossing({ ...c, action });
    }
    this.save(now);
    const over = JSON.stringify(overQuota(this.ledger, quotas));
    const changed = over !== this.over;
    this.over = over;
    return changed;
  }

  /** Counts again with what the last count was given (the config and netifd as the last re-plan read them). */
  recount(): boolean {
    return this.last !== null && this.count(this.last.config, this.last.netifd);
  }

  /** Metered uplinks at their quota, and what quota_action makes of them (for the plan). */
  overQuota(config: Config): Record<string, QuotaAction> {
    this.load();
    return overQuota(this.ledger, quotasOf(config));
  }

  get usage(): Ledger | null {
    return this.ledger;
  }

  /** RAM at every count; flash when the hour is up and the counts changed (at a stop too, on the same terms). */
  private save(now: number) {
    if (!this.ledger) return;
    const text = counted(this.ledger);
    if (text !== this.flashedText && now - this.flashedAt >= FLASH_EVERY_S) {
      const ok = writeUsageFlash(this.rt, { ledger: this.ledger, flashedAt: now });
      if (ok) { this.flashedAt = now; this.flashedText = text; }
      if (!ok && !this.flashProblem) void this.log('warning', 'quota counts cannot be saved to flash (the state dir is not writable): a reboot loses them');
      this.flashProblem = !ok;
    }
    writeUsageRam(this.rt, { ledger: this.ledger, flashedAt: this.flashedAt });
  }

  stop() {
    if (this.loaded) this.save(this.rt.nowSeconds());
  }
}
