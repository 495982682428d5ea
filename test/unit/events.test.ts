// Events for scripts: what ubus and the hotplug scripts get for each event, how an uplink's
// condition follows probes and plans, and that publishing never makes the daemon wait.
import assert from 'node:assert/strict';
import { hotplugEnv, ubusData, type MpwanEvent } from '../../src/events/events.js';
import { UplinkConditions, conditionOf } from '../../src/events/uplink-conditions.js';
import { BACKLOG, EventPublisher, HOTPLUG_TIMEOUT_MS } from '../../src/events/publisher.js';
import { nftEventConcerns } from '../../src/observe/nft.js';
import { KeptStream, RESTART_MS } from '../../src/sys/kept-stream.js';
import type { UplinkPlan } from '../../src/model/plan.js';
import type { UplinkHealth } from '../../src/model/health.js';
import { fakeRuntime, ok } from './builders/fake-runtime.js';

const plan = (name: string, state: UplinkPlan['state'], dev?: string): UplinkPlan =>
  ({ name, mode: 'on', state, table: 5100, addresses: [], skipped: [], sources: [], ...(dev ? { dev } : {}) });
const health = (state: 'up' | 'down', more: Partial<UplinkHealth> = {}): UplinkHealth =>
  ({ state, since: 0, latency_ms: null, loss: 0, last_error: null, reason: state === 'down' ? 'no carrier' : null, suspect: false, probed: true, ...more });

