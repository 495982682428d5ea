// Side-by-side settings on the link profiles, outside `make bench` (nothing is written to
// results.json): mpwan as it is against each variant, in the same rounds, one line per round
// on stderr and the figures as JSON on stdout. Needs `make build linkem`. For example:
//   BENCH_PROFILES=fibre-lte BENCH_PROFILE_RUNS=3 BENCH_PROFILE_CALLS=0 BENCH_PROFILE_VARIANTS_ONLY=1 \
//   BENCH_PROFILE_VARIANTS='relay-reno:proxy.congestion=system' QJS=$(scripts/ensure-qjs.sh) npx tsx bench/experiments/variants.ts
// (variant syntax: bench/sections/profiles.ts, parseVariants).
import { benchProfiles } from '../sections/profiles.js';

const r = benchProfiles();
console.log(JSON.stringify(r.profiles.map((p) => ({ name: p.name, down: p.down, up: p.up, call: p.call })), null, 1));
