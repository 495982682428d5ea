// The status page's newer parts: the default route per family, an invalid config file (the
// daemon keeps the last valid one), the warnings, and rates over the router's own sampling
// time. The real plugin answers; the server's transform stands in for what the rig cannot
// produce (a running daemon's config error, mwan3, chosen counters).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Rig } from './lib/rig.js';
import { openView, usePage } from './lib/shared.js';

const SHOTS = join(new URL('../..', import.meta.url).pathname, 'test-results/luci');
const POLL_MS = 2000;
const MARKUP = '<img src=x onerror="window.__pwned=1"> <b>bold</b>';

type Data = Record<string, unknown>;

describe('LuCI status: default route, config error, warnings, rates from sampled_ms', function () {
  this.timeout(60000);
  const session = usePage();
  let rig: Rig;
  let page: Page;
  before(() => {
    ({ rig, page } = session);
    mkdirSync(SHOTS, { recursive: true });
  });

  const text = async (selector: string) => (await page.textContent(selector)) ?? '';
  const waitText = (selector: string, re: RegExp) => page.locator(selector).filter({ hasText: re }).first().waitFor({ timeout: 2 * POLL_MS + 1500 });
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  it('shows which uplink carries the default route, from the plugin, and the config warnings', async () => {
    const live = rig.rpcd.call('status') as unknown as { data: { default_route: { family: number; uplink: string | null }[]; warnings: string[] } };
    const v4 = live.data.default_route.find((r) => r.family === 4)!;
    assert.ok(v4.uplink, 'the rig has a healthy IPv4 uplink');
    assert.ok(live.data.warnings.length > 0, 'the rig config has warnings (no probe hosts)');
    await openView(page, rig, 'status');
    await page.waitForSelector('#mpwan-default-route');
    assert.equal(await page.getAttribute('#mpwan-default-route tr[data-family="4"]', 'data-uplink'), v4.uplink);
    assert.match(await text('#mpwan-default-route tr[data-family="4"]'), new RegExp(`IPv4\\s*${v4.uplink}$`));
    // No uplink has IPv6 here: no IPv6 line.
    assert.equal(await page.locator('#mpwan-default-route tr[data-family="6"]').count(), 0);
    const shown = await page.locator('#mpwan-warnings li').allTextContents();
    assert.deepEqual(shown, live.data.warnings);
    assert.equal(await page.locator('#mpwan-config-error').count(), 0);
  });

  it('since when, and why mpwan does not manage it (mwan3), as literal text', async () => {
    const since = Math.floor(Date.now() / 1000) - 65;
    rig.server.transform = (method, data) => method !== 'status' ? data : {
      ...data,
      uplinks: (data.uplinks as Data[]).map((u, i) => (i === 0 ? { ...u, addresses: [...(u.addresses as string[]), '2001:db8::2'] } : u)),
      default_route: [
        { family: 4, uplink: 'wan2', since, reason: null },
        { family: 6, uplink: null, since: null, reason: `mwan3 runs and manages the default route ${MARKUP}` },
      ],
    };
    await waitText('#mpwan-default-route tr[data-family="4"]', /wan2 since/);
    assert.match(await text('#mpwan-default-route tr[data-family="4"]'), /IPv4\s*wan2 since .+ \(1m \d+s ago\)$/);
    const v6 = await text('#mpwan-default-route tr[data-family="6"]');
    assert.match(v6, /IPv6\s*not managed by mpwan: mwan3 runs and manages the default route <img src=x onerror="window\.__pwned=1"> <b>bold<\/b>/);
    assert.equal(await page.locator('#mpwan-default-route img, #mpwan-default-route b').count(), 0);
    await page.locator('#mpwan-default-route').screenshot({ path: join(SHOTS, 'status-default-route.png') });
  });

  it('an invalid config file: a notice with each error (file:line: option: message), as text', async () => {
    rig.server.transform = (method, data) => method !== 'status' ? data : {
      ...data,
      config_error: {
        message: 'invalid configuration',
        errors: [
          { file: '/etc/config/mpwan', line: 12, option: 'wan3.mode', message: `expected one of on, backup, off, got 'fast' ${MARKUP}` },
          { file: '/etc/config/mpwan', line: 3, option: '', message: 'unterminated quote' },
        ],
      },
    };
    await page.locator('#mpwan-config-error').waitFor({ timeout: 2 * POLL_MS + 1500 });
    assert.match(await text('#mpwan-config-error h4'), /The config file is invalid/);
    assert.match(await text('#mpwan-config-error'), /last valid configuration in force/);
    assert.deepEqual(await page.locator('#mpwan-config-error li').allTextContents(), [
      `/etc/config/mpwan:12: wan3.mode: expected one of on, backup, off, got 'fast' ${MARKUP}`,
      '/etc/config/mpwan:3: unterminated quote',
    ]);
    assert.equal(await page.locator('#mpwan-config-error img, #mpwan-config-error b').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    // It comes first, above the graphs, where it cannot be missed.
    assert.ok(await page.$eval('#mpwan-config-error', (el) => el.getBoundingClientRect().top < document.getElementById('mpwan-aggregate')!.getBoundingClientRect().top));
    await shot('status-config-error');
    rig.server.transform = null;
    await page.locator('#mpwan-config-error').waitFor({ state: 'detached', timeout: 2 * POLL_MS + 1500 });
  });

  it('rates use the router\'s sampled_ms and skip a window under half a poll', async () => {
    // Reply n: even ones 10 s of router time apart with 10 MB more on wan (8 Mbit/s); odd ones
    // 100 ms after the even one before with 5 MB more (400 Mbit/s over 100 ms if it counted).
    // The browser polls every 2 s, so its own clock would give 20 Mbit/s.
    let n = 0;
    rig.server.transform = (method, data) => {
      if (method !== 'status') return data;
      const m = Math.floor(n / 2), odd = n % 2 === 1;
      n++;
      return {
        ...data,
        sampled_ms: 5e6 + m * 10000 + (odd ? 100 : 0),
        uplinks: (data.uplinks as Data[]).map((u, i) => ({ ...u, rx_bytes: i === 0 ? 1e9 + m * 10e6 + (odd ? 5e6 : 0) : 1e6, tx_bytes: 1e6 })),
      };
    };
    await openView(page, rig, 'status');
    await waitText('.mpwan-legend', /Download 8\.00 Mbit\/s/);
    assert.ok(n >= 3, `${n} replies`);
    // A counted 100 ms window would have drawn 400 Mbit/s: the scale is 1.1 x the highest rate.
    assert.equal(await text('#mpwan-aggregate .scale'), '8.80 Mbit/s');
    assert.equal(await page.getAttribute('#mpwan-aggregate svg', 'data-samples'), '1');
  });
});
