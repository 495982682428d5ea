// Runs inside the router namespace (started once with `ip netns exec`), so the timings
// below exclude entering the namespace: argv JSON and stdin from the spec file, N runs.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8')) as { argv: string[]; input: string; runs: number; env: Record<string, string> };
const ms: number[] = [];
const rssKb: number[] = [];
for (let i = 0; i < spec.runs; i++) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(spec.argv[0], spec.argv.slice(1), { input: spec.input, env: spec.env, encoding: 'utf8' });
  ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  if (r.status !== 0) throw new Error(`${spec.argv.join(' ')}: ${r.stderr}`);
  // Peak RSS from a second run under GNU time (kept out of the wall-time figure).
  const t = spawnSync('/usr/bin/time', ['-f', '%M', ...spec.argv], { input: spec.input, env: spec.env, encoding: 'utf8' });
  rssKb.push(Number(t.stderr.trim().split('\n').pop()));
}
process.stdout.write(JSON.stringify({ ms, rssKb }));
