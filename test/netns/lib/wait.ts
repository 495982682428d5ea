// Bounded polling: waits for a condition in the kernel or a state file, never for wall-clock time.
import type { Topology } from './topology.js';

/** Blocks this thread (tests drive namespaces synchronously; no event loop runs meanwhile). */
export const sleepMs = (ms: number) => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms); };

export function waitFor<T>(what: string, probe: () => T | null | undefined | false, tries = 200, stepS = 0.05): T {
  for (let i = 0; i < tries; i++) {
    const v = probe();
    if (v) return v;
    sleepMs(stepS * 1000);
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Until something listens on TCP `port` in namespace `ns`. */
export function waitListening(topo: Topology, ns: string, port: number) {
  waitFor(`a listener on port ${port} in ${ns}`, () => topo.exec(ns, ['ss', '-Hltn', `sport = :${port}`]).stdout.trim() !== '', 100);
}
