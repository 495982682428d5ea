// Health probes under jitter and loss: the daemon at default probe settings for 10 minutes on
// the first link profile with the LTE link's jitter raised to 20 ms (0.5% loss each way), the
// uplinks' state changes counted (goal: none); then a real outage of each uplink (a silent
// drop), timed from the cut until the daemon declares it down, beside the same on plain tbf
// links (today's figure). Bench only: it takes 10 minutes. The watch counts state changes, not
// speed, so it runs outside the bench lock; the outages are timed holding it (bench/lock.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Topology, sweepStale } from '../../test/netns/lib/topology.js';
import { setupAggregation, type Aggregation } from '../../test/netns/lib/aggregation.js';
import { cut, restore } from '../../test/netns/lib/failover.js';
import { sleepMs, waitFor } from '../../test/netns/lib/wait.js';
import { PROFILES } from '../../test/linkem/profiles.js';
import type { LinkSpec } from '../../test/linkem/linkem.js';
import { spread } from '../stats.js';
import { locked } from '../lock.js';
import type { ProbeFlapsSection } from '../types.js';

const WATCH_S = Number(process.env.BENCH_FLAP_SECONDS ?? 600);
const OUTAGES = Number(process.env.BENCH_FLAP_OUTAGES ?? 5);
const UPLINKS = ['wan', 'wan2'];

type Health = Record<string, { state: string; since?: number; suspect?: boolean }>;
const healthOf = (agg: Aggregation): Health => {
  try { return JSON.parse(readFileSync(join(agg.rtr.dir, 'run/state.json'), 'utf8')).uplinks; } catch { return {}; }
};

/** Seconds from a silent drop of each uplink until the daemon says it is down, `OUTAGES` times each. */
function declareDown(topo: Topology, agg: Aggregation): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  topo.wans.forEach((w, i) => {
    const name = UPLINKS[i];
    for (let k = 0; k < OUTAGES; k++) {
      waitFor('both uplinks up and settled', () => UPLINKS.every((u) => healthOf(agg)[u]?.state === 'up' && healthOf(agg)[u]?.suspect === false), 600);
      sleepMs(2000);
      const t0 = performance.now();
      cut(topo, w, 'silent-drop');
      try {
        waitFor(`${name} declared down`, () => healthOf(agg)[name]?.state === 'down', 400, 0.02);
        (out[name] ??= []).push((performance.now() - t0) / 1000);
      } finally {
        restore(topo, w, 'silent-drop');
      }
    }
  });
  return out;
}

function watch(links: LinkSpec[] | undefined): { changes: Record<string, number>; suspects: Record<string, number>; down: Record<string, number[]> } {
  sweepStale();
  const topo = new Topology({ wans: 2, ...(links ? { links } : { rateMbit: 20 }), lan: true, dst: true, strictRpFilter: true, buffers: 'stock' });
  const agg = setupAggregation(topo);
  try {
    const changes: Record<string, number> = {}, suspects: Record<string, number> = {};
    if (links) {
      waitFor('both uplinks up', () => UPLINKS.every((u) => healthOf(agg)[u]?.state === 'up'), 600);
      let prev = healthOf(agg);
      const end = performance.now() + WATCH_S * 1000;
      // state.json is rewritten every round (0.5 s); 0.2 s polls see every state and suspect flip.
      while (performance.now() < end) {
        sleepMs(200);
        const now = healthOf(agg);
        for (const u of UPLINKS) {
          if (!now[u] || !prev[u]) continue;
          if (now[u].state !== prev[u].state || now[u].since !== prev[u].since) changes[u] = (changes[u] ?? 0) + 1;
          if (now[u].suspect && !prev[u].suspect) suspects[u] = (suspects[u] ?? 0) + 1;
        }
        prev = now;
      }
      console.error(`probe flaps over ${WATCH_S} s: state changes ${JSON.stringify(changes)}, suspect rounds began ${JSON.stringify(suspects)}`);
    }
    const down = locked(`outages timed on ${links ? 'the profile' : 'tbf links'}`, () => declareDown(topo, agg));
    console.error(`declared down after a silent drop (${links ? 'profile' : 'tbf'}): ${JSON.stringify(down)}`);
    return { changes, suspects, down };
  } finally {
    agg.cleanup();
    topo.destroy();
  }
}

export function benchProbeFlaps(): ProbeFlapsSection {
  const p = PROFILES[0];
  const links = p.links.map((l) => (l.name === 'LTE' ? { ...l, up: { ...l.up, jitterMs: 20 }, down: { ...l.down, jitterMs: 20 } } : l));
  const jittery = watch(links);
  const plain = watch(undefined);
  return {
    profile: p.name,
    links: links.map((l) => `${l.name}: delay ${l.down.delayMs} ms, jitter ${l.down.jitterMs ?? 0} ms, loss ${l.down.lossPercent ?? 0}%`),
    watchS: WATCH_S,
    stateChanges: Object.fromEntries(UPLINKS.map((u) => [u, jittery.changes[u] ?? 0])),
    suspectRounds: Object.fromEntries(UPLINKS.map((u) => [u, jittery.suspects[u] ?? 0])),
    declaredDownS: Object.fromEntries(UPLINKS.map((u) => [u, spread(jittery.down[u] ?? [])])),
    declaredDownTbfS: Object.fromEntries(UPLINKS.map((u) => [u, spread(plain.down[u] ?? [])])),
  };
}
