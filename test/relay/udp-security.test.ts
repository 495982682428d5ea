// The server side's UDP refuses what PROTOCOL.md says it must and survives hostile input:
// the datagram format checked from outside (answers and replies verified with an independent
// implementation), replays and the other copy of a duplicate, forbidden destinations, 10,000
// forged, replayed, truncated and oversized datagrams, a full session table. Run against the
// release build and the ASan/UBSan build (any report fails).
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { Topology, sweepStale } from '../netns/lib/topology.js';
import { waitFor } from '../netns/lib/wait.js';
import { TYPE, open, seal } from './lib/dgram.js';
import { ASAN_ENV, Relay, alive, relayBinary, rssKb, sanitizerReport, udpDelivered, udpPeer, udpPeerArgv } from './lib/relay.js';

const ECHO = 7001;

for (const build of ['release', 'asan'] as const) {
  describe(`mpwan-relay server UDP under attack (${build} build)`, function () {
    this.timeout(120000);
    let topo: Topology;
    let relay: Relay;
    const server = () => ({ host: topo.server, port: relay.serverPort, keyHex: relay.keyHex });
    const data = (o: object = {}) => ({ type: TYPE.toServer, session: randomInt(1, 2 ** 32), seq: 1, address: topo.destination, port: ECHO, payload: 'hello', ...o });
    const raw = (items: object[], o: object = {}) => udpPeer(topo, topo.rtr, 'raw', { ...server(), items, ...o });
    const udp = () => relay.udpStats('server');
    /** What the destination's kernel delivered while `f` ran. */
    const delivered = <T>(f: () => T): [T, number] => {
      const before = udpDelivered(topo, topo.dst);
      const r = f();
      return [r, udpDelivered(topo, topo.dst) - before];
    };
    const rcvbufErrors = () => Number(/Udp: \d+ \d+ \d+ \d+ (\d+)/.exec(topo.readFile(topo.vps, '/proc/net/snmp'))![1]);

    before(() => {
      sweepStale();
      topo = new Topology({ wans: 1, dst: true, strictRpFilter: true });
      relay = new Relay(topo, build === 'asan' ? { binary: relayBinary('asan'), env: ASAN_ENV } : {});
      relay.startServer();
      topo.spawn(topo.dst, udpPeerArgv('echo', { ports: [ECHO], log: join(relay.dir, 'dst.log') }));
      waitFor('the UDP echo', () => topo.exec(topo.dst, ['ss', '-Hlun', `sport = :${ECHO}`]).stdout.trim() !== '', 100);
    });
    after(() => {
      relay?.cleanup();
      topo?.destroy();
    });

    it('a datagram reaches the destination, and its reply comes back signed, from the remote it went to', () => {
      const d = data({ seq: 1, payload: 'ping' });
      const [r, n] = delivered(() => raw([d]));
      assert.equal(n, 1);
      assert.equal(r.back.length, 1, JSON.stringify(r));
      const back = open(relay.keyHex, Buffer.from(r.back[0], 'hex'))!;
      assert.ok(back, 'the reply carries a valid tag');
      assert.deepEqual([back.type, back.flags, back.session, back.seq, back.address, back.port, back.payload.toString()],
        [TYPE.toRouter, 0, d.session, 1, topo.destination, ECHO, 'ping']);
      assert.ok(Math.abs(back.time - Date.now() / 1000) < 5, `time ${back.time}`);
      assert.equal(r.back[0].length / 2 - 4, 29, 'the overhead with an IPv4 remote');
    });

    it('keepalives are answered with the same id and sequence number; bad ones are not', () => {
      const ka = { type: TYPE.keepalive, session: 0x5eed, seq: 42 };
      const bad = seal(relay.keyHex, ka);
      bad[3] ^= 1;
      const r = raw([ka, { hex: bad.toString('hex') }, { ...ka, payload: 'x' }]);
      assert.equal(r.back.length, 1, JSON.stringify(r));
      const a = open(relay.keyHex, Buffer.from(r.back[0], 'hex'))!;
      assert.deepEqual([a.type, a.session, a.seq, a.address, a.payload.length, r.back[0].length / 2], [TYPE.answer, 0x5eed, 42, '', 0, 25]);
    });

    it('a replay is dropped and counted; the other copy of a duplicated datagram is not sent on either', () => {
      const s0 = udp();
      const d = data({ seq: 7 });
      const once = seal(relay.keyHex, { ...d, payload: Buffer.from(d.payload) }).toString('hex');
      const copy = seal(relay.keyHex, { ...d, flags: 1, payload: Buffer.from(d.payload) }).toString('hex');
      const [r, n] = delivered(() => raw([once, once, copy, once, copy].map((hex) => ({ hex })), { gapMs: 20 }));
      assert.equal(n, 1, 'the destination got it once');
      assert.ok(r.back.length >= 1 && r.back.length <= 2, `replies: ${r.back.length}`); // to the one router address (twice: both copies noted it)
      waitFor('the counts', () => udp().replayed - s0.replayed === 3 && udp().duplicates_dropped - s0.duplicates_dropped === 1, 60);
    });

    it("loopback, private and the server's own addresses are refused, and open no session", () => {
      const s0 = udp();
      const refused = ['127.0.0.1', '10.1.2.3', '192.168.1.1', topo.server, '198.51.100.1', '::1', 'fd00::1', 'fe80::1'];
      const [r, n] = delivered(() => raw(refused.map((address) => data({ address }))));
      assert.deepEqual([n, r.back.length], [0, 0]);
      waitFor('the refusals to be counted', () => udp().refused_destination - s0.refused_destination === refused.length, 60);
      assert.equal(udp().sessions, s0.sessions, 'no session was opened');
    });

    it('10,000 forged, replayed, truncated and oversized datagrams: nothing goes on, all counted, memory stays flat', () => {
      // Ten real datagrams first: the fuzz replays them.
      const originals = raw(Array.from({ length: 10 }, () => data())).sent as string[];
      const fuzz = (n: number) => udpPeer(topo, topo.rtr, 'fuzz', { ...server(), n, address: topo.destination, destPort: ECHO, replay: originals });
      const w0 = udp(), wd0 = rcvbufErrors();
      fuzz(1000); // warms up the allocator and the kernel's socket caches
      waitFor('the warm-up to be counted', () => udp().bad - w0.bad + udp().replayed - w0.replayed + rcvbufErrors() - wd0 === 1000, 60);
      const s0 = udp(), drops0 = rcvbufErrors();
      const before = rssKb(relay.serverPid);
      const [, n] = delivered(() => fuzz(10000));
      const after = rssKb(relay.serverPid);
      assert.equal(n, 0, 'the destination received something');
      assert.ok(alive(relay.serverPid), 'the server died');
      const drops = rcvbufErrors() - drops0;
      const counted = () => udp().bad - s0.bad + udp().replayed - s0.replayed;
      waitFor('all 10,000 to be counted', () => counted() + drops === 10000, 60);
      console.log(`      server RSS ${before} KB before, ${after} KB after; bad ${udp().bad - s0.bad}, replayed ${udp().replayed - s0.replayed}, dropped by the kernel ${drops}`);
      assert.equal(udp().sessions, s0.sessions, 'no session was opened');
      assert.ok(after - before <= (build === 'asan' ? 16384 : 1024), `server RSS grew from ${before} to ${after} KB`);
      assert.ok(drops < 100, `${drops} datagrams never reached the relay`);
    });

    it('a full session table refuses new sessions (counted) and keeps serving the open ones', () => {
      relay.stop(relay.serverPid, 'server');
      relay.startServer(['--max-sessions', '5']);
      waitFor('the server to serve UDP', () => topo.exec(topo.vps, ['ss', '-Hlun', `sport = :${relay.serverPort}`]).stdout.trim() !== '', 100);
      const first = Array.from({ length: 5 }, () => data());
      const [, opened] = delivered(() => raw(first));
      const [, refused] = delivered(() => raw([data(), data(), data()]));
      const [, again] = delivered(() => raw(first.map((d) => ({ ...d, seq: 2 }))));
      assert.deepEqual([opened, refused, again], [5, 0, 5]);
      waitFor('the overflow to be counted', () => udp().overflow === 3 && udp().active === 5, 60);
    });

    it('the server exits cleanly on SIGTERM, with no sanitizer report', () => {
      relay.stop(relay.serverPid, 'server');
      assert.equal(sanitizerReport(relay.log('server')), null, relay.log('server'));
      assert.match(relay.log('server'), /stopped/);
    });
  });
}
