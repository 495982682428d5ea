// The running daemon's health view (state.json) as the planner takes it. Pure.
import type { HealthFile } from '../model/health.js';

/** Up uplinks that missed a probe round lately. */
export function suspectsFrom(state: HealthFile | null): string[] {
  return Object.entries(state?.uplinks ?? {}).filter(([, h]) => h?.state === 'up' && h.suspect === true).map(([name]) => name);
}

/** Uplink -> why it is down. */
export function unhealthyFrom(state: HealthFile | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, h] of Object.entries(state?.uplinks ?? {})) {
    if (h && h.state === 'down') out[name] = typeof h.reason === 'string' ? h.reason : 'health checks fail';
  }
  return out;
}
