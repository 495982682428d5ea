// The LuCI pages in headless Chromium, loaded the way luci.js loads them, against the real
// rpcd plugin and kernel state in namespaces. Screenshots go to test-results/luci/.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Rig } from './lib/rig.js';
import { openView, usePage, widget  } from './lib/shared.js';

const SHOTS = join(new URL('../..', import.meta.url).pathname, 'test-results/luci');
const POLL_MS = 2000;

describe('LuCI app: status, settings and diagnostics in Chromium', function () {
  this.timeout(60000);
  const session = usePage();
  let rig: Rig;
  let page: Page;
  before(() => {
    ({ rig, page } = session);
    mkdirSync(SHOTS, { recursive: true });
  });

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const configFile = () => join(rig.rtr.dir, 'etc/mpwan');
  const cardState = (uplink: string) => page.getAttribute(`.mpwan-card[data-uplink="${uplink}"]`, 'data-state');
  const notifications = () => page.locator('.alert-message.error').allTextContents();
  /** Polls without blocking the event loop (the LuCI server runs in this process). */
  const until = async (what: string, probe: () => boolean, ms = 5000) => {
    for (const end = Date.now() + ms; !probe(); await new Promise((r) => setTimeout(r, 50))) if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
  };
  const waitText = (selector: string, re: RegExp, timeout: number) => page.locator(selector).filter({ hasText: re }).first().waitFor({ timeout });

  it('status renders every uplink from live data', async () => {
    await openView(page, rig, 'status');
    await page.waitForSelector('.mpwan-card[data-uplink]');
    const live = rig.rpcd.call('status');
    assert.equal(live.status, 'ok');
    const uplinks = (live as { data: Record<string, unknown> }).data.uplinks as { name: string; addresses: string[] }[];
    const cards = await page.locator('.mpwan-card[data-uplink]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-uplink'), e.textContent]));
    assert.deepEqual(cards.map((c) => c[0]), uplinks.map((u) => u.name));
    for (const [i, u] of uplinks.entries()) {
      assert.match(String(cards[i][1]), new RegExp(u.addresses[0].replace(/\./g, '\\.')));
      assert.equal(await cardState(u.name), 'good');
    }
    assert.match(await page.textContent('#mpwan-counters') ?? '', /Subflow joins sent/);
    await shot('status');
  });

  it('the graph updates from polled counters and shows traffic on the uplink that carries it', async () => {
    const samples = async () => Number(await page.getAttribute('#mpwan-aggregate svg', 'data-samples'));
    const before = await samples();
    const srv = rig.topo.spawn(rig.topo.vps, ['iperf3', '-s', '-1', '-B', rig.topo.server, '-p', '5299']);
    await until('the iperf3 server to listen', () => rig.topo.exec(rig.topo.vps, ['ss', '-Hltn', 'sport = :5299']).stdout.trim() !== '');
    const cli = rig.topo.spawn(rig.topo.rtr, ['iperf3', '-c', rig.topo.server, '-p', '5299', '-B', rig.topo.wans[0].addr, '-t', '5', '-b', '20M']);
    try {
      await waitText('.mpwan-legend', /● wan [1-9]/, 3 * POLL_MS + 2000);
      assert.ok((await samples()) >= before + 1, 'new samples were drawn');
      const d = await page.getAttribute('#mpwan-aggregate path[data-series="wan"]', 'd');
      assert.ok(d && d.split('L').length >= 2, 'the wan line has points');
      await shot('status-traffic');
    } finally {
      cli.kill('SIGKILL');
      srv.kill('SIGKILL');
    }
  });

  it('an uplink going down shows within two polls', async () => {
    const { topo, rtr } = rig;
    const wan = topo.wans[1];
    topo.ip(topo.rtr, 'link', 'set', wan.dev, 'down');
    rtr.netifd.ifaces[1].up = false;
    rtr.netifd.update();
    const t0 = Date.now();
    await page.waitForSelector('.mpwan-card[data-uplink="wan2"][data-state="bad"]', { timeout: 2 * POLL_MS + 1500 });
    const elapsed = Date.now() - t0;
    assert.ok(elapsed <= 2 * POLL_MS + 1500, `shown after ${elapsed} ms`);
    assert.match(await page.textContent('.mpwan-card[data-uplink="wan2"] .mpwan-badge') ?? '', /down/);
    assert.equal(await cardState('wan'), 'good');
    await shot('status-down');
    // Back up, as netifd would report it after the link returns.
    topo.ip(topo.rtr, 'link', 'set', wan.dev, 'up');
    topo.ip(topo.rtr, 'route', 'replace', 'default', 'via', wan.gw, 'dev', wan.dev, 'metric', '20');
    rtr.netifd.ifaces[1].up = true;
    rtr.netifd.update();
    assert.equal(rtr.run(['apply']).status, 0);
    await page.waitForSelector('.mpwan-card[data-uplink="wan2"][data-state="good"]', { timeout: 2 * POLL_MS + 1500 });
  });

  it('shows health (state since, latency, loss, last error, a missed probe round) when the plugin reports it', async () => {
    const since = Math.floor(Date.now() / 1000) - 125;
    rig.server.transform = (method, data) => method !== 'status' ? data : {
      ...data,
      uplinks: (data.uplinks as Record<string, unknown>[]).map((u, i) => ({ ...u, health: i === 0
        ? { state: 'up', since, latency_ms: 12.34, loss: 0.05, last_error: 'no reply from 192.0.2.1', suspect: true }
        : { state: 'down', since, latency_ms: null, loss: 1, last_error: 'no reply from 192.0.2.1', reason: 'probes unanswered for 3 rounds', probed: true } })),
    };
    try {
      await waitText('.mpwan-card[data-uplink="wan"]', /Latency\s*12\.3 ms/, 2 * POLL_MS + 1500);
      const wan = await page.textContent('.mpwan-card[data-uplink="wan"]') ?? '';
      assert.match(wan, /Loss\s*5 %/);
      assert.match(wan, /\(2m \d+s ago\)/);
      assert.match(wan, /missed a probe round lately: new connections start on another uplink/);
      assert.equal(await cardState('wan'), 'good', 'still up');
      const wan2 = await page.textContent('.mpwan-card[data-uplink="wan2"]') ?? '';
      assert.match(wan2, /down \(probes fail\)/);
      assert.match(wan2, /Last error\s*no reply from 192\.0\.2\.1/);
      assert.match(wan2, /Why\s*probes unanswered for 3 rounds/);
      assert.equal(await cardState('wan2'), 'bad');
      await shot('status-health');
    } finally {
      rig.server.transform = null;
    }
    await page.waitForSelector('.mpwan-card[data-uplink="wan2"][data-state="good"]', { timeout: 2 * POLL_MS + 1500 });
  });

  it('a ubus error shows a notification and keeps the page', async () => {
    rig.server.failNext('mpwan', 'status', 6);
    await waitText('.alert-message', /Permission denied/, 2 * POLL_MS + 1500);
    // The plugin's own error reply: an invalid config.
    const good = readFileSync(configFile(), 'utf8');
    writeFileSync(configFile(), `${good}\nconfig uplink 'wan9'\n\toption mode 'fast'\n`);
    try {
      await waitText('.alert-message', /wan9/, 2 * POLL_MS + 1500);
    } finally {
      writeFileSync(configFile(), good);
    }
    const texts = await notifications();
    assert.ok(texts.some((t) => /ubus code 6: Permission denied/.test(t)), texts.join('\n'));
    assert.ok(texts.some((t) => /mode.*fast|fast.*mode/.test(t)), texts.join('\n'));
    assert.equal(await page.locator('.mpwan-card[data-uplink]').count(), 2, 'the last data stays on screen');
    await shot('status-error');
  });

  it('changing an uplink\'s mode in Settings persists to the config file and applies', async () => {
    await openView(page, rig, 'settings');
    await shot('settings');
    await page.selectOption(widget('mpwan', 'wan2', 'mode'), 'backup');
    // Save & Apply: save, apply with rollback, confirm, then LuCI reloads the page.
    const reloaded = page.waitForEvent('framenavigated', { timeout: 15000 });
    await page.click('.cbi-page-actions .cbi-button-apply');
    await reloaded;
    await page.waitForSelector('#view .cbi-page-actions', { timeout: 15000 });
    const posts = rig.server.http.filter((h) => h.method === 'POST' && h.path.startsWith('/cgi-bin/luci/admin/uci/')).map((h) => h.path);
    assert.deepEqual(posts.slice(-2), ['/cgi-bin/luci/admin/uci/apply_rollback', '/cgi-bin/luci/admin/uci/confirm']);
    const text = readFileSync(configFile(), 'utf8');
    assert.match(text, /config uplink 'wan2'\n(\toption [a-z_]+ '[^']*'\n)*\toption mode 'backup'\n/, text);
    assert.doesNotMatch(text.split("config uplink 'wan2'")[0], /option mode 'backup'/, 'only wan2 changed');
    const eps = rig.topo.ipJson<{ address: string; backup?: boolean }[]>(rig.topo.rtr, 'mptcp', 'endpoint', 'show');
    assert.equal(eps.find((e) => e.address === rig.topo.wans[1].addr)?.backup, true, 'Save & Apply reloaded mpwan');
    await shot('settings-applied');
  });

  it('diagnostics shows each check as pass/fail with its sentence', async () => {
    await openView(page, rig, 'diagnostics');
    await page.click('.mpwan-actions .cbi-button-action >> nth=0');
    await page.waitForSelector('#mpwan-diagnosis tr[data-status]', { timeout: 20000 });
    const rows = await page.locator('#mpwan-diagnosis [data-uplink]').evaluateAll((els) => els.map((e) => [
      e.getAttribute('data-uplink'),
      [...e.querySelectorAll('tr[data-check]')].map((r) => `${r.getAttribute('data-check')}:${r.getAttribute('data-status')}`),
    ]));
    assert.deepEqual(rows.map((r) => r[0]), ['wan', 'wan2']);
    for (const [, checks] of rows) assert.ok((checks as string[]).includes('netifd:pass') && (checks as string[]).includes('endpoint:pass'), String(checks));
    await shot('diagnostics');
  });
});
