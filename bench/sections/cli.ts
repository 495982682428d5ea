// The CLI and the ubus plugin as installed, under qjs, against the real kernel in a namespace:
// apply (cold and no-op), status, and the plugin's list/status/plan, timed from inside the
// namespace (measure.ts); peak RSS from separate runs under GNU time. Bundle sizes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Topology, sweepStale } from '../../test/netns/lib/topology.js';
import { Router } from '../../test/netns/lib/mpwan.js';
import { repoRoot } from '../../test/lib/install.js';
import { qjsPath } from '../../test/lib/qjs.js';
import { waitFor } from '../../test/netns/lib/wait.js';
import { median, p95 } from '../stats.js';
import type { CliSection } from '../types.js';

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

const summary = (samples: Sample[]) => {
  const ms = samples.map((s) => s.ms);
  const r1 = (x: number) => Math.round(x * 10) / 10;
  return { median: r1(median(ms)), p95: r1(p95(ms)), rssMb: r1(Math.max(...samples.map((s) => s.rssKb)) / 1024) };
};

function benchUplinks(wans: number): CliSection['uplinks'][number] {
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
    const plugin = (verb: string[], input: string) => measure(topo, rtr, [qjsPath(), `${rtr.root}/usr/libexec/rpcd/mpwan`, ...verb], input);
    const noop = measure(topo, rtr, rtr.argv(['apply']));
    const status = measure(topo, rtr, rtr.argv(['status', '--json']));
    const rpcStatusNoDaemon = plugin(['call', 'status'], '{"ubus_rpc_session":"x"}');
    const rpcPlan = plugin(['call', 'plan'], '{}');
    const rpcList = plugin(['list'], '');
    // What LuCI polls: the plugin while the daemon runs (it answers from the daemon's last re-plan).
    rtr.startDaemon();
    waitFor('the daemon', () => rtr.daemonState()?.reloads === 1);
    const rpcStatus = plugin(['call', 'status'], '{"ubus_rpc_session":"x"}');
    return {
      wans,
      applyCold: { ...summary(cold), rssMb: Math.round((Math.max(...coldRss) / 1024) * 10) / 10 },
      applyNoop: summary(noop),
      status: summary(status),
      rpcList: summary(rpcList),
      rpcStatus: summary(rpcStatus),
      rpcStatusNoDaemon: summary(rpcStatusNoDaemon),
      rpcPlan: summary(rpcPlan),
    };
  } finally {
    rtr.cleanup();
    topo.destroy();
  }
}

export function benchCli(): CliSection {
  sweepStale();
  const bundles = [
    ['/usr/sbin/mpwan', 'build/bundle/mpwan.js'], ['/usr/libexec/rpcd/mpwan', 'build/bundle/rpcd-mpwan.js'],
    ['/usr/share/mpwan/rpcd-methods.js', 'build/bundle/rpcd-methods.js'],
  ].map(([name, file]) => {
    const data = readFileSync(join(repoRoot, file));
    return { name, bytes: statSync(join(repoRoot, file)).size, gzip: gzipSync(data).length };
  });
  return { runs: RUNS, uplinks: [benchUplinks(2), benchUplinks(8)], bundles };
}
