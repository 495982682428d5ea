// `make bench`: measures mpwan on this machine into bench/results.json, then renders
// bench/results.md and the figures in README.md from it (bench/render/; `npx tsx bench/render/index.ts` renders only).
//   BENCH_ONLY=cli,failover make bench   measures only those sections, keeping the others
//   BENCH_ONLY=profileTuning make bench  the settings mpwan could change, on the link profiles (not in a plain run)
//   MPWAN_BENCH_LOCK=/tmp/mpwan-bench.lock BENCH_ONLY=probeFlaps,profileFailover make bench
//     on a shared machine: these two long sections take that lock per part (bench/lock.ts), not
//     for their whole time; every other section wants `flock FILE make bench` around it
// Medians of repeated runs side by side in one session; the machine is noisy, so compare rows
// of the same table, not numbers across runs.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../test/lib/install.js';
import { benchCli } from './sections/cli.js';
import { benchAggregation } from './sections/aggregation.js';
import { benchFailover } from './sections/failover.js';
import { benchDefaultRoute } from './sections/default-route.js';
import { benchLuci } from './sections/luci.js';
import { benchRelay } from './relay.js';
import { benchUdpCalls } from './sections/udp-calls.js';
import { benchServerFailover } from './sections/servers.js';
import { benchMetered } from './sections/metered.js';
import { benchLinkem } from './sections/linkem.js';
import { benchProfileTuning, benchProfiles } from './sections/profiles.js';
import { benchProfileFailover } from './sections/profile-failover.js';
import { benchProbeFlaps } from './sections/probe-flaps.js';
import { benchFeed } from './sections/feed.js';
import { benchEvents } from './sections/events.js';
import { benchConnections } from './sections/connections.js';
import { renderAll } from './render/index.js';
import type { Results } from './types.js';

const SECTIONS: Record<string, () => unknown> = {
  cli: benchCli,
  aggregation: benchAggregation,
  failover: benchFailover,
  defaultRoute: benchDefaultRoute,
  luci: benchLuci,
  relay: benchRelay,
  udpCalls: benchUdpCalls,
  linkem: benchLinkem,
  profiles: benchProfiles,
  profileTuning: benchProfileTuning,
  profileFailover: benchProfileFailover,
  probeFlaps: benchProbeFlaps,
  feed: benchFeed,
  serverFailover: benchServerFailover,
  metered: benchMetered,
  events: benchEvents,
  connections: benchConnections,
};

/** Sections only run when BENCH_ONLY names them (their figures are kept): profileTuning takes ~25 minutes. */
const OPT_IN = ['profileTuning'];
const file = join(repoRoot, 'bench/results.json');
const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
for (const name of only ?? []) if (!(name in SECTIONS)) throw new Error(`BENCH_ONLY: no section '${name}' (have: ${Object.keys(SECTIONS).join(', ')})`);
const previous: Results | null = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
const results: Results = only && previous ? previous : { machine: { cores: 0, kernel: '' }, sections: {} };
// A plain run measures everything but the opt-in sections, whose last figures it keeps.
if (!only && previous) for (const name of OPT_IN) if (previous.sections[name]) results.sections[name] = previous.sections[name];
results.machine = {
  cores: Number(spawnSync('nproc').stdout.toString().trim()),
  kernel: spawnSync('uname', ['-r']).stdout.toString().trim(),
};
for (const [name, run] of Object.entries(SECTIONS)) {
  if (only ? !only.includes(name) : OPT_IN.includes(name)) continue;
  console.error(`bench: ${name}`);
  const section = { measured: new Date().toISOString(), data: await run() };
  // Re-read before writing: another BENCH_ONLY run may have written its sections meanwhile.
  if (only && existsSync(file)) results.sections = JSON.parse(readFileSync(file, 'utf8')).sections;
  results.sections[name] = section;
  writeFileSync(file, JSON.stringify(results, null, 1) + '\n');
}
renderAll(results);
