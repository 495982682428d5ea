import assert from 'node:assert/strict';
import { parseAddrShow, parseEndpoints, parseLimits, parseNetstat, parseRoutes, parseRules } from '../../src/observe/kernel.js';
import { parseNetifdDump } from '../../src/observe/netifd.js';
import { parseProbeAnswer, probeRequest } from '../../src/observe/tcp-probe.js';
import { linkEventDevice } from '../../src/observe/link-events.js';
import { fixture, netifdFixture, netifdStatusFixture } from './builders/index.js';

describe('netifd parser (real netifd fixtures)', () => {
  it('reads every interface of a dump with device, addresses and default route', () => {
    const ifaces = netifdFixture('dhcp-network.interface.dump.json');
    assert.deepEqual(ifaces.map((i) => [i.name, i.l3Device, i.up]), [
      ['lan', 'lan0', true], ['loopback', 'lo', true], ['wan', 'wan0', true], ['wan2', 'wan1', true], ['wan3', 'wan2', true],
    ]);
    const wan3 = ifaces[4];
    assert.deepEqual(wan3.ipv4, [{ address: '10.0.3.100', mask: 24 }]);
    assert.deepEqual(wan3.routes, [{ target: '0.0.0.0', mask: 0, nexthop: '10.0.3.1', source: '10.0.3.100/32' }]);
    assert.equal(wan3.proto, 'dhcp');
    assert.equal(wan3.metric, 30);
  });

  it('reads a single interface status, including carrier down without l3_device', () => {
    const down = netifdStatusFixture('wan3', 'dhcp-network.interface.wan3.status.carrier-down.json');
    assert.equal(down.up, false);
    assert.equal(down.l3Device, undefined);
    assert.deepEqual(down.ipv4, []);
  });

  it('rejects what is not a dump', () => {
    assert.throws(() => parseNetifdDump('Command failed: Not found'), /not JSON/);
    assert.throws(() => parseNetifdDump('{"foo": 1}'), /no "interface" array/);
  });

  it('drops devices whose names could be mistaken for ip arguments', () => {
    const dump = JSON.stringify({ interface: [{ interface: 'x', up: true, l3_device: '-all', 'ipv4-address': [{ address: '10.0.0.2', mask: 24 }] }] });
    assert.equal(parseNetifdDump(dump)[0].l3Device, undefined);
  });
});

