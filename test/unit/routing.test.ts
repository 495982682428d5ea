// Where traffic without a more specific route goes: the default-route rules follow health,
// flows keep the uplink they started on while it is healthy, and netifd's order is kept.
import assert from 'node:assert/strict';
import { planDesired } from '../../src/plan/plan.js';
import { describeChange } from '../../src/apply/render.js';
import { diffState } from '../../src/diff/diff.js';
import type { NetifdInterface } from '../../src/model/netifd.js';
import { applyToModel, caps, config, emptyObserved, kernelFromNetifd, uplink } from './builders/index.js';

const wan = (name: string, dev: string, v4: string, metric: number, v6?: string): NetifdInterface => ({
  name, up: true, available: true, l3Device: dev, proto: 'static', metric,
  ipv4: [{ address: v4, mask: 24 }], ipv6: v6 ? [{ address: v6, mask: 64 }] : [],
  routes: [{ target: '0.0.0.0', mask: 0, nexthop: v4.replace(/\.\d+$/, '.1') }, ...(v6 ? [{ target: '::', mask: 0, nexthop: v6.replace(/::\d+$/, '::1') }] : [])],
});
const netifd = [wan('wan', 'wan0', '10.20.1.2', 10), wan('wan2', 'wan1', '10.20.2.2', 20)];
const on = (uplinks = ['wan', 'wan2'] as Parameters<typeof config>[0]) => config(uplinks, { defaultRoute: true });
const plan = (c = on(), cond = {}, n = netifd) => planDesired(c, n, kernelFromNetifd(n), caps, cond);
const routingRules = (d: ReturnType<typeof plan>) => d.rules.filter((r) => r.pref >= 5003).map((r) => `${r.pref} ${r.fwmark ? `fwmark ${r.fwmark.toString(16)} ` : ''}${r.table}${r.suppressPrefixlength !== undefined ? ' suppress' : ''}`);

