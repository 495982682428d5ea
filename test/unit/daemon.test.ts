// The daemon's pure parts on a fake clock: the proxy supervisor, the server watch, the
// redirect decision and the job loop.
import assert from 'node:assert/strict';
import { BACKOFF_MAX_S, HEALTHY_AFTER_MS, ProxySupervisor, type Launch } from '../../src/daemon/supervisor.js';
import { SILENCE_RETRY_MS, ServerWatch } from '../../src/daemon/server-watch.js';
import { decideRedirect } from '../../src/daemon/redirect.js';
import { JobLoop, type JobName } from '../../src/daemon/loop.js';
import { fakeRuntime } from './builders/fake-runtime.js';

const launch = (digest: string, n = 2): Launch => ({ digest, instances: Array.from({ length: n }, (_, i) => ['ss-redir', '-c', `/run/${digest}`, String(i)]) });

describe('proxy supervisor', () => {
  it('starts every instance of a launch, restarts an exited one with growing backoff, and resets it after a healthy run', () => {
    const s = new ProxySupervisor();
    assert.deepEqual(s.configure(launch('a'), null, 0), { stop: [], adopted: 0 });
    assert.deepEqual(s.due(0).map((d) => d.index), [0, 1]);
    s.started(0, 100, 0);
    s.started(1, 101, 0);
    assert.deepEqual(s.due(0), []);
    assert.deepEqual(s.exited(0, 1000), { index: 0, restartInS: 1 });
    assert.deepEqual(s.due(1999), []);
    assert.deepEqual(s.due(2000).map((d) => d.index), [0]);
    s.started(0, 102, 2000);
    assert.deepEqual(s.exited(0, 2500), { index: 0, restartInS: 2 }, 'exits in a row double the wait');
    for (let i = 0; i < 10; i++) s.exited(0, 3000);
    assert.equal(s.exited(0, 3000).restartInS, BACKOFF_MAX_S);
    s.started(0, 103, 4000);
    s.settle(4000 + HEALTHY_AFTER_MS + 1);
    assert.deepEqual(s.exited(0, 70000), { index: 0, restartInS: 1 }, 'a healthy run resets the backoff');
  });

  it('a new launch stops every running instance and replaces the list; the same launch changes nothing', () => {
    const s = new ProxySupervisor();
    s.configure(launch('a'), null, 0);
    s.started(0, 100, 0);
    s.started(1, 101, 0);
    assert.deepEqual(s.configure(launch('a'), null, 10), { stop: [], adopted: 0 });
    assert.deepEqual(s.configure(launch('b', 3), null, 10), { stop: [100, 101], adopted: 0 });
    s.stopped([100, 101]);
    assert.equal(s.instances.length, 3);
    assert.deepEqual(s.due(10).map((d) => d.argv[2]), ['/run/b', '/run/b', '/run/b']);
  });

  it('disabling the proxy stops the instances and forgets them: nothing is started again later', () => {
    const s = new ProxySupervisor();
    s.configure(launch('a'), null, 0);
    s.started(0, 100, 0);
    s.started(1, 101, 0);
    assert.deepEqual(s.configure(null, null, 5).stop, [100, 101]);
    s.stopped([100, 101]);
    assert.deepEqual(s.instances, []);
    assert.deepEqual(s.due(60000), [], 'the periodic supervision starts nothing');
  });

  it('adopts a predecessor\'s instances only when all of them run this launch; kills them otherwise', () => {
    const same = new ProxySupervisor();
    assert.deepEqual(same.configure(launch('a'), { launch: 'a', alive: [200, 201] }, 0), { stop: [], adopted: 2 });
    assert.deepEqual(same.due(0), [], 'adopted instances are not started again');
    assert.deepEqual(same.running().map((r) => [r.pid, r.adopted]), [[200, true], [201, true]]);
    assert.deepEqual(new ProxySupervisor().configure(launch('a'), { launch: 'b', alive: [200, 201] }, 0), { stop: [200, 201], adopted: 0 });
    assert.deepEqual(new ProxySupervisor().configure(launch('a'), { launch: 'a', alive: [200] }, 0), { stop: [200], adopted: 0 }, 'one of two died: start afresh');
    assert.deepEqual(new ProxySupervisor().configure(null, { launch: 'a', alive: [200, 201] }, 0), { stop: [200, 201], adopted: 0 }, 'no proxy wanted any more');
    const later = new ProxySupervisor();
    later.configure(launch('a'), null, 0);
    assert.deepEqual(later.configure(launch('b'), { launch: 'b', alive: [300, 301] }, 1).adopted, 0, 'only the first launch adopts');
  });
});

