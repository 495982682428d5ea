// LuCI views: size of each built view file, and the time from navigation to the first full
// render in headless Chromium with 4 uplinks (the page's own clock: performance.now() when
// the view is in the DOM, which counts from navigation start). The status page's render
// includes one real `mpwan status` call through the rpcd plugin under qjs.
//
//   make build luci && QJS=$(scripts/ensure-qjs.sh) npx tsx bench/luci.ts
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startRig } from '../test/luci/lib/rig.js';
import { VIEW_DIR } from '../test/luci/lib/server.js';
import { median } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const UPLINKS = 4;
/** What counts as fully rendered on each page. */
const READY: Record<string, string> = {
  status: `.mpwan-card[data-uplink] >> nth=${UPLINKS - 1}`,
  settings: `tr[data-sid] >> nth=${UPLINKS - 1}`,
  diagnostics: `.mpwan-actions button >> nth=${UPLINKS}`,
};

const kb = (n: number) => (n / 1024).toFixed(1);

const views = readdirSync(VIEW_DIR).filter((f) => f.endsWith('.js')).sort();
const sizes = views.map((f) => {
  const text = readFileSync(join(VIEW_DIR, f));
  return { view: f.replace(/\.js$/, ''), bytes: text.length, gzip: gzipSync(text, { level: 9 }).length };
});

const rig = await startRig(UPLINKS);
const times: Record<string, number[]> = {};
try {
  const page = await rig.browser.newPage();
  for (const { view } of sizes) {
    times[view] = [];
    for (let i = 0; i < RUNS + 1; i++) {
      await page.goto(rig.server.url(view));
      await page.waitForSelector(READY[view], { timeout: 15000 });
      const t = await page.evaluate(() => performance.now());
      if (i > 0) times[view].push(t); // the first load warms the HTTP and file caches
    }
  }
} finally {
  await rig.close();
}

const rows = sizes.map((s) => `| ${s.view} | ${kb(s.bytes)} KB | ${kb(s.gzip)} KB | ${median(times[s.view]).toFixed(0)} ms | ${Math.max(...times[s.view]).toFixed(0)} ms |`);
const table = [
  `| view | size | gzip -9 | first full render (median of ${RUNS}) | slowest |`,
  '|---|---|---|---|---|',
  ...rows,
].join('\n');
const md = `# LuCI views

Measured by \`bench/luci.ts\` (${new Date().toISOString().slice(0, 10)}): built view files under
\`build/luci/\`, and time from navigation start to the view in the DOM in headless Chromium
(Debian's chromium, playwright-core) with ${UPLINKS} uplinks, served by the test stand-in for
luci.js with \`/ubus\` calls running the real rpcd plugin under qjs in network namespaces.
Render time includes the view's load() calls (\`status\`: one \`mpwan status\`; \`settings\`:
\`uci get\`; \`diagnostics\`: one \`mpwan status\`). Real LuCI adds its own boot (luci.js,
ui.js, form.js, the theme) before the view starts; that part is not measured here.

${table}

Reproduce: \`make build luci && QJS=$(scripts/ensure-qjs.sh) npx tsx bench/luci.ts\`
`;
writeFileSync(new URL('./luci-results.md', import.meta.url), md);
console.log(table);
