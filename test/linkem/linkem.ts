// Driving linkem (test/linkem/*.c) from the namespace tests and the bench: the settings of a
// link as data, the command line they become, a running link's control socket and counters.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../lib/install.js';

/** What one direction of a link does (README.md in this folder). Absent: linkem's default. */
export interface Direction {
  rateMbit?: number;
  delayMs?: number;
  /** The delay varies uniformly within delayMs +- jitterMs, drawn anew every jitterEveryMs (default 10). */
  jitterMs?: number;
  jitterEveryMs?: number;
  /** Independent random loss, percent of frames. */
  lossPercent?: number;
  /** Loss in bursts (Gilbert-Elliott): the long-run percent lost, and the mean burst in frames or in ms (an outage). */
  burstLossPercent?: number;
  burstLen?: number;
  burstMs?: number;
  /** With a rate: the longest a frame may wait to be sent (default 100 ms), or the bytes queued. */
  queueMs?: number;
  queueBytes?: number;
  reorder?: boolean;
}

/** A link: `up` is router -> internet, `down` internet -> router. */
export interface LinkSpec {
  name?: string;
  up: Direction;
  down: Direction;
  /** Seeds linkem's random draws (loss, jitter), so a run can be repeated exactly. */
  seed?: number;
}

export const LINKEM = join(repoRoot, 'build/linkem/linkem');

export function linkemBinary(): string {
  if (!existsSync(LINKEM)) throw new Error(`${LINKEM} is missing: run make linkem (or make -C test/linkem)`);
  return LINKEM;
}

const num = (x: number) => String(Number(x.toFixed(6)));

export function directionArgs(d: Direction): string[] {
  const out: string[] = [];
  if (d.rateMbit !== undefined) out.push('rate', d.rateMbit > 0 ? `${num(d.rateMbit)}mbit` : 'off');
  if (d.delayMs !== undefined) out.push('delay', `${num(d.delayMs)}ms`);
  if (d.jitterMs !== undefined) out.push('jitter', `${num(d.jitterMs)}ms`);
  if (d.jitterEveryMs !== undefined) out.push('jitter-every', `${num(d.jitterEveryMs)}ms`);
  if (d.lossPercent !== undefined) out.push('loss', `${num(d.lossPercent)}%`);
  if (d.burstLossPercent !== undefined) out.push('burst-loss', `${num(d.burstLossPercent)}%`);
  if (d.burstLen !== undefined) out.push('burst-len', num(d.burstLen));
  if (d.burstMs !== undefined) out.push('burst-len', `${num(d.burstMs)}ms`);
  if (d.queueMs !== undefined) out.push('queue', `${num(d.queueMs)}ms`);
  if (d.queueBytes !== undefined) out.push('queue', `${Math.round(d.queueBytes)}b`);
  if (d.reorder !== undefined) out.push('reorder', d.reorder ? 'on' : 'off');
  return out;
}

/** linkem's settings words for a (partial) link. */
export function linkArgs(spec: { up?: Direction; down?: Direction }): string[] {
  return [...(spec.up ? ['up', ...directionArgs(spec.up)] : []), ...(spec.down ? ['down', ...directionArgs(spec.down)] : [])];
}

export interface Counters {
  frames: number; bytes: number; sent: number; sent_bytes: number; lost: number; burst_lost: number;
  queue_drops: number; oversize: number; overflow: number; tx_errors: number; tx_busy: number; held: number;
  late_max_us: number; read_lag_max_us: number;
}

/** `linkem ctl PATH ...`: throws with linkem's message when it refuses. */
export function ctl(path: string, words: string[]): string {
  return execFileSync(linkemBinary(), ['ctl', path, ...words], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function parseStats(text: string): { up: Counters; down: Counters } {
  const out: Record<string, Counters> = {};
  for (const line of text.trim().split('\n')) {
    const [dir, ...rest] = line.split(' ');
    const c: Record<string, number> = {};
    for (let i = 0; i + 1 < rest.length; i += 2) c[rest[i]] = Number(rest[i + 1]);
    out[dir] = c as unknown as Counters;
  }
  if (!out.up || !out.down) throw new Error(`linkem stats: unexpected answer: ${text}`);
  return { up: out.up, down: out.down };
}

/** A running linkem, as far as its control socket goes. */
export class LinkControl {
  constructor(readonly path: string) {}

  /** Changes the running link (only what is given; the rest stays). */
  set(spec: { up?: Direction; down?: Direction }): void {
    ctl(this.path, ['set', ...linkArgs(spec)]);
  }

  stats(): { up: Counters; down: Counters } {
    return parseStats(ctl(this.path, ['stats']));
  }

  show(): string {
    return ctl(this.path, ['show']);
  }
}
