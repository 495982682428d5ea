import assert from 'node:assert/strict';
import { checkBuffers } from '../../src/status/buffer-check.js';
import { bufferFor, limitOf, planTcpLimits } from '../../src/plan/tcp-buffers.js';
import { SERVER_SETUP_BUFFERS } from '../../src/model/tcp-buffers.js';
import { buildStatus } from '../../src/status/status.js';
import { validateConfig } from '../../src/config/validate.js';

const MB = 1048576;
const fibre = { name: 'wan', downMbit: 100, upMbit: 40, rttMs: 10 };
const lte = { name: 'lte', downMbit: 40, upMbit: 10, rttMs: 110 };
const stock = { rmem: 6291456, wmem: 4194304 };
const small = { rmem: 2097152, wmem: 2097152 };

describe('buffer needs (bandwidth-delay product)', () => {
  it('is one window of the summed rate over the longest RTT, doubled for the kernel\'s accounting', () => {
    assert.equal(bufferFor(100, 100), 2 * 12.5e6 * 0.1);
    assert.equal(bufferFor(0, 100), 0);
  });

  it('plans the router\'s limits: Linux\'s own for machines of 1 GB or more, raised for configured rates and RTTs', () => {
    const u = (name: string, mode: 'on' | 'off', rates: object) => ({ name, mode, rates }) as unknown as Parameters<typeof planTcpLimits>[0]['uplinks'][number];
    assert.deepEqual(planTcpLimits({ uplinks: [] }), { rmem: 6 * MB, wmem: 4 * MB });
    assert.deepEqual(planTcpLimits({ uplinks: [u('sat', 'on', { downMbit: 30, upMbit: 5, rttMs: 600 }), u('dsl', 'on', { downMbit: 16, upMbit: 2 })] }),
      { rmem: bufferFor(46, 600), wmem: 4 * MB });
    assert.deepEqual(planTcpLimits({ uplinks: [u('sat', 'off', { downMbit: 30, upMbit: 5, rttMs: 600 })] }), { rmem: 6 * MB, wmem: 4 * MB });
  });

  it('reads the limit from a tcp_rmem triple, tabs or spaces', () => {
    assert.equal(limitOf('4096\t131072\t6291456\n'), 6291456);
    assert.equal(limitOf('4096 16384 4194304'), 4194304);
    assert.equal(limitOf(null), null);
    assert.equal(limitOf('4096 16384'), null);
    assert.equal(limitOf('a b c'), null);
  });

  it('fibre 100/40 + LTE 40/10 at 110 ms: a 2 MB receive limit on the router is too small for downloads, 6 MB is enough', () => {
    assert.deepEqual(checkBuffers([fibre, lte], stock, SERVER_SETUP_BUFFERS)!.warnings, []);
    const c = checkBuffers([fibre, lte], small, SERVER_SETUP_BUFFERS)!;
    assert.deepEqual(c.uplinks, ['wan', 'lte']);
    assert.equal(c.need.router.rmem, bufferFor(140, 110));
    assert.equal(c.need.server.wmem, bufferFor(140, 110));
    assert.equal(c.need.router.wmem, bufferFor(50, 110));
    assert.equal(c.warnings.length, 1);
    assert.match(c.warnings[0], /^the router's net\.ipv4\.tcp_rmem allows 2\.0 MB per connection; downloading over wan \+ lte \(longest RTT 110 ms\) needs 3\.7 MB: give the uplinks their 'rtt' \(mpwan then raises it\) or raise its third field to at least 3850000/);
  });

  it('no warning when both sides have enough; the server side is judged by what server setup sets', () => {
    assert.deepEqual(checkBuffers([fibre, lte], { rmem: 16 * MB, wmem: 4 * MB }, SERVER_SETUP_BUFFERS)!.warnings, []);
    const geo = checkBuffers([{ name: 'sat', downMbit: 300, upMbit: 5, rttMs: 800 }], { rmem: 128 * MB, wmem: 128 * MB }, SERVER_SETUP_BUFFERS)!;
    assert.equal(geo.warnings.length, 1);
    assert.match(geo.warnings[0], /^the server's \(as 'mpwan server setup' sets it\) net\.ipv4\.tcp_wmem allows 16\.0 MB/);
  });

  it('nothing to say without rates or an RTT; an unreadable router limit is not judged', () => {
    assert.equal(checkBuffers([{ ...fibre, rttMs: 0 }, { ...lte, downMbit: 0, upMbit: 0 }], stock, SERVER_SETUP_BUFFERS), null);
    assert.deepEqual(checkBuffers([fibre, lte], null, SERVER_SETUP_BUFFERS)!.warnings, []);
  });

  it('reaches the status report: configured rates, the relay\'s measured RTT where none is configured', () => {
    const text = "config uplink 'wan'\n\toption download '100'\n\toption upload '40'\n\toption rtt '10'\n" +
      "config uplink 'lte'\n\toption download '40'\n\toption upload '10'\n";
    const v = validateConfig(text, '/etc/config/mpwan');
    assert.deepEqual(v.errors, []);
    assert.deepEqual(v.config!.uplinks.map((u) => u.rates), [{ downMbit: 100, upMbit: 40, rttMs: 10 }, { downMbit: 40, upMbit: 10 }]);
    const path = { name: 'lte', source: '10.0.0.2', alive: true, rtt_ms: 110, bytes_up: 0, bytes_down: 0 };
    const relay = { tcp: { refused: 0, refused_at: 0 }, udp: { paths: [path] } } as unknown as Parameters<typeof buildStatus>[1]['relay'];
    const snap = { config: v.config!, desired: { uplinks: [], warnings: [], defaultRoutes: [], enabled: true, limits: null }, observed: { endpoints: [], limits: { subflows: 0, addAddrAccepted: 0 } }, diff: { changes: [], warnings: [], owned: { endpoints: [] } }, configWarnings: [] };
    const s = buildStatus(snap as unknown as Parameters<typeof buildStatus>[0], { counters: {}, bytes: () => null, health: {}, relay, usage: null, tcpLimits: small });
    assert.equal(s.buffers!.need.router.rmem, bufferFor(140, 110));
    assert.equal(s.warnings.length, 1);
    assert.match(s.warnings[0], /tcp_rmem allows 2\.0 MB/);
  });

  it("warns when the relay's congestion control is missing from the kernel (kmod-tcp-bbr not loaded)", () => {
    const v = validateConfig("config uplink 'wan'\n", '/etc/config/mpwan');
    const withProxy = (congestion: 'bbr' | 'system') => ({ ...v.config!, proxy: { ...v.config!.proxy, enabled: true, engine: 'relay' as const, congestion } });
    const snap = (congestion: 'bbr' | 'system') => ({ config: withProxy(congestion), desired: { uplinks: [], warnings: [], defaultRoutes: [], enabled: true, limits: null }, observed: { endpoints: [], limits: { subflows: 0, addAddrAccepted: 0 } }, diff: { changes: [], warnings: [], owned: { endpoints: [] } }, configWarnings: [] });
    const warnings = (congestion: 'bbr' | 'system', have: string[] | null) =>
      buildStatus(snap(congestion) as unknown as Parameters<typeof buildStatus>[0], { counters: {}, bytes: () => null, health: {}, relay: null, usage: null, congestionControls: have }).warnings;
    assert.deepEqual(warnings('bbr', ['reno', 'cubic']), ["proxy.congestion: this kernel has no bbr (it has reno, cubic): the relay's connections use the router's default; install kmod-tcp-bbr, or set congestion 'system'"]);
    assert.deepEqual(warnings('bbr', ['reno', 'cubic', 'bbr']), []);
    assert.deepEqual(warnings('system', ['reno', 'cubic']), []);
    assert.deepEqual(warnings('bbr', null), [], 'unreadable: not judged');
  });

  it('rejects rates and RTTs that are not whole positive numbers', () => {
    const v = validateConfig("config uplink 'wan'\n\toption download '0'\n\toption rtt '1.5'\n", '/etc/config/mpwan');
    assert.deepEqual(v.errors.map((e) => e.option), ['wan.download', 'wan.rtt']);
  });
});
