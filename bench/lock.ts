// On a machine shared by several people, only one measurement should run at a time: they
// serialise on one lock file (`flock FILE make bench`). A section that is long but measures
// speed only in parts (the 10-minute probe-flap watch counts state changes) can take the lock
// per part instead, so others are not kept waiting: run it with MPWAN_BENCH_LOCK=FILE and
// without flock around it. Without MPWAN_BENCH_LOCK, `locked` just runs the part.
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleepMs, waitFor } from '../test/netns/lib/wait.js';

let next = 0;

export function locked<T>(what: string, part: () => T): T {
  const file = process.env.MPWAN_BENCH_LOCK;
  if (!file) return part();
  const marker = join(tmpdir(), `mpwan-bench-locked-${process.pid}-${next++}`);
  // flock holds the lock while its command runs; the command says so by creating the marker.
  // -o: the command does not inherit the lock, so killing flock's group always releases it.
  const holder = spawn('flock', ['-o', file, 'sh', '-c', ': > "$0"; exec sleep infinity', marker], { detached: true, stdio: 'ignore' });
  const release = () => { try { process.kill(-holder.pid!, 'SIGKILL'); } catch { /* gone */ } };
  process.on('exit', release);
  try {
    const held = () => existsSync(marker);
    for (let i = 0; i < 10 && !held(); i++) sleepMs(50);
    if (!held()) {
      console.error(`bench: waiting for ${file} (${what})`);
      waitFor(`the bench lock ${file}`, held, 36000, 0.1);
    }
    return part();
  } finally {
    release();
    process.off('exit', release);
    rmSync(marker, { force: true });
  }
}
