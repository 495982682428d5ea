// The servers: which one carries new LAN traffic and why, what the probes say of each, and a
// more preferred one waiting out its hold-down. A full-width card (the reasons are sentences).
import type { Status } from '../lib/types.js';
import { duration, sinceDate } from '../lib/format.js';

/** Nothing while the proxy is off or there is at most one server and it answers (the proxy card says enough). */
export function renderServers(s: Status, now: Date): HTMLElement[] {
  const p = s.proxy;
  const servers = p?.enabled ? p.servers ?? [] : [];
  if (servers.length === 0 || (servers.length === 1 && servers[0].state === 'up')) return [];
  const head = E('tr', {}, [_('Server'), _('Address'), _('Priority'), _('State')].map((h) => E('th', {}, [h])));
  const rows = servers.map((x) => E('tr', { 'data-server': x.name, 'data-state': x.state, 'data-active': x.active ? '1' : '0' }, [
    E('td', { style: 'white-space:nowrap' }, [x.active ? `${x.name} ★` : x.name]),
    E('td', { style: 'white-space:nowrap' }, [x.address]),
    E('td', {}, [String(x.priority)]),
    E('td', { class: x.state === 'down' ? 'mpwan-bad' : '' }, [
      x.state === 'up' ? (x.active ? _('answers; carries new LAN traffic') : _('answers')) : x.state === 'down' ? _('down: %s').format(x.reason ?? '') : x.reason ?? _('not known yet'),
    ]),
  ]));
  const notes: HTMLElement[] = [];
  if (p!.active_server && p!.active_why) {
    const since = sinceDate(p!.active_since);
    const ago = since ? ` (${_('%s ago').format(duration((now.getTime() - since.getTime()) / 1000))})` : '';
    notes.push(E('p', { class: 'mpwan-note info', id: 'mpwan-server-why' }, [_('New LAN traffic goes to %s: %s').format(p!.active_server, p!.active_why) + ago]));
  } else if (p!.active_why) {
    notes.push(E('p', { class: 'mpwan-note warning', id: 'mpwan-server-why' }, [_('%s: LAN traffic goes out directly (fail-open).').format(p!.active_why)]));
  }
  if (p!.failback) notes.push(E('p', { class: 'mpwan-note info', id: 'mpwan-failback' }, [_('%s answers again: new LAN traffic goes back to it in %s.').format(p!.failback.server, duration(p!.failback.in_s))]));
  notes.push(E('p', { class: 'mpwan-note info' }, [_('TCP connections open on a server that dies end (they cannot move); UDP sessions move to the next server, whose address the far end then sees.')]));
  return [E('div', { class: 'mpwan-card mpwan-wide', id: 'mpwan-servers' }, [
    E('h3', {}, [_('Aggregation servers')]), E('table', { class: 'mpwan-table' }, [head, ...rows]), ...notes,
  ])];
}
