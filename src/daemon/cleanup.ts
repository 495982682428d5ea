// What the daemon does on SIGTERM: it removes everything mpwan set up, so `stop` does not
// depend on anything running after it (procd's stop sends SIGTERM and may respawn nothing).
import type { Runtime } from '../sys/runtime.js';
import type { Config } from '../model/config.js';
import { MpwanError } from '../model/errors.js';
import { reconcile } from '../reconcile/reconcile.js';
import { stopConfig } from '../reconcile/config-file.js';
import type { LanTraffic } from './lan-traffic.js';

const message = (e: unknown) => (e instanceof MpwanError ? e.message : String((e as Error)?.message ?? e));

/** Stops the proxies, removes the redirect, then the kernel state; returns what failed. */
export async function cleanUp(rt: Runtime, config: Config | null, proxy: LanTraffic): Promise<string[]> {
  const problems = await proxy.stop();
  try {
    const r = await reconcile(rt, { dryRun: false, config: stopConfig(config), health: { unhealthy: {}, suspect: [] } });
    if (r.failure) problems.push(`${r.failure.error.message}; previous state restored`);
  } catch (e) {
    problems.push(message(e));
  }
  return problems;
}
