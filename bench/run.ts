// `make bench`: measures mpwan on this machine and writes bench/results.md.
// Medians of repeated runs side by side in one session; the machine is noisy, so compare
// rows of the same table, not numbers across runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Topology, sweepStale } from '../test/netns/lib/topology.js';
import { Router } from '../test/netns/lib/mpwan.js';
import { repoRoot } from '../test/lib/install.js';
import { qjsPath } from '../test/lib/qjs.js';
import { benchAggregation } from './aggregation.js';
import { median, p95 } from './stats.js';
import { benchFailover } from './failover.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);

interface Sample { ms: number; rssKb: number }


/** `runs` runs of argv in the router namespace, timed from inside it (see measure.ts). */
function measure(topo: Topology, rtr: Router, argv: string[], input = '', runs = RUNS): Sample[] {
  const dir = mkdtempSync(join(tmpdir(), 'mpwan-bench-'));
  try {
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify({ argv, input, runs, env: rtr.env() }));
    const r = spawnSync('ip', ['netns', 'exec', topo.rtr, process.execPath, '--import', 'tsx', `${repoRoot}/bench/measure.ts`, spec], { encoding: 'utf8', cwd: repoRoot });
    if (r.status !== 0) throw new Error(r.stderr);
    const { ms, rssKb } = JSON.parse(r.stdout) as { ms: number[]; rssKb: number[] };
    return ms.map((m, i) => ({ ms: m, rssKb: rssKb[i] }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function benchUplinks(wans: number) {
  const topo = new Topology({ wans });
  const rtr = new Router(topo);
  try {
    rtr.writeDefaultConfig();
    const cold: Sample[] = [];
    for (let i = 0; i < RUNS; i++) {
      rtr.run(['stop']);
      cold.push(...measure(topo, rtr, rtr.argv(['apply']), '', 1)); // its second (RSS) run is a no-op
    }
    const coldRss: number[] = [];
    for (let i = 0; i < 3; i++) {
      rtr.run(['stop']);
      coldRss.push(measure(topo, rtr, ['/usr/bin/time', '-f', '%M', ...rtr.argv(['apply'])], '', 1)[0].rssKb);
    }
    const noop = measure(topo, rtr, rtr.argv(['apply']));
    const status = measure(topo, rtr, rtr.argv(['status', '--json']));
    const plugin = (verb: string[], input: string) => measure(topo, rtr, [qjsPath(), `${rtr.root}/usr/libexec/rpcd/mpwan`, ...verb], input);
    const rpc = {
      list: plugin(['list'], ''),
      status: plugin(['call', 'status'], '{"ubus_rpc_session":"x"}'),
      plan: plugin(['call', 'plan'], '{}'),
    };
    return { wans, cold: cold.map((c, i) => ({ ms: c.ms, rssKb: coldRss[i % coldRss.length] })), noop, status, rpc };
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
const bundles = [['/usr/sbin/mpwan', 'build/bundle/mpwan.js', '< 150 KB'], ['/usr/libexec/rpcd/mpwan', 'build/bundle/rpcd-mpwan.js', '']];
const results = [benchUplinks(2), benchUplinks(8)];

const lines = [
  '# mpwan benchmark',
  '',
  `Machine: ${spawnSync('nproc').stdout.toString().trim()} cores, kernel ${spawnSync('uname', ['-r']).stdout.toString().trim()}; ` +
    `${RUNS} runs each. Wall time is measured inside the router namespace and includes starting qjs and every ` +
    '`ip`/`ubus` call; peak RSS comes from separate runs under GNU time. Reproduce: `make bench`.',
  '',
  '## `mpwan` CLI (installed bundle under qjs, real kernel in a namespace)',
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
lines.push('', '## ubus plugin (`/usr/libexec/rpcd/mpwan`, argv and stdin as rpcd passes them)', '',
  '| uplinks | call | median ms | p95 ms | peak RSS MB | goal |', '|---|---|---|---|---|---|');
for (const r of results) {
  const l = fmt(r.rpc.list), s = fmt(r.rpc.status), p = fmt(r.rpc.plan);
  lines.push(`| ${r.wans} | list | ${l.median} | ${l.p95} | ${l.rss} | < 10 ms |`);
  lines.push(`| ${r.wans} | call status | ${s.median} | ${s.p95} | ${s.rss} | < 25 ms |`);
  lines.push(`| ${r.wans} | call plan | ${p.median} | ${p.p95} | ${p.rss} | |`);
}
lines.push('', '## Bundles', '', '| file | bytes | gzip | goal |', '|---|---|---|---|');
for (const [name, file, goal] of bundles) {
  const data = readFileSync(join(repoRoot, file));
  lines.push(`| ${name} | ${statSync(join(repoRoot, file)).size} | ${gzipSync(data).length} | ${goal} |`);
}
// Throughput and failover need shaped links and seconds-long transfers: BENCH_QUICK=1 skips them.
if (!process.env.BENCH_QUICK) lines.push('', ...benchAggregation(), '', ...benchFailover());
const text = lines.join('\n') + '\n';
writeFileSync(`${repoRoot}/bench/results.md`, text);
console.log(text);
