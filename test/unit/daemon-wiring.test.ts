// The daemon's wiring, driven by the fake runtime on a fake router: a failed uplink changes
// the plan, its endpoint goes, the relay's paths file is rewritten and the relay gets SIGHUP,
// scripts hear of it; a reload with an invalid config keeps the running setup; a request left
// in the run dir is done by the daemon and answered; table inet mpwan removed by someone else
// comes back on nft monitor's word.
import assert from 'node:assert/strict';
import { Daemon } from '../../src/daemon/daemon.js';
import { SIGHUP, SIGTERM } from '../../src/sys/runtime.js';
import { CONFIG, DAEMON_PID, RUN, fakeRouter } from './builders/fake-router.js';
import { NftTable } from '../../src/daemon/nft-table.js';
import { fakeRuntime, ok } from './builders/fake-runtime.js';

const KEY = 'ab'.repeat(32);
const CONFIG_TEXT = `config globals 'globals'
	option enabled '1'

config uplink 'wan'

config uplink 'wan2'

config server 'vps'
	option host '203.0.113.7'
	option port '8388'
	option key '${KEY}'

config proxy 'proxy'
	option engine 'relay'
	list lan 'lan'
`;

/** Lets every promise chain run that waits on nothing but other promises (the fake's commands). */
const flush = async () => { for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r)); };

