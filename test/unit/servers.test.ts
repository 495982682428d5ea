import assert from 'node:assert/strict';
import { ServerHealth, type ServerVerdict } from '../../src/servers/health.js';
import { ServerChoice, type ServerView } from '../../src/servers/choice.js';

const INTERVAL = 500;

describe('server health', () => {
  it('is unknown until heard from, up while it answers pings, silent after two intervals without any', () => {
    const h = new ServerHealth();
    assert.deepEqual(h.verdict(0), { state: 'unknown', reason: 'not heard from yet' });
    assert.equal(h.silentAt(), null, 'nothing to wait for');
    h.reply('wan', INTERVAL, 0, 1000);
    assert.deepEqual(h.verdict(1000), { state: 'up', reason: null });
    // Replies through two uplinks, 0.5 s apart each: one lost ping (a 1 s gap) is no silence.
    h.reply('wan', INTERVAL, 0, 2000);
    assert.equal(h.verdict(3100).state, 'up');
    assert.equal(h.silentAt(), 3200);
    assert.deepEqual(h.verdict(3200), { state: 'down', reason: 'silent: no answer through any uplink for 1.2 s' });
    h.reply('wan', INTERVAL, 0, 3300);
    assert.equal(h.verdict(3300).state, 'up', 'a reply ends the silence at once (the choice holds traffic back)');
  });

  it('silent only once every uplink that heard it has missed two of its own pings: a slow (metered) uplink waits longer', () => {
    const h = new ServerHealth();
    h.reply('fibre', 500, 0, 1000);
    h.reply('lte', 5000, 0, 1000);
    assert.equal(h.silentAt(), 1000 + 10000 + 200, 'the LTE uplink pings every 5 s: its silence takes two of them');
    assert.equal(h.verdict(5000).state, 'up', 'fibre went quiet (it may be the one that died), LTE has not missed two yet');
    h.reply('lte', 5000, 0, 6000);
    assert.equal(h.verdict(16199).state, 'up');
    assert.equal(h.verdict(16200).state, 'down');
  });

  it('waits longer for a server far away: twice its round trip on top', () => {
    const h = new ServerHealth();
    h.reply('wan', INTERVAL, 300, 1000);
    assert.equal(h.silentAt(), 1000 + 1000 + 600 + 200);
  });

  it('refuses connections: down once the latest connect through every uplink failed, at least twice in a row', () => {
    const h = new ServerHealth();
    h.reply('wan', INTERVAL, 0, 0);
    h.connect('wan', { ok: false, error: 'Connection refused' }, 100);
    assert.equal(h.verdict(100).state, 'up', 'one failed connect is no verdict');
    h.connect('lte', { ok: true }, 200);
    h.connect('wan', { ok: false, error: 'Connection refused' }, 300);
    assert.equal(h.verdict(300).state, 'up', 'it took a connect through lte: wan is the problem, not the server');
    h.connect('lte', { ok: false, error: 'Connection refused' }, 400);
    assert.deepEqual(h.verdict(400), { state: 'down', reason: 'takes no connection (Connection refused)' });
    h.connect('wan', { ok: true }, 500);
    assert.equal(h.verdict(500).state, 'up');
  });

  it('a wrong key is down at once, until a reload forgets it; the proxy finding it deaf too', () => {
    const h = new ServerHealth();
    h.reply('wan', INTERVAL, 0, 0);
    h.connect('wan', { ok: false, error: 'wrong key: it closed the authenticated probe unanswered', wrongKey: true }, 100);
    assert.deepEqual(h.verdict(100), { state: 'down', reason: 'wrong key: it closed the authenticated probe unanswered' });
    h.reset();
    assert.equal(h.verdict(150).state, 'up');
    h.deaf('answered none of 2 proxied connections: wrong key?');
    assert.deepEqual(h.verdict(200), { state: 'down', reason: 'answered none of 2 proxied connections: wrong key?' });
    h.reset();
    assert.equal(h.verdict(200).state, 'up');
  });

  it('a server that filters pings is judged by its connects alone', () => {
    const h = new ServerHealth();
    h.connect('wan', { ok: true }, 0);
    assert.equal(h.verdict(20000).state, 'up', 'no ping ever answered: silence means nothing');
    assert.equal(h.verdict(40000).state, 'unknown', 'a connect half a minute old says nothing');
    const f = new ServerHealth();
    f.reply('wan', INTERVAL, 0, 0);
    f.connect('wan', { ok: true }, 6000);
    assert.equal(f.verdict(6000).state, 'up', 'pings stopped but it takes connects: ICMP is filtered now');
    assert.equal(f.silentAt(), null);
  });
});

