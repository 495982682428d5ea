// mpwan-relay against shadowsocks-libev and the kernel's own MPTCP, on 2 unshaped veth WANs
// in one run, alternating: one LAN TCP download (iperf3 -R) through the relay, through
// ss-redir + ss-server (AEAD, both under mptcpize, set up as test/netns/lib/aggregation.ts
// does), MPTCP from server to router with no proxy (iperf3 under mptcpize, -l 16K/64K/128K,
// the best kept) and routed without a proxy. Also CPU seconds per GB of each proxy's
// processes (utime + stime from /proc), the relay's RSS idle and with 1,000 open
// connections, and the stripped binary's size. On unshaped links every figure is CPU-bound
// and the machine's cores are shared by every process: compare rows of one run only.
// Runs alone: `npx tsx bench/relay.ts` (prints the JSON).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Topology, sweepStale } from '../test/netns/lib/topology.js';
import { iperf } from '../test/netns/lib/traffic.js';
import { waitFor, waitListening } from '../test/netns/lib/wait.js';
import { Relay, cpuSeconds, peerArgv, relayBinary, rssKb } from '../test/relay/lib/relay.js';
import { median } from './stats.js';
import type { RelayBench, Runs } from './types.js';

const ROUNDS = Number(process.env.BENCH_RELAY_ROUNDS ?? 3);
const SECONDS = 8;
const SS_PORT = 1200;
const METHOD = 'chacha20-ietf-poly1305'; // what `mpwan server setup` picks by default

const runs = (xs: number[]): Runs => ({ median: Number(median(xs).toFixed(3)), runs: xs.map((x) => Number(x.toFixed(3))) });

/** ss-server on the server, two ss-redir on the router (SO_REUSEPORT), all under mptcpize. */
function startSsLibev(topo: Topology, relay: Relay): { router: number[]; server: number } {
  const password = randomBytes(18).toString('base64');
  const port = relay.serverPort + 1;
  const base = { password, method: METHOD, mode: 'tcp_only', no_delay: true, reuse_port: true, timeout: 300 };
  const serverConf = join(relay.dir, 'ss-server.json'), redirConf = join(relay.dir, 'ss-redir.json');
  writeFileSync(serverConf, JSON.stringify({ ...base, server: '0.0.0.0', server_port: port }), { mode: 0o600 });
  writeFileSync(redirConf, JSON.stringify({ ...base, server: topo.server, server_port: port, local_address: '::', local_port: SS_PORT }), { mode: 0o600 });
  const server = topo.spawn(topo.vps, ['mptcpize', 'run', 'ss-server', '-c', serverConf]).pid!;
  waitListening(topo, topo.vps, port);
  const router = [0, 1].map(() => topo.spawn(topo.rtr, ['mptcpize', 'run', 'ss-redir', '-c', redirConf]).pid!);
  waitListening(topo, topo.rtr, SS_PORT);
  return { router, server };
}

/** One LAN download; CPU seconds per GB of the given router-side and server-side processes. */
function download(topo: Topology, router: number[], server: number[]) {
  const cpu = (pids: number[]) => pids.reduce((s, p) => s + cpuSeconds(p), 0);
  const r0 = cpu(router), s0 = cpu(server);
  const t = iperf(topo, { clientNs: topo.cli, serverNs: topo.dst, address: topo.destination, seconds: SECONDS, mptcp: false, reverse: true });
  const gb = t.bytes / 1e9;
  return { gbit: t.bitsPerSecond / 1e9, router: (cpu(router) - r0) / gb, server: (cpu(server) - s0) / gb };
}

function rssWith1000Open(topo: Topology, relay: Relay) {
  const out = join(relay.dir, 'open1000.out'), release = join(relay.dir, 'release');
  topo.spawn(topo.dst, peerArgv('serve', { ports: { 7001: 'echo' }, log: join(relay.dir, 'dst.log') }));
  waitListening(topo, topo.dst, 7001);
  const idle = { router: rssKb(relay.routerPid), server: rssKb(relay.serverPid) };
  topo.spawn(topo.cli, peerArgv('clients', { host: topo.destination, port: 7001, n: 1000, holdFile: release }), {}, out);
  waitFor('1,000 open connections', () => readFileSync(out, 'utf8').includes('ready'), 600);
  waitFor('1,000 active', () => relay.stats('router').active === 1000 && relay.stats('server').active === 1000, 100);
  const open = { router: rssKb(relay.routerPid), server: rssKb(relay.serverPid) };
  writeFileSync(release, '');
  waitFor('the connections to close', () => relay.stats('router').active === 0, 200);
  return { idle, open };
}

