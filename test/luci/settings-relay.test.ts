// The settings form and the relay (issues 12, 14): fields show where they apply (the secret
// the proxy's engine reads, LAN UDP through the server only with the relay, duplicate only
// then), values are refused exactly when `mpwan check` (installed, in the router namespace)
// refuses them, and no Save stages a config mpwan refuses, whatever the fields in other
// sections say.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { encodeRelayLink, encodeSsLink } from '../../src/server/uri.js';
import type { Rig } from './lib/rig.js';
import { openView, sharedRig, widget } from './lib/shared.js';
import { boundaryDisagreements, clickSave, mpwanCheck } from './lib/form-check.js';

const SHOTS = join(new URL('../..', import.meta.url).pathname, 'test-results/luci');
const KEY = '0123456789abcdef'.repeat(4);
/** An enabled proxy without engine: the server's secret decides it (the key: the relay). */
const RELAY = `\nconfig server 'vps'\n\toption host '192.0.2.10'\n\toption key '${KEY}'\n\toption password 'secret'\n\nconfig proxy\n\toption enabled '1'\n`;
/** Only a password: shadowsocks-rust, as configs from before the relay. */
const SHADOWSOCKS = "\nconfig server 'vps'\n\toption host '192.0.2.10'\n\toption password 'secret'\n\nconfig proxy\n\toption enabled '1'\n";

type Changes = string[][];

