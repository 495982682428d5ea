// Driving load.ts (many LAN connections) from a test or the bench: start it in the LAN client's
// namespace, read what it printed, wait for its summary line; and the TIME_WAIT sockets of a
// namespace, the cost those connections leave behind.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Topology } from '../../netns/lib/topology.js';
import { waitFor } from '../../netns/lib/wait.js';
import { loadArgv } from './relay.js';

export interface LoadRun {
  /** What it printed so far. */
  text: () => string;
  /** Its summary (JSON), once printed; `each` runs at every poll. */
  summary: (tries: number, stepS?: number, each?: () => void) => any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** load.ts `mode` in the LAN client's namespace, towards `host`:`port`; its output under `dir`. */
export function startLoad(topo: Topology, dir: string, mode: string, o: Record<string, unknown>): LoadRun {
  const out = join(dir, `load-${mode}-${Date.now()}.out`);
  writeFileSync(out, '');
  topo.spawn(topo.cli, loadArgv(mode, o), {}, out);
  const text = () => readFileSync(out, 'utf8');
  return {
    text,
    summary: (tries, stepS = 0.05, each = () => undefined) => JSON.parse(waitFor(`load ${mode} to finish`, () => {
      each();
      return text().split('\n').find((l) => l.startsWith('{"started"'));
    }, tries, stepS)!),
  };
}

export const timeWaits = (topo: Topology, ns: string) => topo.exec(ns, ['ss', '-Htan', 'state', 'time-wait']).stdout.split('\n').filter(Boolean).length;
