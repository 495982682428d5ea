// The four link profiles of issue 20, in one place: the tests, `make bench` and `make demo` take
// them from here. Rates are what the ISP sells (download = `down`, upload = `up`); delays one
// way, the same both ways (RTT = 2 x delay); jitter, loss and bursts both ways. Every link
// queues at most 100 ms (what tbf gets in the other tests), a typical access-link buffer.
import type { Direction, LinkSpec } from './linkem.js';

export interface Profile {
  name: string;
  title: string;
  /** The lower-delay link first: it is the router's first WAN (wan, the main route). */
  links: [LinkSpec, LinkSpec];
}

function link(name: string, downMbit: number, upMbit: number, both: Direction): LinkSpec {
  return { name, down: { rateMbit: downMbit, queueMs: 100, ...both }, up: { rateMbit: upMbit, queueMs: 100, ...both } };
}

export const PROFILES: Profile[] = [
  {
    name: 'fibre-lte',
    title: 'fibre 100/40 Mbit/s 5 ms + LTE 40/10 Mbit/s 45 ms, jitter 10 ms, 0.5% loss',
    links: [link('fibre', 100, 40, { delayMs: 5 }), link('LTE', 40, 10, { delayMs: 45, jitterMs: 10, lossPercent: 0.5 })],
  },
  {
    name: 'dsl-lte',
    title: 'DSL 16/2 Mbit/s 25 ms + LTE 40/10 Mbit/s 60 ms, jitter 20 ms',
    links: [link('DSL', 16, 2, { delayMs: 25 }), link('LTE', 40, 10, { delayMs: 60, jitterMs: 20 })],
  },
  {
    name: 'starlink-lte',
    // Starlink loses packets in outages (satellite handovers, obstructions) more than one by one:
    // 1% of the time in outages of 40 ms on average (one every 4 s), each way on its own.
    title: 'Starlink-like 150/20 Mbit/s 35 ms, 1% loss in outages of 40 ms + LTE 40/10 Mbit/s 50 ms',
    links: [link('Starlink', 150, 20, { delayMs: 35, burstLossPercent: 1, burstMs: 40 }), link('LTE', 40, 10, { delayMs: 50 })],
  },
  {
    name: 'geo-dsl',
    // Geostationary: ~36,000 km up and down again each way, so about 300 ms one way, 600 ms RTT.
    title: 'geostationary satellite 30/5 Mbit/s 600 ms RTT + DSL 16/2 Mbit/s 25 ms',
    links: [link('DSL', 16, 2, { delayMs: 25 }), link('satellite', 30, 5, { delayMs: 300 })],
  },
];

/**
 * A clean link: the same rate both ways, a fixed one-way delay, no jitter or loss. For tests
 * that need a rate and a real delay (BBR, which the relay uses, misjudges links with none).
 */
export function cleanLink(name: string, rateMbit: number, delayMs: number): LinkSpec {
  return link(name, rateMbit, rateMbit, { delayMs });
}

export function profile(name: string): Profile {
  const p = PROFILES.find((x) => x.name === name);
  if (!p) throw new Error(`no link profile '${name}' (have: ${PROFILES.map((x) => x.name).join(', ')})`);
  return p;
}
