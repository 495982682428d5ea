// The server side refuses what PROTOCOL.md says it must, and survives hostile input: wrong
// key, stale time, replay, 10,000 fuzzed handshakes, 1,000 half-open handshakes, forbidden
// destinations. Run against the release build and the ASan/UBSan build (any report fails).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Topology, sweepStale } from '../netns/lib/topology.js';
import { waitFor, waitListening } from '../netns/lib/wait.js';
import { handshake, record } from './lib/handshake.js';
import { ASAN_ENV, Relay, alive, passiveOpens, peer, peerArgv, relayBinary, rssKb, sanitizerReport } from './lib/relay.js';

const ECHO = 7001;

for (const build of ['release', 'asan'] as const) {
  describe(`mpwan-relay server under attack (${build} build)`, function () {
    this.timeout(120000);
    let topo: Topology;
    let relay: Relay;
    const dstOpens = () => passiveOpens(topo, topo.dst);
    const dstEvents = () => (existsSync(join(relay.dir, 'dst.log')) ? readFileSync(join(relay.dir, 'dst.log'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
    const server = () => ({ host: topo.server, port: relay.serverPort });
    const hs = (o: Partial<Parameters<typeof handshake>[0]> = {}) => ({ keyHex: relay.keyHex, address: topo.destination, port: ECHO, ...o });
    /** Nothing reached the destination while `f` ran, and the server is still up. */
    const noConnection = <T>(f: () => T): T => {
      const before = dstOpens();
      const r = f();
      assert.equal(dstOpens(), before, 'the destination saw a connection');
      assert.ok(alive(relay.serverPid), 'the server died');
      return r;
    };

    before(() => {
      sweepStale();
      topo = new Topology({ wans: 2, lan: true, dst: true, strictRpFilter: true });
      relay = new Relay(topo, build === 'asan' ? { binary: relayBinary('asan'), env: ASAN_ENV } : {}).start();
      topo.spawn(topo.dst, peerArgv('serve', { ports: { [ECHO]: 'echo' }, log: join(relay.dir, 'dst.log') }));
      waitListening(topo, topo.dst, ECHO);
    });
    after(() => {
      relay?.cleanup();
      topo?.destroy();
    });

    it('a good handshake connects (the baseline for what follows)', () => {
      const before = dstOpens();
      const [r] = peer(topo, topo.rtr, 'raw', { ...server(), items: [{ ...hs(), payload: 'ping', timeoutMs: 1000 }] });
      assert.deepEqual([r.status, r.rest], [0, 'ping']);
      assert.equal(dstOpens(), before + 1);
    });

    it('wrong key, stale time, replay: closed without a byte, nothing connects', () => {
      const nonce = randomBytes(16);
      const s0 = relay.stats('server');
      const items = [
        { ...hs({ keyHex: randomBytes(32).toString('hex') }), payload: 'x' },
        { ...hs({ time: Math.floor(Date.now() / 1000) - 120 }), payload: 'x' },
        { ...hs({ time: Math.floor(Date.now() / 1000) + 120 }), payload: 'x' },
      ];
      const rs = noConnection(() => peer(topo, topo.rtr, 'raw', { ...server(), items }));
      for (const r of rs) assert.deepEqual([r.outcome === 'timeout', r.status], [false, null], JSON.stringify(r));
      // The same bytes twice: the first connects, the copy is refused.
      const bytes = handshake(hs({ nonce })).toString('hex');
      const [first] = peer(topo, topo.rtr, 'raw', { ...server(), items: [{ hex: bytes, payload: 'ping', timeoutMs: 1000 }] });
      assert.equal(first.status, 0);
      const [copy] = noConnection(() => peer(topo, topo.rtr, 'raw', { ...server(), items: [{ hex: bytes, payload: 'ping' }] }));
      assert.equal(copy.status, null);
      waitFor('the server to count them', () => {
        const s = relay.stats('server');
        return s.auth_failed === s0.auth_failed + 1 && s.stale === s0.stale + 2 && s.replayed === s0.replayed + 1;
      });
    });

    it('records (type 2): relayed up to the end record; a record too long or cut short resets the destination', () => {
      const items = [
        // Two records and the end record: the destination gets the bytes and their end, and echoes them.
        { ...hs({ type: 2 }), payloadHex: Buffer.concat([record(Buffer.from('pi')), record(Buffer.from('ng')), record(Buffer.alloc(0))]).toString('hex'), timeoutMs: 3000 },
        { ...hs({ type: 2 }), payloadHex: '0010000141', timeoutMs: 3000 }, // a record of 1 MiB + 1
        { ...hs({ type: 2 }), payloadHex: record(Buffer.from('0123456789')).subarray(0, 9).toString('hex'), end: true, timeoutMs: 3000 },
      ];
      const resets = () => dstEvents().filter((e) => e.event === 'reset').map((e) => e.tag);
      const before = resets().length;
      const rs = peer(topo, topo.rtr, 'raw', { ...server(), items });
      assert.deepEqual([rs[0].outcome, rs[0].status, rs[0].rest], ['end', 0, 'ping'], JSON.stringify(rs[0]));
      assert.equal(rs[1].rest, '', 'nothing relayed after a bad header');
      // The destination sees a reset, never an orderly end, for what was cut short. (This peer
      // is plain TCP, which the server's linger-0 close ends with a FIN; a router's MPTCP gets
      // the reset: connections.test.ts.)
      waitFor('the destination to see two resets', () => resets().length === before + 2);
      assert.deepEqual(resets().slice(before).sort(), ['', '01234']);
      assert.ok(!dstEvents().some((e) => e.tag === '01234' && e.event === 'end'), 'a record cut short is not an end');
    });

    it('a router with the wrong key: its LAN client is reset, the destination sees nothing', () => {
      const authFailed = relay.stats('server').auth_failed;
      relay.stop(relay.routerPid, 'router');
      const wrong = new Relay(topo, { binary: relay.binary, env: relay.o.env, sharing: relay, routerKeyHex: randomBytes(32).toString('hex') });
      try {
        wrong.startRouter();
        const r = noConnection(() => peer(topo, topo.cli, 'expect', { host: topo.destination, port: ECHO, send: 'x' }));
        assert.equal(r.outcome, 'reset', JSON.stringify(r));
        waitFor('the wrong router to count a rejection', () => wrong.stats('router').rejected === 1);
        // And the server its wrong MAC, before the next test reads the server's counters.
        waitFor('the server to count the wrong MAC', () => relay.stats('server').auth_failed === authFailed + 1);
        assert.equal(sanitizerReport(wrong.log('router')), null);
      } finally {
        wrong.stop(wrong.routerPid, 'router');
        wrong.cleanup();
        relay.startRouter();
      }
    });

    it('10,000 fuzzed handshakes: all closed without a byte, nothing connects, memory stays flat', () => {
      const fuzz = (n: number) => peer(topo, topo.rtr, 'fuzz', { ...server(), n, keyHex: relay.keyHex, address: topo.destination, destPort: ECHO, concurrency: 100 });
      const s0 = relay.stats('server');
      fuzz(1000); // warms up allocator arenas and the kernel's socket caches
      const before = rssKb(relay.serverPid);
      const r = noConnection(() => fuzz(10000));
      const after = rssKb(relay.serverPid);
      console.log(`      server RSS ${before} KB before, ${after} KB after 10,000 fuzzed handshakes`);
      assert.deepEqual([r.answered, r.counts.timeout ?? 0, r.counts.error ?? 0], [0, 0, 0], JSON.stringify(r));
      // ASan keeps freed memory in quarantine for a while: allow it that, nothing like a leak.
      const slack = build === 'asan' ? 16384 : 1024;
      assert.ok(after - before <= slack, `server RSS grew from ${before} to ${after} KB`);
      // Every case was read and refused as malformed, none by a timeout.
      const counted = () => relay.stats('server').auth_failed - s0.auth_failed;
      waitFor('the server to count 11,000 refusals', () => counted() === 11000);
      assert.equal(relay.stats('server').timed_out, s0.timed_out);
    });

    it('1,000 half-open handshakes are closed after the 5 s timeout', () => {
      const s0 = relay.stats('server');
      const r = noConnection(() => peer(topo, topo.rtr, 'halfopen', { ...server(), n: 1000, hex: '4d5057310104', timeoutMs: 15000 }));
      assert.equal(r.closed, 1000, JSON.stringify(r));
      assert.ok(r.firstMs >= 4900 && r.lastMs < 9000, JSON.stringify(r));
      waitFor('the timeouts to be counted', () => relay.stats('server').timed_out === s0.timed_out + 1000);
    });

    it('beyond --max-pending, new connections are closed at once', () => {
      const s0 = relay.stats('server');
      const r = peer(topo, topo.rtr, 'halfopen', { ...server(), n: 1100, hex: '', timeoutMs: 8000 });
      assert.equal(r.closed, 1100);
      assert.ok(r.firstMs < 1000, `the first refused connection closed after ${r.firstMs} ms`);
      waitFor('overflows to be counted', () => relay.stats('server').overflow - s0.overflow === 76);
    });

    it("the server's loopback and own addresses are refused with status 4, and the LAN client is reset", () => {
      const items = ['127.0.0.1', '::1', topo.server, '198.51.100.1', '10.1.2.3'].map((address) => ({ ...hs({ address, port: 22 }), payload: 'x' }));
      const rs = noConnection(() => peer(topo, topo.rtr, 'raw', { ...server(), items }));
      assert.deepEqual(rs.map((r: { status: number }) => r.status), [4, 4, 4, 4, 4]);
      // Through the router: 10.99.0.1 sits on the server's loopback device.
      const failed = relay.stats('router').failed;
      const r = peer(topo, topo.cli, 'expect', { host: topo.server, port: 22, send: 'x' });
      assert.equal(r.outcome, 'reset');
      waitFor('the router to count status 4 as a failure', () => relay.stats('router').failed === failed + 1);
    });

    it('a key file others can read is refused', () => {
      const f = relay.keyFile(relay.keyHex, 'loose.key');
      chmodSync(f, 0o644);
      const r = topo.exec(topo.vps, [relay.binary, 'server', '--listen', '1', '--key-file', f], { env: relay.o.env ?? {} });
      assert.equal(r.status, 2);
      assert.match(r.stderr, /mode 0600/);
      assert.ok(!r.stderr.includes(relay.keyHex), 'the key never appears in a log');
    });

    it('both sides exit cleanly on SIGTERM, with no sanitizer report', () => {
      relay.stop(relay.routerPid, 'router');
      relay.stop(relay.serverPid, 'server');
      for (const side of ['router', 'server'] as const) {
        assert.equal(sanitizerReport(relay.log(side)), null, relay.log(side));
        assert.match(relay.log(side), /stopped/);
      }
    });
  });
}
