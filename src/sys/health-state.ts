// MPWAN_RUN_DIR/state.json: the daemon's view of each uplink's health. Written atomically by
// the daemon; read by `mpwan status`, the ubus plugin and a CLI apply, so every plan made
// while the daemon runs withdraws the same uplinks.
import type { Runtime } from './runtime.js';
import type { UplinkHealth } from '../health/tracker.js';
import { runDir } from './paths.js';
import { daemonPid } from './daemon-control.js';

export interface HealthFile {
  updated: number;
  uplinks: Record<string, UplinkHealth>;
}

const file = (rt: Runtime) => `${runDir(rt)}/state.json`;

export function writeHealthState(rt: Runtime, uplinks: Record<string, UplinkHealth>) {
  const data: HealthFile = { updated: rt.nowSeconds(), uplinks };
  try {
    rt.writeFileAtomic(file(rt), JSON.stringify(data) + '\n');
  } catch { /* the run dir vanished: nothing to report to */ }
}

/** The running daemon's health view; null when no daemon runs (a stale file means nothing). */
export function readHealthState(rt: Runtime): HealthFile | null {
  if (daemonPid(rt) === null) return null;
  try {
    const v = JSON.parse(rt.readFile(file(rt)) ?? 'null') as HealthFile | null;
    return v && typeof v.uplinks === 'object' && v.uplinks !== null ? v : null;
  } catch {
    return null;
  }
}

/** Up uplinks that missed a probe round lately, as the planner takes them. */
export function suspectsFrom(state: HealthFile | null): string[] {
  return Object.entries(state?.uplinks ?? {}).filter(([, h]) => h?.state === 'up' && h.suspect === true).map(([name]) => name);
}

/** Uplink -> why it is down, as the planner takes it. */
export function unhealthyFrom(state: HealthFile | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, h] of Object.entries(state?.uplinks ?? {})) {
    if (h && h.state === 'down') out[name] = typeof h.reason === 'string' ? h.reason : 'health checks fail';
  }
  return out;
}