describe('default route follows health', () => {
  it('on a healthy router it is the uplink netifd\'s main table prefers (lowest metric); specific routes still win', () => {
    assert.deepEqual(routingRules(plan()), ['5003 main suppress', '5004 fwmark 1000000 5100', '5004 fwmark 2000000 5101', '5005 5100']);
    const byMetric = plan(on(), {}, [wan('wan', 'wan0', '10.20.1.2', 30), wan('wan2', 'wan1', '10.20.2.2', 20)]);
    assert.deepEqual(byMetric.defaultRoutes, [{ family: 4, uplink: 'wan2', reason: null }, { family: 6, uplink: null, reason: 'no healthy uplink has an IPv6 default route' }]);
  });

  it('moves to the next uplink at the first missed probe round and when one is down; flows on the healthy one stay', () => {
    assert.deepEqual(routingRules(plan(on(), { suspect: ['wan'] })), ['5003 main suppress', '5004 fwmark 2000000 5101', '5004 fwmark 1000000 5100', '5005 5101']);
    const down = plan(on(), { unhealthy: { wan: 'no answer' } });
    assert.deepEqual(routingRules(down), ['5003 main suppress', '5004 fwmark 2000000 5101', '5005 5101'], 'the dead uplink keeps no flows');
    assert.deepEqual(down.marks, [{ uplink: 'wan2', dev: 'wan1', mark: 0x2000000 }]);
  });

  it('prefers on over backup, and a backup uplink carries it when it is the only one left', () => {
    const c = config([uplink('wan', { mode: 'backup' }), uplink('wan2', {}, 1)], { defaultRoute: true });
    assert.equal(plan(c).defaultRoutes[0].uplink, 'wan2');
    assert.equal(plan(c, { unhealthy: { wan2: 'no carrier' } }).defaultRoutes[0].uplink, 'wan');
    assert.deepEqual(routingRules(plan(on(), { unhealthy: { wan: 'x', wan2: 'y' } })), [], 'none healthy: netifd\'s main table decides');
  });

  it('per family: IPv6 by its own best uplink', () => {
    const n = [wan('wan', 'wan0', '10.20.1.2', 10), wan('wan2', 'wan1', '10.20.2.2', 20, '2001:db8:2::2')];
    const d = planDesired(on(), n, kernelFromNetifd(n), caps);
    assert.deepEqual(d.defaultRoutes.map((x) => [x.family, x.uplink]), [[4, 'wan'], [6, 'wan2']]);
    assert.deepEqual(d.rules.filter((r) => r.family === 6 && r.pref >= 5003).map((r) => r.table), ['main', 5101, 5101]);
  });

  it('is left to mwan3 when it runs, and to netifd when the option is off; each says why', () => {
    assert.deepEqual(routingRules(plan(on(), { mwan3: true })), []);
    assert.equal(plan(on(), { mwan3: true }).defaultRoutes[0].reason, 'mwan3 runs and manages the default route');
    assert.equal(plan(config(['wan', 'wan2'], { defaultRoute: false })).defaultRoutes[0].reason, "option default_route is '0'");
    assert.deepEqual(plan(config(['wan', 'wan2'], { defaultRoute: false })).marks, []);
  });

  it('when health changes only these rules change: no endpoint, route or limit churn', () => {
    const empty = emptyObserved(kernelFromNetifd(netifd));
    const cold = diffState(plan(), empty, { endpoints: [] }, new Set());
    const applied = applyToModel(empty, cold.changes);
    assert.deepEqual(diffState(plan(), applied, cold.owned, new Set(['wan0', 'wan1'])).changes, [], 'the second run changes nothing');
    const moved = diffState(plan(on(), { suspect: ['wan'] }), applied, cold.owned, new Set(['wan0', 'wan1']));
    assert.deepEqual(moved.changes.map((c) => c.kind), ['rule-add', 'rule-del']);
    assert.deepEqual(moved.changes.map(describeChange), ['add IPv4 rule pref 5005 from all lookup 5101', 'delete IPv4 rule pref 5005 from all lookup 5100']);
  });

  it("with udp 'server' the relay's UDP takes the same best uplink as new TCP, and TPROXY'd LAN UDP is delivered locally", () => {
    const c = on();
    c.servers = [{ name: 'vps', enabled: true, priority: 50, host: '198.51.100.7', port: 8388, key: 'ab'.repeat(32), method: 'chacha20-ietf-poly1305', line: 1 }];
    c.proxy = { ...c.proxy, enabled: true, engine: 'relay', udp: 'server' };
    assert.deepEqual(plan(c).udpPaths, [{ uplink: 'wan', source: '10.20.1.2', metered: false }, { uplink: 'wan2', source: '10.20.2.2', metered: false }]);
    assert.deepEqual(plan(c, { suspect: ['wan'] }).udpPaths.map((p) => p.uplink), ['wan2', 'wan'], 'a suspect uplink goes last, as for TCP');
    assert.deepEqual(plan(c, { unhealthy: { wan: 'no answer' } }).udpPaths.map((p) => p.uplink), ['wan2'], 'a dead one is no way at all');
    const d = plan(c);
    assert.deepEqual(d.rules.filter((r) => r.pref === 5002).map((r) => `${r.family} fwmark ${r.fwmark!.toString(16)}/${r.fwmask!.toString(16)} ${r.table}`),
      ['4 fwmark 80000000/80000000 5163', '6 fwmark 80000000/80000000 5163']);
    assert.deepEqual(d.routes.filter((r) => r.table === 5163), [
      { family: 4, table: 5163, dst: 'default', dev: 'lo', type: 'local' }, { family: 6, table: 5163, dst: 'default', dev: 'lo', type: 'local' }]);
    const empty = emptyObserved(kernelFromNetifd(netifd));
    const cold = diffState(d, empty, { endpoints: [] }, new Set());
    const lines = cold.changes.map(describeChange);
    for (const f of [4, 6]) {
      assert.ok(lines.includes(`add IPv${f} route local default dev lo table 5163`), lines.join('\n'));
      assert.ok(lines.includes(`add IPv${f} rule pref 5002 fwmark 0x80000000/0x80000000 lookup 5163`), lines.join('\n'));
    }
    assert.equal(new Set(lines).size, lines.length, 'no two changes read the same');
    assert.deepEqual(diffState(d, applyToModel(empty, cold.changes), cold.owned, new Set(['wan0', 'wan1'])).changes, [], 'the second run changes nothing');
    for (const udp of ['direct', 'server'] as const) {
      for (const engine of ['relay', 'shadowsocks-rust'] as const) {
        const x = plan({ ...c, proxy: { ...c.proxy, udp, engine } });
        assert.equal(x.rules.some((r) => r.pref === 5002), udp === 'server' && engine === 'relay', `${udp} ${engine}`);
      }
    }
  });
});

