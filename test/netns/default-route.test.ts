// Nothing on the LAN goes dark when the uplink that holds the main default route dies: DNS
// through the router's dnsmasq, LAN UDP, the router's own UDP, and proxied LAN TCP all carry
// on over the other uplink (NAT on each WAN, as fw4 does), and return when it comes back.
import assert from 'node:assert/strict';
import { Topology, sweepStale, type Wan } from './lib/topology.js';
import { setupAggregation, type Aggregation } from './lib/aggregation.js';
import { cut, restore, downloadThrough, type CutKind } from './lib/failover.js';
import { DNS_ANSWER, DNS_NAME, ECHO_PORT, backAfter, startInternet, startProbe, startRouterDns, type Probe } from './lib/internet.js';
import { waitFor } from './lib/wait.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
/** A second internet address, reached through wan2 by a specific route (a VPN or an ISP service). */
const VIA_WAN2 = '198.51.100.20';

describe('default route and flows follow uplink health', function () {
  this.timeout(180000);
  let topo: Topology;
  let agg: Aggregation;
  let stops: (() => void)[] = [];

  const health = (u: string) => agg.rtr.health()[u]?.state;
  const defaultRule = () => topo.ipJson<Obj[]>(topo.rtr, 'rule', 'show', 'pref', '5005').map((r) => r.table);
  /** conntrack entries of UDP flows from `src` to `dst`: the address they are NATed to, and their id. */
  const flows = (dst: string, sport: number | null) => topo.exec(topo.rtr, ['conntrack', '-L', '-p', 'udp', '-s', topo.lanClient, '-d', dst, '--sport', String(sport), '-o', 'id']).stdout
    .split('\n').filter(Boolean).map((l) => ({ natTo: [...l.matchAll(/dst=(\S+)/g)][1]?.[1], id: /id=(\d+)/.exec(l)?.[1] }));

  before(() => {
    sweepStale();
    topo = new Topology({ wans: 2, rateMbit: 20, lan: true, dst: true, strictRpFilter: true });
    agg = setupAggregation(topo, [['check_interval', '1'], ['udp', 'direct']]);
    topo.ip(topo.dst, 'addr', 'add', `${VIA_WAN2}/24`, 'dev', 'eth0');
    topo.ip(topo.rtr, 'route', 'add', `${VIA_WAN2}/32`, 'via', topo.wans[1].gw, 'dev', topo.wans[1].dev);
    // An echo that answers from VIA_WAN2 itself (a socket bound to the wildcard would answer from the first address).
    const echo2 = topo.spawn(topo.dst, ['socat', `UDP4-RECVFROM:${ECHO_PORT + 1},bind=${VIA_WAN2},fork`, 'PIPE']);
    waitFor('the second echo', () => topo.exec(topo.dst, ['ss', '-Hlun', `sport = :${ECHO_PORT + 1}`]).stdout.trim() !== '', 100);
    stops = [startInternet(topo).stop, startRouterDns(topo).stop, () => echo2.kill('SIGKILL')];
  });
  after(() => {
    for (const s of stops) s();
    agg?.cleanup();
    topo?.destroy();
  });
  afterEach(() => {
    for (const w of topo.wans) for (const kind of ['link-down', 'silent-drop'] as CutKind[]) { try { restore(topo, w, kind); } catch { /* not cut */ } }
    waitFor('both uplinks up again', () => health('wan') === 'up' && health('wan2') === 'up' && agg.rtr.health().wan?.suspect === false, 400);
  });

  it('with every uplink healthy, traffic takes the route netifd\'s main table gives', () => {
    assert.deepEqual(defaultRule(), ['5100']);
    const main = topo.ipJson<Obj[]>(topo.rtr, 'route', 'show', 'table', 'main', 'default').sort((a, b) => (a.metric ?? 0) - (b.metric ?? 0))[0];
    const viaLan = topo.ipJson<Obj[]>(topo.rtr, 'route', 'get', topo.destination, 'from', topo.lanClient, 'iif', 'lan0')[0];
    const own = topo.ipJson<Obj[]>(topo.rtr, 'route', 'get', topo.destination)[0];
    for (const r of [viaLan, own]) assert.deepEqual([r.dev, r.gateway], [main.dev, main.gateway]);
    const specific = topo.ipJson<Obj[]>(topo.rtr, 'route', 'get', VIA_WAN2, 'from', topo.lanClient, 'iif', 'lan0')[0];
    assert.equal(specific.dev, topo.wans[1].dev, 'a more specific route in main still wins');
    assert.match(agg.rtr.run(['status']).stdout, /Default route \(DNS, UDP, the router's own traffic\):\n {2}IPv4: wan since/);
    assert.deepEqual(agg.rtr.json(['status']).json.default_route.find((d: Obj) => d.family === 4).uplink, 'wan');
  });

  function failoverOf(kind: CutKind, w: Wan) {
    const dir = agg.rtr.dir;
    // Longer than they are needed: they are stopped once the flows are checked after the restore.
    const probes: Record<string, Probe> = {
      'LAN DNS': startProbe(topo, topo.cli, dir, `dns-${kind}`, { mode: 'dns', to: `${topo.lanRouter}:53`, name: DNS_NAME, every: 100, for: 30000 }),
      'LAN UDP': startProbe(topo, topo.cli, dir, `echo-${kind}`, { mode: 'echo', to: `${topo.destination}:${ECHO_PORT}`, every: 100, for: 30000 }),
      'router UDP': startProbe(topo, topo.rtr, dir, `own-${kind}`, { mode: 'fresh', to: `${topo.destination}:${ECHO_PORT}`, every: 100, for: 30000 }),
      'LAN UDP via wan2': startProbe(topo, topo.cli, dir, `wan2-${kind}`, { mode: 'echo', to: `${VIA_WAN2}:${ECHO_PORT + 1}`, every: 100, for: 30000 }),
    };
    waitFor('every probe answering', () => Object.values(probes).every((p) => p.lines().some((l) => l.ok)), 100);
    const [lanPort, wan2Port] = [probes['LAN UDP'].port(), probes['LAN UDP via wan2'].port()];
    const before = { lan: flows(topo.destination, lanPort), wan2: flows(VIA_WAN2, wan2Port) };
    const seen: Obj = {};
    const run = downloadThrough(topo, dir, 14, [
      [2, () => { cut(topo, w, kind); seen.cutAt = Date.now(); }],
      [7.8, () => { seen.rule = defaultRule(); seen.lan = flows(topo.destination, lanPort); seen.wan2 = flows(VIA_WAN2, wan2Port); }],
      [8, () => { seen.restoredAt = Date.now(); restore(topo, w, kind); }],
    ]);
    waitFor('the uplink back and preferred again', () => health('wan') === 'up' && defaultRule()[0] === '5100', 200);
    // The moved flow must stay on wan2: look once the re-plan that took wan back has finished
    // (the daemon reports it) and a datagram of the flow has passed since.
    waitFor('the daemon to report wan back', () => agg.rtr.daemonState()?.default_route?.find((d: Obj) => d.family === 4)?.uplink === 'wan', 200);
    const replanned = Date.now();
    waitFor('a LAN UDP answer after that re-plan', () => probes['LAN UDP'].lines().some((l) => l.ok && l.sentMs > replanned), 100);
    for (const p of Object.values(probes)) try { process.kill(-p.child.pid!, 'SIGKILL'); } catch { /* done */ }
    seen.after = flows(topo.destination, lanPort);
    return { run, seen, before, probes };
  }

  for (const kind of ['silent-drop', 'link-down'] as CutKind[]) {
    it(`${kind} of the main-route uplink: DNS, LAN UDP and the router's own UDP answer again, TCP carries on; then back`, () => {
      const { run, seen, before, probes } = failoverOf(kind, topo.wans[0]);
      assert.equal(run.result.error, undefined, 'the proxied LAN download went on');
      assert.deepEqual(seen.rule, ['5101'], 'the default route left the dead uplink');
      for (const [name, p] of Object.entries(probes)) {
        const lines = p.lines();
        const back = backAfter(lines, seen.cutAt);
        console.log(`      ${name}: answers again ${back === null ? 'never' : `${back} ms`} after the cut`);
        assert.ok(back !== null && seen.cutAt + back < seen.restoredAt, `${name} answered again while the uplink was down`);
        if (name === 'LAN DNS') assert.ok(lines.filter((l) => l.ok).every((l) => l.detail === DNS_ANSWER));
      }
      // The LAN flow that ran through the dead uplink was NATed anew by wan2; the one through wan2 was not touched.
      assert.equal(before.lan[0].natTo, topo.wans[0].addr);
      assert.deepEqual(seen.lan.map((f: Obj) => f.natTo), [topo.wans[1].addr]);
      assert.deepEqual(seen.wan2, before.wan2, 'the flow through the healthy uplink kept its conntrack entry');
      const wan2 = probes['LAN UDP via wan2'].lines().filter((l) => l.ok && l.ms > seen.cutAt - 1000 && l.ms < seen.restoredAt);
      const gaps = wan2.slice(1).map((l, i) => l.ms - wan2[i].ms);
      assert.ok(Math.max(...gaps) < 1000, `no gap in the flow through the healthy uplink (${Math.max(...gaps)} ms)`);
      // Back: new flows prefer the restored uplink; flows that moved stay where they are (healthy), nothing is left behind.
      assert.deepEqual(seen.after.map((f: Obj) => f.natTo), [topo.wans[1].addr], 'the moved flow stays on wan2');
      const own = topo.ipJson<Obj[]>(topo.rtr, 'route', 'get', topo.destination)[0];
      assert.equal(own.dev, topo.wans[0].dev, 'new flows take the preferred uplink again');
      assert.deepEqual(agg.rtr.json(['apply', '--dry-run']).json.changes, [], 'nothing left to change');
    });
  }

  it('a backup uplink carries the default route when it is the only one left', () => {
    agg.editConfig('uplink', 'wan2', [['mode', 'backup']]);
    agg.rtr.reload();
    waitFor('wan2 a backup', () => topo.ipJson<Obj[]>(topo.rtr, 'mptcp', 'endpoint', 'show').some((e) => e.backup));
    assert.deepEqual(defaultRule(), ['5100']);
    cut(topo, topo.wans[0], 'silent-drop');
    waitFor('the default route on the backup uplink', () => defaultRule()[0] === '5101', 200);
    const dns = startProbe(topo, topo.cli, agg.rtr.dir, 'dns-backup', { mode: 'dns', to: `${topo.lanRouter}:53`, name: DNS_NAME, every: 100, for: 2000 });
    waitFor('a DNS answer over the backup uplink', () => dns.lines().some((l) => l.ok), 100);
    restore(topo, topo.wans[0], 'silent-drop');
    waitFor('the default route back on wan', () => defaultRule()[0] === '5100', 200);
    agg.editConfig('uplink', 'wan2', [['mode', 'on']]);
    agg.rtr.reload();
  });

  /** socat sends one datagram and waits for an answer: refused at once, answered, or silent. */
  const udpTry = (port: number) => {
    const t0 = Date.now();
    const r = topo.exec(topo.cli, ['socat', '-T', '2', '-', `UDP4:${topo.destination}:${port}`], { input: 'q\n' });
    return { answered: r.stdout === 'q\n', refused: /Connection refused/.test(r.stderr), ms: Date.now() - t0 };
  };

  it('QUIC: with quic tcp, LAN UDP to port 443 is refused at once while LAN TCP is redirected; other UDP passes', () => {
    const quic = udpTry(443);
    assert.ok(quic.refused && !quic.answered, `UDP 443 refused: ${JSON.stringify(quic)}`);
    assert.ok(udpTry(ECHO_PORT).answered);
    agg.editConfig('proxy', 'proxy', [['quic', 'direct']]);
    agg.rtr.reload();
    assert.ok(udpTry(443).answered, 'quic direct: QUIC passes');
    agg.editConfig('proxy', 'proxy', [['quic', 'tcp']]);
    agg.rtr.reload();
    assert.ok(udpTry(443).refused);
    agg.editConfig('proxy', 'proxy', [['enabled', '0']]);
    agg.rtr.reload();
    assert.ok(udpTry(443).answered, 'without the redirect, QUIC is not refused');
    agg.editConfig('proxy', 'proxy', [['enabled', '1']]);
    agg.rtr.reload();
    waitFor('the redirect', () => agg.rtr.daemonState()?.proxy?.redirect_active === true);
  });

  it('mpwan stop removes the default-route rules and the table', () => {
    assert.equal(agg.rtr.run(['stop']).status, 0);
    waitFor('the daemon gone', () => !agg.daemon.alive());
    const ours = [...topo.ipJson<Obj[]>(topo.rtr, 'rule', 'show'), ...topo.ipJson<Obj[]>(topo.rtr, '-6', 'rule', 'show')].filter((r) => r.priority >= 5000 && r.priority <= 5005);
    assert.deepEqual(ours, []);
    assert.notEqual(topo.exec(topo.rtr, ['nft', 'list', 'table', 'inet', 'mpwan']).status, 0);
    agg.daemon = agg.rtr.startDaemon();
    waitFor('the daemon back', () => agg.rtr.daemonState()?.proxy?.redirect_active === true);
  });
});
