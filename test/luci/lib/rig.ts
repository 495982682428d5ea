// Everything a LuCI browser test needs, started once: router namespaces with mpwan applied,
// the web server in front of the real plugin, and Debian's Chromium driven by playwright-core
// with the flags test-environment.md prescribes (a closed network: no background traffic).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { Topology, sweepStale } from '../../netns/lib/topology.js';
import { Router } from '../../netns/lib/mpwan.js';
import { Rpcd } from '../../netns/lib/rpcd.js';
import { LuciServer } from './server.js';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export interface Rig {
  topo: Topology;
  rtr: Router;
  rpcd: Rpcd;
  server: LuciServer;
  browser: BrowserContext;
  close(): Promise<void>;
}

/** A persistent context on a fresh profile: playwright's way of passing --user-data-dir. */
export async function launchChromium(): Promise<{ browser: BrowserContext; cleanup: () => void }> {
  const profile = mkdtempSync(join(tmpdir(), 'mpwan-chromium-'));
  const cleanup = () => rmSync(profile, { recursive: true, force: true });
  try {
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1100, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    return { browser, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}

export async function startRig(wans: number): Promise<Rig> {
  sweepStale();
  const topo = new Topology({ wans });
  let rtr: Router | undefined, server: LuciServer | undefined, cleanupProfile = () => {};
  try {
    rtr = new Router(topo);
    rtr.writeDefaultConfig();
    const applied = rtr.run(['apply']);
    if (applied.status !== 0) throw new Error(`mpwan apply failed: ${applied.stderr}`);
    const rpcd = new Rpcd(rtr);
    // procd's reload trigger on 'mpwan' runs the init script's reload: a re-plan in place.
    server = new LuciServer(rpcd, join(rtr.dir, 'etc'), async () => { await rpcd.callAsync('reload', '{}'); });
    await server.start();
    const { browser, cleanup } = await launchChromium();
    cleanupProfile = cleanup;
    const r = rtr, s = server;
    return {
      topo, rtr: r, rpcd, server: s, browser,
      close: async () => {
        await browser.close().catch(() => {});
        cleanup();
        await s.stop();
        r.cleanup();
        topo.destroy();
      },
    };
  } catch (e) {
    cleanupProfile();
    await server?.stop();
    rtr?.cleanup();
    topo.destroy();
    throw e;
  }
}