describe('the daemon, wired (fake runtime, fake router)', () => {
  async function started() {
    const r = fakeRouter(CONFIG_TEXT);
    const run = async (ms: number) => { for (let t = 0; t < ms; t += 10) { await r.advance(10); await flush(); } };
    const daemon = new Daemon(r.rt);
    const start = daemon.start();
    await run(50);
    await start;
    await run(500);
    return { r, run, daemon };
  }

  it('starts as the one writer and applies the plan: endpoints, the relay with its paths, the nft table', async () => {
    const { r } = await started();
    assert.equal(r.fs.get(`${RUN}/daemon.pid`), `${DAEMON_PID}\n`);
    assert.deepEqual(r.endpoints(), ['10.0.1.2', '10.0.2.2']);
    const relay = r.programs('mpwan-relay')[0];
    assert.ok(relay && relay.exited === null, 'the relay runs');
    assert.equal(r.fs.get(`${RUN}/relay-paths`), 'wan 10.0.1.2\nwan2 10.0.2.2\n');
    assert.match(r.table ?? '', /redirect to :\d+/);
    assert.equal(r.nftMonitors.length, 1, 'nft monitor watches the table');
    assert.deepEqual(r.events.filter((e) => e.type === 'mpwan.uplink').map((e) => `${e.data.name} ${e.data.state}`), ['wan up', 'wan2 up']);
    assert.deepEqual(r.events.find((e) => e.type === 'mpwan.udp')?.data, { uplink: 'wan', paths: ['wan', 'wan2'] });
  });

  it('an uplink goes down: the plan changes, the paths file is rewritten and the relay gets SIGHUP', async () => {
    const { r, run } = await started();
    const relay = r.programs('mpwan-relay')[0].pid;
    r.killed.length = 0;
    r.changes.length = 0;
    r.setCarrier('wan0', false);
    await run(200);
    assert.deepEqual(r.endpoints(), ['10.0.2.2'], "wan's endpoint is withdrawn");
    assert.ok(r.changes.some((c) => /^ip mptcp endpoint delete id \d+$/.test(c)));
    assert.equal(r.fs.get(`${RUN}/relay-paths`), 'wan2 10.0.2.2\n');
    assert.deepEqual(r.killed, [relay], 'the relay is told (SIGHUP), nothing else is signalled');
    assert.equal(r.programs('mpwan-relay')[0].exited, null, 'the relay keeps running');
    assert.equal(r.programs('mpwan-relay').length, 1, 'no relay was started again');
    const down = r.events.find((e) => e.type === 'mpwan.uplink' && e.data.state === 'down');
    assert.deepEqual({ ...down?.data, since: 0 }, { name: 'wan', state: 'down', why: 'no carrier', since: 0, device: 'wan0' });
    assert.deepEqual(r.events.filter((e) => e.type === 'mpwan.udp').at(-1)?.data, { uplink: 'wan2', paths: ['wan2'] });
    assert.deepEqual(r.events.filter((e) => e.type === 'mpwan.default_route').at(-1)?.data, { family: 4, uplink: 'wan2', device: 'wan1' });
    // The hotplug scripts hear the same, with ACTION, UPLINK, DEVICE and REASON.
    assert.ok(r.programs('hotplug-call').some((p) => p.env?.ACTION === 'down' && p.env.UPLINK === 'wan' && p.env.DEVICE === 'wan0' && p.env.REASON === 'no carrier'));
    assert.match(r.logs.join('\n'), /notice: uplink wan down: .*delete endpoint id \d+ 10\.0\.1\.2 dev wan0/);
  });

  it('a reload with an invalid config keeps the running setup and says why', async () => {
    const { r, run } = await started();
    const relay = r.programs('mpwan-relay')[0].pid;
    r.changes.length = 0;
    r.killed.length = 0;
    r.fs.set(CONFIG, CONFIG_TEXT.replace("config uplink 'wan2'", "config uplink 'wan2'\n\toption mode 'sometimes'"));
    r.signal(SIGHUP);
    await run(200);
    assert.match(r.logs.join('\n'), /err: invalid configuration:\n {2}\/etc\/config\/mpwan:\d+: wan2\.mode: .*\nthe last valid configuration stays in force/);
    assert.deepEqual(r.changes, [], 'nothing in the kernel or the nft table changed');
    assert.deepEqual(r.killed, [], 'the relay is neither restarted nor signalled');
    assert.deepEqual(r.programs('mpwan-relay').map((p) => p.pid), [relay]);
    assert.deepEqual(r.endpoints(), ['10.0.1.2', '10.0.2.2']);
    const state = JSON.parse(r.fs.get(`${RUN}/daemon.json`)!);
    assert.match(state.config_error.message, /wan2\.mode/);
    assert.equal(state.reloads, 2);
  });

  it('a request in the run dir is done by the daemon and answered; one for an unknown uplink changes nothing', async () => {
    const { r, run } = await started();
    r.fs.set('/proc/777/cmdline', 'qjs\0/usr/libexec/rpcd/mpwan\0call\0set_uplink\0');
    r.fs.set(`${RUN}/request-777-0000000a.json`, JSON.stringify({ op: 'set_uplink', uplink: 'wan2', mode: 'backup' }));
    r.fs.set(`${RUN}/request-777-0000000b.json`, JSON.stringify({ op: 'set_uplink', uplink: 'lte', mode: 'off' }));
    r.signal(SIGHUP);
    await run(200);
    const answer = JSON.parse(r.fs.get(`${RUN}/answer-777-0000000a.json`)!);
    assert.equal(answer.daemon, DAEMON_PID);
    assert.equal(answer.configChanged, true);
    assert.deepEqual(answer.changes.map((c: string) => c.replace(/id \d+/, 'id N')), ['mark endpoint id N 10.0.2.2 backup']);
    assert.deepEqual(r.endpoints(), ['10.0.1.2', '10.0.2.2 backup']);
    assert.match(r.fs.get(CONFIG)!, /config uplink 'wan2'\n\toption mode 'backup'\n/);
    const refused = JSON.parse(r.fs.get(`${RUN}/answer-777-0000000b.json`)!);
    assert.deepEqual(refused.error, { code: 'invalid_argument', message: "unknown uplink 'lte' (configured: wan, wan2)" });
    assert.ok(![...r.fs.keys()].some((k) => k.includes('/request-')), 'every request was taken');
  });

  it("a request whose apply fails is answered with the failure, and its config edit is put back", async () => {
    const { r, run } = await started();
    r.fs.set('/proc/778/cmdline', 'qjs\0/usr/sbin/mpwan\0apply\0');
    r.refuse(/^ip mptcp endpoint change/);
    r.fs.set(`${RUN}/request-778-0000000c.json`, JSON.stringify({ op: 'set_uplink', uplink: 'wan', mode: 'backup' }));
    r.signal(SIGHUP);
    await run(200);
    const answer = JSON.parse(r.fs.get(`${RUN}/answer-778-0000000c.json`)!);
    assert.equal(answer.failure.message, 'ip mptcp endpoint change id 1 backup: Error: Operation not permitted');
    assert.equal(answer.failure.failedChange, 'mark endpoint id 1 10.0.1.2 backup');
    assert.equal(r.fs.get(CONFIG), CONFIG_TEXT, 'the config file is as it was');
    assert.deepEqual(r.endpoints(), ['10.0.1.2', '10.0.2.2']);
    assert.match(r.logs.join('\n'), /err: SIGHUP: apply failed: ip mptcp endpoint change id 1 backup: Error: Operation not permitted; previous state restored/);
  });

  it('table inet mpwan removed by someone else is loaded again when nft monitor says so', async () => {
    const { r, run } = await started();
    const before = r.table;
    // Someone deletes the table: `nft monitor` prints it (the fake's table goes with it).
    await r.rt.exec(['nft', '-f', '-'], { input: 'table inet mpwan {}\ndelete table inet mpwan\n' });
    r.changes.length = 0;
    r.nftEvent('delete table inet mpwan');
    await run(50);
    assert.equal(r.table, before);
    assert.deepEqual(r.changes, ['nft: table loaded']);
    assert.match(r.logs.join('\n'), /changed or removed by something else: loaded again/);
    // Its own load's events, and other tables', cost one read and change nothing.
    r.changes.length = 0;
    r.nftEvent('add table inet mpwan');
    r.nftEvent('add table inet fw4');
    await run(50);
    assert.deepEqual(r.changes, []);
  });

  it('SIGTERM removes everything it set up and unregisters', async () => {
    const { r, run, daemon } = await started();
    r.signal(SIGTERM);
    await run(3000);
    assert.equal(await Promise.race([daemon.exited, Promise.resolve('running')]), 0);
    assert.deepEqual(r.endpoints(), []);
    assert.equal(r.table, null);
    assert.equal(r.fs.get(`${RUN}/daemon.pid`), undefined);
    assert.notEqual(r.programs('mpwan-relay')[0].exited, null, 'the relay is stopped');
  });

  it('the nft table is repaired even when it vanished right after the last load', async () => {
    // What `nft -j list table inet mpwan` finds, read by read: nothing at first, nothing right
    // after the load (someone deleted it at once), nothing at the next check, then the repair.
    const listings = [null, null, null, '{"nftables":[{"table":{"name":"mpwan"}}]}'];
    let reads = 0;
    let loads = 0;
    const f = fakeRuntime({
      exec: (argv) => {
        if (argv.includes('list')) { const l = listings[Math.min(reads++, listings.length - 1)]; return l ? ok(l) : { ...ok(), status: 1, stderr: 'Error: No such file or directory' }; }
        if (!argv.includes('-c')) loads++;
        return ok();
      },
    });
    const t = new NftTable(f.rt);
    const text = 'table inet mpwan {}\ndelete table inet mpwan\ntable inet mpwan {\n}\n';
    assert.equal(await t.sync(text, true), 'loaded');
    assert.equal(await t.sync(text, true), 'repaired', 'gone, though the read after the load also found nothing');
    assert.equal(loads, 2);
  });
});
