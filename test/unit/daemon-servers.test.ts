// The daemon's wiring of several servers, driven by the fake runtime on a fake router: the
// relay runs with a server file, not a server; when the most preferred server falls silent the
// server file names the next one and the relay gets SIGHUP (no restart: connections open on the
// first stay where they are); scripts hear which server answers and which one is used, and why.
import assert from 'node:assert/strict';
import { Daemon } from '../../src/daemon/daemon.js';
import { RUN, fakeRouter } from './builders/fake-router.js';

const KEYS = ['ab'.repeat(32), 'cd'.repeat(32)];
const CONFIG_TEXT = `config globals 'globals'
	option enabled '1'

config uplink 'wan'

config uplink 'wan2'

config server 'vps'
	option host '203.0.113.7'
	option port '8400'
	option key '${KEYS[0]}'

config server 'vps2'
	option host '198.51.100.9'
	option port '8400'
	option key '${KEYS[1]}'

config proxy 'proxy'
	option engine 'relay'
	option hold_down '10'
	list lan 'lan'
`;

const flush = async () => { for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r)); };

describe('the daemon with several servers (fake runtime, fake router)', () => {
  it('the first server falls silent: the server file names the second, the relay gets SIGHUP and keeps running; scripts hear it', async () => {
    let silent = false;
    const r = fakeRouter(CONFIG_TEXT, {
      echo: (_source, target) => (silent && target === '203.0.113.7' ? null : 1),
      connect: (_source, host) => (silent && host === '203.0.113.7' ? null : true),
    });
    const run = async (ms: number) => { for (let t = 0; t < ms; t += 10) { await r.advance(10); await flush(); } };
    const daemon = new Daemon(r.rt);
    const start = daemon.start();
    await run(50);
    await start;
    await run(3000);
    const relay = r.programs('mpwan-relay');
    assert.equal(relay.length, 1);
    assert.deepEqual(relay[0].argv.slice(0, 6), ['mpwan-relay', 'router', '--port', '1100', '--server-file', `${RUN}/relay-server`]);
    assert.equal(r.fs.get(`${RUN}/relay-server`), `203.0.113.7:8400 ${RUN}/server-vps.key\n`);
    assert.equal(r.fs.get(`${RUN}/server-vps.key`), `${KEYS[0]}\n`);
    assert.deepEqual(r.events.filter((e) => e.type === 'mpwan.active_server').map((e) => e.data),
      [{ name: 'vps', server: '203.0.113.7:8400', from: null, kind: 'first', why: 'the most preferred server' }]);
    assert.deepEqual(r.events.filter((e) => e.type === 'mpwan.server').map((e) => `${e.data.name} ${e.data.reachable}`).sort(), ['vps true', 'vps2 true']);

    r.killed.length = 0;
    silent = true;
    await run(5000);
    assert.equal(r.fs.get(`${RUN}/relay-server`), `198.51.100.9:8400 ${RUN}/server-vps2.key\n`);
    assert.deepEqual(r.killed, [relay[0].pid], 'the relay is told by SIGHUP');
    assert.deepEqual(r.programs('mpwan-relay').map((p) => [p.pid, p.exited]), [[relay[0].pid, null]], 'and not started again');
    const down = r.events.find((e) => e.type === 'mpwan.server' && e.data.reachable === false);
    assert.equal(down?.data.name, 'vps');
    const failover = r.events.filter((e) => e.type === 'mpwan.active_server').at(-1)?.data;
    assert.deepEqual({ ...failover, why: String(failover?.why).replace(/\(.*\)/, '(...)') },
      { name: 'vps2', server: '198.51.100.9:8400', from: 'vps', kind: 'failover', why: 'vps is down (...); vps2 answers' });
    assert.match(r.logs.join('\n'), /new LAN traffic goes to server vps2: vps is down/);
    const status = JSON.parse(r.fs.get(`${RUN}/daemon.json`)!).proxy;
    assert.deepEqual([status.active_server, status.server], ['vps2', '198.51.100.9:8400']);

    // Back after it answered for the whole hold-down (10 s), by SIGHUP again. It answers again
    // once a connect gets through (every 6 probe intervals at most: within 8 s here).
    r.killed.length = 0;
    silent = false;
    await run(8000);
    const waiting = JSON.parse(r.fs.get(`${RUN}/daemon.json`)!).proxy.failback;
    assert.equal(waiting?.server, 'vps', 'vps answers and new traffic goes back to it when the hold-down ends');
    assert.match(r.fs.get(`${RUN}/relay-server`)!, /^198\.51\.100\.9/, 'not before');
    await run(9000);
    assert.equal(r.fs.get(`${RUN}/relay-server`), `203.0.113.7:8400 ${RUN}/server-vps.key\n`);
    assert.deepEqual(r.killed, [relay[0].pid]);
    assert.equal(r.events.filter((e) => e.type === 'mpwan.active_server').at(-1)?.data.kind, 'failback');
  });
});
