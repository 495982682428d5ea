// One rig for every LuCI browser test file: namespaces, plugin and Chromium start once. Closed
// by a root-level after hook.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startRig, type Rig } from './rig.js';
import type { PageOptions } from './server.js';

let rig: Promise<Rig> | null = null;

export function sharedRig(): Promise<Rig> {
  return (rig ??= startRig(2));
}

after(async () => {
  if (rig) await (await rig).close();
});

/** The rig's mpwan config file. */
export const configFile = (r: Rig) => join(r.rtr.dir, 'etc/mpwan');

/**
 * The shared rig and a page of its own for the enclosing describe block, opened before its
 * tests and closed after them. After each test the server's transform is cleared (and, with
 * `restoreConfig`, the config is what it was before the block) and no uncaught error may be
 * left in the page.
 */
export function usePage(o: { restoreConfig?: boolean } = {}): { rig: Rig; page: Page; original: string } {
  const s = { original: '' } as { rig: Rig; page: Page; original: string };
  const errors: string[] = [];
  before(async () => {
    s.rig = await sharedRig();
    if (o.restoreConfig) s.original = readFileSync(configFile(s.rig), 'utf8');
    s.page = await s.rig.browser.newPage();
    s.page.on('pageerror', (e) => errors.push(e.message));
  });
  after(async () => {
    await s.page?.close();
    if (s.original) writeFileSync(configFile(s.rig), s.original);
  });
  afterEach(() => {
    s.rig.server.transform = null;
    if (s.original) writeFileSync(configFile(s.rig), s.original);
    assert.deepEqual(errors.splice(0), [], 'no uncaught error in the page');
  });
  return s;
}

/** The element each view renders once its data is in. */
const VIEW_ROOT: Record<string, string> = {
  status: '#mpwan-status',
  settings: '#cbi-mpwan .cbi-section, #view .cbi-page-actions',
  diagnostics: '#mpwan-diagnosis',
};

/** Loads a view the way LuCI does (page template, luci.js, ui.instantiateView) and waits for it. */
export async function openView(page: Page, r: Rig, view: string, opts: PageOptions = {}): Promise<void> {
  await page.goto(r.server.url(view, opts));
  await page.waitForSelector(VIEW_ROOT[view], { state: 'attached', timeout: 15000 });
  if (view === 'settings') await page.waitForSelector('#view .cbi-page-actions', { timeout: 15000 });
}

/** CSS selector of a form widget by its LuCI id: widget.cbid.<config>.<section>.<option>. */
export const widget = (config: string, section: string, option: string) => `[id="widget.cbid.${config}.${section}.${option}"]`;
