// Probe rounds from streaming pings: which reply answers which round, deadlines, one-shot
// probes attached to a round, and the ping output both iputils and BusyBox print.
import assert from 'node:assert/strict';
import { ProbeRounds, SLACK_MS } from '../../src/health/rounds.js';
import { parsePingLine } from '../../src/observe/ping.js';

const I = 500;
const T = 1000;

describe('ping output', () => {
  it('reads replies from iputils and BusyBox, ignores duplicates and noise, keeps errors', () => {
    assert.deepEqual(parsePingLine('64 bytes from 10.99.0.1: icmp_seq=7 ttl=64 time=0.045 ms'), { kind: 'reply', seq: 7, ms: 0.045 });
    assert.deepEqual(parsePingLine('64 bytes from 10.99.0.1: seq=0 ttl=64 time=12.500 ms'), { kind: 'reply', seq: 0, ms: 12.5 });
    assert.deepEqual(parsePingLine('64 bytes from 2001:db8::1: icmp_seq=3 ttl=64 time=1.2 ms'), { kind: 'reply', seq: 3, ms: 1.2 });
    assert.deepEqual(parsePingLine('64 bytes from 10.99.0.1: icmp_seq=7 ttl=64 time=0.1 ms (DUP!)'), { kind: 'other' });
    assert.deepEqual(parsePingLine('PING 10.99.0.1 (10.99.0.1) from 10.20.1.2 : 56(84) bytes of data.'), { kind: 'other' });
    assert.deepEqual(parsePingLine('ping: bind: Cannot assign requested address'), { kind: 'error', text: 'bind: Cannot assign requested address' });
    assert.deepEqual(parsePingLine('From 10.20.1.1 icmp_seq=4 Destination Host Unreachable'), { kind: 'error', text: 'From 10.20.1.1 icmp_seq=4 Destination Host Unreachable' });
  });
});

describe('probe rounds', () => {
  /** A stream started at `t0` whose k-th ping (seq base + k) goes out at t0 + k*I + drift*k. */
  function stream(r: ProbeRounds, target: string, t0: number, base: number, drift = 0) {
    r.started(target, t0);
    return (k: number, rtt: number) => r.reply(target, (base + k) % 65536, rtt, t0 + k * (I + drift) + rtt);
  }

  it('a reply answers its round at once; an unanswered round fails at send + timeout, in order', () => {
    const r = new ProbeRounds(I, T, 0);
    const reply = stream(r, 'h', 0, 1);
    reply(0, 5);
    assert.deepEqual(r.resolve(5), [{ index: 0, ok: true, icmp: true, ms: 5 }]);
    reply(2, 5); // round 1 lost
    assert.deepEqual(r.resolve(1010), [], 'round 1 is still within its timeout, and round 2 waits for it');
    assert.deepEqual(r.resolve(I + T + SLACK_MS).map((x) => [x.index, x.ok]), [[1, false], [2, true]]);
    assert.match(r.resolve(5000).find((x) => !x.ok)?.error ?? '', /ping h: no reply/);
  });

  it('learns the first sequence number (iputils 1, BusyBox 0) and follows the stream through drift and wrap-around', () => {
    for (const base of [0, 1, 65530]) {
      const r = new ProbeRounds(I, T, 1000);
      const reply = stream(r, 'h', 1000, base, 3);
      const got: number[] = [];
      for (let k = 0; k < 40; k++) {
        reply(k, 20);
        got.push(...r.resolve(1000 + k * (I + 3) + 20).filter((x) => x.ok).map((x) => x.index));
      }
      assert.deepEqual(got, Array.from({ length: 40 }, (_, k) => k), `base ${base}`);
    }
  });

  it('joins several targets: a round is answered when any of them answers it', () => {
    const r = new ProbeRounds(I, T, 0);
    const a = stream(r, 'a', 0, 1);
    const b = stream(r, 'b', 2, 0);
    b(0, 3);
    assert.deepEqual(r.resolve(5), [], 'waits for a, whose reply may still come');
    assert.deepEqual(r.resolve(T + SLACK_MS).map((x) => [x.index, x.ok]), [[0, true]]);
    a(1, 1);
    assert.deepEqual(r.resolve(I + 2), [], 'b may still answer round 1');
    assert.deepEqual(r.resolve(I + 2 + T + SLACK_MS).map((x) => [x.index, x.ok]), [[1, true]]);
  });

  it('one-shot probes attached to a round: the round waits for them, and any success answers it', () => {
    const r = new ProbeRounds(I, T, 0);
    stream(r, 'h', 0, 1);
    r.attach(0);
    assert.deepEqual(r.resolve(2000), [], 'the TCP connect still runs');
    r.attachedResult(0, { ok: true, ms: 30 });
    assert.deepEqual(r.resolve(2000)[0], { index: 0, ok: true, icmp: false, ms: 30 });
    r.attach(5);
    r.attachedResult(5, { ok: false, error: 'tcp 10.99.0.1: Connection refused' });
    assert.equal(r.resolve(5000).find((x) => x.index === 5)?.error, 'tcp 10.99.0.1: Connection refused', 'the connect says why');
  });

  it('without a stream, rounds are what their one-shot probes say (nothing attached: no round)', () => {
    const r = new ProbeRounds(I, T, 0);
    r.attach(0);
    r.attachedResult(0, { ok: true, ms: 2 });
    assert.deepEqual(r.resolve(10), [{ index: 0, ok: true, icmp: false, ms: 2 }]);
    assert.deepEqual(r.resolve(10000), [], 'rounds with nothing attached count neither way');
  });

  it('a restarted stream joins the round sent nearest to its start, and the next wake-up is the earliest deadline', () => {
    const r = new ProbeRounds(I, T, 0);
    const first = stream(r, 'h', 0, 1);
    for (let k = 0; k < 4; k++) first(k, 1);
    r.resolve(1600);
    const again = stream(r, 'h', 2010, 1); // a new ping process, its seq starts over
    again(0, 1);
    assert.deepEqual(r.resolve(2012).map((x) => [x.index, x.ok]), [[4, true]]);
    assert.equal(r.nextWake(2012), 2010 + I, 'the next send');
  });
});
