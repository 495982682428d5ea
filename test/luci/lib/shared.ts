// One rig for every LuCI browser test file: namespaces, plugin and Chromium start once. Closed
// by a root-level after hook.
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
