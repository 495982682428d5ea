// The settings form validates as mpwan does (issue 13): each option's datatype comes from
// mpwan's option table at build time, and boundary values are refused by the form exactly
// when `mpwan check` (the installed CLI, in the router namespace) refuses the saved config.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { GLOBALS, PROXY, SERVER, UPLINK, luciDatatypes, type Spec } from '../../src/config/options.js';
import type { Rig } from './lib/rig.js';
import { VIEW_DIR } from './lib/server.js';
import { openView, sharedRig, widget } from './lib/shared.js';
import { boundaryDisagreements, clickSave, configWith, formVerdict, mpwanCheck, type Case } from './lib/form-check.js';

const REPO = new URL('../..', import.meta.url).pathname;
const SHOTS = join(REPO, 'test-results/luci');
const VIEWS_TS = join(REPO, 'luci-app/luci-app-mpwan/ts');
const SPECS: Record<string, Spec> = { globals: GLOBALS, uplink: UPLINK, proxy: PROXY, server: SERVER };
/** A server and a proxy section, so their fields are on the page (the proxy off: nothing starts).
 *  The server has a password only, so the proxy's engine is shadowsocks-rust and the password
 *  shows; settings-relay.test.ts covers the relay's fields. */
const EXTRA = "\nconfig server 'vps'\n\toption host '192.0.2.10'\n\toption password 'secret'\n\nconfig proxy\n\toption enabled '0'\n";

