// The ubus `mpwan` object: one table of methods with their argument specs. rpcd reads the
// `list` signature from here; `call` validates every argument before any handler runs.
import type { Runtime } from '../sys/runtime.js';
import type { ArgsSpec } from './args.js';
import { MpwanError } from '../model/errors.js';
import { quickStatus } from '../status/collect.js';
import { reconcile } from '../reconcile/reconcile.js';
import { readMptcpCounters } from '../sys/procfs.js';
import { readSubflows } from '../sys/ss.js';
import { diagnose } from '../diagnose/diagnose.js';
import type { UplinkMode } from '../model/config.js';
import { hostPort } from '../lib/inet.js';
import { write } from '../writer/write.js';
import { throwIfError, type Outcome } from '../writer/work.js';

const UPLINK_NAME = /^[A-Za-z0-9_]{1,64}$/;

export interface Method {
  args: ArgsSpec;
  /** Changes config or kernel state: granted separately in the ACL. */
  mutates: boolean;
  run(rt: Runtime, args: Record<string, string | number | boolean>): Promise<object>;
}

/** What `reload` and `set_uplink` answer; a failed apply is an apply_failed error. */
function reply(o: Outcome, restored: string) {
  throwIfError(o);
  if (o.failure) {
    throw new MpwanError('apply_failed', `${o.failure.message}; ${restored}`, { failed_change: o.failure.failedChange, rollback_errors: o.failure.rollbackErrors });
  }
  return { changes: o.changes, warnings: o.warnings, applied: o.applied };
}

export const METHODS: Record<string, Method> = {
  status: { args: {}, mutates: false, run: async (rt) => quickStatus(rt) },
  uplinks: { args: {}, mutates: false, run: async (rt) => ({ uplinks: (await quickStatus(rt)).uplinks }) },
  endpoints: {
    args: {},
    mutates: false,
    run: async (rt) => {
      const s = await quickStatus(rt);
      return {
        endpoints: s.uplinks.flatMap((u) => u.endpoints.map((e) => ({ ...e, uplink: u.name, device: u.device }))),
        foreign: s.foreign_endpoints,
      };
    },
  },
  counters: { args: {}, mutates: false, run: async (rt) => ({ counters: readMptcpCounters(rt) }) },
  connections: {
    args: {},
    mutates: false,
    run: async (rt) => {
      const [status, subflows] = await Promise.all([quickStatus(rt), readSubflows(rt)]);
      if ('unavailable' in subflows) return { available: false, reason: subflows.unavailable, connections: [] };
      const uplinkOf = (address: string) => status.uplinks.find((u) => u.addresses.includes(address))?.name ?? null;
      const byToken = new Map<string, typeof subflows>();
      for (const sf of subflows) byToken.set(sf.token, [...(byToken.get(sf.token) ?? []), sf]);
      return {
        available: true,
        connections: [...byToken.entries()].map(([token, sfs]) => ({
          token,
          remote: hostPort(sfs[0].remote, sfs[0].remotePort),
          bytes_sent: sfs.reduce((n, x) => n + x.bytesSent, 0),
          bytes_received: sfs.reduce((n, x) => n + x.bytesReceived, 0),
          subflows: sfs.map((x) => ({
            uplink: uplinkOf(x.local), local: hostPort(x.local, x.localPort), device: x.dev ?? null,
            bytes_sent: x.bytesSent, bytes_acked: x.bytesAcked, bytes_received: x.bytesReceived,
          })),
        })),
      };
    },
  },
  plan: {
    args: {}, mutates: false,
    run: async (rt) => { const r = await reconcile(rt, { dryRun: true }); return { changes: r.descriptions, warnings: r.warnings, applied: r.applied }; },
  },
  // Done by the running daemon (the one writer), which re-reads the config; without one, here.
  reload: {
    args: {}, mutates: true,
    run: async (rt) => {
      const o = await write(rt, { op: 'apply' });
      return { ...reply(o, 'previous state restored'), by_daemon: o.daemon !== null };
    },
  },
  set_uplink: {
    args: {
      uplink: { type: 'string', pattern: UPLINK_NAME, maxLength: 64, required: true, example: 'wan' },
      mode: { type: 'string', enum: ['on', 'backup', 'off'], maxLength: 6, required: true, example: 'on' },
    },
    mutates: true,
    run: async (rt, args) => {
      const o = await write(rt, { op: 'set_uplink', uplink: String(args.uplink), mode: args.mode as UplinkMode });
      const r = reply(o, 'previous state and config restored');
      return { uplink: args.uplink, mode: args.mode, config_changed: o.configChanged ?? false, changes: r.changes, warnings: r.warnings };
    },
  },
  diagnose: {
    args: { uplink: { type: 'string', pattern: UPLINK_NAME, maxLength: 64, example: 'wan' } },
    mutates: false,
    run: (rt, args) => diagnose(rt, args.uplink === undefined ? undefined : String(args.uplink)),
  },
};
