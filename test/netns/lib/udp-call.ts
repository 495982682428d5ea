// A "call": a 50 packets/s UDP echo flow from the LAN client to a far end that logs where each
// datagram came from (udp-peer.mjs), optionally with the uplink carrying it silently dying
// mid-call. Shared by the UDP test and `make bench`.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Topology } from './topology.js';
import type { Aggregation } from './aggregation.js';
import { cut, restore } from './failover.js';
import { startProbe, type ProbeLine } from './internet.js';
import { sleepMs, waitFor } from './wait.js';

const PEER = new URL('./udp-peer.mjs', import.meta.url).pathname;
export const CALL_PORT = 9100;

export interface CallResult {
  /** The LAN client's answers. */
  lines: ProbeLine[];
  /** Epoch ms of the cut (0: none). */
  cutMs: number;
  /** What the far end received: seq -> the peer address:port of each copy. */
  received: Map<number, string[]>;
}

/** The longest time between two answers around `from` (epoch ms), and whether answers came well after it. */
export function longestGap(lines: ProbeLine[], from: number): { gapMs: number; resumed: boolean } {
  const times = lines.filter((l) => l.ok && l.ms >= from - 1000).map((l) => l.ms);
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i] - times[i - 1]);
  return { gapMs: gap, resumed: times.some((t) => t > from + 1000) };
}

/** Datagrams sent that the far end never received. */
export function lost(r: CallResult): number[] {
  const sent = Math.max(0, ...r.lines.map((l) => l.seq), ...r.received.keys());
  return Array.from({ length: sent }, (_, i) => i + 1).filter((s) => !r.received.has(s));
}

/** A call of `seconds`; with `cutAt`, the uplink carrying it (the relay's first path, else wan) dies silently then. */
export function call(topo: Topology, agg: Aggregation, dir: string, name: string, seconds: number, cutAt: number | null): CallResult {
  const log = join(dir, `peer-${name}.log`);
  const peer: ChildProcess = topo.spawn(topo.dst, [process.execPath, PEER, '--port', String(CALL_PORT), '--log', log]);
  try {
    waitFor('the far end', () => topo.exec(topo.dst, ['ss', '-Hlun', `sport = :${CALL_PORT}`]).stdout.trim() !== '', 100);
    const carrier = agg.rtr.json(['status']).json.proxy.udp.paths[0]?.uplink === 'wan2' ? topo.wans[1] : topo.wans[0];
    const started = Date.now();
    const probe = startProbe(topo, topo.cli, dir, name, { mode: 'echo', to: `${topo.destination}:${CALL_PORT}`, every: 20, for: seconds * 1000 });
    let cutMs = 0;
    if (cutAt !== null) {
      sleepMs(cutAt * 1000);
      cutMs = Date.now();
      cut(topo, carrier, 'silent-drop');
    }
    // The probe stops by itself after `seconds` (tests block this thread: no exit event is seen).
    sleepMs(Math.max(0, started + seconds * 1000 + 1000 - Date.now()));
    if (cutAt !== null) restore(topo, carrier, 'silent-drop');
    const received = new Map<number, string[]>();
    for (const line of readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
      const [seq, from] = line.split(' ');
      received.set(Number(seq), [...(received.get(Number(seq)) ?? []), from]);
    }
    return { lines: probe.lines(), cutMs, received };
  } finally {
    try { process.kill(-peer.pid!, 'SIGKILL'); } catch { /* gone */ }
  }
}
