import assert from 'node:assert/strict';
import { canonicalAddress, familyOf, hostPort, isValidDeviceName, parseIPv6, unusableReason } from '../../src/lib/inet.js';

describe('inet', () => {
  it('canonicalises IPv6 like the kernel prints it (RFC 5952)', () => {
    assert.equal(canonicalAddress('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
    assert.equal(canonicalAddress('2001:db8:0:1:0:0:0:1'), '2001:db8:0:1::1');
    assert.equal(canonicalAddress('::'), '::');
    assert.equal(canonicalAddress('fe80::1'), 'fe80::1');
    assert.equal(canonicalAddress('::ffff:10.0.0.1'), '::ffff:a00:1');
    assert.equal(canonicalAddress('010.0.0.1'), null, 'no octal-looking IPv4');
  });

  it('writes an IPv6 address with a port in brackets, other hosts as they are', () => {
    assert.equal(hostPort('2001:db8::1', 8388), '[2001:db8::1]:8388');
    assert.equal(hostPort('::ffff:10.0.0.1', '80'), '[::ffff:10.0.0.1]:80');
    assert.equal(hostPort('203.0.113.7', 8388), '203.0.113.7:8388');
    assert.equal(hostPort('vps.example.net', 443), 'vps.example.net:443');
  });

  it('rejects malformed addresses', () => {
    for (const bad of ['', '1.2.3', '1.2.3.256', '1::2::3', '12345::', 'wan; reboot', '$(id)', '10.0.0.1\n', 'fe80::1%wan0']) {
      assert.equal(familyOf(bad), null, bad);
    }
    assert.equal(parseIPv6('1:2:3:4:5:6:7:8:9'), null);
  });

  it('classifies addresses that must not carry subflows', () => {
    assert.equal(unusableReason('10.0.1.2', false), null);
    assert.equal(unusableReason('2001:db8::1', false), null);
    assert.equal(unusableReason('127.0.0.1', false), 'loopback');
    assert.equal(unusableReason('169.254.1.1', false), 'link-local');
    assert.equal(unusableReason('fe80::1', false), 'link-local');
    assert.match(unusableReason('fd12::1', false)!, /unique-local/);
    assert.equal(unusableReason('fd12::1', true), null);
    assert.equal(unusableReason('ff02::1', false), 'multicast');
    assert.equal(unusableReason('224.0.0.1', false), 'multicast');
  });

  it('takes a dotted IPv4 tail only at the end of an IPv6 address', () => {
    assert.deepEqual(parseIPv6('::ffff:192.0.2.1')?.slice(12), [192, 0, 2, 1]);
    assert.notEqual(parseIPv6('64:ff9b::192.0.2.1'), null);
    for (const bad of ['1.2.3.4::', '1.2.3.4::1', '::1.2.3.4:1']) assert.equal(parseIPv6(bad), null, bad);
  });

  it('accepts only device names that cannot be read as ip keywords or options', () => {
    for (const ok of ['wan0', 'pppoe-wan', 'eth0.2', 'wwan0_1']) assert.ok(isValidDeviceName(ok), ok);
    for (const bad of ['', '-x', 'all', 'help', 'a b', 'x/y', 'averyveryverylongname', 'wan;reboot']) assert.ok(!isValidDeviceName(bad), bad);
  });
});
