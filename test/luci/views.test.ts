// What the real LuCI runtime showed wrong in the views (issue 15): plugin text parsed as HTML,
// a stray "null", Save writing untouched options, and the first status poll run twice.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { Rig } from './lib/rig.js';
import { openView, usePage, widget  } from './lib/shared.js';

const POLL_MS = 2000;
const IMG = '<img src=x onerror="window.__pwned=1">';
const BOLD = '<b>bold</b>';
const MARKUP = `${IMG} ${BOLD}`;

type Data = Record<string, unknown>;

describe('LuCI views: text stays text, no stray "null", Save sends only changes', function () {
  this.timeout(60000);
  const session = usePage();
  let rig: Rig;
  let page: Page;
  before(() => {
    ({ rig, page } = session);
  });

  /** No element made from plugin text, no handler ran, and the text is on the page as typed. */
  async function assertLiteral(scope: string) {
    assert.equal(await page.locator(`${scope} img, ${scope} b`).count(), 0, `no <img>/<b> element in ${scope}`);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined, 'no markup handler ran');
    assert.match(await page.textContent(scope) ?? '', /<img src=x onerror="window\.__pwned=1"> <b>bold<\/b>/);
  }

  it('status: errors, addresses and skip reasons from the plugin render as literal text', async () => {
    rig.server.transform = (method, data) => method !== 'status' ? data : {
      ...data,
      daemon: { running: false, pid: null, last_error: MARKUP },
      uplinks: (data.uplinks as Data[]).map((u) => ({
        ...u, addresses: [MARKUP], skipped: [{ address: BOLD, reason: MARKUP }],
        health: { state: 'down', since: null, latency_ms: null, loss: 1, last_error: MARKUP, reason: MARKUP, probed: true },
      })),
    };
    await openView(page, rig, 'status');
    await page.locator('.mpwan-card[data-uplink="wan"]', { hasText: /Last error/ }).waitFor();
    await assertLiteral('#mpwan-uplinks');
    await assertLiteral('#mpwan-proxy');
  });

  it('status: an error message with markup shows as text in the notification', async () => {
    rig.server.transform = (method, data) => method !== 'status' ? data : { error: { code: 'config', message: MARKUP } };
    await openView(page, rig, 'status');
    // 'bold' is text either way; 'onerror' is only text when the markup was not parsed.
    await page.locator('.alert-message', { hasText: /bold/ }).first().waitFor({ timeout: 2 * POLL_MS + 1500 });
    await assertLiteral('.alert-message:has-text("bold")');
  });

  it('diagnostics: check messages and connection addresses render as literal text', async () => {
    rig.server.transform = (method, data) => {
      if (method === 'diagnose')
        return { uplinks: [{ uplink: 'wan', checks: [{ check: 'netifd', status: 'fail', message: MARKUP }] }] };
      if (method === 'connections')
        return { available: true, connections: [{ token: '1', remote: MARKUP, bytes_sent: 1, bytes_received: 2, subflows: [] }] };
      return data;
    };
    await openView(page, rig, 'diagnostics');
    await page.click('.mpwan-actions .cbi-button-action >> nth=0');
    await page.waitForSelector('#mpwan-diagnosis tr[data-status="fail"]', { timeout: 20000 });
    await assertLiteral('#mpwan-diagnosis');
    await page.click('.mpwan-actions .cbi-button:not(.cbi-button-action)');
    await page.waitForSelector('#mpwan-connections table', { timeout: 20000 });
    await assertLiteral('#mpwan-connections');
  });

  /** Text nodes of the view that read null, undefined or false. */
  const strayWords = () => page.evaluate(() => {
    const out: string[] = [];
    const walk = document.createTreeWalker(document.getElementById('view')!, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode())
      if (/\b(null|undefined|false)\b/.test(n.nodeValue ?? '')) out.push(n.nodeValue!);
    return out;
  });

  it('status: no text node "null", "undefined" or "false", in sync and out of sync', async () => {
    await openView(page, rig, 'status');
    await page.waitForSelector('#mpwan-counters');
    assert.equal(await page.locator('#mpwan-sync').count(), 0, 'in sync: no sync card');
    assert.deepEqual(await strayWords(), []);
    rig.server.transform = (method, data) => method !== 'status' ? data
      : { ...data, enabled: false, in_sync: false, pending: ['add endpoint 192.0.2.1'], warnings: ['a warning'] };
    await page.locator('#mpwan-sync', { hasText: /add endpoint 192\.0\.2\.1/ }).waitFor({ timeout: 2 * POLL_MS + 1500 });
    assert.match(await page.textContent('#mpwan-sync') ?? '', /disabled in its settings/);
    assert.deepEqual(await strayWords(), []);
  });

  it('status: the first poll after load does not fetch again (poll.add runs it at once)', async () => {
    const from = rig.server.log.length;
    await openView(page, rig, 'status');
    const statusCalls = () => rig.server.log.slice(from).filter((e) => e.object === 'mpwan' && e.method === 'status').length;
    // Poll.tick counts seconds since the loop started; at 2 the poll's first interval is not due yet.
    await page.waitForFunction(() => (L.Poll as { tick?: number }).tick === 2, undefined, { timeout: 5000 });
    assert.equal(statusCalls(), 1, 'only load() fetched');
    await page.waitForFunction(() => ((L.Poll as { tick?: number }).tick ?? 0) >= 3, undefined, { timeout: 5000 });
    await page.waitForFunction(() => document.querySelector('#mpwan-aggregate svg')?.getAttribute('data-samples') === '1', undefined, { timeout: 5000 });
    assert.equal(statusCalls(), 2, 'the poll fetched one interval later');
  });

  it('settings: a Save that changes one uplink\'s mode sends exactly that one change', async () => {
    await openView(page, rig, 'settings');
    const sid = await page.evaluate(() => L.env.sessionid as string);
    const mode = widget('mpwan', 'wan2', 'mode');
    const next = (await page.inputValue(mode)) === 'backup' ? 'off' : 'backup';
    const from = rig.server.log.length;
    await page.selectOption(mode, next);
    await page.click('.cbi-page-actions .cbi-button-save');
    await page.locator('.cbi-page-actions .cbi-button-save:not([disabled])').waitFor({ timeout: 10000 });
    try {
      const writes = rig.server.log.slice(from).filter((e) => e.object === 'uci' && !['get', 'changes'].includes(e.method));
      assert.deepEqual(writes.map((w) => [w.method, w.args]), [['set', { config: 'mpwan', section: 'wan2', values: { mode: next } }]]);
      const [, changes] = await rig.server.uci.call(sid, 'changes', {});
      assert.deepEqual(changes, { changes: { mpwan: [['set', 'wan2', 'mode', next]] } });
    } finally {
      await rig.server.uci.call(sid, 'revert', { config: 'mpwan' });
    }
  });
});