const view = (name: string, v: ServerVerdict): ServerView => ({ name, ...v });
const UP: ServerVerdict = { state: 'up', reason: null };
const DOWN: ServerVerdict = { state: 'down', reason: 'silent: no answer through any uplink for 1.2 s' };
const UNKNOWN: ServerVerdict = { state: 'unknown', reason: 'not heard from yet' };

describe('server choice', () => {
  it('starts on the most preferred server not known to be down', () => {
    const c = new ServerChoice(60000);
    assert.deepEqual(c.update([view('a', UNKNOWN), view('b', UNKNOWN)], 0), { server: 'a', why: 'the most preferred server', since: 0, from: null, kind: 'first' });
    assert.equal(c.update([view('a', UP), view('b', UP)], 10), null);
    const d = new ServerChoice(60000);
    assert.deepEqual(d.update([view('a', DOWN), view('b', UP)], 0)?.why, 'a is down (silent: no answer through any uplink for 1.2 s)');
    assert.equal(d.choice.server, 'b');
  });

  it('fails over at once when the one in use goes down, and back only after the hold-down', () => {
    const c = new ServerChoice(60000);
    c.update([view('a', UP), view('b', UP)], 0);
    const over = c.update([view('a', DOWN), view('b', UP)], 5000)!;
    assert.deepEqual(over, { server: 'b', from: 'a', kind: 'failover', since: 5000, why: 'a is down (silent: no answer through any uplink for 1.2 s); b answers' });
    assert.equal(c.update([view('a', UP), view('b', UP)], 8000), null, 'a answers again: the hold-down starts');
    assert.deepEqual(c.pendingFailback([view('a', UP), view('b', UP)]), { server: 'a', at: 68000 });
    assert.equal(c.update([view('a', DOWN), view('b', UP)], 30000), null, 'a flaps: the hold-down starts again');
    assert.equal(c.pendingFailback([view('a', DOWN), view('b', UP)]), null);
    assert.equal(c.update([view('a', UP), view('b', UP)], 31000), null);
    assert.equal(c.update([view('a', UP), view('b', UP)], 90999), null);
    assert.deepEqual(c.update([view('a', UP), view('b', UP)], 91000), { server: 'a', from: 'b', kind: 'failback', since: 91000, why: 'a is preferred and has answered for 60 s' });
  });

  it('with no server answering there is none; the first to answer again is taken at once', () => {
    const c = new ServerChoice(60000);
    c.update([view('a', UP), view('b', UP)], 0);
    assert.equal(c.update([view('a', DOWN), view('b', DOWN)], 1000)!.kind, 'none');
    assert.equal(c.choice.server, null);
    assert.match(c.choice.why, /^no server answers: a is down \(silent.*\); b is down/);
    assert.equal(c.update([view('a', DOWN), view('b', DOWN)], 2000), null);
    assert.deepEqual(c.update([view('a', DOWN), view('b', UP)], 3000), { server: 'b', from: null, kind: 'back', since: 3000, why: 'a is down (silent: no answer through any uplink for 1.2 s)' });
    assert.equal(c.update([view('a', UP), view('b', UP)], 4000), null, 'a is back too, but must answer for the hold-down first');
  });

  it('a failover prefers a server that answers over one not heard from yet', () => {
    const c = new ServerChoice(0);
    c.update([view('a', UP), view('b', UNKNOWN), view('c', UP)], 0);
    assert.equal(c.update([view('a', DOWN), view('b', UNKNOWN), view('c', UP)], 10)!.server, 'c');
    const d = new ServerChoice(0);
    d.update([view('a', UP), view('b', UNKNOWN)], 0);
    assert.deepEqual(d.update([view('a', DOWN), view('b', UNKNOWN)], 10)!.why, 'a is down (silent: no answer through any uplink for 1.2 s); b is not known to be down');
  });

  it('follows the config: a server removed, all removed, a hold-down of 0', () => {
    const c = new ServerChoice(0);
    c.update([view('a', UP), view('b', UP)], 0);
    assert.deepEqual(c.update([view('b', UP)], 10), { server: 'b', from: 'a', kind: 'config', since: 10, why: 'the most preferred server' });
    assert.deepEqual(c.update([], 20), { server: null, from: 'b', kind: 'config', since: 20, why: 'no server is configured' });
    assert.equal(c.update([], 30), null);
    const z = new ServerChoice(0);
    z.update([view('a', DOWN), view('b', UP)], 0);
    assert.equal(z.update([view('a', UP), view('b', UP)], 1)!.kind, 'failback', 'no hold-down: back at once');
  });
});
