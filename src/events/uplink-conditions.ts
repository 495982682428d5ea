// Each uplink's condition as scripts see it (up, degraded, down), and an event whenever it
// changes: at once when a probe decides it, and after each re-plan for what netifd or the
// config changed. Pure: the clock arrives as an argument.
import type { UplinkPlan } from '../model/plan.js';
import type { UplinkHealth } from '../model/health.js';
import type { MpwanEvent, UplinkCondition } from './events.js';

/** Why an uplink the plan does not use is down, in a few words. */
const NOT_USED: Record<UplinkPlan['state'], string> = {
  active: 'in use',
  failed: 'health checks fail',
  disabled: "mode 'off'",
  down: 'netifd reports it down',
  'no-address': 'no usable address',
  unknown: 'netifd does not know it',
};

/**
 * What the plan and the probes say of an uplink now. For an uplink the probes watch, they say
 * (they are newer than a plan whose reads began before their last decision).
 */
export function conditionOf(u: UplinkPlan, health: UplinkHealth | undefined): { state: UplinkCondition; why: string } {
  const watched = (u.state === 'active' || u.state === 'failed') && u.dev !== undefined;
  if (!watched) return { state: 'down', why: NOT_USED[u.state] };
  if (!health) return u.state === 'failed' ? { state: 'down', why: u.failure ?? NOT_USED.failed } : { state: 'up', why: 'in use' };
  if (health.state === 'down') return { state: 'down', why: health.reason ?? NOT_USED.failed };
  if (health.suspect) return { state: 'degraded', why: 'missed a probe round' };
  return { state: 'up', why: 'in use' };
}

export class UplinkConditions {
  private readonly told = new Map<string, UplinkCondition>();
  private readonly devices = new Map<string, string | null>();

  /** A probe decided `name`'s condition: its event, or null when scripts already know it. */
  decided(name: string, state: UplinkCondition, why: string, now: number): MpwanEvent | null {
    if (this.told.get(name) === state) return null;
    this.told.set(name, state);
    return { type: 'mpwan.uplink', name, state, why, since: now, device: this.devices.get(name) ?? null };
  }

  /** After a re-plan: events for the uplinks whose condition changed; uplinks no longer configured are forgotten. */
  follow(plan: UplinkPlan[], health: Record<string, UplinkHealth>, now: number): MpwanEvent[] {
    for (const name of [...this.told.keys()]) if (!plan.some((u) => u.name === name)) { this.told.delete(name); this.devices.delete(name); }
    const events: MpwanEvent[] = [];
    for (const u of plan) {
      this.devices.set(u.name, u.dev ?? null);
      const c = conditionOf(u, health[u.name]);
      const e = this.decided(u.name, c.state, c.why, now);
      if (e) events.push(e);
    }
    return events;
  }
}