export function benchRelay(): RelayBench {
  sweepStale();
  const binary = relayBinary();
  const topo = new Topology({ wans: 2, lan: true, dst: true, strictRpFilter: true });
  // As mpwan runs it: BBR on its connections, both sides (shadowsocks-libev takes the namespaces' reno).
  const relay = new Relay(topo, { binary, routerArgs: ['--congestion', 'bbr'], serverArgs: ['--congestion', 'bbr'] });
  try {
    relay.start();
    const ss = startSsLibev(topo, relay);
    const d = { relay: [] as number[], ss: [] as number[], raw: [] as number[], routed: [] as number[] };
    const c = { relayR: [] as number[], relayS: [] as number[], ssR: [] as number[], ssS: [] as number[] };
    const byWriteSize: Record<string, number[]> = { '16K': [], '64K': [], '128K': [] };
    const steps = [
      () => { relay.redirect(relay.routerPort); const r = download(topo, [relay.routerPid], [relay.serverPid]); d.relay.push(r.gbit); c.relayR.push(r.router); c.relayS.push(r.server); },
      () => { relay.redirect(SS_PORT); const r = download(topo, ss.router, [ss.server]); d.ss.push(r.gbit); c.ssR.push(r.router); c.ssS.push(r.server); },
      () => {
        let best = 0;
        for (const length of Object.keys(byWriteSize)) {
          const g = iperf(topo, { clientNs: topo.rtr, serverNs: topo.vps, address: topo.server, seconds: SECONDS, reverse: true, length }).bitsPerSecond / 1e9;
          byWriteSize[length].push(Number(g.toFixed(3)));
          best = Math.max(best, g);
        }
        d.raw.push(best);
      },
      () => { relay.bypass(topo.destination, true); d.routed.push(iperf(topo, { clientNs: topo.cli, serverNs: topo.dst, address: topo.destination, seconds: SECONDS, mptcp: false, reverse: true }).bitsPerSecond / 1e9); relay.bypass(topo.destination, false); },
    ];
    for (let i = 0; i < ROUNDS; i++) {
      // Alternate the order, so no contender always runs on a machine warmed (or tired) by another.
      for (const step of i % 2 ? [...steps].reverse() : steps) step();
      console.error(`relay bench round ${i + 1}/${ROUNDS}: relay ${d.relay.at(-1)!.toFixed(2)} ss-libev ${d.ss.at(-1)!.toFixed(2)} MPTCP ${d.raw.at(-1)!.toFixed(2)} routed ${d.routed.at(-1)!.toFixed(2)} Gbit/s`);
    }
    relay.redirect(relay.routerPort);
    const rss = rssWith1000Open(topo, relay);
    const size = statSync(binary).size;
    const rel = median(d.relay) / median(d.raw);
    const cpuRatio = median(c.relayR) / median(c.ssR);
    const rssMb = Math.max(rss.open.router, rss.open.server) / 1024;
    return {
      machine: { cores: Number(spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()), kernel: spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim() },
      method: `LAN client iperf3 -R, ${SECONDS} s, ${ROUNDS} rounds alternating; shadowsocks-libev ${METHOD}`,
      downloadGbit: { relay: runs(d.relay), ssLibev: runs(d.ss), rawMptcp: { ...runs(d.raw), byWriteSize }, routed: runs(d.routed) },
      cpuSecondsPerGB: { relay: { router: runs(c.relayR), server: runs(c.relayS) }, ssLibev: { router: runs(c.ssR), server: runs(c.ssS) } },
      rssKb: { idle: rss.idle, with1000Open: rss.open },
      binaryBytes: { dynamicStripped: size },
      goals: {
        relayVsKernelMptcp: { value: Number(rel.toFixed(3)), goal: '>= 0.95', met: rel >= 0.95 },
        routerCpuVsSsLibev: { value: Number(cpuRatio.toFixed(3)), goal: '<= 0.333', met: cpuRatio <= 1 / 3 },
        rssMbWith1000Open: { value: Number(rssMb.toFixed(1)), goal: '< 32', met: rssMb < 32 },
        binaryKB: { value: Math.round(size / 1024), goal: '< 100', met: size < 100 * 1024 },
      },
    };
  } finally {
    relay.cleanup();
    topo.destroy();
  }
}

/**
 * How the relay moves bytes, per direction (src/relay/README.md): for each --io method, used
 * on both sides, a LAN download and upload through the relay, and the CPU seconds per GB of
 * the side that writes into MPTCP and of the side that reads out of it. Run with
 * `BENCH_RELAY_IO="copy:65536 splice:65536 ..." npx tsx bench/relay.ts`.
 */
