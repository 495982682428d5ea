// Everything a reconcile compares, read once: the config, netifd's interfaces, the kernel's
// addresses, endpoints, limits, rules, routes and sysctls, what mpwan owns, and the daemon's
// health view. The only I/O of a reconcile besides applying.
import type { Runtime } from '../sys/runtime.js';
import type { Config } from '../model/config.js';
import type { HealthFile } from '../model/health.js';
import type { Observed } from '../model/kernel.js';
import type { NetifdInterface } from '../model/netifd.js';
import type { OwnedState } from '../model/plan.js';
import { settled } from '../lib/async.js';
import { MANAGED_SYSCTLS } from '../model/config.js';
import { TABLE_SPAN } from '../plan/plan.js';
import { rpFilterPath } from '../diff/diff.js';
import { loadConfigWithWarnings } from './config-file.js';
import { readAddresses, readEndpoints, readLimits, readRoutes, readRules } from '../sys/ip.js';
import { readNetifd } from '../sys/ubus.js';
import { MPTCP_SYSCTL_DIR, readMptcpCaps, readSysctls, type MptcpCaps } from '../sys/procfs.js';
import { TCP_RMEM_PATH, TCP_WMEM_PATH } from '../model/tcp-buffers.js';
import { readHealth, readOwned } from '../sys/run-dir.js';
import { readUsageRam } from '../sys/usage-files.js';
import type { Ledger } from '../quota/usage.js';

/** The kernel as observed (routes: in tables mpwan may own, its range now or the one it recorded), and what else planning needs. */
export interface SystemState extends Observed {
  config: Config;
  /** What the config file has that is valid but probably not meant (none when the caller brought its own config). */
  configWarnings: string[];
  netifd: NetifdInterface[];
  caps: MptcpCaps;
  owned: OwnedState;
  /** The running daemon's state.json; null when the caller brings its own health view, or no daemon runs. */
  health: HealthFile | null;
  /** What each uplink carried in its quota period (the run dir's ledger; null: nothing counted yet). */
  usage: Ledger | null;
}

export interface ReadOptions {
  /** Plan with this config instead of the file's (the daemon's last good one, `stop`'s disabled one). */
  config?: Config;
  /** The caller has its own health view: state.json is not read. */
  ownHealth?: boolean;
}

export async function readSystem(rt: Runtime, options: ReadOptions = {}): Promise<SystemState> {
  await settled();
  const { config, warnings: configWarnings } = options.config ? { config: options.config, warnings: [] } : loadConfigWithWarnings(rt);
  const health = options.ownHealth ? null : readHealth(rt);
  const caps = readMptcpCaps(rt);
  const owned = readOwned(rt);
  // Independent reads run concurrently; netifd is asked exactly once.
  const [netifd, kernel, endpoints, limits, rules4, rules6] = await Promise.all([
    readNetifd(rt), readAddresses(rt), readEndpoints(rt), readLimits(rt), readRules(rt, 4), readRules(rt, 6),
  ]);
  const base = config.globals.tableBase;
  const prev = owned.tableRange;
  const mayOwn = (t: number) => (t >= base && t < base + TABLE_SPAN) || (prev !== undefined && t >= prev[0] && t <= prev[1]);
  const routes = await readRoutes(rt, mayOwn);
  const uplinkDevs = config.uplinks.map((u) => netifd.find((i) => i.name === u.name)?.l3Device).filter((d): d is string => d !== undefined);
  const sysctls = readSysctls(rt, [...MANAGED_SYSCTLS.map((n) => `${MPTCP_SYSCTL_DIR}/${n}`), ...uplinkDevs.map(rpFilterPath), TCP_RMEM_PATH, TCP_WMEM_PATH]);
  return {
    config, configWarnings, netifd, links: kernel.links, addresses: kernel.addresses, endpoints, limits,
    rules: [...rules4, ...rules6], routes, sysctls, caps, owned, health, usage: readUsageRam(rt)?.ledger ?? null,
  };
}