describe('ip -j parsers (captured from iproute2 6.1, kernel 6.18)', () => {
  it('reads links, addresses and their DAD flags', () => {
    const { links, addresses } = parseAddrShow(fixture('ip/addr-show.json'));
    assert.ok(links.some((l) => l.dev === 'wan0' && l.up));
    const wan0 = addresses.filter((a) => a.dev === 'wan0').map((a) => [a.address, a.family, a.flags.join(',')]);
    assert.deepEqual(wan0.filter((a) => a[0] !== '' && !String(a[0]).startsWith('fe80')), [
      ['10.0.1.2', 4, ''], ['2001:db8:1::99', 6, 'tentative'], ['2001:db8:1::2', 6, ''],
    ]);
  });

  it('reads endpoints with flags, device and signal-only entries', () => {
    assert.deepEqual(parseEndpoints(fixture('ip/mptcp-endpoint-show.json')), [
      { id: 1, address: '10.0.1.2', dev: 'wan0', subflow: true, signal: false, backup: false, fullmesh: false },
      { id: 7, address: '10.9.9.9', subflow: false, signal: true, backup: false, fullmesh: false },
    ]);
    assert.deepEqual(parseEndpoints(''), []);
  });

  it('reads the limits text', () => {
    assert.deepEqual(parseLimits(fixture('ip/mptcp-limits-show.txt')), { subflows: 2, addAddrAccepted: 0 });
    assert.throws(() => parseLimits('garbage'), /no subflows/);
  });

  it('reads rules and marks ones with extra selectors', () => {
    const rules = parseRules(fixture('ip/rule-show-4.json'), 4).filter((r) => r.pref === 5000);
    assert.deepEqual(rules, [
      { family: 4, pref: 5000, table: '5100', extra: false, src: '10.0.1.2' },
      { family: 4, pref: 5000, table: '5100', extra: true, src: '10.0.1.2' },
    ]);
    assert.deepEqual(parseRules(fixture('ip/rule-show-6.json'), 6).filter((r) => r.pref === 5000).map((r) => r.src), ['2001:db8:1::2']);
  });

  it('keeps only routes in owned tables, both families', () => {
    const routes = parseRoutes(fixture('ip/route-show-table-all.json'), (t) => t === 5100);
    assert.deepEqual(routes, [
      { family: 4, table: 5100, dst: 'default', gateway: '10.0.1.1', dev: 'wan0' },
      { family: 6, table: 5100, dst: 'default', gateway: 'fe80::1', dev: 'wan0' },
    ]);
    // The TPROXY table's local routes, as ip -j prints them (the IPv6 one has a pref).
    const local = JSON.stringify([
      { type: 'local', dst: 'default', dev: 'lo', table: '5163', scope: 'host', flags: [] },
      { type: 'local', dst: 'default', dev: 'lo', table: '5163', metric: 1024, flags: [], pref: 'medium' },
      { type: 'local', dst: '127.0.0.0/8', dev: 'lo', table: 'local', scope: 'host', flags: [] },
      { type: 'blackhole', dst: 'default', table: '5163', flags: [] },
    ]);
    assert.deepEqual(parseRoutes(local, (t) => t === 5163), [
      { family: 4, table: 5163, dst: 'default', dev: 'lo', scope: 'host', type: 'local' },
      { family: 6, table: 5163, dst: 'default', dev: 'lo', type: 'local' },
    ]);
  });

  it('reads MPTcpExt counters from /proc/net/netstat', () => {
    const c = parseNetstat(fixture('ip/proc-net-netstat.txt'));
    assert.equal(typeof c.MPJoinSynRx, 'number');
    assert.equal(c.MPCapableSYNRX, 0);
    assert.deepEqual(parseNetstat('TcpExt: SyncookiesSent X\nTcpExt: 1 2\nMPTcpExt: MPCapableSYNRX MPJoinSynRx\nMPTcpExt: 3 4\n'), { MPCapableSYNRX: 3, MPJoinSynRx: 4 });
    assert.deepEqual(parseNetstat('MPTcpExt: A B\nMPTcpExt: 5 6'), { A: 5, B: 6 }, 'first line, no final newline');
    assert.deepEqual(parseNetstat('TcpExt: A\nTcpExt: 1\n'), {}, 'a kernel without MPTCP');
    assert.deepEqual(parseNetstat('MPTcpExt: A B\n'), {}, 'names without values');
  });
});

describe('mpwan-relay probe answers', () => {
  it('reads ok with its time, fail with its reason; "bad" and anything else are no answer', () => {
    assert.deepEqual(parseProbeAnswer('17 ok 3'), { id: 17, ok: true, ms: 3 });
    assert.deepEqual(parseProbeAnswer('18 fail Connection refused'), { id: 18, ok: false, error: 'Connection refused' });
    assert.equal(parseProbeAnswer('0 bad request 4'), null);
    assert.equal(parseProbeAnswer('19 ok soon'), null);
    assert.equal(parseProbeAnswer('1234567890 ok 1'), null);
    assert.equal(parseProbeAnswer(''), null);
  });

  it('writes requests the helper accepts: a timeout of 1 to 60000 ms, whole', () => {
    assert.equal(probeRequest(5, '10.20.1.2', '10.99.0.1', 8388, 1000), '5 10.20.1.2 10.99.0.1 8388 1000\n');
    assert.equal(probeRequest(6, '::1', '::1', 1, 0.2), '6 ::1 ::1 1 1\n');
    assert.equal(probeRequest(7, '::1', '::1', 1, 1e9), '7 ::1 ::1 1 60000\n');
  });
});

describe('ip -o monitor link', () => {
  it('names the device of each change, deleted ones too (lines as iproute2 prints them)', () => {
    assert.equal(linkEventDevice('6: mpwtmpa@mpwtmpb: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN group default \\    link/ether 6e:f8:3d:df:d6:42 brd ff:ff:ff:ff:ff:ff'), 'mpwtmpa');
    assert.equal(linkEventDevice('3: wan: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000\\    link/ether 02:00:00:00:00:03 brd ff:ff:ff:ff:ff:ff'), 'wan');
    assert.equal(linkEventDevice('Deleted 5: mpwtmpb@NONE: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default \\    link/ether 4a:12:e0:65:ed:e2 brd ff:ff:ff:ff:ff:ff'), 'mpwtmpb');
    assert.equal(linkEventDevice('Dump was interrupted and may be inconsistent.'), null);
    assert.equal(linkEventDevice(''), null);
  });
});
