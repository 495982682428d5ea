import assert from 'node:assert/strict';
import { planDesired } from '../../src/plan/plan.js';
import { classifyEndpoints, diffState } from '../../src/diff/diff.js';
import { describeChange, renderChange, renderUndo } from '../../src/apply/render.js';
import type { Observed } from '../../src/model/kernel.js';
import type { OwnedState } from '../../src/model/plan.js';
import type { Config } from '../../src/model/config.js';
import type { NetifdInterface } from '../../src/model/netifd.js';
import { applyToModel, caps, config, emptyObserved, kernelFromNetifd, netifdFixture, uplink } from './builders/index.js';

const staticNetifd = netifdFixture('static-network.interface.dump.json');
const devs = new Set(['wan0', 'wan1', 'wan2']);

/** One reconcile against the model: returns the changes and the kernel/owned state after them. */
function run(cfg: Config, netifd: NetifdInterface[], observed: Observed, owned: OwnedState = { endpoints: [] }) {
  const desired = planDesired(cfg, netifd, observed.addresses, caps);
  const d = diffState(desired, observed, owned, devs);
  return { ...d, after: applyToModel(observed, d.changes), desired };
}

describe('diffState', () => {
  const kernel = kernelFromNetifd(staticNetifd);
  const twoWans = config(['wan', 'wan2'], { sysctls: { stale_loss_cnt: '2' } });
  const base = (): Observed => ({ ...emptyObserved(kernel), sysctls: { '/proc/sys/net/mptcp/stale_loss_cnt': '4', '/proc/sys/net/ipv4/conf/wan0/rp_filter': '1', '/proc/sys/net/ipv4/conf/wan1/rp_filter': '0' } });

  it('orders a cold apply: sysctls, limits, routes, rules, then endpoints', () => {
    const { changes } = run(twoWans, staticNetifd, base());
    assert.deepEqual(changes.map(describeChange), [
      'set net.mptcp.stale_loss_cnt = 2 (was 4)',
      'set net.ipv4.conf.wan0.rp_filter = 2 (was 1)',
      'set MPTCP limits subflows 2 add_addr_accepted 2 (was 2/0)',
      'add IPv4 route default via 10.0.1.1 dev wan0 table 5100',
      'add IPv4 route default via 10.0.2.1 dev wan1 table 5101',
      'add IPv4 rule pref 5000 from 10.0.1.2 lookup 5100',
      'add IPv4 rule pref 5000 from 10.0.2.2 lookup 5101',
      'add endpoint id 1 10.0.1.2 dev wan0 subflow (wan)',
      'add endpoint id 2 10.0.2.2 dev wan1 subflow (wan2)',
    ]);
  });

  it('raises the router\'s TCP buffer limits to the floor or what the uplinks\' rates and RTTs need, never lowers them', () => {
    const rmem = '/proc/sys/net/ipv4/tcp_rmem', wmem = '/proc/sys/net/ipv4/tcp_wmem';
    const small = { ...base(), sysctls: { ...base().sysctls, [rmem]: '4096 131072 1048576', [wmem]: '4096 16384 9000000' } };
    const sysctlChanges = (c: Config, o: Observed) => run(c, staticNetifd, o).changes.filter((x) => x.kind === 'sysctl' && x.path.includes('tcp_')).map(describeChange);
    assert.deepEqual(sysctlChanges(twoWans, small), ['set net.ipv4.tcp_rmem = 4096 131072 6291456 (was 4096 131072 1048576)']);
    // DSL 16/2 at 50 ms + satellite 30/5 at 600 ms: 2 x 46 Mbit/s x 600 ms down (6.9 MB), 7 Mbit/s up (1 MB: under the floor).
    const rated = config([uplink('wan', { rates: { downMbit: 16, upMbit: 2, rttMs: 50 } }), uplink('wan2', { rates: { downMbit: 30, upMbit: 5, rttMs: 600 } }, 1)]);
    assert.deepEqual(sysctlChanges(rated, small), ['set net.ipv4.tcp_rmem = 4096 131072 6900000 (was 4096 131072 1048576)']);
    const large = { ...base(), sysctls: { ...base().sysctls, [rmem]: '4096 131072 33554432', [wmem]: '4096 16384 4194304' } };
    assert.deepEqual(sysctlChanges(rated, large), []);
    const first = run(rated, staticNetifd, small);
    assert.deepEqual(run(rated, staticNetifd, first.after, first.owned).changes, []);
  });

  it('changes nothing on a second run', () => {
    const first = run(twoWans, staticNetifd, base());
    const second = run(twoWans, staticNetifd, first.after, first.owned);
    assert.deepEqual(second.changes, []);
    assert.deepEqual(second.owned, first.owned);
  });

  it('keeps endpoint ids stable and allocates the lowest free id', () => {
    const o = base();
    o.endpoints.push({ id: 1, address: '192.0.2.9', subflow: false, signal: true, backup: false, fullmesh: false });
    const first = run(twoWans, staticNetifd, o);
    assert.deepEqual(first.ids, { '10.0.1.2': 2, '10.0.2.2': 3 });
    const three = config(['wan', 'wan2', 'wan3']);
    const netifd = netifdFixture('dhcp-network.interface.dump.json');
    const next = run(three, netifd, { ...first.after, addresses: kernelFromNetifd(netifd) }, first.owned);
    assert.deepEqual(next.ids, { '10.0.1.2': 2, '10.0.2.2': 3, '10.0.3.100': 4 });
  });

  it('never touches foreign endpoints, rules or routes', () => {
    const o = base();
    o.endpoints.push({ id: 9, address: '192.0.2.9', dev: 'lan0', subflow: true, signal: false, backup: false, fullmesh: false });
    o.endpoints.push({ id: 8, address: '10.0.1.77', dev: 'wan0', port: 1234, subflow: false, signal: true, backup: false, fullmesh: false });
    o.rules.push({ family: 4, pref: 5000, src: '10.0.1.2', table: '100', extra: false }); // not our table
    o.rules.push({ family: 4, pref: 5000, src: '10.0.1.2', table: '5100', extra: true }); // has iif
    o.rules.push({ family: 4, pref: 1500, src: '10.0.1.2', table: '5100', extra: false }); // mwan3's pref
    const first = run(twoWans, staticNetifd, o);
    const disabled = run(config(['wan', 'wan2'], { enabled: false }), staticNetifd, first.after, first.owned);
    assert.deepEqual(disabled.after.endpoints.map((e) => e.id).sort(), [8, 9]);
    assert.equal(disabled.after.rules.length, 3);
    assert.deepEqual(disabled.after.routes, []);
    const { foreign } = classifyEndpoints(first.after.endpoints, first.owned.endpoints, devs);
    assert.deepEqual(foreign.map((e) => e.id).sort(), [8, 9]);
  });

  it('replaces the endpoint and rule when the address changes (DHCP renumber)', () => {
    const before = netifdFixture('dhcp-network.interface.dump.json');
    const after = netifdFixture('dhcp-network.interface.dump.after-renumber.json');
    const cfg = config(['wan3']);
    const first = run(cfg, before, emptyObserved(kernelFromNetifd(before)));
    const next = run(cfg, after, { ...first.after, addresses: kernelFromNetifd(after) }, first.owned);
    assert.deepEqual(next.changes.map(describeChange), [
      'add IPv4 rule pref 5000 from 10.0.3.170 lookup 5100',
      'delete endpoint id 1 10.0.3.100 dev wan2 (no longer in the plan)',
      'add endpoint id 2 10.0.3.170 dev wan2 subflow (wan3)',
      'delete IPv4 rule pref 5000 from 10.0.3.100 lookup 5100',
    ]);
  });

  it('re-creates the endpoint, same id, when the device comes back with a new ifindex', () => {
    const first = run(twoWans, staticNetifd, base());
    const moved = first.after.addresses.map((a) => (a.dev === 'wan0' ? { ...a, ifindex: 99 } : a));
    const next = run(twoWans, staticNetifd, { ...first.after, addresses: moved }, first.owned);
    assert.deepEqual(next.changes.map(describeChange), [
      'delete endpoint id 1 10.0.1.2 dev wan0 (wan0 is a new device (ifindex 12 -> 99))',
      'add endpoint id 1 10.0.1.2 dev wan0 subflow (wan)',
    ]);
    // The kernel shows `if<N>` once the old device is gone: same outcome.
    const gone = { ...first.after, endpoints: first.after.endpoints.map((e) => (e.id === 1 ? { ...e, dev: 'if7' } : e)) };
    const next2 = run(twoWans, staticNetifd, gone, { endpoints: [] });
    assert.equal(next2.changes.filter((c) => c.kind === 'endpoint-add').length, 0, 'an endpoint on a vanished device is not ours without a record');
  });

  it('switches mode on -> backup with `endpoint change`, not delete + add', () => {
    const first = run(twoWans, staticNetifd, base());
    const backup = config([uplink('wan', {}, 0), uplink('wan2', { mode: 'backup' }, 1)], { sysctls: { stale_loss_cnt: '2' } });
    const next = run(backup, staticNetifd, first.after, first.owned);
    assert.deepEqual(next.changes.map(describeChange), ['mark endpoint id 2 10.0.2.2 backup']);
  });

  it('removes what an uplink taken off the config had, and adopts unrecorded endpoints on its devices', () => {
    const first = run(twoWans, staticNetifd, base());
    const one = run(config(['wan'], { sysctls: { stale_loss_cnt: '2' } }), staticNetifd, first.after, first.owned);
    assert.deepEqual(one.changes.map((c) => c.kind), ['limits', 'endpoint-del', 'rule-del', 'route-del']);
    // After a crash before owned.json was written, the same run adopts instead of duplicating.
    const adopted = run(twoWans, staticNetifd, first.after, { endpoints: [] });
    assert.deepEqual(adopted.changes, []);
  });

  it('records the MPTCP limits it found at its first change, and puts them back once disabled', () => {
    const first = run(twoWans, staticNetifd, base());
    assert.deepEqual(first.owned.limitsFound, { subflows: 2, addAddrAccepted: 0 });
    const three = run(config(['wan', 'wan2', 'wan3'], { sysctls: { stale_loss_cnt: '2' } }), staticNetifd, first.after, first.owned);
    assert.deepEqual(three.owned.limitsFound, { subflows: 2, addAddrAccepted: 0 }, 'the first record stays');
    const stopped = run({ ...twoWans, globals: { ...twoWans.globals, enabled: false } }, staticNetifd, first.after, first.owned);
    assert.deepEqual(stopped.changes.filter((c) => c.kind === 'limits').map(describeChange),
      ['set MPTCP limits subflows 2 add_addr_accepted 0 (was 2/2)']);
    assert.equal(stopped.owned.limitsFound, undefined);
    assert.deepEqual(run({ ...twoWans, globals: { ...twoWans.globals, enabled: false } }, staticNetifd, stopped.after, stopped.owned).changes, []);
    // Limits that already matched the plan were not mpwan's doing: nothing to record or put back.
    const raised = { ...base(), limits: { subflows: 2, addAddrAccepted: 2 } };
    const kept = run(twoWans, staticNetifd, raised);
    assert.equal(kept.owned.limitsFound, undefined);
    assert.deepEqual(run({ ...twoWans, globals: { ...twoWans.globals, enabled: false } }, staticNetifd, kept.after, kept.owned)
      .changes.filter((c) => c.kind === 'limits'), []);
  });

  it('renders argv arrays and exact undo actions', () => {
    const { changes } = run(twoWans, staticNetifd, base());
    const add = changes.find((c) => c.kind === 'endpoint-add')!;
    assert.deepEqual(renderChange(add), { argv: ['ip', 'mptcp', 'endpoint', 'add', '10.0.1.2', 'id', '1', 'dev', 'wan0', 'subflow'] });
    assert.deepEqual(renderUndo(add), { argv: ['ip', 'mptcp', 'endpoint', 'delete', 'id', '1'] });
    const rule = changes.find((c) => c.kind === 'rule-add')!;
    assert.deepEqual(renderChange(rule), { argv: ['ip', '-4', 'rule', 'add', 'pref', '5000', 'from', '10.0.1.2', 'lookup', '5100'] });
    assert.deepEqual(renderUndo(rule), { argv: ['ip', '-4', 'rule', 'del', 'pref', '5000', 'from', '10.0.1.2', 'lookup', '5100'] });
    const sys = changes.find((c) => c.kind === 'sysctl')!;
    assert.deepEqual(renderUndo(sys), { write: '/proc/sys/net/mptcp/stale_loss_cnt', value: '4' });
  });
});