describe('LuCI settings: datatypes from the option table, validation as mpwan check', function () {
  this.timeout(60000);
  let rig: Rig;
  let page: Page;
  let original = '';
  let proxySid = '';
  const errors: string[] = [];
  const configFile = () => join(rig.rtr.dir, 'etc/mpwan');

  before(async () => {
    rig = await sharedRig();
    original = readFileSync(configFile(), 'utf8');
    writeFileSync(configFile(), original + EXTRA);
    const [, all] = await rig.server.uci.call(rig.server.login().sid, 'get', { config: 'mpwan' });
    proxySid = Object.values((all as { values: Record<string, Record<string, string>> }).values).find((s) => s['.type'] === 'proxy')!['.name'];
    page = await rig.browser.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await openView(page, rig, 'settings');
  });
  after(async () => {
    await page?.close();
    if (original) writeFileSync(configFile(), original);
  });
  afterEach(() => { assert.deepEqual(errors.splice(0), [], 'no uncaught error in the page'); });

  it('the built view carries every datatype of luciDatatypes() as a literal, and not the option table', () => {
    const text = readFileSync(join(VIEW_DIR, 'settings.js'), 'utf8');
    for (const [section, types] of Object.entries(luciDatatypes()))
      for (const [option, dt] of Object.entries(types))
        assert.ok(text.includes(JSON.stringify(dt)), `${section}.${option}: ${dt} is not in settings.js`);
    // The table and its range rules stay in node: their code and sentences are not shipped.
    for (const s of ['luciDatatypes', 'tableBaseAllowed', 'rulePrefAllowed', "would overlap mwan3's tables"]) assert.ok(!text.includes(s), s);
    // No hand-written datatype in the view sources: lib/form.ts sets them all from the table.
    const sources = (dir: string): string[] => readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
    const written = sources(VIEWS_TS).filter((f) => !f.endsWith('lib/form.ts') && /\.datatype\s*=/.test(readFileSync(f, 'utf8')));
    assert.deepEqual(written, []);
  });

  it('offers every option of the option table, with its datatype, and only choices mpwan takes', async () => {
    const fields = await page.evaluate(() => [...document.querySelectorAll('[data-field]')].map((el) => {
      const o = L.dom.findClassInstance(el) as { option: string; datatype?: string; section: { sectiontype: string } };
      const select = el.querySelector('select');
      return { section: o.section.sectiontype, option: o.option, datatype: o.datatype ?? null,
        choices: select ? [...select.options].map((c) => c.value).filter((v) => v !== '') : null };
    }));
    const all = luciDatatypes();
    for (const [section, types] of Object.entries(all)) {
      for (const [option, dt] of Object.entries(types)) {
        const f = fields.filter((x) => x.section === section && x.option === option);
        assert.ok(f.length > 0, `${section}.${option} is not in the form`);
        for (const x of f) assert.equal(x.datatype, dt, `${section}.${option}`);
      }
    }
    const bad = fields.flatMap((f) => (f.choices ?? []).filter((c) => SPECS[f.section]?.[f.option]?.type.parse(c) === null).map((c) => `${f.section}.${f.option}: ${c}`));
    assert.deepEqual(bad, [], 'choices mpwan refuses');
  });

  const CASES: Omit<Case, 'list'>[] = [
    { section: 'globals', option: 'table_base', values: ['60', '61', '189', '190', '255', '256', '5100', '2147483584', '2147483585', '0061', '61.0', '-61'] },
    { section: 'globals', option: 'rule_pref', values: ['0', '1', '994', '995', '3999', '4000', '9994', '9995', '10000', '32760', '32761', '32766', '08'] },
    { section: 'globals', option: 'probe_interval', values: ['0.1', '0.2', '0.25', '0.5', '9.9', '10', '3600', '3601', '.5', '1e3'] },
    { section: 'globals', option: 'scheduler', values: ['default', 'x'.repeat(15), 'x'.repeat(16), 'bbr-like', '_', 'a b'] },
    { section: 'globals', option: 'probe_host', values: ['192.0.2.1', '010.0.0.1', '2001:db8::1', '192.0.2.0/24'] },
    { section: 'proxy', option: 'bypass', values: ['192.0.2.1', '010.0.0.1', '192.0.2.0/24', '192.0.2.0/33', '2001:db8::/32', '::ffff:010.0.0.1', 'example.com'] },
    { section: 'server', option: 'host', values: ['vps.example', '010.0.0.1', '192.0.2.20', '-vps.example'] },
    { section: 'server', option: 'password', values: ['p w é', 'tab\there', 'é'.repeat(128), 'é'.repeat(129), 'x'.repeat(256), 'x'.repeat(257)] },
  ];

  it('refuses a boundary value exactly when mpwan check refuses the saved config; accepted ones save and pass', async () => {
    const sid = await page.evaluate(() => L.env.sessionid as string);
    const sectionId = (section: string) => (section === 'proxy' ? proxySid : section === 'server' ? 'vps' : section);
    try {
      const cases = CASES.map((c) => ({ ...c, section: sectionId(c.section), list: SPECS[c.section][c.option].list === true }));
      assert.deepEqual(await boundaryDisagreements(page, rig, sid, cases), []);
    } finally {
      await rig.server.uci.call(sid, 'revert', { config: 'mpwan' });
    }
  });

  it('shows mpwan\'s expected value where LuCI would take what mpwan refuses', async () => {
    await openView(page, rig, 'settings');
    const bypass = await formVerdict(page, widget('mpwan', proxySid, 'bypass'), '010.0.0.1');
    assert.equal(bypass.message, `Expecting: ${PROXY.bypass.type.expect}`);
    const password = await formVerdict(page, widget('mpwan', 'vps', 'password'), 'tab\there');
    assert.equal(password.message, `Expecting: ${SERVER.password.type.expect}`);
    mkdirSync(SHOTS, { recursive: true });
    await page.locator('#cbi-mpwan-proxy').screenshot({ path: join(SHOTS, 'settings-validation.png') });
    await formVerdict(page, widget('mpwan', proxySid, 'bypass'), '');
    await formVerdict(page, widget('mpwan', 'vps', 'password'), 'secret');
  });

  it('LuCI refuses spellings mpwan takes where its datatypes cannot say them (2.0, 10.5): stricter, never looser', async () => {
    for (const v of ['2.0', '10.5']) {
      assert.equal((await formVerdict(page, widget('mpwan', 'globals', 'probe_interval'), v)).ok, false, v);
      assert.equal(mpwanCheck(rig, await configWith(rig, 'globals', 'probe_interval', v, false)).ok, true, v);
    }
    await formVerdict(page, widget('mpwan', 'globals', 'probe_interval'), '');
  });

  it('a boolean the config spells "yes" shows as on and is not rewritten by a Save', async () => {
    writeFileSync(configFile(), original.replace("option enabled '1'", "option enabled 'yes'\n\toption checksum 'on'") + EXTRA);
    await openView(page, rig, 'settings');
    try {
      assert.equal(await page.isChecked(`[data-widget-id="widget.cbid.mpwan.globals.enabled"]`), true);
      assert.equal(await page.inputValue(widget('mpwan', 'globals', 'checksum')), '1');
      const sid = await page.evaluate(() => L.env.sessionid as string);
      await page.selectOption(widget('mpwan', 'wan', 'mode'), 'backup');
      await clickSave(page);
      const [, changes] = await rig.server.uci.call(sid, 'changes', { config: 'mpwan' });
      await rig.server.uci.call(sid, 'revert', { config: 'mpwan' });
      assert.deepEqual(changes, { changes: [['set', 'wan', 'mode', 'backup']] });
    } finally {
      writeFileSync(configFile(), original + EXTRA);
    }
  });
});
