// mpwan-relay carries LAN TCP faithfully: many concurrent connections, half-close, resets in
// both directions, refusals, IPv6, and little memory per idle connection. Real kernel,
// real binaries: LAN client -> nft redirect -> router side -> MPTCP over 2 WANs -> server
// side -> destination, in network namespaces.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Topology, sweepStale } from '../netns/lib/topology.js';
import { waitFor, waitListening } from '../netns/lib/wait.js';
import { Relay, peer, peerArgv, rssKb } from './lib/relay.js';

const ECHO = 7001, AFTER_EOF = 7002, RESETS = 7003, HOLD = 7004, GREET = 7005, CLOSED = 7999;

describe('mpwan-relay: LAN connections', function () {
  this.timeout(120000);
  let topo: Topology;
  let relay: Relay;
  let dstLog: string;

  const dstEvents = () => (existsSync(dstLog) ? readFileSync(dstLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
  const activeBoth = () => [relay.stats('router').active, relay.stats('server').active];

  before(() => {
    sweepStale();
    topo = new Topology({ wans: 2, lan: true, dst: true, strictRpFilter: true, ipv6Lan: true });
    // As mpwan runs them: bbr on the router's connections and on the server's listener.
    relay = new Relay(topo, { routerArgs: ['--congestion', 'bbr'], serverArgs: ['--congestion', 'bbr'] }).start();
    dstLog = join(relay.dir, 'dst.log');
    topo.spawn(topo.dst, peerArgv('serve', { ports: { [ECHO]: 'echo', [AFTER_EOF]: 'reply-after-eof', [RESETS]: 'reset', [HOLD]: 'hold', [GREET]: 'greet' }, log: dstLog }), {}, join(relay.dir, 'dst-peer.log'));
    waitListening(topo, topo.dst, GREET);
  });
  after(() => {
    relay?.cleanup();
    topo?.destroy();
  });

  it('1,000 concurrent LAN connections all complete, over MPTCP, and cost little memory while open', () => {
    const hold = join(relay.dir, 'release');
    const out = join(relay.dir, 'clients.out');
    const idle = { router: rssKb(relay.routerPid), server: rssKb(relay.serverPid) };
    topo.spawn(topo.cli, peerArgv('clients', { host: topo.destination, port: ECHO, n: 1000, holdFile: hold }), {}, out);
    waitFor('1,000 echoed connections', () => readFileSync(out, 'utf8').includes('ready'), 600);
    waitFor('1,000 active on both sides', () => activeBoth().every((a) => a === 1000), 100);
    const open = { router: rssKb(relay.routerPid), server: rssKb(relay.serverPid) };
    writeFileSync(hold, '');
    const r = waitFor('the clients to finish', () => { const l = readFileSync(out, 'utf8').trim().split('\n').pop()!; return l.startsWith('{') && JSON.parse(l); }, 600);
    assert.deepEqual([r.openAtOnce, r.ok], [1000, 1000], JSON.stringify(r));
    waitFor('every connection closed on both sides', () => activeBoth().every((a) => a === 0), 100);
    const mptcp = topo.mptcpCounters(topo.vps);
    assert.ok(mptcp.MPCapableSYNRX >= 1000, `the server saw ${mptcp.MPCapableSYNRX} MPTCP connections`);
    console.log(`      RSS idle ${idle.router} / ${idle.server} KB, with 1,000 open ${open.router} / ${open.server} KB (router / server)`);
    for (const side of ['router', 'server'] as const) assert.ok(open[side] < 32 * 1024, `${side} RSS ${open[side]} KB with 1,000 open connections`);
  });

  it('--congestion bbr: every subflow on both sides uses it, the system default stays; a bad name is refused at start', () => {
    const hold = join(relay.dir, 'release-cc');
    const out = join(relay.dir, 'cc.out');
    topo.spawn(topo.cli, peerArgv('clients', { host: topo.destination, port: ECHO, n: 2, holdFile: hold }), {}, out);
    try {
      waitFor('2 open connections', () => readFileSync(out, 'utf8').includes('ready'), 600);
      // Each relayed connection: an MPTCP connection with a subflow per WAN (ss lists them as TCP).
      const subflows = (ns: string) => topo.exec(ns, ['ss', '-Htin', 'state', 'established', `( dport = :${relay.serverPort} or sport = :${relay.serverPort} )`]).stdout
        .split('\n').filter((l) => /\b(reno|cubic|bbr)\b/.test(l)).map((l) => /\b(reno|cubic|bbr)\b/.exec(l)![1]);
      waitFor('both subflows of both connections on each side', () => subflows(topo.rtr).length === 4 && subflows(topo.vps).length === 4, 100);
      assert.deepEqual([...new Set([...subflows(topo.rtr), ...subflows(topo.vps)])], ['bbr']);
      for (const ns of [topo.rtr, topo.vps]) assert.notEqual(topo.exec(ns, ['sysctl', '-n', 'net.ipv4.tcp_congestion_control']).stdout.trim(), 'bbr');
    } finally {
      writeFileSync(hold, '');
    }
    for (const bad of ['BBR', 'bbr;reboot', 'a'.repeat(16)]) {
      const r = topo.exec(topo.vps, [relay.binary, 'server', '--listen', '1', '--key-file', '/nonexistent', '--congestion', bad]);
      assert.equal(r.status, 2, bad);
      assert.match(r.stderr, /invalid or misplaced --congestion/);
    }
  });

  it('half-close: the client shuts its write side and still reads the reply', () => {
    const r = peer(topo, topo.cli, 'halfclose', { host: topo.destination, port: AFTER_EOF, bytes: 3_000_000 });
    assert.equal(r.outcome, 'end');
    assert.deepEqual(JSON.parse(r.reply), r.want, 'the destination saw EOF after every byte, and its reply came back');
  });

  it('a destination that speaks first is heard before the client sends anything', () => {
    const r = peer(topo, topo.cli, 'expect', { host: topo.destination, port: GREET, timeoutMs: 1500 });
    assert.equal(r.data, 'hello\n');
  });

  it('a reset by the destination resets the LAN client', () => {
    const r = peer(topo, topo.cli, 'expect', { host: topo.destination, port: RESETS, send: 'reset me' });
    assert.equal(r.outcome, 'reset');
  });

  it('a reset by the LAN client resets the destination', () => {
    const r = peer(topo, topo.cli, 'expect', { host: topo.destination, port: ECHO, send: 'client resets', resetAfterEcho: true });
    assert.equal(r.outcome, 'did-reset');
    waitFor('the destination to see a reset', () => dstEvents().some((e) => e.tag === 'client resets' && e.event === 'reset'));
    assert.ok(!dstEvents().some((e) => e.tag === 'client resets' && e.event === 'end'), 'a reset, not an orderly close');
  });

  it('a refused destination port resets the LAN client at once (no hang)', () => {
    const before = relay.stats('router').failed;
    const r = peer(topo, topo.cli, 'expect', { host: topo.destination, port: CLOSED, send: 'x', timeoutMs: 5000 });
    assert.equal(r.outcome, 'reset');
    assert.ok(r.ms < 2000, `reset after ${r.ms} ms`);
    waitFor('the router to count the refusal', () => relay.stats('router').failed === before + 1);
  });

  it('an IPv6 LAN client reaches an IPv6 destination', () => {
    const r = peer(topo, topo.cli, 'clients', { host: topo.destination6, port: ECHO, n: 20, bytes: 20000 });
    assert.deepEqual([r.openAtOnce, r.ok], [20, 20]);
    const h = peer(topo, topo.cli, 'halfclose', { host: topo.destination6, port: AFTER_EOF, bytes: 200_000 });
    assert.deepEqual(JSON.parse(h.reply), h.want);
  });

  it('where the kernel refuses MPTCP sockets, the router falls back to TCP and counts it', () => {
    topo.sysctl(topo.rtr, 'net.mptcp.enabled', '0');
    try {
      const r = peer(topo, topo.cli, 'clients', { host: topo.destination, port: ECHO, n: 3 });
      assert.equal(r.ok, 3);
      waitFor('three fallbacks counted', () => relay.stats('router').tcp_fallback === 3);
      assert.match(relay.log('router'), /refuses MPTCP sockets/);
    } finally {
      topo.sysctl(topo.rtr, 'net.mptcp.enabled', '1');
    }
  });

  it('nothing is left open, and SIGTERM stops both sides promptly', () => {
    waitFor('no active connections', () => activeBoth().every((a) => a === 0), 100);
    // Stopped while connections are open: they must not hold the exit up.
    const out = join(relay.dir, 'held.out');
    topo.spawn(topo.cli, peerArgv('clients', { host: topo.destination, port: ECHO, n: 5, holdFile: join(relay.dir, 'never') }), {}, out);
    waitFor('5 open connections', () => readFileSync(out, 'utf8').includes('ready'));
    for (const [pid, side] of [[relay.routerPid, 'router'], [relay.serverPid, 'server']] as const) {
      const ms = relay.stop(pid, side);
      assert.ok(ms < 2000, `${side} took ${ms} ms to stop`);
      assert.match(relay.log(side), /stopped/);
    }
  });
});
