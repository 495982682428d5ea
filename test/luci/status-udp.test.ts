// The status page's LAN UDP card and the proxy's engine (issues 12, 14): mode, active or why
// not, the relay's counters, each way to the server with rates over the router's sampled_ms,
// and a proxy engine that is not installed, shown at the top with the backend's sentence.
// The real plugin answers (and the real daemon, for the missing engine); the server's
// transform stands in for a running relay's counters, which the rig cannot produce.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { Topology } from '../netns/lib/topology.js';
import { waitFor } from '../netns/lib/wait.js';
import type { Rig } from './lib/rig.js';
import { configFile, openView, usePage } from './lib/shared.js';

const SHOTS = join(new URL('../..', import.meta.url).pathname, 'test-results/luci');
const POLL_MS = 2000;
const KEY = 'ab'.repeat(32);
const MARKUP = '<img src=x onerror="window.__pwned=1"> <b>bold</b>';
/** The server's host is a name: nothing to probe, so a daemon leaves the uplinks up. */
const server = (secret: string) => `\nconfig server 'vps'\n\toption host 'vps.example'\n\t${secret}\n`;
const RELAY = `${server(`option key '${KEY}'`)}\nconfig proxy\n\toption udp 'server'\n\tlist duplicate 'dscp:ef'\n\tlist duplicate 'port:3478'\n`;
const SHADOWSOCKS = `${server("option password 'secret'")}\nconfig proxy\n\toption engine 'shadowsocks-rust'\n`;

type Data = Record<string, unknown>;

