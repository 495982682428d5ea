// LuCI views: size of each built view file, and the time from navigation to the first full
// render in headless Chromium with 4 uplinks (the page's own clock: performance.now() when
// the view is in the DOM, which counts from navigation start). The status page's render
// includes one real `mpwan status` call through the rpcd plugin under qjs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startRig } from '../../test/luci/lib/rig.js';
import { VIEW_DIR } from '../../test/luci/lib/server.js';
import { spread } from '../stats.js';
import type { LuciSection } from '../types.js';

const RUNS = Number(process.env.BENCH_LUCI_RUNS ?? 9);
const UPLINKS = 4;
/** What counts as fully rendered on each page. */
const READY: Record<string, string> = {
  status: `.mpwan-card[data-uplink] >> nth=${UPLINKS - 1}`,
  settings: `tr[data-sid] >> nth=${UPLINKS - 1}`,
  diagnostics: `.mpwan-actions button >> nth=${UPLINKS}`,
};

export async function benchLuci(): Promise<LuciSection> {
  const files = readdirSync(VIEW_DIR).filter((f) => f.endsWith('.js')).sort();
  const rig = await startRig(UPLINKS);
  try {
    const page = await rig.browser.newPage();
    const views: LuciSection['views'] = [];
    for (const f of files) {
      const view = f.replace(/\.js$/, '');
      const text = readFileSync(join(VIEW_DIR, f));
      const times: number[] = [];
      for (let i = 0; i < RUNS + 1; i++) {
        await page.goto(rig.server.url(view));
        await page.waitForSelector(READY[view], { timeout: 15000 });
        const t = await page.evaluate(() => performance.now());
        if (i > 0) times.push(t); // the first load warms the HTTP and file caches
      }
      views.push({ view, bytes: text.length, gzip: gzipSync(text, { level: 9 }).length, renderMs: spread(times, 0) });
    }
    return { runs: RUNS, uplinks: UPLINKS, views };
  } finally {
    await rig.close();
  }
}
