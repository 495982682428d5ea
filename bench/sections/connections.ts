// Many short LAN connections through mpwan-relay (src/relay/README.md, "Many short
// connections"), 2 unshaped WANs, an echo server behind the server side. Each connection sends
// 64-2048 random bytes, half-closes and checks the echo byte for byte (test/relay/lib/load.ts).
//   - 1,000 new connections a second for 3 minutes, 200 open at a time;
//   - rates stepped up, 30 s each, to the highest without a failure (or until this machine's
//     2 cores, shared by the clients, the echo server and both relay sides, fall behind);
//   - 10,000 connections open at once, idle, then all echoing once: RSS and descriptors.
// CPU: utime + stime of each relay process per 1,000 connections.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Topology, sweepStale } from '../../test/netns/lib/topology.js';
import { waitFor, waitListening } from '../../test/netns/lib/wait.js';
import { startLoad, timeWaits } from '../../test/relay/lib/load-run.js';
import { Relay, cpuSeconds, loadArgv, relayBinary, rssKb } from '../../test/relay/lib/relay.js';
import type { ConnectionsSection, RateRun } from '../types.js';

const ECHO = 7001;
const SUSTAINED = { rate: 1000, seconds: Number(process.env.BENCH_CONN_SECONDS ?? 180) };
const STEPS = [1000, 1500, 2000, 3000, 4000];
const STEP_SECONDS = 30;
const OPEN_AT_ONCE = 10000;

const fds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;
/** The hard descriptor limit the relays inherit: they raise their own to it (to 65,536 where
 * they may, which needs CAP_SYS_RESOURCE). Each holds two descriptors per connection. */
const hardNofile = () => Number(/Max open files\s+\S+\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? 65536);
const load = (topo: Topology, relay: Relay, mode: string, o: Record<string, unknown>) =>
  startLoad(topo, relay.dir, mode, { host: topo.destination, port: ECHO, ...o });

function rateRun(topo: Topology, relay: Relay, rate: number, seconds: number): RateRun {
  const c0 = [cpuSeconds(relay.routerPid), cpuSeconds(relay.serverPid)];
  const counted = () => ({ routerRefused: relay.stats('router').refused, serverRefused: relay.stats('server').refused, serverOverflow: relay.stats('server').overflow });
  const before = counted();
  const tw = { router: 0, server: 0 };
  const r = load(topo, relay, 'rate', { rate, seconds, open: 200 }).summary(seconds * 3 + 60, 1, () => {
    tw.router = Math.max(tw.router, timeWaits(topo, topo.rtr));
    tw.server = Math.max(tw.server, timeWaits(topo, topo.vps));
  });
  const per1000 = (i: number, pid: number) => Number((((cpuSeconds(pid) - c0[i]) / Math.max(1, r.ok)) * 1000).toFixed(3));
  const run: RateRun = {
    rate, seconds, ok: r.ok, failed: r.failed, achievedRate: r.achievedRate, p50Ms: r.p50Ms, p99Ms: r.p99Ms,
    failures: r.failures,
    cpuPer1000: { router: per1000(0, relay.routerPid), server: per1000(1, relay.serverPid) }, timeWaitMax: tw,
    relayCounted: { routerRefused: 0, serverRefused: 0, serverOverflow: 0 },
  };
  waitFor('the connections to close', () => relay.stats('router').active === 0 && relay.stats('server').active === 0, 600);
  const after = counted();
  run.relayCounted = { routerRefused: after.routerRefused - before.routerRefused, serverRefused: after.serverRefused - before.serverRefused, serverOverflow: after.serverOverflow - before.serverOverflow };
  console.error(`connections ${rate}/s for ${seconds} s: ${JSON.stringify(run)}`);
  return run;
}

function openAtOnce(topo: Topology, relay: Relay, wanted: number): ConnectionsSection['openAtOnce'] {
  const fdLimit = hardNofile(), n = Math.min(wanted, Math.floor((fdLimit - 40) / 2));
  const idle = { router: rssKb(relay.routerPid), server: rssKb(relay.serverPid) };
  const go = join(relay.dir, 'go');
  const run = load(topo, relay, 'open', { n, go, connecting: 1000, timeoutMs: 600000 });
  waitFor(`${n} connections open`, () => run.text().startsWith('open '), 600, 1);
  waitFor(`${n} active on both sides`, () => relay.stats('router').active === n && relay.stats('server').active === n, 600);
  const open = { router: rssKb(relay.routerPid), server: rssKb(relay.serverPid) };
  const descriptors = { router: fds(relay.routerPid), server: fds(relay.serverPid) };
  writeFileSync(go, '');
  const r = run.summary(600, 1);
  console.error(`connections: ${n} open at once: ${JSON.stringify({ r, open, descriptors })}`);
  return { n, wanted, fdLimit, ok: r.ok, failed: r.failed, rssKb: { idle, open }, fds: descriptors };
}

