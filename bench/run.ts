// `make bench`: measures mpwan on this machine into bench/results.json, then renders
// bench/results.md and the figures in README.md from it (bench/render/; `npx tsx bench/render/index.ts` renders only).
//   BENCH_ONLY=cli,failover make bench   measures only those sections, keeping the others
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
import { benchLinkem } from './sections/linkem.js';
import { benchProfiles } from './sections/profiles.js';
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
  profileFailover: benchProfileFailover,
  probeFlaps: benchProbeFlaps,
  feed: benchFeed,
  events: benchEvents,
  connections: benchConnections,
};

const file = join(repoRoot, 'bench/results.json');
const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
for (const name of only ?? []) if (!(name in SECTIONS)) throw new Error(`BENCH_ONLY: no section '${name}' (have: ${Object.keys(SECTIONS).join(', ')})`);
const results: Results = only && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { machine: { cores: 0, kernel: '' }, sections: {} };
results.machine = {
  cores: Number(spawnSync('nproc').stdout.toString().trim()),
  kernel: spawnSync('uname', ['-r']).stdout.toString().trim(),
};
for (const [name, run] of Object.entries(SECTIONS)) {
  if (only && !only.includes(name)) continue;
  console.error(`bench: ${name}`);
  const section = { measured: new Date().toISOString(), data: await run() };
  // Re-read before writing: another BENCH_ONLY run may have written its sections meanwhile.
  if (only && existsSync(file)) results.sections = JSON.parse(readFileSync(file, 'utf8')).sections;
  results.sections[name] = section;
  writeFileSync(file, JSON.stringify(results, null, 1) + '\n');
}
renderAll(results);