describe('LuCI settings: the relay engine, LAN UDP and duplicate', function () {
  this.timeout(60000);
  let rig: Rig;
  let page: Page;
  let original = '';
  let sid = '';
  let proxySid = '';
  const errors: string[] = [];
  const configFile = () => join(rig.rtr.dir, 'etc/mpwan');

  /** Opens the form on the rig's config plus `extra`; the page's session and the proxy's id. */
  async function open(extra: string): Promise<void> {
    writeFileSync(configFile(), original + extra);
    await openView(page, rig, 'settings');
    sid = await page.evaluate(() => L.env.sessionid as string);
    const [, all] = await rig.server.uci.call(sid, 'get', { config: 'mpwan' });
    proxySid = Object.values((all as { values: Record<string, Record<string, string>> }).values).find((s) => s['.type'] === 'proxy')?.['.name'] ?? '';
  }
  const shown = (section: string, option: string) => page.isVisible(`[id="cbi-mpwan-${section}-${option}"]`);
  const changes = async () => ((await rig.server.uci.call(sid, 'changes', { config: 'mpwan' }))[1] as { changes: Changes }).changes;
  /** Save, then what it staged and what `mpwan check` says of the result. */
  async function save(): Promise<{ changes: Changes; check: { ok: boolean; output: string }; text: string }> {
    await clickSave(page);
    const text = rig.server.uci.preview(sid, 'mpwan');
    return { changes: await changes(), check: mpwanCheck(rig, text), text };
  }

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    rig = await sharedRig();
    original = readFileSync(configFile(), 'utf8');
    page = await rig.browser.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
  });
  after(async () => {
    await page?.close();
    if (original) writeFileSync(configFile(), original);
  });
  afterEach(async () => {
    if (sid) await rig.server.uci.call(sid, 'revert', { config: 'mpwan' });
    assert.deepEqual(errors.splice(0), [], 'no uncaught error in the page');
  });

  it('shows the relay key for mpwan-relay, password and cipher for shadowsocks, LAN UDP and duplicate only where they apply', async () => {
    await open(RELAY);
    assert.equal(await page.inputValue(widget('mpwan', proxySid, 'engine')), 'relay', 'the engine in force: the server has a key');
    const fields = async () => ({
      key: await shown('vps', 'key'), password: await shown('vps', 'password'), method: await shown('vps', 'method'),
      udp: await shown(proxySid, 'udp'), duplicate: await shown(proxySid, 'duplicate'),
    });
    assert.deepEqual(await fields(), { key: true, password: false, method: false, udp: true, duplicate: true });
    assert.match(await page.textContent(`[id="cbi-mpwan-${proxySid}-engine"]`) ?? '', /does not encrypt them: your ISPs see the traffic as they would without mpwan/);
    assert.match(await page.textContent(`[id="cbi-mpwan-${proxySid}-duplicate"]`) ?? '', /twice the upload.*dscp:ef.*port:3478/);
    await page.locator('#cbi-mpwan-proxy').screenshot({ path: join(SHOTS, 'settings-proxy-relay.png') });
    await page.selectOption(widget('mpwan', proxySid, 'engine'), 'shadowsocks-rust');
    assert.deepEqual(await fields(), { key: false, password: true, method: true, udp: false, duplicate: false });
    await page.locator('#cbi-mpwan-server').screenshot({ path: join(SHOTS, 'settings-server-shadowsocks.png') });
    await page.selectOption(widget('mpwan', proxySid, 'engine'), 'relay');
    await page.selectOption(widget('mpwan', proxySid, 'udp'), 'direct');
    assert.deepEqual(await fields(), { key: true, password: false, method: false, udp: true, duplicate: false });
    // One proxy section: no Add button while it exists.
    assert.equal(await page.locator('#cbi-mpwan-proxy .cbi-section-create').count(), 0);
  });

  it('a proxy without engine shows the one in force (the server has a password only), and a Save writes only the change made', async () => {
    await open(SHADOWSOCKS);
    assert.equal(await page.inputValue(widget('mpwan', proxySid, 'engine')), 'shadowsocks-rust');
    assert.equal(await shown('vps', 'key'), false);
    await page.selectOption(widget('mpwan', 'wan', 'mode'), 'backup');
    const r = await save();
    assert.deepEqual(r.changes, [['set', 'wan', 'mode', 'backup']]);
    assert.ok(r.check.ok, r.check.output);
  });

  it('refuses a key or duplicate value exactly when mpwan check refuses it; accepted ones save and pass', async () => {
    await open(RELAY);
    const cases = [
      { section: 'vps', option: 'key', list: false, values: [KEY.toUpperCase(), KEY.slice(1), `${KEY}0`, `g${KEY.slice(1)}`, `${KEY.slice(2)} 0`] },
      { section: proxySid, option: 'duplicate', list: true, values: [
        'dscp:ef', 'dscp:EF', 'dscp:af41', 'dscp:cs5', 'dscp:46', 'dscp:63', 'dscp:64', 'dscp:046', 'dscp:xx',
        'port:3478', 'port:1', 'port:0', 'port:65535', 'port:65536', 'port:03478', 'port:', 'ef', 'udp:53'] },
    ];
    assert.deepEqual(await boundaryDisagreements(page, rig, sid, cases), []);
  });

  it('saves LAN UDP through the server with two duplicate matches as list entries mpwan takes', async () => {
    await open(RELAY);
    await page.selectOption(widget('mpwan', proxySid, 'udp'), 'server');
    for (const v of ['dscp:ef', 'port:3478']) {
      await page.fill(widget('mpwan', proxySid, 'duplicate'), v);
      await page.click(`[id="cbi-mpwan-${proxySid}-duplicate"] .cbi-button-add`);
    }
    const r = await save();
    assert.ok(r.check.ok, r.check.output);
    assert.match(r.text, /\tlist duplicate 'dscp:ef'\n\tlist duplicate 'port:3478'\n/);
    // The default ('server' with the relay) is not written: nothing but the list changed.
    assert.deepEqual(r.changes.map((c) => c.slice(0, 3)), [['list-add', proxySid, 'duplicate'], ['list-add', proxySid, 'duplicate']]);
  });

  it('a Save mpwan would refuse across sections shows why and stages nothing (the relay without a key)', async () => {
    await open(SHADOWSOCKS);
    await page.selectOption(widget('mpwan', proxySid, 'engine'), 'relay');
    assert.equal(await shown('vps', 'key'), true, 'the key field appears, empty');
    await page.click('.cbi-page-actions .cbi-button-save');
    const modal = page.locator('.modal', { hasText: /Save error/ });
    await modal.waitFor({ timeout: 10000 });
    assert.match(await modal.textContent() ?? '', /mpwan would refuse this configuration:\s*Engine mpwan-relay needs the relay key of server vps: paste the mpwan:\/\/ link/);
    await page.screenshot({ path: join(SHOTS, 'settings-save-refused.png') });
    assert.deepEqual(await changes(), [], 'nothing staged');
    // form.js's Map.save rejects after its dialog, and LuCI's button handler leaves that
    // rejection unhandled (as for a field LuCI refuses): the page reports it, nothing else.
    assert.deepEqual(errors.splice(0).filter((e) => !e.startsWith('mpwan would refuse this configuration:')), []);
    // mpwan refuses that config indeed.
    const other = rig.server.login();
    await rig.server.uci.call(other.sid, 'set', { config: 'mpwan', section: proxySid, values: { engine: 'relay' } });
    const check = mpwanCheck(rig, rig.server.uci.preview(other.sid, 'mpwan'));
    assert.equal(check.ok, false);
    assert.match(check.output, /vps\.key: is required by the relay engine/);
    await page.click('.modal .cbi-button');
    // Set back, the engine field equals the config again and writes nothing: the refused
    // value must not linger in the browser to be sent now.
    await page.selectOption(widget('mpwan', proxySid, 'engine'), 'shadowsocks-rust');
    const r = await save();
    assert.deepEqual(r.changes, []);
    assert.ok(r.check.ok, r.check.output);
  });

  it('a shadowsocks engine drops udp \'server\' (mpwan would refuse it) and keeps the hidden key and duplicate list', async () => {
    await open(RELAY.replace("option enabled '1'\n", "option enabled '1'\n\toption udp 'server'\n\tlist duplicate 'dscp:ef'\n"));
    await page.selectOption(widget('mpwan', proxySid, 'engine'), 'shadowsocks-rust');
    const r = await save();
    assert.deepEqual(r.changes.sort(), [['remove', proxySid, 'udp'], ['set', proxySid, 'engine', 'shadowsocks-rust']]);
    assert.ok(r.check.ok, r.check.output);
    assert.match(r.text, new RegExp(`option key '${KEY}'`));
  });

  it('an imported link sets the proxy\'s engine to the one that reads it', async () => {
    await open(RELAY.replace("option enabled '1'\n", "option enabled '1'\n\toption udp 'server'\n"));
    await page.fill(widget('mpwan', 'vps', '_import'), encodeSsLink({ host: '192.0.2.20', port: 8389, method: 'aes-256-gcm', password: 'new secret' }));
    let r = await save();
    assert.ok(r.check.ok, r.check.output);
    assert.deepEqual(r.changes.filter((c) => c[1] === proxySid).sort(), [['remove', proxySid, 'udp'], ['set', proxySid, 'engine', 'shadowsocks-rust']]);
    assert.deepEqual(r.changes.filter((c) => c[1] === 'vps').map((c) => c.slice(0, 3)).sort(),
      [['remove', 'vps', 'key'], ['set', 'vps', 'host'], ['set', 'vps', 'method'], ['set', 'vps', 'password'], ['set', 'vps', 'port']]);
    await rig.server.uci.call(sid, 'revert', { config: 'mpwan' });

    await open(SHADOWSOCKS);
    await page.fill(widget('mpwan', 'vps', '_import'), encodeRelayLink({ host: '192.0.2.20', port: 8389, key: KEY }));
    r = await save();
    assert.ok(r.check.ok, r.check.output);
    assert.deepEqual(r.changes.filter((c) => c[1] === proxySid), [['set', proxySid, 'engine', 'relay']]);
    assert.match(r.text, new RegExp(`option key '${KEY}'`));
    assert.doesNotMatch(r.text, /option password/);
  });
});
