// The ubus `mpwan` object: one table of methods with their argument specs. rpcd reads the
// `list` signature from here; `call` validates every argument before any handler runs.
import type { Runtime } from '../sys/runtime.js';
import type { ArgsSpec } from './args.js';
import { MpwanError } from '../model/errors.js';
import { collectStatus } from '../status/status.js';
import { reconcile } from '../engine/reconcile.js';
import { readMptcpCounters } from '../sys/procfs.js';

export interface Method {
  args: ArgsSpec;
  /** Changes config or kernel state: granted separately in the ACL. */
  mutates: boolean;
  run(rt: Runtime, args: Record<string, string | number | boolean>): Promise<object>;
}

async function planReport(rt: Runtime, dryRun: boolean) {
  const r = await reconcile(rt, { dryRun });
  if (r.failure) {
    throw new MpwanError('apply_failed', `${r.failure.error.message}; previous state restored`, {
      failed_change: r.descriptions[r.changes.indexOf(r.failure.change)],
      rollback_errors: r.failure.rollbackErrors,
    });
  }
  return { changes: r.descriptions, warnings: r.warnings, applied: r.applied };
}

export const METHODS: Record<string, Method> = {
  status: { args: {}, mutates: false, run: async (rt) => collectStatus(rt) },
  uplinks: { args: {}, mutates: false, run: async (rt) => ({ uplinks: (await collectStatus(rt)).uplinks }) },
  endpoints: {
    args: {},
    mutates: false,
    run: async (rt) => {
      const s = await collectStatus(rt);
      return {
        endpoints: s.uplinks.flatMap((u) => u.endpoints.map((e) => ({ ...e, uplink: u.name, device: u.device }))),
        foreign: s.foreign_endpoints,
      };
    },
  },
  counters: { args: {}, mutates: false, run: async (rt) => ({ counters: readMptcpCounters(rt) }) },
  plan: { args: {}, mutates: false, run: (rt) => planReport(rt, true) },
  reload: { args: {}, mutates: true, run: (rt) => planReport(rt, false) },
};
