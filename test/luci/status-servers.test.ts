// The status page with several servers and a metered uplink: which server carries new LAN
// traffic and why, each one's state, a fail-back waiting out its hold-down; a bar per metered
// uplink against its quota. The real plugin answers; the server's transform stands in for a
// daemon with two servers and counted bytes (the rig has neither).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Rig } from './lib/rig.js';
import { openView, usePage } from './lib/shared.js';

const SHOTS = join(new URL('../..', import.meta.url).pathname, 'test-results/luci');
const POLL_MS = 2000;
const MARKUP = '<img src=x onerror="window.__pwned=1">';
type Data = Record<string, unknown>;

describe('LuCI status: servers and quotas', function () {
  this.timeout(60000);
  const session = usePage();
  let rig: Rig;
  let page: Page;
  before(() => {
    ({ rig, page } = session);
    mkdirSync(SHOTS, { recursive: true });
  });

  const text = async (selector: string) => (await page.textContent(selector)) ?? '';
  const now = () => Math.floor(Date.now() / 1000);

  it('lists the servers: the one in use and why, the other down with its reason, a fail-back to come', async () => {
    rig.server.transform = (method, data) => method !== 'status' ? data : {
      ...data,
      proxy: {
        ...(data.proxy as Data), enabled: true, active_server: 'vps2', active_since: now() - 125,
        active_why: `vps is down (silent: no answer through any uplink for 1.2 s); vps2 answers ${MARKUP}`,
        failback: { server: 'vps', in_s: 42 },
        servers: [
          { name: 'vps', address: '203.0.113.7:8388', priority: 10, state: 'down', reason: `silent: no answer through any uplink for 8.0 s ${MARKUP}`, active: false },
          { name: 'vps2', address: '203.0.113.8:8388', priority: 50, state: 'up', reason: null, active: true },
        ],
      },
    };
    await openView(page, rig, 'status');
    await page.locator('#mpwan-servers').waitFor({ timeout: 2 * POLL_MS + 1500 });
    assert.equal(await page.getAttribute('#mpwan-servers tr[data-server="vps"]', 'data-state'), 'down');
    assert.equal(await page.getAttribute('#mpwan-servers tr[data-server="vps2"]', 'data-active'), '1');
    assert.match(await text('#mpwan-servers tr[data-server="vps"]'), /^vps\s*203\.0\.113\.7:8388\s*10\s*down: silent: no answer through any uplink for 8\.0 s <img/);
    assert.match(await text('#mpwan-servers tr[data-server="vps2"]'), /vps2 ★.*answers; carries new LAN traffic/);
    assert.match(await text('#mpwan-server-why'), /^New LAN traffic goes to vps2: vps is down \(silent: .*\); vps2 answers <img src=x onerror="window\.__pwned=1"> \(2m 5s ago\)$/);
    assert.match(await text('#mpwan-failback'), /vps answers again: new LAN traffic goes back to it in 42s\./);
    assert.match(await text('#mpwan-servers'), /TCP connections open on a server that dies end/);
    assert.equal(await page.locator('#mpwan-servers img').count(), 0, 'reasons are text, not markup');
    assert.match(await text('#mpwan-proxy'), /Server\s*vps2 \(/);
    await page.locator('#mpwan-servers').screenshot({ path: join(SHOTS, 'status-servers.png') });
  });

  it('no server card for a single server that answers; a sentence when none answers', async () => {
    rig.server.transform = (method, data) => method !== 'status' ? data : {
      ...data, proxy: { ...(data.proxy as Data), enabled: true, servers: [{ name: 'vps', address: '203.0.113.7:8388', priority: 50, state: 'up', reason: null, active: true }] },
    };
    await openView(page, rig, 'status');
    await page.waitForSelector('#mpwan-proxy');
    assert.equal(await page.locator('#mpwan-servers').count(), 0);
    rig.server.transform = (method, data) => method !== 'status' ? data : {
      ...data,
      proxy: {
        ...(data.proxy as Data), enabled: true, server_reachable: false, active_server: null,
        active_why: 'no server answers: vps is down (takes no connection (Connection refused))',
        servers: [{ name: 'vps', address: '203.0.113.7:8388', priority: 50, state: 'down', reason: 'takes no connection (Connection refused)', active: false }],
      },
    };
    await page.locator('#mpwan-server-why').waitFor({ timeout: 2 * POLL_MS + 1500 });
    assert.match(await text('#mpwan-server-why'), /^no server answers: vps is down \(takes no connection \(Connection refused\)\): LAN traffic goes out directly \(fail-open\)\.$/);
  });

  it('a bar per metered uplink against its quota: green, amber from 80%, red over it with what that means', async () => {
    const start = now() - 86400 * 3, end = now() + 86400 * 27;
    const usage = (bytes: number, quota: number | null, action: string | null) => ({
      bytes, quota, percent: quota ? Math.round((bytes / quota) * 1000) / 10 : null, period_start: start, period_end: end, action, over: quota !== null && bytes >= quota,
    });
    let stage = 0;
    rig.server.transform = (method, data) => method !== 'status' ? data : {
      ...data,
      uplinks: (data.uplinks as Data[]).map((u, i) => (i === 0 ? { ...u, usage: [usage(3e9, 20e9, 'backup'), usage(17e9, 20e9, 'backup'), usage(21e9, 20e9, 'off')][stage] }
        : i === 1 ? { ...u, usage: usage(2.5e8, null, null) } : u)),
    };
    await openView(page, rig, 'status');
    const card = (n: number) => `#mpwan-uplinks .mpwan-card:nth-child(${n})`;
    await page.locator(`${card(1)} .mpwan-quota`).waitFor({ timeout: 2 * POLL_MS + 1500 });
    assert.equal(await page.getAttribute(`${card(1)} .mpwan-quota`, 'class'), 'mpwan-quota ');
    assert.equal(await page.getAttribute(`${card(1)} .mpwan-quota div`, 'style'), 'width:15%');
    assert.match(await text(`${card(1)} .mpwan-usage`), /^3\.00 GB of 20\.0 GB \(15 %\) until .+; at the quota: backup only$/);
    assert.match(await text(`${card(2)} .mpwan-usage`), /^Metered: 250 MB carried until /);
    assert.equal(await page.locator(`${card(2)} .mpwan-quota`).count(), 0, 'no bar without a quota');
    stage = 1;
    await page.locator(`${card(1)} .mpwan-quota.near`).waitFor({ timeout: 2 * POLL_MS + 1500 });
    stage = 2;
    await page.locator(`${card(1)} .mpwan-quota.over`).waitFor({ timeout: 2 * POLL_MS + 1500 });
    assert.equal(await page.getAttribute(`${card(1)} .mpwan-quota div`, 'style'), 'width:100%');
    assert.match(await text(`${card(1)} .mpwan-usage`), /21\.0 GB of 20\.0 GB \(105 %\) until .+; over its quota: off until the period ends$/);
    await page.locator(card(1)).screenshot({ path: join(SHOTS, 'status-quota.png') });
  });
});
