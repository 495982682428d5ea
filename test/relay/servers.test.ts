// mpwan-relay's router follows its --server-file: on SIGHUP new LAN connections and UDP
// sessions go to the server the file names now, while connections already open stay on the
// server they were opened to (the daemon's fail-over and fail-back, src/daemon/lan-traffic.ts).
// Two relay servers, each with a key of its own, on hosts of their own behind the same
// internet (topology option `servers`). Release and ASan/UBSan builds (any report fails).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Topology, sweepStale } from '../netns/lib/topology.js';
import { sleepMs, waitFor, waitListening } from '../netns/lib/wait.js';
import { ASAN_ENV, Relay, alive, peer, peerArgv, relayBinary, sanitizerReport, udpPeerArgv } from './lib/relay.js';

const ECHO = 7001, UDP_ECHO = 7002;
const RATE = 50;

for (const build of ['release', 'asan'] as const) describe(`mpwan-relay: the router's server file (${build} build)`, function () {
  this.timeout(120000);
  let topo: Topology;
  let relay: Relay;
  const env = build === 'asan' ? ASAN_ENV : {};
  const servers: { address: string; key: string; pid: number; stats: string; log: string }[] = [];
  let dstLog: string;
  const serverFile = () => join(relay.dir, 'server');
  /** Writes the server file as the daemon does (atomically); `hup` then tells the router. */
  const point = (text: string, hup = true) => {
    writeFileSync(`${serverFile()}.tmp`, text);
    renameSync(`${serverFile()}.tmp`, serverFile());
    if (hup) process.kill(relay.routerPid, 'SIGHUP');
  };
  const line = (i: number) => `${servers[i].address}:${relay.serverPort} ${servers[i].key}\n`;
  const tcp = (i: number): Record<string, number> => { try { return JSON.parse(readFileSync(servers[i].stats, 'utf8')).tcp ?? {}; } catch { return {}; } };
  const udpSources = (stream: string) => new Set((existsSync(dstLog) ? readFileSync(dstLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [])
    .filter((e) => e.stream === stream).map((e) => e.from as string));

  before(() => {
    sweepStale();
    topo = new Topology({ wans: 2, lan: true, dst: true, servers: 2, strictRpFilter: true });
    relay = new Relay(topo, { binary: relayBinary(build), env });
    relay.tproxyUdp();
    for (const [i, h] of topo.srvHosts.entries()) {
      const key = relay.keyFile(randomBytes(32).toString('hex'), `server${i}.key`);
      const s = { address: h.address, key, pid: 0, stats: join(relay.dir, `server${i}.json`), log: join(relay.dir, `server${i}.log`) };
      s.pid = topo.spawn(h.ns, [relay.binary, 'server', '--listen', String(relay.serverPort), '--key-file', key, '--stats', s.stats], env, s.log).pid!;
      waitListening(topo, h.ns, relay.serverPort);
      servers.push(s);
    }
    relay.writePaths(topo.wans.map((w) => [w.dev, w.addr]));
    point(line(0), false);
    relay.routerPid = topo.spawn(topo.rtr, [relay.binary, 'router', '--port', String(relay.routerPort), '--server-file', serverFile(),
      '--udp', '--paths-file', relay.pathsFile, '--stats', join(relay.dir, 'router.json')], env, join(relay.dir, 'router.log')).pid!;
    waitListening(topo, topo.rtr, relay.routerPort);
    dstLog = join(relay.dir, 'dst.log');
    topo.spawn(topo.dst, peerArgv('serve', { ports: { [ECHO]: 'echo' }, log: join(relay.dir, 'dst-tcp.log') }), {}, join(relay.dir, 'dst-peer.log'));
    topo.spawn(topo.dst, udpPeerArgv('echo', { ports: [UDP_ECHO], log: dstLog }), {}, join(relay.dir, 'dst-udp.log'));
    waitListening(topo, topo.dst, ECHO);
  });
  after(() => {
    for (const s of servers) if (s.pid && alive(s.pid)) process.kill(s.pid, 'SIGKILL');
    relay?.cleanup();
    topo?.destroy();
  });
  afterEach(function () {
    if (build !== 'asan') return;
    for (const log of [relay.log('router'), ...servers.map((s) => (existsSync(s.log) ? readFileSync(s.log, 'utf8') : ''))]) assert.equal(sanitizerReport(log), null, log);
  });

  it('a router needs --server with --key-file, or --server-file alone; a server file it cannot use stops it at start', () => {
    const run = (...args: string[]) => topo.exec(topo.rtr, [relay.binary, 'router', '--port', '1101', ...args], { env });
    const mixed = run('--server-file', serverFile(), '--server', `${servers[0].address}:1`);
    assert.equal(mixed.status, 2, mixed.stderr);
    assert.match(mixed.stderr, /--server-file/);
    const missing = run('--server-file', join(relay.dir, 'nothing'));
    assert.equal(missing.status, 2, missing.stderr);
    assert.match(missing.stderr, /server file .*nothing: No such file or directory/);
    writeFileSync(join(relay.dir, 'bad'), `${servers[0].address}:${relay.serverPort}\n`);
    assert.match(run('--server-file', join(relay.dir, 'bad')).stderr, /not `<address>:<port> <key file>`/);
  });

  it('after SIGHUP new LAN connections go to the server the file names; those open on the one before stay there and finish', () => {
    const hold = join(relay.dir, 'release');
    const out = join(relay.dir, 'held.out');
    topo.spawn(topo.cli, peerArgv('clients', { host: topo.destination, port: ECHO, n: 3, holdFile: hold, bytes: 5000 }), {}, out);
    waitFor('3 connections open through the first server', () => tcp(0).active === 3, 100);
    point(line(1));
    waitFor('the router to take the second server', () => relay.log('router').includes(`server now ${servers[1].address}:${relay.serverPort}`), 100);
    const fresh = peer(topo, topo.cli, 'clients', { host: topo.destination, port: ECHO, n: 5 });
    assert.deepEqual([fresh.openAtOnce, fresh.ok], [5, 5], JSON.stringify(fresh));
    waitFor('the second server to count 5 connections', () => tcp(1).accepted === 5, 100);
    writeFileSync(hold, '');
    const held = waitFor('the held clients to finish', () => { const l = readFileSync(out, 'utf8').trim().split('\n').pop()!; return l.startsWith('{') && JSON.parse(l); }, 100);
    assert.deepEqual([held.openAtOnce, held.ok], [3, 3], JSON.stringify(held));
    assert.equal(tcp(0).accepted, 3);
  });

  it('a UDP call moves to the new server at the next datagram: the destination then hears it from there', () => {
    const stream = 'call';
    const out = join(relay.dir, 'call.out');
    topo.spawn(topo.cli, udpPeerArgv('stream', { host: topo.destination, port: UDP_ECHO, count: 4 * RATE, rate: RATE, stream, tailMs: 1000 }), {}, out);
    sleepMs(1500);
    point(line(0));
    const r = waitFor('the call', () => { const l = existsSync(out) && readFileSync(out, 'utf8').trim().split('\n').pop(); return l && l.startsWith('{') && JSON.parse(l); }, 200);
    console.log(`      ${r.echoed}/${r.sent} echoed, longest silence ${r.maxGapMs} ms`);
    // Each server host reaches the destination from its link's address (10.98.<i>.2): first the second server's, then the first's.
    assert.deepEqual([...udpSources(stream)], ['10.98.1.2', '10.98.0.2']);
    assert.ok(r.echoed >= r.sent - 3, JSON.stringify(r));
    assert.ok(r.maxGapMs < 1000, JSON.stringify(r));
  });

  it('a server file it cannot use on SIGHUP is logged, and the server stays as it was', () => {
    point(`${servers[1].address}:${relay.serverPort} ${join(relay.dir, 'no.key')}\n`);
    waitFor('the router to say so', () => /server file .*: No such file or directory: the server stays as it was/.test(relay.log('router')), 100);
    const before = tcp(0).accepted ?? 0;
    const r = peer(topo, topo.cli, 'clients', { host: topo.destination, port: ECHO, n: 2 });
    assert.equal(r.ok, 2, JSON.stringify(r));
    waitFor('the first server to take them', () => tcp(0).accepted === before + 2, 100);
    assert.ok(alive(relay.routerPid));
  });
});
