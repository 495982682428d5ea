// Why the daemon re-plans. Typed, so whether a re-plan reads the config afresh and how loudly
// its changes are logged follow from the kind of reason, not from the words of a message.

export type ReplanReason =
  | { kind: 'start' }
  /** SIGHUP: netifd's hotplug script, procd's reload, or a request left in the run dir. */
  | { kind: 'reload' }
  /** The repair check: kernel state changed without an event. */
  | { kind: 'periodic' }
  /** A request's config edit was put back after its apply failed. */
  | { kind: 'restore' }
  | { kind: 'health'; uplink: string; to: 'up' | 'down' }
  /** An uplink missed a probe round (or answers steadily again): only where new connections start may change. */
  | { kind: 'suspect'; uplink: string; suspect: boolean };

/** Reasons that read the config and the proxy engine afresh (others reuse what the daemon knows). */
export const isExplicit = (r: ReplanReason) => r.kind === 'start' || r.kind === 'reload' || r.kind === 'restore';

/** Changes made only for these are logged at info level: they come and go with a lossy uplink. */
export const isRoutine = (r: ReplanReason) => r.kind === 'suspect';

export function describeReason(r: ReplanReason): string {
  switch (r.kind) {
    case 'start': return 'start';
    case 'reload': return 'SIGHUP';
    case 'periodic': return 'periodic';
    case 'restore': return 'config restored';
    case 'health': return `uplink ${r.uplink} ${r.to}`;
    case 'suspect': return `uplink ${r.uplink} ${r.suspect ? 'missed a probe round' : 'answers again'}`;
  }
}

/** What the log line of a re-plan that changed something starts with. */
export const whyChanged = (reasons: ReplanReason[]) =>
  reasons.filter((r) => r.kind !== 'periodic').map(describeReason).join(', ') || 'repaired';