describe('events for scripts', () => {
  it('each event gives ubus its data and hotplug its environment, ACTION UPLINK DEVICE REASON always set', () => {
    const cases: [MpwanEvent, Record<string, unknown>, Record<string, string>][] = [
      [{ type: 'mpwan.uplink', name: 'wan', state: 'down', why: 'no carrier', since: 1700000000, device: 'eth1' },
        { name: 'wan', state: 'down', why: 'no carrier', since: 1700000000, device: 'eth1' },
        { ACTION: 'down', UPLINK: 'wan', DEVICE: 'eth1', REASON: 'no carrier' }],
      [{ type: 'mpwan.uplink', name: 'lte', state: 'degraded', why: 'missed a probe round', since: 5, device: null },
        { name: 'lte', state: 'degraded', why: 'missed a probe round', since: 5 },
        { ACTION: 'degraded', UPLINK: 'lte', DEVICE: '', REASON: 'missed a probe round' }],
      [{ type: 'mpwan.server', server: '203.0.113.7:8388', reachable: false, why: 'Connection refused' },
        { server: '203.0.113.7:8388', reachable: false, why: 'Connection refused' },
        { ACTION: 'server-unreachable', UPLINK: '', DEVICE: '', REASON: 'Connection refused', SERVER: '203.0.113.7:8388' }],
      [{ type: 'mpwan.default_route', family: 6, uplink: null, device: null, why: 'no healthy uplink has an IPv6 default route' },
        { family: 6, uplink: null, why: 'no healthy uplink has an IPv6 default route' },
        { ACTION: 'default-route', UPLINK: '', DEVICE: '', REASON: 'no healthy uplink has an IPv6 default route', FAMILY: '6' }],
      [{ type: 'mpwan.udp', uplink: 'wan2', paths: ['wan2', 'wan'] },
        { uplink: 'wan2', paths: ['wan2', 'wan'] },
        { ACTION: 'udp-path', UPLINK: 'wan2', DEVICE: '', REASON: '', PATHS: 'wan2 wan' }],
    ];
    for (const [e, data, env] of cases) {
      assert.deepEqual(ubusData(e), data, e.type);
      assert.deepEqual(hotplugEnv(e), env, e.type);
    }
  });

  it("an uplink's condition: netifd and the config say when it is not used, the probes when it is", () => {
    assert.deepEqual(conditionOf(plan('wan', 'down'), undefined), { state: 'down', why: 'netifd reports it down' });
    assert.deepEqual(conditionOf(plan('wan', 'disabled'), undefined), { state: 'down', why: "mode 'off'" });
    assert.deepEqual(conditionOf(plan('wan', 'active', 'eth1'), health('up')), { state: 'up', why: 'in use' });
    assert.deepEqual(conditionOf(plan('wan', 'active', 'eth1'), health('up', { suspect: true })), { state: 'degraded', why: 'missed a probe round' });
    assert.deepEqual(conditionOf(plan('wan', 'failed', 'eth1'), health('down')), { state: 'down', why: 'no carrier' });
    // A plan read before the probes' last decision does not overrule it.
    assert.deepEqual(conditionOf(plan('wan', 'failed', 'eth1'), health('up')), { state: 'up', why: 'in use' });
  });

  it('an event for every change of condition, once: probes decide at once, re-plans catch the rest', () => {
    const c = new UplinkConditions();
    const told = (events: (MpwanEvent | null)[]) => events.filter((e): e is MpwanEvent => e !== null).map((e) => e.type === 'mpwan.uplink' ? `${e.name} ${e.state} ${e.device} (${e.why}) @${e.since}` : e.type);
    assert.deepEqual(told(c.follow([plan('wan', 'active', 'eth1'), plan('lte', 'down')], { wan: health('up') }, 10)), ['wan up eth1 (in use) @10', 'lte down null (netifd reports it down) @10']);
    assert.deepEqual(told(c.follow([plan('wan', 'active', 'eth1'), plan('lte', 'down')], { wan: health('up') }, 11)), [], 'nothing changed');
    assert.deepEqual(told([c.decided('wan', 'degraded', 'missed a probe round', 12)]), ['wan degraded eth1 (missed a probe round) @12']);
    assert.deepEqual(told([c.decided('wan', 'down', '3 probe rounds without an answer', 13), c.decided('wan', 'down', 'again', 14)]), ['wan down eth1 (3 probe rounds without an answer) @13']);
    assert.deepEqual(told(c.follow([plan('wan', 'failed', 'eth1'), plan('lte', 'active', 'wwan0')], { wan: health('down'), lte: health('up') }, 15)), ['lte up wwan0 (in use) @15']);
    assert.deepEqual(told(c.follow([plan('lte', 'active', 'wwan0')], { lte: health('up') }, 16)), [], 'a removed uplink is forgotten');
    assert.deepEqual(told(c.follow([plan('wan', 'active', 'eth1'), plan('lte', 'active', 'wwan0')], { wan: health('up'), lte: health('up') }, 17)), ['wan up eth1 (in use) @17']);
  });

  it('publishing never waits: ubus and hotplug each work through their queue in order; a hung script is killed, a backlog dropped', async () => {
    const sent: string[] = [];
    const f = fakeRuntime({ exec: (argv) => { if (argv[0] === 'ubus') sent.push(`${argv[2]} ${argv[3]}`); return ok(); } });
    const logs: string[] = [];
    const p = new EventPublisher(f.rt, async (level, m) => { logs.push(`${level}: ${m}`); });
    const e = (n: number): MpwanEvent => ({ type: 'mpwan.udp', uplink: `u${n}`, paths: [] });
    p.publish(e(1));
    p.publish(e(2));
    p.publish(null);
    assert.equal(f.spawned.size, 1, 'the first hotplug call started; publish() returned at once');
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    assert.deepEqual(sent, ['mpwan.udp {"uplink":"u1","paths":[]}', 'mpwan.udp {"uplink":"u2","paths":[]}'], 'ubus does not wait for the scripts');
    const first = [...f.spawned.values()][0];
    assert.deepEqual([first.argv, first.env], [['hotplug-call', 'mpwan'], { ACTION: 'udp-path', UPLINK: 'u1', DEVICE: '', REASON: '', PATHS: '' }]);
    // The first call's scripts hang: it is killed after HOTPLUG_TIMEOUT_MS, then the next runs.
    for (let i = 3; i < 3 + BACKLOG + 5; i++) p.publish(e(i));
    await f.advance(HOTPLUG_TIMEOUT_MS + 200);
    assert.equal(first.exited, -9);
    // u2 and 37 more waited behind it: the oldest 6 (u2..u7) went, BACKLOG remain.
    assert.equal([...f.spawned.values()][1].env?.UPLINK, 'u8', 'the oldest waiting events were dropped');
    assert.match(logs.join('\n'), /warning: events: hotplug: the scripts in \/etc\/hotplug\.d\/mpwan are too slow: events dropped/);
    assert.match(logs.join('\n'), /killed/);
  });

  it("nft monitor: only events about table inet mpwan count", () => {
    for (const line of ['delete table inet mpwan', 'add rule inet mpwan mark_flows ct mark set 1', 'add chain inet mpwan prerouting { type filter hook prerouting priority mangle; policy accept; }', 'flush table inet mpwan']) {
      assert.equal(nftEventConcerns(line, 'mpwan'), true, line);
    }
    for (const line of ['add table inet fw4', 'delete table inet mpwanx', '# new generation 7 by process 123 (nft)', 'add table ip mpwan', '']) {
      assert.equal(nftEventConcerns(line, 'mpwan'), false, line);
    }
  });

  it('a kept monitor starts on first use and again a pause after it exits', async () => {
    const f = fakeRuntime();
    let starts = 0;
    let exit: () => void = () => {};
    const kept = new KeptStream(f.rt, (onExit) => { starts++; exit = onExit; return { pid: 1, stop() {} }; });
    assert.equal(kept.ensure(), true);
    assert.equal(kept.ensure(), true);
    assert.equal(starts, 1);
    exit();
    assert.equal(kept.ensure(), false, 'pausing');
    await f.advance(RESTART_MS);
    assert.equal(starts, 2);
    kept.stop();
    exit();
    await f.advance(RESTART_MS * 2);
    assert.equal(starts, 2, 'nothing after stop');
  });
});