/** 2 WANs, the relay (`binary`) on both sides, the echo server; `sysctls`: [namespace, key, value]. */
function setUp(binary: string, sysctls: ['rtr' | 'vps', string, string][]) {
  sweepStale();
  const topo = new Topology({ wans: 2, lan: true, dst: true, strictRpFilter: true });
  // One client namespace stands for a LAN full of hosts: the TIME_WAIT of their own closes is theirs.
  topo.sysctl(topo.cli, 'net.ipv4.ip_local_port_range', '1024 65535');
  topo.sysctl(topo.cli, 'net.ipv4.tcp_tw_reuse', '1');
  for (const [ns, key, value] of sysctls) topo.sysctl(ns === 'rtr' ? topo.rtr : topo.vps, key, value);
  const relay = new Relay(topo, { binary });
  relay.start();
  topo.spawn(topo.dst, loadArgv('echo', { ports: [ECHO] }), {}, join(relay.dir, 'echo.log'));
  waitListening(topo, topo.dst, ECHO);
  return { topo, relay };
}

/** As `mpwan server setup` sets it: TIME_WAIT reuse for the server's own connections to the one destination. */
const SERVER_TW_REUSE: ['vps', string, string] = ['vps', 'net.ipv4.tcp_tw_reuse', '1'];

export function benchConnections(): ConnectionsSection {
  const { topo, relay } = setUp(relayBinary(), [SERVER_TW_REUSE]);
  try {
    const sustained = rateRun(topo, relay, SUSTAINED.rate, SUSTAINED.seconds);
    // Before the steps: a step that fills the server's replay cache would refuse these.
    const open = openAtOnce(topo, relay, OPEN_AT_ONCE);
    const steps: RateRun[] = [];
    for (const rate of STEPS) {
      const r = rateRun(topo, relay, rate, STEP_SECONDS);
      steps.push(r);
      if (r.failed > 0 || r.achievedRate < rate * 0.95) break;
    }
    const clean = [sustained, ...steps].filter((r) => r.failed === 0);
    return {
      method: 'test/relay/lib/load.ts: each connection 64-2048 random bytes, a half-close, the echo checked byte for byte; 200 open at a time; 2 unshaped WANs',
      sustained,
      steps,
      highestWithoutFailure: clean.length ? Math.max(...clean.map((r) => r.achievedRate)) : 0,
      openAtOnce: open,
      refused: { router: relay.stats('router').refused ?? 0, server: relay.stats('server').refused ?? 0 },
    };
  } finally {
    relay.cleanup();
    topo.destroy();
  }
}

/**
 * The ways to keep the router's ports (src/relay/README.md, "Many short connections"), 1,000 a
 * second for 60 s each: `before`, a relay from before the records (its router sends the first
 * DATA_FIN), as it is, with tcp_tw_reuse on router and server, with the router's whole port
 * range; then this relay, without and with tcp_tw_reuse on the server. Not part of `make
 * bench`: `BENCH_CONN_BEFORE=<old mpwan-relay> npx tsx bench/sections/connections.ts`.
 */
export function benchConnectionChoices(before: string) {
  const variants: [string, string, ['rtr' | 'vps', string, string][]][] = [
    ['router sends the first DATA_FIN (before)', before, []],
    ['before + tcp_tw_reuse on router and server', before, [['rtr', 'net.ipv4.tcp_tw_reuse', '1'], SERVER_TW_REUSE]],
    ['before + router ports 1024-65535, tcp_tw_reuse on the server', before, [['rtr', 'net.ipv4.ip_local_port_range', '1024 65535'], SERVER_TW_REUSE]],
    ['records: the server sends the first DATA_FIN', relayBinary(), []],
    ['records + tcp_tw_reuse on the server (chosen)', relayBinary(), [SERVER_TW_REUSE]],
  ];
  return variants.map(([name, binary, sysctls]) => {
    const { topo, relay } = setUp(binary, sysctls);
    try {
      return { name, ...rateRun(topo, relay, 1000, 60) };
    } finally {
      relay.cleanup();
      topo.destroy();
    }
  });
}

if (import.meta.url === `file://${process.argv[1]}` && process.env.BENCH_CONN_BEFORE) {
  console.log(JSON.stringify(benchConnectionChoices(process.env.BENCH_CONN_BEFORE), null, 1));
}