export function benchRelayIo(methods: string[], rounds = ROUNDS, seconds = 5) {
  sweepStale();
  const topo = new Topology({ wans: 2, lan: true, dst: true, strictRpFilter: true });
  const relay = new Relay(topo);
  const rows: Record<string, Record<string, number[]>> = {};
  const push = (m: string, k: string, v: number) => ((rows[m] ??= {})[k] ??= []).push(v);
  try {
    for (let i = 0; i < rounds; i++) {
      for (const m of i % 2 ? [...methods].reverse() : methods) {
        relay.startServer(['--io-in', m, '--io-out', m]);
        relay.startRouter(['--io-in', m, '--io-out', m]);
        const cpu = () => [cpuSeconds(relay.routerPid), cpuSeconds(relay.serverPid)];
        for (const reverse of [true, false]) {
          const c0 = cpu();
          const t = iperf(topo, { clientNs: topo.cli, serverNs: topo.dst, address: topo.destination, seconds, mptcp: false, reverse });
          const [r, sv] = cpu().map((x, j) => (x - c0[j]) / (t.bytes / 1e9));
          // Downloads: the server writes into MPTCP, the router reads out of it; uploads the reverse.
          push(m, reverse ? 'download Gbit/s' : 'upload Gbit/s', t.bitsPerSecond / 1e9);
          push(m, 'into MPTCP s/GB', reverse ? sv : r);
          push(m, 'out of MPTCP s/GB', reverse ? r : sv);
        }
        relay.stop(relay.routerPid, 'router');
        relay.stop(relay.serverPid, 'server');
      }
      console.error(`relay io round ${i + 1}/${rounds} done`);
    }
    return Object.fromEntries(Object.entries(rows).map(([m, r]) => [m, Object.fromEntries(Object.entries(r).map(([k, v]) => [k, runs(v)]))]));
  } finally {
    relay.cleanup();
    topo.destroy();
  }
}

/**
 * LAN UDP through the relay (nft TPROXY, router side, datagrams over the first of 2 unshaped
 * WANs, server side, destination): iperf3 -u uploads of 1,200-byte datagrams at a few offered
 * rates, what arrived, and the CPU seconds each relay side spent per GB delivered. Everything
 * shares the machine's cores, as in benchRelay. `BENCH_RELAY_UDP=1 npx tsx bench/relay.ts`.
 */
export function benchRelayUdp(rounds = ROUNDS, seconds = 5) {
  sweepStale();
  const topo = new Topology({ wans: 2, lan: true, dst: true, strictRpFilter: true });
  const relay = new Relay(topo, { binary: relayBinary() });
  const rows: Record<string, Record<string, number[]>> = {};
  const push = (rate: string, k: string, v: number) => ((rows[rate] ??= {})[k] ??= []).push(v);
  try {
    relay.writePaths(topo.wans.map((w) => [w.dev, w.addr] as [string, string]));
    relay.o.routerArgs = ['--udp', '--paths-file', relay.pathsFile];
    relay.tproxyUdp();
    relay.start();
    const rates = ['100M', '400M', '0'];
    for (let i = 0; i < rounds; i++) {
      for (const rate of i % 2 ? [...rates].reverse() : rates) {
        const c0 = [cpuSeconds(relay.routerPid), cpuSeconds(relay.serverPid)];
        const t = iperf(topo, { clientNs: topo.cli, serverNs: topo.dst, address: topo.destination, seconds, mptcp: false, udp: rate, length: '1200' });
        const gb = t.bytes / 1e9;
        const name = rate === '0' ? 'unlimited' : `${rate}bit/s`;
        push(name, 'delivered Mbit/s', t.bitsPerSecond / 1e6);
        push(name, 'datagrams/s', t.bytes / 1200 / seconds);
        push(name, 'lost %', t.lostPercent ?? 0);
        push(name, 'router s/GB', (cpuSeconds(relay.routerPid) - c0[0]) / gb);
        push(name, 'server s/GB', (cpuSeconds(relay.serverPid) - c0[1]) / gb);
      }
      console.error(`relay udp round ${i + 1}/${rounds} done`);
    }
    const stats = relay.udpStats('server');
    return { method: `iperf3 -u -l 1200, ${seconds} s per run, ${rounds} rounds alternating`, rows: Object.fromEntries(Object.entries(rows).map(([r, v]) => [r, Object.fromEntries(Object.entries(v).map(([k, x]) => [k, runs(x)]))])), serverBad: stats.bad };
  } finally {
    relay.cleanup();
    topo.destroy();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const io = process.env.BENCH_RELAY_IO;
  const out = io ? benchRelayIo(io.split(' ')) : process.env.BENCH_RELAY_UDP ? benchRelayUdp() : { ...benchRelay(), udp: benchRelayUdp() };
  console.log(JSON.stringify(out, null, 2));
}
