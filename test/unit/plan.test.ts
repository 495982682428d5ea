import assert from 'node:assert/strict';
import { planDesired } from '../../src/plan/plan.js';
import type { NetifdInterface } from '../../src/model/netifd.js';
import { caps, config, kernelFromNetifd, netifdFixture, netifdStatusFixture, uplink } from './builders/index.js';

const wan = (name: string, dev: string, v4: string[], v6: string[] = [], extra: Partial<NetifdInterface> = {}): NetifdInterface => ({
  name, up: true, available: true, l3Device: dev, proto: 'static', metric: 0,
  ipv4: v4.map((address) => ({ address, mask: 24 })),
  ipv6: v6.map((address) => ({ address, mask: 64 })),
  routes: [
    ...(v4.length ? [{ target: '0.0.0.0', mask: 0, nexthop: v4[0].replace(/\.\d+$/, '.1') }] : []),
    ...(v6.length ? [{ target: '::', mask: 0, nexthop: 'fe80::1' }] : []),
  ],
  ...extra,
});

describe('planDesired', () => {
  it('plans one endpoint, rule and table per uplink from the static netifd fixture', () => {
    const netifd = netifdFixture('static-network.interface.dump.json');
    const d = planDesired(config(['wan', 'wan2']), netifd, kernelFromNetifd(netifd), caps);
    assert.deepEqual(d.endpoints.map((e) => [e.uplink, e.address, e.dev, e.backup]), [
      ['wan', '10.0.1.2', 'wan0', false],
      ['wan2', '10.0.2.2', 'wan1', false],
    ]);
    assert.deepEqual(d.routes, [
      { family: 4, table: 5100, dst: 'default', dev: 'wan0', gateway: '10.0.1.1' },
      { family: 4, table: 5101, dst: 'default', dev: 'wan1', gateway: '10.0.2.1' },
    ]);
    assert.deepEqual(d.rules, [
      { family: 4, pref: 5000, src: '10.0.1.2', table: 5100 },
      { family: 4, pref: 5000, src: '10.0.2.2', table: 5101 },
    ]);
    assert.deepEqual(d.limits, { subflows: 2, addAddrAccepted: 2 });
    assert.deepEqual(d.looseRpFilter, ['wan0', 'wan1']);
    assert.deepEqual(d.uplinks.map((u) => u.state), ['active', 'active']);
  });

  it('follows a DHCP renumber to the new address', () => {
    const after = netifdFixture('dhcp-network.interface.dump.after-renumber.json');
    const d = planDesired(config(['wan3']), after, kernelFromNetifd(after), caps);
    assert.deepEqual(d.endpoints.map((e) => e.address), ['10.0.3.170']);
  });

  it('reports an uplink whose carrier is down as down, with no endpoint', () => {
    const down = netifdStatusFixture('wan3', 'dhcp-network.interface.wan3.status.carrier-down.json');
    const d = planDesired(config(['wan3']), [down], [], caps);
    assert.equal(d.uplinks[0].state, 'down');
    assert.deepEqual(d.endpoints, []);
    assert.equal(d.limits, null, 'limits are left alone when there is nothing to manage');
  });

  it('marks backup uplinks and skips mode off', () => {
    const netifd = netifdFixture('static-network.interface.dump.json');
    const d = planDesired(config([uplink('wan', {}, 0), uplink('wan2', { mode: 'backup' }, 1)]), netifd, kernelFromNetifd(netifd), caps);
    assert.deepEqual(d.endpoints.map((e) => e.backup), [false, true]);
    const off = planDesired(config([uplink('wan', { mode: 'off' }, 0), uplink('wan2', {}, 1)]), netifd, kernelFromNetifd(netifd), caps);
    assert.deepEqual(off.endpoints.map((e) => e.uplink), ['wan2']);
    assert.equal(off.uplinks[0].state, 'disabled');
  });

  it('plans nothing without uplinks, for unknown interfaces, and when disabled', () => {
    const netifd = netifdFixture('static-network.interface.dump.json');
    const none = planDesired(config([]), netifd, kernelFromNetifd(netifd), caps);
    assert.deepEqual([none.endpoints, none.rules, none.routes, none.limits], [[], [], [], null]);
    const unknown = planDesired(config(['wwan']), netifd, kernelFromNetifd(netifd), caps);
    assert.equal(unknown.uplinks[0].state, 'unknown');
    const disabled = planDesired(config(['wan'], { enabled: false }), netifd, kernelFromNetifd(netifd), caps);
    assert.deepEqual([disabled.endpoints, disabled.sysctls, disabled.limits], [[], {}, null]);
  });

  it('caps at 8 endpoints, ranked by priority then config order, and says what was left out', () => {
    const names = Array.from({ length: 10 }, (_, i) => `wan${i}`);
    const netifd = names.map((n, i) => wan(n, `eth${i}`, [`10.0.${i}.2`]));
    const ups = names.map((n, i) => uplink(n, { priority: i === 9 ? 1 : 50 }, i));
    const d = planDesired(config(ups), netifd, kernelFromNetifd(netifd), caps);
    assert.equal(d.endpoints.length, 8);
    assert.deepEqual(d.endpoints.map((e) => e.uplink), ['wan9', 'wan0', 'wan1', 'wan2', 'wan3', 'wan4', 'wan5', 'wan6']);
    assert.match(d.uplinks[7].skipped[0].reason, /over the limit of 8/);
    assert.equal(d.warnings.length, 2);
    assert.deepEqual(d.limits, { subflows: 8, addAddrAccepted: 8 }, 'limits never exceed 8');
  });

  it('counts endpoints mpwan does not own against the kernel limit', () => {
    const netifd = [wan('a', 'eth0', ['10.0.0.2']), wan('b', 'eth1', ['10.0.1.2'])];
    const d = planDesired(config(['a', 'b']), netifd, kernelFromNetifd(netifd), { ...caps, endpointSlots: 1 });
    assert.deepEqual(d.endpoints.map((e) => e.uplink), ['a']);
  });

  it('plans IPv6 and skips link-local, ULA (unless allowed), tentative, privacy and unconfigured addresses', () => {
    const netifd = [wan('wan', 'eth0', ['10.0.0.2'], ['2001:db8::2', 'fd00::2', '2001:db8::3', '2001:db8::4', '2001:db8::5'])];
    netifd[0].ipv6.push({ address: 'fe80::2', mask: 64 });
    const kernel = kernelFromNetifd(netifd, { '2001:db8::3': ['tentative'], '2001:db8::4': ['temporary'] })
      .filter((k) => k.address !== '2001:db8::5');
    const d = planDesired(config(['wan']), netifd, kernel, caps);
    assert.deepEqual(d.endpoints.map((e) => e.address), ['10.0.0.2', '2001:db8::2']);
    assert.deepEqual(Object.fromEntries(d.uplinks[0].skipped.map((s) => [s.address, s.reason.split(' ')[0]])), {
      'fd00::2': 'unique-local', '2001:db8::3': 'tentative', '2001:db8::4': 'privacy', '2001:db8::5': 'not', 'fe80::2': 'link-local',
    });
    assert.deepEqual(d.routes.map((r) => [r.family, r.gateway]), [[4, '10.0.0.1'], [6, 'fe80::1']]);
    assert.deepEqual(d.limits, { subflows: 1, addAddrAccepted: 1 });
    const ula = planDesired(config([uplink('wan', { ula: true })]), netifd, kernel, caps);
    assert.ok(ula.endpoints.some((e) => e.address === 'fd00::2'));
  });

  it('skips a family without a default route on that uplink', () => {
    const netifd = [wan('wan', 'eth0', ['10.0.0.2'], ['2001:db8::2'], { routes: [{ target: '0.0.0.0', mask: 0, nexthop: '10.0.0.1' }] })];
    const d = planDesired(config(['wan']), netifd, kernelFromNetifd(netifd), caps);
    assert.deepEqual(d.endpoints.map((e) => e.address), ['10.0.0.2']);
    assert.match(d.uplinks[0].skipped[0].reason, /no IPv6 default route/);
  });

  it('plans a device route for point-to-point uplinks (no gateway)', () => {
    const netifd = [wan('wwan', 'pppoe-wwan', ['100.64.0.9'], [], { routes: [{ target: '0.0.0.0', mask: 0, nexthop: '0.0.0.0' }] })];
    const d = planDesired(config(['wwan']), netifd, kernelFromNetifd(netifd), caps);
    assert.deepEqual(d.routes, [{ family: 4, table: 5100, dst: 'default', dev: 'pppoe-wwan' }]);
  });

  it('gives a duplicate address to the first uplink only', () => {
    const netifd = [wan('a', 'eth0', ['10.0.0.2']), wan('b', 'eth1', ['10.0.0.2'])];
    const d = planDesired(config(['a', 'b']), netifd, [
      { ifindex: 2, dev: 'eth0', family: 4, address: '10.0.0.2', prefixlen: 24, scope: 'global', flags: [] },
      { ifindex: 3, dev: 'eth1', family: 4, address: '10.0.0.2', prefixlen: 24, scope: 'global', flags: [] },
    ], caps);
    assert.deepEqual(d.endpoints.map((e) => e.uplink), ['a']);
    assert.match(d.uplinks[1].skipped[0].reason, /duplicate of uplink a/);
    assert.equal(d.uplinks[1].state, 'no-address');
  });

  it('manages only the sysctls the config sets, and only those this kernel has', () => {
    const netifd = netifdFixture('static-network.interface.dump.json');
    const d = planDesired(config(['wan'], { sysctls: { stale_loss_cnt: '2', scheduler: 'redundant', blackhole_timeout: '0' } }), netifd, kernelFromNetifd(netifd), caps);
    assert.deepEqual(d.sysctls, { '/proc/sys/net/mptcp/stale_loss_cnt': '2' });
    assert.equal(d.warnings.length, 2);
  });

  it('raises limits to the configured minimum', () => {
    const netifd = netifdFixture('static-network.interface.dump.json');
    const d = planDesired(config(['wan'], { subflowsMin: 4, addAddrAcceptedMin: 3 }), netifd, kernelFromNetifd(netifd), caps);
    assert.deepEqual(d.limits, { subflows: 4, addAddrAccepted: 3 });
  });
});
