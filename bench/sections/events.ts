// How fast the daemon tells scripts and repairs its nft table. Part of `make bench` (bench/run.ts).
// - An uplink's link goes down (its far end: the router sees carrier loss, netifd says nothing):
//   seconds until the daemon decides it is down (its log line, written as it publishes the
//   event) and until `ubus listen mpwan.uplink` prints it. The kernel announces link changes in
//   batches at most once a second (linkwatch), so each cut comes over a second after the last
//   restore.
// - `nft delete table inet mpwan` by hand: seconds until the table is back (nft monitor).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Topology, sweepStale } from '../../test/netns/lib/topology.js';
import { Router } from '../../test/netns/lib/mpwan.js';
import { sleepMs, waitFor } from '../../test/netns/lib/wait.js';
import { spread } from '../stats.js';
import type { EventsSection } from '../types.js';

const REPS = Number(process.env.BENCH_EVENTS_RUNS ?? 5);

export function benchEvents(): EventsSection {
  sweepStale();
  const topo = new Topology({ wans: 2 });
  const rtr = new Router(topo);
  try {
    rtr.writeDefaultConfig();
    const daemon = rtr.startDaemon();
    const endpoints = () => topo.ipJson<{ address: string }[]>(topo.rtr, 'mptcp', 'endpoint', 'show').length;
    waitFor('the first apply', () => endpoints() === 2);
    rtr.settledDaemonState();
    const log = join(rtr.dir, 'listen.log');
    topo.spawn(topo.rtr, [join(rtr.dir, 'stand-ins/ubus'), 'listen', 'mpwan.uplink'], rtr.env(), log);
    waitFor('ubus listen to register', () => existsSync(join(rtr.dir, 'ubusd')) && readdirSync(join(rtr.dir, 'ubusd')).some((f) => f.endsWith('.patterns')));
    const heard = (state: string) => readFileSync(log, 'utf8').split('\n').filter((l) => l.includes(`"state":"${state}"`)).length;
    const decided = () => (daemon.log().match(/uplink wan is down/g) ?? []).length;
    const down: number[] = [];
    const afterDecision: number[] = [];
    const w = topo.wans[0];
    for (let i = 0; i < REPS; i++) {
      sleepMs(1200); // linkwatch's pause since the last link change
      const [before, decisions] = [heard('down'), decided()];
      const cutAt = performance.now();
      topo.ip(topo.vps, 'link', 'set', w.peer, 'down');
      let decidedAt = 0, heardAt = 0;
      waitFor('the daemon to decide, and ubus listen to print it', () => {
        const now = performance.now();
        if (!decidedAt && decided() > decisions) decidedAt = now;
        if (!heardAt && heard('down') > before) heardAt = now;
        return decidedAt && heardAt;
      }, 4000, 0.001);
      down.push((heardAt - cutAt) / 1000);
      afterDecision.push(Math.max(0, heardAt - decidedAt) / 1000);
      const ups = heard('up');
      topo.ip(topo.vps, 'link', 'set', w.peer, 'up');
      waitFor('the uplink back, with its endpoint', () => heard('up') > ups && endpoints() === 2, 400);
      console.error(`events: uplink down decided ${((decidedAt - cutAt) / 1000).toFixed(3)} s after the cut, heard ${down[i].toFixed(3)} s after it`);
    }
    const back: number[] = [];
    const table = () => topo.exec(topo.rtr, ['nft', 'list', 'table', 'inet', 'mpwan']).status === 0;
    for (let i = 0; i < REPS; i++) {
      waitFor('the table', table);
      const at = performance.now();
      topo.exec(topo.rtr, ['nft', 'delete', 'table', 'inet', 'mpwan']);
      waitFor('the table back', table, 2000, 0.005);
      back.push((performance.now() - at) / 1000);
      console.error(`events: table back after ${back[i].toFixed(3)} s`);
    }
    return { reps: REPS, uplinkDownHeard: spread(down, 3), heardAfterDecision: spread(afterDecision, 3), tableBack: spread(back, 3) };
  } finally {
    rtr.cleanup();
    topo.destroy();
  }
}
