// mpwan-relay carries LAN UDP: LAN client -> nft TPROXY -> router side -> authenticated
// datagrams over the first healthy WAN -> server side -> destination, and back. Real kernel,
// real binaries, in network namespaces: echo over IPv4 and IPv6, the overhead per datagram, a
// silent uplink failure (with and without --duplicate), a paths file change on SIGHUP, and
// the stats file as mpwan's daemon reads it. Both sides run the release build, then the
// ASan/UBSan build (any report fails).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRelayStats } from '../../src/observe/relay-stats.js';
import { Topology, sweepStale } from '../netns/lib/topology.js';
import { sleepMs, waitFor, waitListening } from '../netns/lib/wait.js';
import { ASAN_ENV, Relay, relayBinary, rssKb, sanitizerReport, udpPeer, udpPeerArgv } from './lib/relay.js';

const ECHO = 7001, ECHO_DUP = 7002;
/** A 50 packets/s stream, like a voice call. */
const RATE = 50;

interface DstEvent { port: number; from: string; fromPort: number; stream: string; seq: number; t: number }

for (const build of ['release', 'asan'] as const) describe(`mpwan-relay: LAN UDP (${build} build)`, function () {
  this.timeout(120000);
  let topo: Topology;
  let relay: Relay;
  let dstLog: string;
  let streams = 0;

  const dstEvents = (stream: string): DstEvent[] => (existsSync(dstLog) ? readFileSync(dstLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [])
    .filter((e: DstEvent) => e.stream === stream);
  const paths = () => (relay.udpStats('router') as unknown as { paths: { name: string; alive: boolean; bytes_up: number }[] }).paths ?? [];
  const wan = (i: number) => [topo.wans[i].dev, topo.wans[i].addr] as [string, string];
  /** What the destination saw of one stream: its source addresses and the longest silence. */
  const atDestination = (stream: string) => {
    const ev = dstEvents(stream);
    const seqs = new Map<number, number>();
    for (const e of ev) seqs.set(e.seq, (seqs.get(e.seq) ?? 0) + 1);
    let maxGap = 0;
    for (let i = 1; i < ev.length; i++) maxGap = Math.max(maxGap, ev[i].t - ev[i - 1].t);
    return { sources: [...new Set(ev.map((e) => `${e.from} ${e.fromPort}`))], received: seqs.size, duplicates: ev.length - seqs.size, maxGapMs: Math.round(maxGap) };
  };
  /** A stream in the background; `during` runs `atMs` after it started; then its result. */
  const streamWith = (o: { host: string; port: number; count: number; size?: number }, atMs: number, during: () => void) => {
    const stream = `s${++streams}`;
    const out = join(relay.dir, `${stream}.out`);
    topo.spawn(topo.cli, udpPeerArgv('stream', { ...o, stream, rate: RATE, tailMs: 1500 }), {}, out);
    sleepMs(atMs);
    during();
    const r = waitFor(`stream ${stream}`, () => { const l = existsSync(out) && readFileSync(out, 'utf8').trim().split('\n').pop(); return l && l.startsWith('{') && JSON.parse(l); }, 600);
    return { stream, client: r, dst: atDestination(stream) };
  };
  /** Traffic for a moment, so keepalives run, until every path answers. */
  const allAlive = () => {
    udpPeer(topo, topo.cli, 'stream', { host: topo.destination, port: ECHO, count: 25, rate: RATE, stream: 'warm', tailMs: 200 });
    waitFor('both paths alive', () => paths().length === 2 && paths().every((p) => p.alive), 100);
  };

  before(() => {
    sweepStale();
    topo = new Topology({ wans: 2, lan: true, dst: true, strictRpFilter: true, ipv6Lan: true });
    relay = new Relay(topo, build === 'asan' ? { binary: relayBinary('asan'), env: ASAN_ENV } : {});
    relay.writePaths([wan(0), wan(1)]);
    relay.o.routerArgs = ['--udp', '--paths-file', relay.pathsFile, '--duplicate', `port:${ECHO_DUP}`];
    relay.tproxyUdp();
    relay.start();
    dstLog = join(relay.dir, 'dst.log');
    topo.spawn(topo.dst, udpPeerArgv('echo', { ports: [ECHO, ECHO_DUP], log: dstLog }), {}, join(relay.dir, 'dst-peer.log'));
    waitFor('the UDP echo', () => topo.exec(topo.dst, ['ss', '-Hlun', `sport = :${ECHO_DUP}`]).stdout.trim() !== '', 100);
    waitListening(topo, topo.rtr, relay.routerPort);
  });
  after(() => {
    relay?.cleanup();
    topo?.destroy();
  });

  for (const family of [4, 6] as const) {
    it(`an IPv${family} LAN client's datagrams reach the destination from the server's address, and the echoes come back`, () => {
      const host = family === 4 ? topo.destination : topo.destination6;
      const r = udpPeer(topo, topo.cli, 'stream', { host, port: ECHO, count: 20, rate: 100, stream: `echo${family}`, tailMs: 500 });
      assert.deepEqual([r.echoed, r.dupEchoes], [20, 0], JSON.stringify(r));
      const d = atDestination(`echo${family}`);
      assert.equal(d.sources.length, 1, `one session, one source: ${d.sources}`);
      const [from] = d.sources[0].split(' ');
      assert.equal(from, family === 4 ? '198.51.100.1' : '2001:db8:100::1', 'the server is who the destination sees');
      assert.ok(!from.startsWith('10.20.'), 'never a WAN address');
    });
  }

  it('1,000 LAN flows at once: a session each on both sides, all echoed, little memory', () => {
    // Counted from stats written after the earlier tests' sessions (the file lags up to a second).
    const [router0, server0] = [relay.settledStatsDoc('router').udp, relay.settledStatsDoc('server').udp];
    const s0 = [router0.sessions, server0.sessions];
    // A flow whose ephemeral port an open session from an earlier test still holds reuses that session.
    const reused = router0.active;
    const idle = { router: rssKb(relay.routerPid), server: rssKb(relay.serverPid) };
    const r = udpPeer(topo, topo.cli, 'flows', { host: topo.destination, port: ECHO, n: 1000 });
    assert.equal(r.echoed, 1000);
    const grew = (side: 'router' | 'server', i: number) => relay.udpStats(side).sessions - s0[i];
    waitFor('1,000 new sessions on both sides', () => [grew('router', 0), grew('server', 1)].every((n) => n <= 1000 && n >= 1000 - reused));
    const open = { router: rssKb(relay.routerPid), server: rssKb(relay.serverPid) };
    console.log(`      RSS idle ${idle.router} / ${idle.server} KB, with 1,000 more UDP sessions ${open.router} / ${open.server} KB (router / server)`);
    for (const side of ['router', 'server'] as const) assert.ok(open[side] - idle[side] < (build === 'asan' ? 32768 : 4096), `${side} RSS grew from ${idle[side]} to ${open[side]} KB`);
  });

  it('costs 29 bytes per datagram with an IPv4 destination, 41 with IPv6', () => {
    // nft counts what leaves the router for the server's UDP port, IP header included;
    // keepalives (25 bytes) stay under the length filter.
    const count = (on: boolean) => {
      const r = topo.exec(topo.rtr, ['nft', '-f', '-'], { input: on
        ? `table inet mpwcount {\n\tchain out {\n\t\ttype filter hook output priority 0; policy accept;\n\t\tudp dport ${relay.serverPort} udp length > 1000 counter\n\t}\n}\n`
        : 'delete table inet mpwcount\n' });
      assert.equal(r.status, 0, r.stderr);
    };
    const measured: Record<number, number> = {};
    for (const family of [4, 6] as const) {
      count(true);
      const r = udpPeer(topo, topo.cli, 'stream', { host: family === 4 ? topo.destination : topo.destination6, port: ECHO, count: 100, rate: 200, size: 1200, stream: `size${family}`, tailMs: 300 });
      assert.equal(r.echoed, 100);
      const m = /packets (\d+) bytes (\d+)/.exec(topo.exec(topo.rtr, ['nft', 'list', 'table', 'inet', 'mpwcount']).stdout)!;
      count(false);
      assert.equal(Number(m[1]), 100);
      measured[family] = Number(m[2]) / 100 - 20 - 8 - 1200; // outer IPv4 and UDP headers, the payload
    }
    console.log(`      overhead per 1,200-byte datagram: ${measured[4]} bytes (${((measured[4] / 1200) * 100).toFixed(1)}%) IPv4, ${measured[6]} bytes (${((measured[6] / 1200) * 100).toFixed(1)}%) IPv6`);
    assert.deepEqual(measured, { 4: 29, 6: 41 });
  });

  it('a 50 packets/s stream resumes within a second when its uplink dies silently, from the same server address and port', () => {
    allAlive();
    const r = streamWith({ host: topo.destination, port: ECHO, count: 6 * RATE }, 2000, () => topo.silence(topo.wans[0], true));
    const during = paths();
    topo.silence(topo.wans[0], false);
    console.log(`      cut wan0 at 2 s: ${r.client.echoed}/${r.client.sent} echoed, longest silence ${r.client.maxGapMs} ms at the client (at ${r.client.gapAtMs} ms), ${r.dst.maxGapMs} ms at the destination`);
    assert.equal(r.dst.sources.length, 1, `the destination saw ${r.dst.sources.join(', ')}`);
    assert.ok(r.client.maxGapMs < 1000, `the stream stopped for ${r.client.maxGapMs} ms`);
    assert.ok(r.dst.maxGapMs < 1000, `the destination heard nothing for ${r.dst.maxGapMs} ms`);
    assert.ok(r.client.echoed >= r.client.sent - RATE, `${r.client.sent - r.client.echoed} datagrams lost`);
    assert.deepEqual(during.map((p) => [p.name, p.alive]), [['wan0', false], ['wan1', true]]);
  });

  it('with --duplicate, the same cut loses no datagram, and the destination never sees one twice', () => {
    allAlive();
    const s0 = [relay.udpStats('router').duplicates_dropped, relay.udpStats('server').duplicates_dropped];
    const r = streamWith({ host: topo.destination, port: ECHO_DUP, count: 6 * RATE }, 2000, () => topo.silence(topo.wans[0], true));
    topo.silence(topo.wans[0], false);
    console.log(`      duplicated, cut wan0 at 2 s: ${r.client.echoed}/${r.client.sent} echoed, ${r.dst.received} received, longest silence ${r.client.maxGapMs} ms at the client, ${r.dst.maxGapMs} ms at the destination`);
    assert.deepEqual([r.dst.received, r.dst.duplicates, r.dst.sources.length], [r.client.sent, 0, 1], JSON.stringify(r.dst));
    assert.deepEqual([r.client.echoed, r.client.dupEchoes], [r.client.sent, 0], JSON.stringify(r.client));
    waitFor('both sides to count the second copies', () => relay.udpStats('router').duplicates_dropped > s0[0] && relay.udpStats('server').duplicates_dropped > s0[1]);
  });

  it('SIGHUP with a changed paths file moves the datagrams to the new first path, and the session keeps its server address', () => {
    allAlive();
    const bytes = () => topo.wans.map((w) => topo.linkBytes(topo.rtr, w.dev).tx);
    let before: number[] = [], at: number[] = [];
    const r = streamWith({ host: topo.destination, port: ECHO, count: 4 * RATE, size: 1000 }, 1500, () => {
      before = bytes();
      relay.writePaths([wan(1), wan(0)], true);
      sleepMs(1000);
      at = bytes();
    });
    const after = bytes();
    relay.writePaths([wan(0), wan(1)], true);
    const moved = at.map((b, i) => b - before[i]), settled = after.map((b, i) => b - at[i]);
    console.log(`      after SIGHUP: wan0 sent ${moved[0]} then ${settled[0]} bytes, wan1 ${moved[1]} then ${settled[1]}`);
    assert.equal(r.dst.sources.length, 1, `the destination saw ${r.dst.sources.join(', ')}`);
    assert.deepEqual([r.client.echoed, r.dst.duplicates], [r.client.sent, 0], JSON.stringify(r));
    assert.ok(settled[1] > 20 * 1000 && settled[0] < 5000, `wan0 ${settled[0]} / wan1 ${settled[1]} bytes after the switch`);
    assert.match(relay.log('router'), /udp paths: wan1 10\.20\.2\.2, wan0 10\.20\.1\.2/);
  });

  it("the stats file is what mpwan's daemon reads", () => {
    // The paths file was just put back in its first order: the file follows within a second.
    waitFor('the stats to show the paths in order', () => paths().map((p) => p.name).join() === 'wan0,wan1');
    const text = relay.statsText('router');
    const s = parseRelayStats(text);
    assert.ok(s, text ?? 'no stats file');
    const raw = JSON.parse(text!).udp;
    for (const k of ['sessions', 'active', 'datagrams_up', 'datagrams_down', 'duplicates_dropped', 'bad']) assert.equal(typeof raw[k], 'number', k);
    assert.ok(s.udp.sessions >= 1006 && s.udp.datagrams_up > 1000 && s.udp.datagrams_down > 1000, JSON.stringify(s.udp));
    assert.deepEqual(s.udp.paths.map((p) => [p.name, p.source]), [wan(0), wan(1)]);
    for (const p of s.udp.paths) assert.ok(p.bytes_up > 0 && p.bytes_down > 0 && typeof p.rtt_ms === 'number', JSON.stringify(p));
    assert.equal(s.udp.bad, 0);
    const server = relay.udpStats('server');
    assert.ok(server.sessions >= 1006 && server.active >= 1 && server.bad === 0 && server.replayed === 0, JSON.stringify(server));
  });

  it('an empty paths file leaves the choice to the routing table; a bad line is ignored and said once', () => {
    const said = () => relay.log('router').split('\n').filter((l) => l.includes('paths file, line 1: not `<name> <address> [metered]`')).length;
    relay.writePaths([['wan9', '192.0.2.300']], true);
    waitFor('the router to read it', () => /udp paths: none listed/.test(relay.log('router')) && said() === 1);
    relay.writePaths([['wan9', '192.0.2.300']], true);
    waitFor('the router to read it again', () => relay.log('router').split('\n').filter((l) => l.includes('udp paths: none listed')).length === 2);
    assert.equal(said(), 1, 'the same bad line is not complained about twice');
    const r = udpPeer(topo, topo.cli, 'stream', { host: topo.destination, port: ECHO, count: 20, rate: 100, stream: 'nopaths', tailMs: 500 });
    assert.equal(r.echoed, 20);
    waitFor('the stats to list no path', () => paths().length === 0 && relay.udpStats('router').datagrams_up > 0);
    relay.writePaths([wan(0), wan(1)], true);
    waitFor('both paths back', () => paths().length === 2);
  });

  it('nothing sticks: SIGTERM stops both sides promptly, with no sanitizer report', () => {
    for (const [pid, side] of [[relay.routerPid, 'router'], [relay.serverPid, 'server']] as const) {
      const ms = relay.stop(pid, side);
      assert.ok(ms < 2000, `${side} took ${ms} ms to stop`);
      assert.match(relay.log(side), /stopped/);
      assert.equal(sanitizerReport(relay.log(side)), null, relay.log(side));
    }
  });
});

describe('mpwan-relay: LAN UDP to a server at an IPv6 address', function () {
  this.timeout(120000);
  let topo: Topology;
  let relay: Relay;

  before(() => {
    sweepStale();
    topo = new Topology({ wans: 2, lan: true, dst: true, ipv6: true, ipv6Lan: true });
    // IPv6 needs a moment after the links come up (link-local addresses, neighbours).
    for (const w of topo.wans) waitFor(`IPv6 from ${w.addr6}`, () => topo.exec(topo.rtr, ['ping', '-6', '-c1', '-W1', '-I', w.addr6!, topo.server6]).status === 0, 50);
    relay = new Relay(topo, { serverIpv6: true });
    relay.writePaths(topo.wans.map((w) => [w.dev, w.addr6!] as [string, string]));
    relay.o.routerArgs = ['--udp', '--paths-file', relay.pathsFile];
    relay.tproxyUdp();
    relay.start();
    topo.spawn(topo.dst, udpPeerArgv('echo', { ports: [ECHO], log: join(relay.dir, 'dst.log') }));
    waitFor('the UDP echo', () => topo.exec(topo.dst, ['ss', '-Hlun', `sport = :${ECHO}`]).stdout.trim() !== '', 100);
  });
  after(() => {
    relay?.cleanup();
    topo?.destroy();
  });

  it('carries IPv4 and IPv6 LAN clients over IPv6 paths, and moves to the other one when the first dies', () => {
    for (const host of [topo.destination, topo.destination6]) {
      const r = udpPeer(topo, topo.cli, 'stream', { host, port: ECHO, count: 20, rate: 100, stream: `v6-${host}`, tailMs: 500 });
      assert.equal(r.echoed, 20, JSON.stringify(r));
    }
    topo.silence(topo.wans[0], true);
    const r = udpPeer(topo, topo.cli, 'stream', { host: topo.destination, port: ECHO, count: 100, rate: RATE, stream: 'v6-cut', tailMs: 500 });
    assert.ok(r.echoed >= 100 - RATE && r.maxGapMs < 1000, JSON.stringify(r));
    const p = relay.statsDoc('router').udp.paths;
    assert.deepEqual(p.map((x: { source: string; alive: boolean }) => [x.source, x.alive]), [[topo.wans[0].addr6, false], [topo.wans[1].addr6, true]]);
    topo.silence(topo.wans[0], false);
  });

  it('a metered path behind an answering one gets no keepalives, and takes over at once when the first dies silently', () => {
    relay.writePaths([[topo.wans[0].dev, topo.wans[0].addr6!], [topo.wans[1].dev, topo.wans[1].addr6!, 'metered']], true);
    waitFor('the router to read it', () => /udp paths: wan0 \S+, wan1 \S+ \(metered\)/.test(relay.log('router')));
    const sent = () => topo.wans.map((w) => topo.linkBytes(topo.rtr, w.dev).tx);
    // Keepalives every 100 ms would be 10 a second here: at most a stray neighbour solicitation goes instead.
    const before = sent();
    const quiet = udpPeer(topo, topo.cli, 'stream', { host: topo.destination, port: ECHO, count: 150, rate: RATE, stream: 'metered-quiet', tailMs: 300 });
    const during = sent().map((b, i) => b - before[i]);
    console.log(`      3 s of a call: wan0 sent ${during[0]} bytes, the metered wan1 ${during[1]}`);
    assert.equal(quiet.echoed, 150, JSON.stringify(quiet));
    assert.ok(during[0] > 150 * 60 && during[1] < 400, `wan0 ${during[0]} / metered wan1 ${during[1]} bytes`);
    topo.silence(topo.wans[0], true);
    try {
      const r = udpPeer(topo, topo.cli, 'stream', { host: topo.destination, port: ECHO, count: 100, rate: RATE, stream: 'metered-cut', tailMs: 500 });
      assert.ok(r.echoed >= 100 - RATE && r.maxGapMs < 1000, JSON.stringify(r));
      const p = relay.statsDoc('router').udp.paths;
      assert.deepEqual(p.map((x: { name: string; alive: boolean }) => [x.name, x.alive]), [['wan0', false], ['wan1', true]]);
    } finally {
      topo.silence(topo.wans[0], false);
    }
  });
});
