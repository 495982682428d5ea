// What linkem (test/linkem) costs: CPU of the linkem process while one TCP transfer fills a
// 200 Mbit/s link (5 ms each way), as utime + stime of its /proc/<pid>/stat.
import { readFileSync } from 'node:fs';
import { Topology, sweepStale } from '../../test/netns/lib/topology.js';
import { iperf } from '../../test/netns/lib/traffic.js';
import { median } from '../stats.js';
import type { LinkemSection } from '../types.js';

const RATE = 200;
const SECONDS = 10;
const REPS = Number(process.env.BENCH_LINKEM_RUNS ?? 3);

const cpuTicks = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]);
};

export function benchLinkem(): LinkemSection {
  sweepStale();
  const topo = new Topology({ wans: 1, links: [{ up: { rateMbit: RATE, delayMs: 5 }, down: { rateMbit: RATE, delayMs: 5 } }] });
  try {
    const w = topo.wans[0];
    const share: number[] = [];
    const mbit: number[] = [];
    for (let i = 0; i < REPS; i++) {
      // Over the whole iperf3 run, setup included (linkem idles then), per second of transfer.
      const before = cpuTicks(w.link!.pid);
      const r = iperf(topo, { clientNs: topo.rtr, serverNs: topo.vps, address: w.gw, seconds: SECONDS, mptcp: false });
      share.push(Math.round(((cpuTicks(w.link!.pid) - before) / 100 / SECONDS) * 1000) / 10);
      mbit.push(Math.round(r.bitsPerSecond / 1e5) / 10);
      console.error(`linkem at ${RATE} Mbit/s: ${share.at(-1)}% of a core, TCP ${mbit.at(-1)} Mbit/s`);
    }
    return { rateMbit: RATE, seconds: SECONDS, cpuPercent: { median: median(share), runs: share }, tcpMbit: { median: median(mbit), runs: mbit } };
  } finally {
    topo.destroy();
  }
}