describe('server watch', () => {
  it('deaf after SILENT_CONNECTIONS silent proxied connections with none answered; tried again after SILENCE_RETRY_MS', () => {
    const w = new ServerWatch('s');
    w.reset(0);
    assert.equal(w.evidence({ silent: 1, answered: 0 }, 10), null);
    assert.match(w.evidence({ silent: 2, answered: 0 }, 20)!.message, /wrong password or cipher/);
    assert.equal(w.answers, false);
    assert.equal(w.wantsEvidence, false);
    assert.equal(w.retry(20 + SILENCE_RETRY_MS - 1), null);
    assert.match(w.retry(20 + SILENCE_RETRY_MS)!.message, /trying the proxy/);
    assert.equal(w.answers, null);
    assert.equal(w.evidenceWindowMs(20 + SILENCE_RETRY_MS + 5), 5, 'only connections since the retry count');
    assert.equal(w.evidence({ silent: 5, answered: 1 }, 30), null);
    assert.equal(w.answers, true);
  });
});

describe('redirect decision', () => {
  const base = { wanted: true, proxyRunning: true, serverReachable: true, serverAnswers: true, lanDevices: 1 };
  it('on only while a proxy runs and the server is not known down or deaf; says why when off', () => {
    assert.deepEqual(decideRedirect(base), { on: true, reason: null });
    assert.deepEqual(decideRedirect({ ...base, serverReachable: null, serverAnswers: null }), { on: true, reason: null }, 'unknown is not down');
    assert.deepEqual(decideRedirect({ ...base, wanted: false }), { on: false, reason: null });
    assert.match(decideRedirect({ ...base, proxyRunning: false }).reason!, /not running/);
    assert.match(decideRedirect({ ...base, serverReachable: false }).reason!, /does not answer/);
    assert.match(decideRedirect({ ...base, serverAnswers: false }).reason!, /wrong password/);
    assert.match(decideRedirect({ ...base, lanDevices: 0 }).reason!, /lan interfaces/);
  });
});

describe('job loop', () => {
  it('runs one job at a time, coalesces requests that arrive meanwhile into one run with every reason, replan first', async () => {
    const f = fakeRuntime();
    const runs: string[] = [];
    let release: () => void = () => {};
    const loop = new JobLoop(f.rt, async (job: JobName, reasons: string[]) => {
      runs.push(`${job} ${reasons.join(',')}`);
      if (job === 'replan' && reasons.includes('start')) await new Promise<void>((r) => { release = r; });
    }, async () => {});
    loop.request('replan', 'start');
    await Promise.resolve();
    for (let i = 0; i < 50; i++) loop.request('replan', i % 2 ? 'SIGHUP' : 'uplink wan down');
    loop.request('supervise');
    loop.request('replan', 'SIGHUP');
    assert.deepEqual(runs, ['replan start'], 'nothing runs beside a job');
    release();
    for (let i = 0; i < 20; i++) await Promise.resolve();
    assert.deepEqual(runs, ['replan start', 'replan uplink wan down,SIGHUP', 'supervise ']);
    await loop.stop();
  });

  it('a job that requests another before its first await never runs beside it', async () => {
    const f = fakeRuntime();
    const runs: string[] = [];
    let inside = 0;
    const loop = new JobLoop(f.rt, async (job: JobName) => {
      inside++;
      runs.push(`${job} (${inside} running)`);
      if (job === 'server' && runs.length === 1) loop.request('supervise', 'asked from inside');
      await new Promise<void>((r) => setImmediate(r));
      inside--;
    }, async () => {});
    loop.request('server');
    for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
    assert.deepEqual(runs, ['server (1 running)', 'supervise (1 running)']);
    await loop.stop();
  });

  it('timers only request jobs; a failing job is reported and the loop goes on', async () => {
    const f = fakeRuntime();
    const runs: string[] = [];
    const errors: unknown[] = [];
    const loop = new JobLoop(f.rt, async (job) => { runs.push(job); if (runs.length === 1) throw new Error('boom'); }, async (e) => { errors.push(e); });
    loop.every('replan', 'periodic', 30000);
    loop.every('supervise', '', 1000);
    await f.advance(30000);
    assert.equal(runs.filter((r) => r === 'replan').length, 1);
    assert.equal(runs.filter((r) => r === 'supervise').length, 30);
    assert.equal(errors.length, 1);
    await loop.stop();
    await f.advance(60000);
    assert.equal(runs.length, 31, 'nothing after stop');
  });
});
