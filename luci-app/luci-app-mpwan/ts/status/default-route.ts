// The default route card: per address family, the uplink that carries traffic without a more
// specific route (DNS, UDP, the router's own) and since when, or why mpwan leaves it alone.
import type { Status } from '../lib/types.js';
import { duration, sinceDate } from '../lib/format.js';

type Route = NonNullable<Status['default_route']>[number];

/** IPv6 only matters when it is in use: an uplink carries it or has an IPv6 address. */
function shown(r: Route, s: Status): boolean {
  return r.family === 4 || r.uplink !== null || s.uplinks.some((u) => u.addresses.some((a) => a.includes(':')));
}

function routeText(r: Route, now: Date): string {
  if (r.uplink === null) return _('not managed by mpwan: %s').format(r.reason ?? '-');
  const since = sinceDate(r.since);
  return since
    ? _('%s since %s (%s ago)').format(r.uplink, since.toLocaleTimeString(), duration((now.getTime() - since.getTime()) / 1000))
    : r.uplink;
}

/** Nothing when the plugin does not report it (an older mpwan). */
export function renderDefaultRoute(s: Status, now: Date): HTMLElement[] {
  if (!Array.isArray(s.default_route)) return [];
  const rows = s.default_route.filter((r) => shown(r, s));
  return [E('div', { class: 'mpwan-card', id: 'mpwan-default-route' }, [
    E('h3', {}, [_('Default route')]),
    E('p', { class: 'mpwan-note info' }, [_('Traffic without a more specific route: DNS, UDP, the router\'s own.')]),
    E('table', { class: 'mpwan-kv mpwan-route' }, rows.map((r) => E('tr', { 'data-family': r.family, 'data-uplink': r.uplink ?? '' }, [
      E('th', {}, [r.family === 4 ? 'IPv4' : 'IPv6']),
      E('td', {}, [routeText(r, now)]),
    ]))),
  ])];
}
