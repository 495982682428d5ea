// Many short LAN connections through mpwan-relay (README.md, "Many short connections"): a
// sustained rate past the ~470 a second at which the router used to run out of ports, and,
// when ports do run out anyway, a refusal at once that is counted, logged once and readable by
// `mpwan status`. Real kernel, real binaries, 2 WANs, an echo server behind the server side.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRelayStats } from '../../src/observe/relay-stats.js';
import { Topology, sweepStale } from '../netns/lib/topology.js';
import { waitFor, waitListening } from '../netns/lib/wait.js';
import { startLoad, timeWaits } from './lib/load-run.js';
import { Relay, loadArgv } from './lib/relay.js';

const ECHO = 7001;

describe('mpwan-relay: many short LAN connections', function () {
  this.timeout(300000);
  let topo: Topology;
  let relay: Relay;

  const load = (mode: string, o: Record<string, unknown>) => startLoad(topo, relay.dir, mode, { host: topo.destination, port: ECHO, ...o });

  before(() => {
    sweepStale();
    topo = new Topology({ wans: 2, lan: true, dst: true, strictRpFilter: true });
    // One client namespace stands for a LAN full of hosts: the TIME_WAIT of their own closes is
    // theirs, spread over many addresses in a real LAN.
    topo.sysctl(topo.cli, 'net.ipv4.ip_local_port_range', '1024 65535');
    topo.sysctl(topo.cli, 'net.ipv4.tcp_tw_reuse', '1');
    // As `mpwan server setup` sets it: the server's own connections to the one destination.
    topo.sysctl(topo.vps, 'net.ipv4.tcp_tw_reuse', '1');
    relay = new Relay(topo).start();
    topo.spawn(topo.dst, loadArgv('echo', { ports: [ECHO] }), {}, join(relay.dir, 'echo.log'));
    waitListening(topo, topo.dst, ECHO);
  });
  after(() => {
    relay?.cleanup();
    topo?.destroy();
  });

  it('700 new connections a second for 90 s, 200 open at a time: every one echoed byte for byte, no TIME_WAIT on the router', () => {
    const before = relay.stats('router');
    let most = 0;
    const r = load('rate', { rate: 700, seconds: 90, open: 200 }).summary(200, 1, () => { most = Math.max(most, timeWaits(topo, topo.rtr)); });
    console.log(`      ${r.ok} echoed in ${r.seconds} s (${r.achievedRate}/s), latency median ${r.p50Ms} ms, p99 ${r.p99Ms} ms; ` +
      `at most ${most} sockets in TIME_WAIT on the router, ${timeWaits(topo, topo.vps)} on the server at the end`);
    assert.deepEqual([r.ok, r.failed], [63000, 0], JSON.stringify(r));
    assert.ok(most < 100, `the router held ${most} sockets in TIME_WAIT`);
    waitFor('the router to count them (its stats file is rewritten every second)', () => relay.stats('router').answered - before.answered === 63000);
    assert.equal(relay.stats('router').refused, before.refused, 'nothing refused');
  });

  it('out of ports anyway: the LAN client is reset at once, and the router counts it, logs it once and status reads it', () => {
    const range = topo.readFile(topo.rtr, '/proc/sys/net/ipv4/ip_local_port_range').trim().replace(/\s+/, ' ');
    topo.sysctl(topo.rtr, 'net.ipv4.ip_local_port_range', '40000 40007');
    const go = join(relay.dir, 'go');
    try {
      const t0 = Math.floor(Date.now() / 1000);
      // 30 idle connections: the first few take the 8 ports (a subflow each), the rest are refused.
      const base = relay.stats('router').refused;
      const refused = () => relay.stats('router').refused - base;
      const held = load('open', { n: 30, go, timeoutMs: 60000 });
      waitFor('30 connections open or refused', () => /^open (\d+)/.test(held.text()));
      // The LAN handshake completes before the relay asks for a port upstream, so the client may
      // see a refused connection open for a moment: the router's settled count says which held.
      waitFor('the router to count the refusals', () => refused() >= 30 - 8);
      const opened = 30 - (relay.settledStatsDoc('router').tcp.refused - base);
      assert.ok(opened >= 1 && opened <= 8, `${opened} connections got ports`);
      // A second burst within the minute: counted, not logged again.
      const again = load('open', { n: 10, go: join(relay.dir, 'never'), timeoutMs: 3000 }).summary(400);
      assert.equal(again.connected, 0, JSON.stringify(again));
      assert.ok(again.failMaxMs < 1000, `a refused connection took ${again.failMaxMs} ms to be reset`);
      waitFor('the second burst counted', () => refused() === 40 - opened);
      const lines = relay.log('router').split('\n').filter((l) => /out of ports, descriptors or memory/.test(l));
      console.log(`      ${opened} of 30 held connections got ports, ${40 - opened} refused (reset after ${again.failMaxMs} ms at most); logged: "${lines[0]}"`);
      assert.equal(lines.length, 1, relay.log('router'));
      assert.match(lines[0], /\d+ connections? refused in the last minute \(the last: Cannot assign requested address\)/);
      // What `mpwan status` reads: the stats file through src/observe/relay-stats.ts.
      const s = parseRelayStats(relay.statsText('router'))!;
      assert.equal(s.tcp.refused - base, 40 - opened);
      assert.ok(s.tcp.refused_at >= t0 && s.tcp.refused_at <= Math.ceil(Date.now() / 1000), JSON.stringify(s.tcp));
      // The connections that got ports still work.
      writeFileSync(go, '');
      const r = held.summary(400);
      assert.equal(r.ok, opened, JSON.stringify(r));
    } finally {
      topo.sysctl(topo.rtr, 'net.ipv4.ip_local_port_range', range);
    }
    assert.ok(!existsSync(join(relay.dir, 'never')));
  });
});
