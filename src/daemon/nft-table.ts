// Keeps table inet mpwan (nft/table.ts) as the daemon wants it. The table is observed state like the
// kernel's routes: it is read back, and reloaded when a firewall restart or a hand edit changed
// or removed it, whenever `nft monitor` reports a change to it (and at the periodic check).
import type { Runtime } from '../sys/runtime.js';
import { applyNftTable, readNftTable, removeNftTable } from '../sys/nft.js';

export class NftTable {
  /** What was loaded last, and the kernel's digest of it right after. */
  private applied: { text: string; digest: string | null } | null = null;

  constructor(private readonly rt: Runtime) {}

  get active(): boolean {
    return this.applied !== null;
  }

  /**
   * Makes the table hold `text` (null: no table). Without `observe` only a change of `text`
   * touches nft; with it, the kernel's table is read and repaired. Returns what was done.
   */
  async sync(text: string | null, observe: boolean): Promise<'loaded' | 'removed' | 'repaired' | null> {
    if (!observe && (this.applied?.text ?? null) === text) return null;
    const current = observe ? await readNftTable(this.rt) : undefined;
    if (text === null) {
      if (this.applied === null && current === null) return null;
      await removeNftTable(this.rt);
      this.applied = null;
      return 'removed';
    }
    // A table gone is repaired even when it vanished right after the last load (its digest then read null).
    if (this.applied?.text === text && current !== null && (current === undefined || current === this.applied.digest)) return null;
    const repair = this.applied?.text === text;
    this.applied = { text, digest: await applyNftTable(this.rt, text) };
    return repair ? 'repaired' : 'loaded';
  }

  async remove(): Promise<void> {
    await removeNftTable(this.rt);
    this.applied = null;
  }
}
