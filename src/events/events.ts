// What mpwan tells scripts: one typed event for each change the daemon decides. Every event
// goes out twice, as a ubus event (`ubus listen mpwan.uplink`) and as a hotplug call
// (/etc/hotplug.d/mpwan/*, as netifd and mwan3 run theirs); both are rendered here from the
// same event, so they always say the same thing. Pure.

/** An uplink as scripts see it: usable, usable but missing probe rounds, or not usable. */
export type UplinkCondition = 'up' | 'degraded' | 'down';

export type MpwanEvent =
  | { type: 'mpwan.uplink'; name: string; state: UplinkCondition; why: string; since: number; device: string | null }
  | { type: 'mpwan.server'; server: string; reachable: boolean; why: string }
  | { type: 'mpwan.default_route'; family: 4 | 6; uplink: string | null; device: string | null; why: string | null }
  | { type: 'mpwan.udp'; uplink: string | null; paths: string[] };

export type EventType = MpwanEvent['type'];

/** The event's data for `ubus send <type> <data>` (what `ubus listen` prints). */
export function ubusData(e: MpwanEvent): Record<string, unknown> {
  switch (e.type) {
    case 'mpwan.uplink':
      return { name: e.name, state: e.state, why: e.why, since: e.since, ...(e.device ? { device: e.device } : {}) };
    case 'mpwan.server':
      return { server: e.server, reachable: e.reachable, why: e.why };
    case 'mpwan.default_route':
      return { family: e.family, uplink: e.uplink, ...(e.device ? { device: e.device } : {}), ...(e.why ? { why: e.why } : {}) };
    case 'mpwan.udp':
      return { uplink: e.uplink, paths: e.paths };
  }
}

/**
 * The environment of `hotplug-call mpwan`. ACTION, UPLINK, DEVICE and REASON are always set
 * (empty when they do not apply), so a script never sees a value left over from elsewhere.
 */
export function hotplugEnv(e: MpwanEvent): Record<string, string> {
  const env = (action: string, uplink: string | null, device: string | null, reason: string | null, more: Record<string, string> = {}) =>
    ({ ACTION: action, UPLINK: uplink ?? '', DEVICE: device ?? '', REASON: reason ?? '', ...more });
  switch (e.type) {
    case 'mpwan.uplink':
      return env(e.state, e.name, e.device, e.why);
    case 'mpwan.server':
      return env(e.reachable ? 'server-reachable' : 'server-unreachable', null, null, e.why, { SERVER: e.server });
    case 'mpwan.default_route':
      return env('default-route', e.uplink, e.device, e.why, { FAMILY: String(e.family) });
    case 'mpwan.udp':
      return env('udp-path', e.uplink, null, null, { PATHS: e.paths.join(' ') });
  }
}
