// The ubus `mpwan` object: one table of methods with their argument specs. rpcd reads the
// `list` signature from here; `call` validates every argument before any handler runs.
import type { Runtime } from '../sys/runtime.js';
import type { ArgsSpec } from './args.js';
import { MpwanError } from '../model/errors.js';
import { quickStatus } from '../status/collect.js';
import { reconcile } from '../reconcile/reconcile.js';
import { readMptcpCounters } from '../sys/procfs.js';
import { readSubflows } from '../sys/ss.js';
import { setUplinkMode } from '../reconcile/set-uplink.js';
import { diagnose } from '../diagnose/diagnose.js';
import type { UplinkMode } from '../model/config.js';
import { signalDaemon } from '../sys/daemon-control.js';
import { SIGHUP } from '../sys/runtime.js';
import { hostPort } from '../lib/inet.js';

const UPLINK_NAME = /^[A-Za-z0-9_]{1,64}$/;

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
  // The daemon owns the proxies and the LAN redirect: it follows the config on SIGHUP.
  const daemon = dryRun ? null : await signalDaemon(rt, SIGHUP);
  return { changes: r.descriptions, warnings: r.warnings, applied: r.applied, ...(dryRun ? {} : { daemon_reloading: daemon !== null }) };
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
  plan: { args: {}, mutates: false, run: (rt) => planReport(rt, true) },
  reload: { args: {}, mutates: true, run: (rt) => planReport(rt, false) },
  set_uplink: {
    args: {
      uplink: { type: 'string', pattern: UPLINK_NAME, maxLength: 64, required: true, example: 'wan' },
      mode: { type: 'string', enum: ['on', 'backup', 'off'], maxLength: 6, required: true, example: 'on' },
    },
    mutates: true,
    run: async (rt, args) => {
      const r = await setUplinkMode(rt, String(args.uplink), args.mode as UplinkMode);
      return { uplink: args.uplink, mode: args.mode, config_changed: r.changed, changes: r.report.descriptions, warnings: r.report.warnings };
    },
  },
  diagnose: {
    args: { uplink: { type: 'string', pattern: UPLINK_NAME, maxLength: 64, example: 'wan' } },
    mutates: false,
    run: (rt, args) => diagnose(rt, args.uplink === undefined ? undefined : String(args.uplink)),
  },
};
