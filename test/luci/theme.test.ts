// What the real LuCI runtime and its default theme showed wrong in the views (issue 21): a
// singular count in the plural, dropdown labels cut by the theme's fixed-width select, cards
// touching, a chart label scaled with its chart, colours lost in the dark theme, values far from
// their labels on a wide screen, and a poll timer of the view's own. The page carries the
// theme's rules that matter here (test/luci/lib/server.ts THEME); screenshots go to
// test-results/luci/.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Rig } from './lib/rig.js';
import { configFile, openView, usePage } from './lib/shared.js';

const SHOTS = join(new URL('../..', import.meta.url).pathname, 'test-results/luci');
/** A relay proxy: the settings show the engine and QUIC dropdowns, the status a LAN UDP card. */
const PROXY = `\nconfig server 'vps'\n\toption host 'vps.example'\n\toption key '${'ab'.repeat(32)}'\n\nconfig proxy\n\toption udp 'server'\n`;

describe('LuCI views on the theme: counts, dropdowns, layout, dark mode, wide screens, polling', function () {
  this.timeout(60000);
  const session = usePage({ restoreConfig: true });
  let rig: Rig;
  let page: Page;
  before(() => {
    ({ rig, page } = session);
    mkdirSync(SHOTS, { recursive: true });
  });
  afterEach(async () => {
    await page.setViewportSize({ width: 1100, height: 900 });
  });

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  it('diagnostics counts failed checks in the singular and the plural (N_)', async () => {
    const fail = (n: number) => Array.from({ length: 3 }, (_, i) => ({ check: `c${i}`, status: i < n ? 'fail' : 'pass', message: `check ${i}` }));
    rig.server.transform = (method, data) => (method !== 'diagnose' ? data
      : { uplinks: [{ uplink: 'wan', checks: fail(1) }, { uplink: 'wan2', checks: fail(2) }] });
    await openView(page, rig, 'diagnostics');
    await page.click('.mpwan-actions .cbi-button-action >> nth=0');
    await page.waitForSelector('#mpwan-diagnosis [data-uplink="wan2"] h3');
    const heads = await page.locator('#mpwan-diagnosis [data-uplink] h3').allTextContents();
    assert.deepEqual(heads, ['wan: 1 check failed', 'wan2: 2 checks failed']);
  });

  it('every dropdown label fits the theme\'s 210 px select', async () => {
    writeFileSync(configFile(rig), session.original + PROXY);
    await openView(page, rig, 'settings');
    await page.waitForSelector('select', { state: 'attached' });
    // Each select measured as a visible copy in the same form (hidden tabs and options have no width).
    const cut = await page.evaluate(() => {
      const ctx = document.createElement('canvas').getContext('2d')!;
      const form = document.getElementById('cbi-mpwan')!;
      return [...form.querySelectorAll('select')].flatMap((original) => {
        const sel = original.cloneNode(true) as HTMLSelectElement;
        form.appendChild(sel);
        const cs = getComputedStyle(sel);
        ctx.font = `${cs.fontSize} ${cs.fontFamily}`;
        // The text gets the width less the padding and the arrow (about 20 px in Chromium).
        const room = sel.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - 20;
        sel.remove();
        return [...sel.options].filter((o) => ctx.measureText(o.text).width > room)
          .map((o) => `${original.id}: '${o.text}' needs ${Math.ceil(ctx.measureText(o.text).width)} px, has ${room}`);
      });
    });
    assert.deepEqual(cut, []);
    assert.ok(await page.locator('select option', { hasText: 'mpwan-relay (built in)' }).count() > 0, 'the engine dropdown is there');
    await page.locator('#cbi-mpwan-proxy').screenshot({ path: join(SHOTS, 'settings-proxy-dropdowns.png') });
  });

  it('status: a gap under the all-uplinks chart, and every chart\'s scale label at the page\'s text size', async () => {
    await openView(page, rig, 'status');
    await page.waitForSelector('.mpwan-card[data-uplink] .scale');
    // Every card above another (warnings, all uplinks, the uplinks, the rest) keeps a gap to it.
    const touching = await page.locator('.mpwan-card').evaluateAll((els) => {
      const boxes = els.map((e) => ({ id: e.id || e.getAttribute('data-uplink'), r: e.getBoundingClientRect() }));
      return boxes.flatMap((a) => boxes.filter((b) => b !== a && b.r.top >= a.r.bottom - 1 && b.r.left < a.r.right && a.r.left < b.r.right
        && b.r.top - a.r.bottom < 8).map((b) => `${a.id} / ${b.id}: ${Math.round(b.r.top - a.r.bottom)} px`));
    });
    assert.deepEqual(touching, []);
    const labels = await page.locator('.scale').evaluateAll((els) => els.map((e) => [getComputedStyle(e).fontSize, Math.round(e.getBoundingClientRect().height)]));
    assert.equal(labels.length, 3, 'the big chart and one per uplink');
    assert.deepEqual(new Set(labels.map((l) => JSON.stringify(l))).size, 1, JSON.stringify(labels));
    await shot('status-light');
  });

  it('status in the dark theme: the share track and the total line take the theme\'s text colour', async () => {
    await openView(page, rig, 'status', { dark: true });
    await page.waitForSelector('.mpwan-card[data-uplink] .mpwan-share');
    const colours = await page.evaluate(() => ({
      text: getComputedStyle(document.body).color,
      background: getComputedStyle(document.body).backgroundColor,
      track: getComputedStyle(document.querySelector('.mpwan-share')!, '::before').backgroundColor,
      card: getComputedStyle(document.querySelector('.mpwan-card')!).borderTopColor,
    }));
    assert.equal(colours.background, 'rgb(34, 34, 34)', 'the dark theme is on');
    assert.equal(colours.track, colours.text, 'the track is the text colour, faint (opacity)');
    // The total lines are drawn once there are two samples.
    const total = page.locator('#mpwan-aggregate path[data-series="total rx"]');
    await total.waitFor({ state: 'attached', timeout: 6000 });
    assert.equal(await total.evaluate((e) => getComputedStyle(e).stroke), colours.text);
    assert.notEqual(colours.card, 'rgb(204, 204, 204)', 'no light grey border');
    await shot('status-dark');
  });

  it('on a wide screen the LAN UDP and counters tables keep each value next to its label', async () => {
    writeFileSync(configFile(rig), session.original + PROXY);
    await page.setViewportSize({ width: 2200, height: 900 });
    await openView(page, rig, 'status');
    await page.evaluate(() => { document.body.style.maxWidth = 'none'; });
    await page.waitForSelector('#mpwan-udp .mpwan-kv');
    const gaps = await page.evaluate(() => [...document.querySelectorAll('#mpwan-udp .mpwan-kv tr, #mpwan-counters .mpwan-kv tr')].map((tr) => {
      const th = tr.querySelector('th')!, td = tr.querySelector('td')!;
      const label = document.createRange();
      label.selectNodeContents(th);
      return [th.textContent, Math.round(td.getBoundingClientRect().left - label.getBoundingClientRect().right)] as [string, number];
    }));
    assert.ok(gaps.length > 10, `${gaps.length} rows`);
    const widest = Math.max(...gaps.map(([, g]) => g));
    const far = gaps.filter(([, g]) => g > 250);
    assert.deepEqual(far, [], `values at most a label column away (widest gap ${widest} px)`);
    await shot('status-wide');
  });

  it('polls at LuCI\'s poll interval, not a timer of its own', async () => {
    await openView(page, rig, 'status', { pollinterval: 3 });
    await page.waitForSelector('.mpwan-card[data-uplink]');
    const queue = await page.evaluate(`L.require('poll').then((poll) => poll.queue.map((e) => e.i))`);
    assert.deepEqual(queue, [3]);
  });
});