describe('metered uplinks and several servers', () => {
  const KEY = 'ab'.repeat(32);
  const server = (name: string, host: string, priority = 50) => ({ name, enabled: true, priority, host, port: 8388, key: KEY, method: 'chacha20-ietf-poly1305' as const, line: 1 });
  /** wan (metric 10) is the metered one: netifd alone would send everything there. */
  const metered = (over: Parameters<typeof uplink>[1] = {}) => {
    const c = config([uplink('wan', { metered: true, mode: 'on', ...over }), uplink('wan2', {}, 1)], { defaultRoute: true });
    c.servers = [server('a', '198.51.100.7')];
    c.proxy = { ...c.proxy, enabled: true, engine: 'relay', udp: 'server' };
    return c;
  };

  it('new connections to the server, LAN UDP and the default route prefer the unmetered uplink, whatever the metric', () => {
    const d = plan(metered());
    assert.equal(d.defaultRoutes[0].uplink, 'wan2');
    assert.deepEqual(d.rules.filter((r) => r.pref === 5001).map((r) => [r.dst, r.table]), [['198.51.100.7', 5101]]);
    assert.deepEqual(d.udpPaths.map((p) => [p.uplink, p.metered]), [['wan2', false], ['wan', true]], 'the relay keeps the metered one quiet behind wan2');
    const alone = plan(metered(), { unhealthy: { wan2: 'no carrier' } });
    assert.equal(alone.defaultRoutes[0].uplink, 'wan', 'the metered one carries it when it is the only one left');
  });

  it("a metered uplink's endpoint is backup unless its mode is on; at its quota it becomes backup, or off", () => {
    assert.deepEqual(plan(metered({ mode: 'backup' })).endpoints.map((e) => [e.uplink, e.backup]), [['wan', true], ['wan2', false]]);
    assert.deepEqual(plan(metered()).endpoints.map((e) => [e.uplink, e.backup]), [['wan', false], ['wan2', false]]);
    const backup = plan(metered(), { quota: { wan: 'backup' } });
    assert.deepEqual(backup.endpoints.map((e) => [e.uplink, e.backup]), [['wan', true], ['wan2', false]]);
    assert.deepEqual([backup.uplinks[0].mode, backup.uplinks[0].overQuota, backup.uplinks[0].state], ['backup', 'backup', 'active']);
    const off = plan(metered(), { quota: { wan: 'off' } });
    assert.deepEqual(off.endpoints.map((e) => e.uplink), ['wan2']);
    assert.deepEqual([off.uplinks[0].mode, off.uplinks[0].overQuota, off.uplinks[0].state], ['off', 'off', 'disabled']);
    assert.deepEqual(off.udpPaths.map((p) => p.uplink), ['wan2']);
    const configuredOff = plan(metered({ mode: 'off' }), { quota: { wan: 'backup' } });
    assert.equal(configuredOff.uplinks[0].overQuota, undefined, 'an uplink that is off anyway stays off');
  });

  it('every enabled server gets its to-server rule on the best uplink; LAN UDP paths of each server family', () => {
    const c = metered();
    c.servers = [server('a', '198.51.100.7'), server('b', '198.51.100.8', 10), { ...server('c', '198.51.100.9'), enabled: false }, server('d', '198.51.100.7', 60)];
    assert.deepEqual(plan(c).rules.filter((r) => r.pref === 5001).map((r) => [r.dst, r.table]), [['198.51.100.8', 5101], ['198.51.100.7', 5101]]);
    const n = [wan('wan', 'wan0', '10.20.1.2', 10, '2001:db8:1::2'), wan('wan2', 'wan1', '10.20.2.2', 20)];
    c.servers = [server('a', '198.51.100.7'), server('v6', '2001:db8:99::1', 60)];
    const d = planDesired(c, n, kernelFromNetifd(n), caps);
    assert.deepEqual(d.rules.filter((r) => r.pref === 5001).map((r) => [r.dst, r.table]), [['198.51.100.7', 5101], ['2001:db8:99::1', 5100]]);
    assert.deepEqual(d.udpPaths.map((p) => p.source), ['10.20.2.2', '10.20.1.2', '2001:db8:1::2']);
  });
});
