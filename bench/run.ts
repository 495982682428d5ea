// `make bench`: measures mpwan on this machine and writes bench/results.md.
// Figures are medians of repeated runs side by side in one session; the machine is noisy,
// so compare rows of the same table, not numbers across runs.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Topology, sweepStale } from '../test/netns/lib/topology.js';
import { Router } from '../test/netns/lib/mpwan.js';
import { repoRoot } from '../test/lib/install.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);

interface Sample { ms: number; rssKb: number }

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];

/** One timed run of the installed CLI in the router namespace, with its peak RSS. */
function timed(topo: Topology, rtr: Router, args: string[]): Sample {
  const env = rtr.env();
  const argv = ['ip', 'netns', 'exec', topo.rtr, 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
    '/usr/bin/time', '-f', '%M', ...rtr.argv(args)];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  const rssKb = Number(r.stderr.trim().split('\n').pop());
  return { ms, rssKb };
}

/** Baseline: the same wrapper around a program that does nothing, to show the harness cost. */
function baseline(topo: Topology): number {
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    spawnSync('ip', ['netns', 'exec', topo.rtr, 'env', '/usr/bin/time', '-f', '%M', 'true']);
    xs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(xs);
}

function benchApply(wans: number) {
  const topo = new Topology({ wans });
  const rtr = new Router(topo);
  try {
    rtr.writeDefaultConfig();
    const cold: Sample[] = [];
    const noop: Sample[] = [];
    for (let i = 0; i < RUNS; i++) {
      rtr.run(['stop']);
      cold.push(timed(topo, rtr, ['apply']));
      noop.push(timed(topo, rtr, ['apply']));
    }
    const status = Array.from({ length: RUNS }, () => timed(topo, rtr, ['status', '--json']));
    return { wans, cold, noop, status, harnessMs: baseline(topo) };
  } finally {
    rtr.cleanup();
    topo.destroy();
  }
}

function fmt(samples: Sample[]) {
  const ms = samples.map((s) => s.ms);
  return { median: median(ms).toFixed(1), p95: p95(ms).toFixed(1), rss: (Math.max(...samples.map((s) => s.rssKb)) / 1024).toFixed(1) };
}

sweepStale();
const bundle = `${repoRoot}/build/bundle/mpwan.js`;
const size = statSync(bundle).size;
const gz = gzipSync(readFileSync(bundle)).length;
const results = [benchApply(2), benchApply(8)];

const lines = [
  '# mpwan benchmark',
  '',
  `Machine: ${spawnSync('nproc').stdout.toString().trim()} cores, kernel ${spawnSync('uname', ['-r']).stdout.toString().trim()}, ` +
    `qjs ${process.env.QJS ?? 'qjs'}; ${RUNS} runs each; wall time includes starting qjs and every ip/ubus call.`,
  '',
  '## `mpwan apply` and `status` (installed bundle under qjs, real kernel in a namespace)',
  '',
  '| uplinks | run | median ms | p95 ms | peak RSS MB | goal |',
  '|---|---|---|---|---|---|',
];
for (const r of results) {
  const c = fmt(r.cold), n = fmt(r.noop), s = fmt(r.status);
  lines.push(`| ${r.wans} | apply, cold (all changes) | ${c.median} | ${c.p95} | ${c.rss} | RSS < 8 MB |`);
  lines.push(`| ${r.wans} | apply, no-op | ${n.median} | ${n.p95} | ${n.rss} | < 50 ms, RSS < 8 MB |`);
  lines.push(`| ${r.wans} | status --json | ${s.median} | ${s.p95} | ${s.rss} | |`);
}
lines.push('', `Harness cost included above (\`ip netns exec\` + \`time\` around \`true\`): ${results[0].harnessMs.toFixed(1)} ms median.`);
lines.push('', '## Bundle', '', '| file | bytes | gzip | goal |', '|---|---|---|---|',
  `| /usr/sbin/mpwan | ${size} | ${gz} | < 150 KB |`, '');
const text = lines.join('\n');
writeFileSync(`${repoRoot}/bench/results.md`, text);
console.log(text);
