// What the daemon says when the server in use changes or an uplink nears its quota: one
// sentence each for the log, with its level, and the event for scripts. Pure.
import type { ChoiceChange } from '../servers/choice.js';
import type { MpwanEvent } from '../events/events.js';
import type { QuotaCrossing } from './quotas.js';
import { decimalBytes } from '../lib/bytes.js';

export interface Line {
  level: 'notice' | 'warning';
  message: string;
}

/** null: nothing worth saying (the first choice, the most preferred server). */
export function choiceLine(c: ChoiceChange): Line | null {
  if (c.kind === 'first' && c.why === 'the most preferred server') return null;
  const level = c.kind === 'failback' || c.kind === 'back' ? 'notice' : 'warning';
  if (c.server === null) return { level, message: `${c.why}: LAN traffic bypasses the proxy and uses the normal route until one does` };
  if (c.kind === 'back') return { level, message: `server ${c.server} answers again: LAN traffic goes through the proxy to it` };
  return { level, message: `new LAN traffic goes to server ${c.server}: ${c.why}` };
}

/** `address`: the chosen server's host:port. */
export function choiceEvent(c: ChoiceChange, address: string | null): MpwanEvent {
  return { type: 'mpwan.active_server', name: c.server, server: address, from: c.from, kind: c.kind, why: c.why };
}

export const quotaEvent = (c: QuotaCrossing): MpwanEvent =>
  ({ type: 'mpwan.quota', uplink: c.uplink, percent: c.percent, used: c.bytes, quota: c.quota, action: c.action });

export function quotaLine(c: QuotaCrossing): Line {
  const what = c.percent < 100 ? `${c.percent}% of its quota`
    : `its quota: it carries traffic ${c.action === 'off' ? 'no more' : 'only when no unmetered uplink is healthy'} until the period ends`;
  return { level: c.percent < 100 ? 'notice' : 'warning', message: `uplink ${c.uplink} has carried ${decimalBytes(c.bytes)} of ${decimalBytes(c.quota)}, ${what}` };
}