describe('LuCI status: LAN UDP through the relay, and the proxy engine', function () {
  this.timeout(60000);
  const session = usePage({ restoreConfig: true });
  let rig: Rig;
  let page: Page;
  before(() => {
    ({ rig, page } = session);
    mkdirSync(SHOTS, { recursive: true });
  });

  const text = async (selector: string) => (await page.textContent(selector)) ?? '';
  /** The value cell of a row of a key-value table, by its label. */
  const row = (card: string, label: string) => text(`${card} tr:has(th:text-is("${label}")) td`);
  const waitText = (selector: string, re: RegExp) => page.locator(selector).filter({ hasText: re }).first().waitFor({ timeout: 2 * POLL_MS + 1500 });

  it('no proxy, no UDP card; a relay proxy from the plugin: through the server, not active while no daemon runs, the duplicate matches', async () => {
    await openView(page, rig, 'status');
    await page.waitForSelector('#mpwan-proxy');
    assert.equal(await page.locator('#mpwan-udp').count(), 0);
    writeFileSync(configFile(rig), session.original + RELAY);
    const live = (rig.rpcd.call('status') as unknown as { data: { proxy: Data & { udp: Data } } }).data.proxy;
    assert.deepEqual([live.engine, live.udp.mode, live.udp.active, live.udp.duplicate], ['relay', 'server', false, ['dscp:46', 'port:3478']]);
    await page.locator('#mpwan-udp').waitFor({ timeout: 2 * POLL_MS + 1500 });
    assert.equal(await row('#mpwan-udp', 'Mode'), 'through the server (mpwan-relay)');
    assert.equal(await row('#mpwan-udp', 'State'), 'not active: the mpwan daemon is not running; LAN UDP takes the normal route meanwhile');
    assert.equal(await row('#mpwan-udp', 'Sent on two uplinks'), 'dscp:46 (ef), port:3478');
    assert.equal(await row('#mpwan-udp', 'Sessions'), '0 open, 0 since the relay started');
    assert.equal(await page.locator('#mpwan-udp table.mpwan-paths').count(), 0, 'no ways without a relay');
    assert.equal(await row('#mpwan-proxy', 'Engine'), 'mpwan-relay: authenticated, not encrypted');
    assert.equal(await page.locator('#mpwan-proxy-error').count(), 0);
  });

  it('an engine that is not installed: the daemon\'s sentence at the top, through the real plugin', async () => {
    writeFileSync(configFile(rig), session.original + SHADOWSOCKS);
    const daemon = rig.rtr.startDaemon();
    try {
      waitFor('the daemon to find the engine missing', () => typeof rig.rtr.daemonState()?.proxy_error === 'string', 300);
      const error = (rig.rpcd.call('status') as unknown as { data: { proxy: { error: string } } }).data.proxy.error;
      assert.match(error, /shadowsocks-rust: 'sslocal' is not installed: .*install shadowsocks-rust-sslocal/);
      await openView(page, rig, 'status');
      await page.locator('#mpwan-proxy-error').waitFor({ timeout: 5000 });
      assert.equal(await text('#mpwan-proxy-error h4'), 'The LAN proxy cannot run');
      assert.equal(await text('#mpwan-proxy-error p >> nth=0'), error);
      assert.equal(await row('#mpwan-proxy', 'Engine'), 'shadowsocks-rust: encrypted');
      assert.match(await text('#mpwan-proxy'), /The engine cannot run: see the notice at the top\./);
      assert.equal(await row('#mpwan-udp', 'Mode'), 'direct: the best healthy uplink, not through the server');
      // Above the graphs, where it cannot be missed.
      assert.ok(await page.$eval('#mpwan-proxy-error', (el) => el.getBoundingClientRect().top < document.getElementById('mpwan-aggregate')!.getBoundingClientRect().top));
      await page.screenshot({ path: join(SHOTS, 'status-proxy-error.png') });
    } finally {
      process.kill(daemon.pid, 'SIGTERM');
      waitFor('the daemon to stop', () => !Topology.alive(daemon.pid), 300);
      writeFileSync(configFile(rig), session.original);
      // Stopping removed what mpwan set up: the next tests find the rig as it was.
      const r = rig.rtr.run(['apply']);
      assert.equal(r.status, 0, r.stderr);
    }
  });

  it('a running relay: sessions, datagrams, duplicates, bad ones, and each way with its rates (from sampled_ms), as text', async () => {
    writeFileSync(configFile(rig), session.original + RELAY);
    // Reply n: 10 s of router time after the one before, with 1 MB more up and 2 MB more down
    // on wan (800 kbit/s up, 1.60 Mbit/s down); wan2 does not answer and moves nothing.
    let n = 0;
    rig.server.transform = (method, data) => {
      if (method !== 'status') return data;
      const proxy = data.proxy as Data & { udp: Data };
      const m = n++;
      return {
        ...data,
        sampled_ms: 7e6 + m * 10000,
        daemon: { running: true, pid: 4242, last_error: null },
        proxy: {
          ...proxy, redirect_active: true, running_instances: 1, instances: 1, server_reachable: true,
          udp: {
            ...proxy.udp, active: true, sessions: 12, active_sessions: 3, datagrams_up: 45678, datagrams_down: 51234, duplicates_dropped: 321, bad: 2,
            paths: [
              { uplink: 'wan', source: '10.20.1.2', alive: true, rtt_ms: 23.4, bytes_up: 5e6 + m * 1e6, bytes_down: 9e6 + m * 2e6 },
              { uplink: 'wan2', source: MARKUP, alive: false, rtt_ms: null, bytes_up: 1000, bytes_down: 0 },
            ],
          },
        },
      };
    };
    await openView(page, rig, 'status');
    await waitText('#mpwan-udp tr[data-uplink="wan"]', /800 kbit\/s/);
    assert.equal(await row('#mpwan-udp', 'State'), 'active');
    assert.equal(await row('#mpwan-udp', 'Sessions'), '3 open, 12 since the relay started');
    assert.equal(await row('#mpwan-udp', 'Datagrams'), '45.7 k up, 51.2 k down');
    assert.equal(await row('#mpwan-udp', 'Second copies dropped'), '321');
    assert.equal(await row('#mpwan-udp', 'Dropped as bad'), '2');
    assert.match(await text('#mpwan-udp'), /a router clock more than 60 s off/);
    const cells = (uplink: string) => page.locator(`#mpwan-udp tr[data-uplink="${uplink}"] td`).allTextContents();
    const wan = await cells('wan');
    assert.deepEqual(wan.slice(0, 3), ['wan', '10.20.1.2', 'yes, 23 ms']);
    assert.match(wan[3], /^800 kbit\/s \(\d+(\.\d+)? MB\)$/);
    assert.match(wan[4], /^1\.60 Mbit\/s \(\d+(\.\d+)? MB\)$/);
    assert.deepEqual(await cells('wan2'), ['wan2', MARKUP, 'no: skipped', '0 bit/s (1.00 kB)', '0 bit/s (0 B)']);
    assert.equal(await page.locator('#mpwan-udp img, #mpwan-udp b').count(), 0, 'plugin text stays text');
    await page.locator('#mpwan-udp').screenshot({ path: join(SHOTS, 'status-udp.png') });
    await page.screenshot({ path: join(SHOTS, 'status-udp-page.png'), fullPage: true });
  });

  it('why LAN UDP is not active: the daemon\'s reason when the report has one; direct mode has no relay rows', async () => {
    writeFileSync(configFile(rig), session.original + RELAY);
    rig.server.transform = (method, data) => method !== 'status' ? data : {
      ...data, daemon: { running: true, pid: 4242, last_error: null },
      proxy: { ...(data.proxy as Data), redirect_active: false, redirect_off_reason: `the server does not answer ${MARKUP}` },
    };
    await openView(page, rig, 'status');
    await waitText('#mpwan-udp', /not active/);
    assert.equal(await row('#mpwan-udp', 'State'), `not active: the server does not answer ${MARKUP}; LAN UDP takes the normal route meanwhile`);
    assert.equal(await page.locator('#mpwan-udp img, #mpwan-udp b').count(), 0);
    rig.server.transform = (method, data) => method !== 'status' ? data
      : { ...data, proxy: { ...(data.proxy as Data), udp: { ...(data.proxy as { udp: Data }).udp, mode: 'direct', duplicate: [] } } };
    await waitText('#mpwan-udp', /direct/);
    assert.deepEqual(await page.locator('#mpwan-udp th').allTextContents(), ['Mode']);
  });
});
