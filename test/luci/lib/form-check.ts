// What the settings tests do with the form: type a value and read the form's verdict, press
// Save, and run the installed `mpwan check` (in the router namespace) on a config text.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Rig } from './rig.js';
import { widget } from './shared.js';

/** The form's verdict on a value typed into a widget: the datatype, then the view's validate. */
export function formVerdict(page: Page, selector: string, value: string): Promise<{ ok: boolean; message: string | null }> {
  return page.$eval(selector, (el, v) => {
    const input = el as HTMLInputElement;
    input.value = v;
    input.dispatchEvent(new Event('keyup'));
    input.dispatchEvent(new Event('blur'));
    return { ok: !input.classList.contains('cbi-input-invalid'), message: input.getAttribute('data-tooltip') };
  }, value);
}

/** Presses Save and waits until the form is done (the button is enabled again). */
export async function clickSave(page: Page): Promise<void> {
  await page.click('.cbi-page-actions .cbi-button-save');
  await page.locator('.cbi-page-actions .cbi-button-save:not([disabled])').waitFor({ timeout: 10000 });
}

/** `mpwan check` on a config text, as the router would read it. */
export function mpwanCheck(rig: Rig, text: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mpwan-check-'));
  try {
    writeFileSync(join(dir, 'mpwan'), text);
    const r = rig.topo.exec(rig.topo.rtr, rig.rtr.argv(['check']), { env: { ...rig.rtr.env(), MPWAN_UCI_DIR: dir } });
    return { ok: r.status === 0, output: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The config with one value set, as Save would stage it (for a value the form refuses). */
export async function configWith(rig: Rig, section: string, option: string, value: string, list: boolean): Promise<string> {
  const s = rig.server.login();
  await rig.server.uci.call(s.sid, 'set', { config: 'mpwan', section, values: { [option]: list ? [value] : value } });
  return rig.server.uci.preview(s.sid, 'mpwan');
}

export interface Case { section: string; option: string; values: string[]; list: boolean }

/**
 * Types each value into its field: a value the form takes is saved (it must be staged as
 * typed), one it refuses is staged through rpcd in another session; either way `mpwan check`
 * on the config must agree with the form. Returns what disagreed. The fields' section ids are
 * the cases'; `sid` is the page's session.
 */
export async function boundaryDisagreements(page: Page, rig: Rig, sid: string, cases: Case[]): Promise<string[]> {
  const wrong: string[] = [];
  for (const c of cases) {
    const sel = widget('mpwan', c.section, c.option);
    const before = await page.inputValue(sel);
    for (const v of c.values) {
      const form = await formVerdict(page, sel, v);
      let text: string;
      if (form.ok) {
        // Save stages the value in this session; the check reads what a commit would write.
        await clickSave(page);
        text = rig.server.uci.preview(sid, 'mpwan');
        const [, changes] = await rig.server.uci.call(sid, 'changes', { config: 'mpwan' });
        const last = (changes as { changes: string[][] }).changes.at(-1);
        if (!last || last[1] !== c.section || last[2] !== c.option || last[3] !== v) wrong.push(`${c.option} ${JSON.stringify(v)}: Save did not stage it (${JSON.stringify(last)})`);
      } else {
        text = await configWith(rig, c.section, c.option, v, c.list);
      }
      const check = mpwanCheck(rig, text);
      if (form.ok !== check.ok)
        wrong.push(`${c.option} ${JSON.stringify(v)}: the form ${form.ok ? 'accepts' : `refuses (${form.message})`}, mpwan check ${check.ok ? 'accepts' : `refuses: ${check.output.trim()}`}`);
    }
    // Leave the field valid for the next Save.
    await formVerdict(page, sel, before);
  }
  return wrong;
}
