// The stand-in runtime (test/luci/www) follows luci-base where the mpwan views depend on it.
// Each test pins one behaviour of the real luci.js / rpc.js / uci.js / form.js / ui.js.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { luciDatatypes } from '../../src/config/options.js';
import type { Rig } from './lib/rig.js';
import { openView, usePage, widget  } from './lib/shared.js';

describe('LuCI stand-in runtime: the semantics of luci-base the views rely on', function () {
  this.timeout(60000);
  const session = usePage();
  let rig: Rig;
  let page: Page;
  before(() => {
    ({ rig, page } = session);
  });

  it('E()/dom.append: a lone string is HTML, array members are text (null, undefined, false too), a Node as 2nd argument is attributes', async () => {
    await openView(page, rig, 'diagnostics');
    const r = await page.evaluate(() => {
      const lone = E('p', {}, '<b>x</b>');
      const arr = E('p', {}, ['<b>x</b>', null, undefined, false, 0]);
      const fn = E('p', {}, ((n: Element) => [n.tagName]) as unknown as string[]);
      const asAttrs = E('p', E('i') as unknown as string[]);
      return {
        lone: lone.innerHTML, arrHtml: arr.innerHTML, arrNodes: arr.childNodes.length, fn: fn.textContent,
        asAttrs: asAttrs.childNodes.length, falseAttr: E('input', { disabled: false as unknown as string }).getAttribute('disabled'),
      };
    });
    assert.equal(r.lone, '<b>x</b>', 'a lone string is parsed as markup');
    assert.equal(r.arrHtml, '&lt;b&gt;x&lt;/b&gt;nullundefinedfalse0', 'array members become text nodes, null included');
    assert.equal(r.arrNodes, 5);
    assert.equal(r.fn, 'P', 'a function child is called with the parent');
    assert.equal(r.asAttrs, 0, 'a Node in second place is taken as attributes, not as a child');
    assert.equal(r.falseAttr, 'false', 'attribute false is set as "false"');
  });

  it('rpc.js batches the calls of one animation frame into one JSON-RPC array', async () => {
    const from = rig.server.http.length;
    const replies = await page.evaluate(() => L.require('rpc').then((rpc: any) => { // eslint-disable-line @typescript-eslint/no-explicit-any
      const status = rpc.declare({ object: 'mpwan', method: 'status', expect: { '': {} } });
      const uplinks = rpc.declare({ object: 'mpwan', method: 'status', expect: { uplinks: [] } });
      const asObject = rpc.declare({ object: 'mpwan', method: 'status', expect: { uplinks: {} } });
      return Promise.all([status(), uplinks(), asObject()]).then(([s, u, o]) => [typeof s, Array.isArray(u), JSON.stringify(o)]);
    }));
    const posts = rig.server.http.slice(from).filter((h) => h.method === 'POST' && h.path.startsWith('/ubus/'));
    assert.deepEqual(posts.map((p) => p.batch), [3], 'one POST carrying three calls');
    assert.deepEqual(replies, ['object', true, '{}'], 'expect picks the key and falls back to the default on a type mismatch');
  });

  it('rpc.js rejects with the ubus status text when the call declares reject', async () => {
    rig.server.failNext('mpwan', 'status', 6);
    const msg = await page.evaluate(() => L.require('rpc').then((rpc: any) => // eslint-disable-line @typescript-eslint/no-explicit-any
      rpc.declare({ object: 'mpwan', method: 'status', reject: true })().then(() => 'resolved', (e: Error) => e.message)));
    assert.equal(msg, 'RPC call to mpwan/status failed with ubus code 6: Permission denied');
  });

  it('poll.add starts the stopped loop, which runs the function at once', async () => {
    // A string: tsx would wrap a named function literal in a helper the page does not have.
    const ran = await page.evaluate(`L.require('poll').then((poll) => {
      let n = 0;
      const fn = () => { n++; };
      poll.add(fn, 5);
      const atOnce = n;
      poll.remove(fn);
      return atOnce;
    })`);
    assert.equal(ran, 1);
  });

  it('uci.js saves a section\'s changes as one `set`; `uci changes` lists change records', async () => {
    await openView(page, rig, 'settings');
    const sid = await page.evaluate(() => L.env.sessionid as string);
    const from = rig.server.log.length;
    const changes = await page.evaluate(() => L.require('uci').then(async (uci: any) => { // eslint-disable-line @typescript-eslint/no-explicit-any
      uci.set('mpwan', 'wan2', 'priority', '7');
      uci.set('mpwan', 'wan2', 'probe_host', ['192.0.2.1', '192.0.2.2']);
      uci.unset('mpwan', 'wan2', 'ula');
      await uci.save();
      return uci.changes();
    }));
    try {
      const calls = rig.server.log.slice(from).filter((e) => e.object === 'uci' && e.method !== 'get' && e.method !== 'changes');
      assert.deepEqual(calls.map((c) => [c.method, c.args]), [
        ['set', { config: 'mpwan', section: 'wan2', values: { priority: '7', probe_host: ['192.0.2.1', '192.0.2.2'] } }],
      ], 'unsetting an option the section does not have sends nothing');
      assert.deepEqual(changes, { mpwan: [
        ['set', 'wan2', 'priority', '7'],
        ['list-add', 'wan2', 'probe_host', '192.0.2.1'],
        ['list-add', 'wan2', 'probe_host', '192.0.2.2'],
      ] });
    } finally {
      await rig.server.uci.call(sid, 'revert', { config: 'mpwan' });
    }
  });

  it('validation.js: escaped literals, decimals in range, byte lengths; validate runs after the datatype passed, with the validator\'s value', async () => {
    // A string: tsx would wrap the named arrow function in a helper the page does not have.
    const r = await page.evaluate(`L.require('validation').then((v) => {
      const run = (type, value, vfunc) => {
        const input = document.body.appendChild(document.createElement('input'));
        input.value = value;
        let seen = null, message = null;
        input.addEventListener('validation-failure', (e) => { message = e.detail.message; });
        const ok = v.create(input, type, true, vfunc && ((x) => { seen = x; return vfunc(x); })).validate();
        const mark = input.classList.contains('cbi-input-invalid');
        input.remove();
        return { ok, mark, seen, message };
      };
      const yes = () => true;
      return {
        escaped: run("or('a\\\\,b')", 'a,b').ok,
        rangeDecimal: run('range(0,8)', '5.5').ok,
        lengthBytes: run('length(2)', '\u00e9').ok,
        cidr: run('or(ipaddr(1),cidr)', '192.0.2.0/24', yes),
        afterFailure: run('uinteger', 'x', yes),
        empty: run('uinteger', '', yes),
        or: run("or('a',range(1,2))", 'c'),
        own: run('string', 'x', () => 'my message'),
      };
    })`) as Record<string, { ok: boolean; mark: boolean; seen: string | null; message: string | null }> & Record<string, boolean>;
    assert.equal(r.escaped, true, "'a\\,b' is the literal a,b");
    assert.equal(r.rangeDecimal, true, 'range reads any decimal');
    assert.equal(r.lengthBytes, true, 'lengths count UTF-8 bytes');
    assert.deepEqual(r.cidr, { ok: true, mark: false, seen: '24', message: null }, 'cidr leaves validate the prefix length (apply() keeps the value it was given)');
    assert.deepEqual(r.afterFailure, { ok: false, mark: true, seen: null, message: 'Expecting: positive integer value' }, 'validate does not run after a failed datatype');
    assert.equal(r.empty.seen, '', 'an empty optional value passes the datatype and goes to validate');
    assert.equal(r.or.message, 'Expecting: One of the following: \n - "a"\n - value between 1 and 2');
    assert.deepEqual(r.own, { ok: false, mark: true, seen: 'x', message: 'my message' }, 'validate\'s message is shown as it is');
  });

  it('validation.js compiles every datatype of the option table (ui.addValidator would skip one it cannot)', async () => {
    const types = [...new Set(Object.values(luciDatatypes()).flatMap((t) => Object.values(t)))];
    const failed = await page.evaluate(`L.require('validation').then((v) => ${JSON.stringify(types)}.filter((t) => {
      try { v.compile(t); return false; } catch (e) { return true; }
    }))`);
    assert.deepEqual(failed, []);
    const hex = await page.evaluate(`L.require('validation').then((v) => ['ab', 'AbC', 'aBcD', ''].map((x) => {
      const input = document.body.appendChild(document.createElement('input'));
      input.value = x;
      const ok = v.create(input, 'hexstring', false).validate();
      input.remove();
      return ok;
    }))`);
    assert.deepEqual(hex, [true, false, true, false], 'hexstring: pairs of hex digits, either case');
  });

  it('form widgets carry LuCI\'s ids: frame cbid.<config>.<section>.<option>, control widget.cbid...', async () => {
    const ids = await page.evaluate(() => ({
      select: document.querySelector('[id="widget.cbid.mpwan.wan2.mode"]')?.tagName,
      frame: document.querySelector('[id="widget.cbid.mpwan.wan2.mode"]')?.parentElement?.id,
      field: document.querySelector('[id="widget.cbid.mpwan.wan2.mode"]')?.closest('[data-field]')?.getAttribute('data-field'),
      text: (document.querySelector('[id="widget.cbid.mpwan.globals.subflows"]') as HTMLInputElement | null)?.type,
      flag: (document.querySelector('[data-widget-id="widget.cbid.mpwan.globals.enabled"]') as HTMLInputElement | null)?.type,
    }));
    assert.deepEqual(ids, { select: 'SELECT', frame: 'cbid.mpwan.wan2.mode', field: 'cbid.mpwan.wan2.mode', text: 'text', flag: 'checkbox' });
  });

  it('form.Map asks `session access` for uci write: without it the form and the footer are read-only', async () => {
    const from = rig.server.log.length;
    await openView(page, rig, 'settings', { readonly: true });
    const access = rig.server.log.slice(from).find((e) => e.object === 'session' && e.method === 'access');
    assert.deepEqual(access?.args, { scope: 'uci', object: 'mpwan', function: 'write' });
    assert.equal(await page.locator(widget('mpwan', 'wan2', 'mode')).isDisabled(), true);
    assert.equal(await page.locator(widget('mpwan', 'globals', 'subflows')).isDisabled(), true);
    const buttons = await page.locator('.cbi-page-actions button').evaluateAll((bs) => bs.map((b) => (b as HTMLButtonElement).disabled));
    assert.ok(buttons.length >= 3 && buttons.every(Boolean), `footer buttons disabled: ${buttons}`);
  });

  it('a JSON-RPC "Access denied" makes luci.js check the session with `session access`', async () => {
    await openView(page, rig, 'diagnostics');
    rig.server.failNext('mpwan', 'connections', { code: -32002, message: 'Access denied' });
    const from = rig.server.log.length;
    await page.click('.mpwan-actions .cbi-button:not(.cbi-button-action)');
    await page.locator('.alert-message', { hasText: /Access denied/ }).first().waitFor({ timeout: 10000 });
    const check = rig.server.log.slice(from).find((e) => e.object === 'session' && e.method === 'access');
    assert.deepEqual(check?.args, { scope: 'uci', object: 'luci', function: 'read' });
  });
});
