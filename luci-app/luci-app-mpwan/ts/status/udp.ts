// The LAN UDP card: through the server (mpwan-relay) or direct, whether it is active and why
// not, the relay's sessions and datagrams, duplication, and each way to the server (an uplink
// and its source address) with whether it answers and its traffic. Rates come from the
// page's history of the paths' byte counters (lib/history.ts, over sampled_ms). A full-width
// card: the paths table needs the room.
import type { Status, Udp } from '../lib/types.js';
import type { Rate } from '../lib/history.js';
import { bitRate, bytes, count } from '../lib/format.js';
import { DSCP_CLASSES } from '../../../../src/config/value-types.js';

type Row = [string, string];

/** The history's key of a path: an uplink may have a path per address family. */
export const pathKey = (p: Udp['paths'][number]) => `${p.uplink} ${p.source}`;

/** A match as the relay reads it (dscp:46), with the class name the user likely typed (ef). */
function matchText(m: string): string {
  const dscp = /^dscp:(\d+)$/.exec(m);
  const name = dscp ? Object.keys(DSCP_CLASSES).find((k) => DSCP_CLASSES[k] === Number(dscp[1])) : undefined;
  return name ? `${m} (${name})` : m;
}

/** Why LAN UDP does not go to the relay now, from what the report says about the redirect. */
function whyInactive(s: Status): string {
  const p = s.proxy!;
  if (p.error) return _('the engine cannot run (see the notice at the top)');
  if (p.redirect_off_reason) return p.redirect_off_reason;
  if (!s.daemon?.running) return _('the mpwan daemon is not running');
  if (p.server_reachable === false) return _('the server does not answer');
  return _('LAN traffic is not redirected to the proxy now');
}

function summaryRows(s: Status, u: Udp): Row[] {
  if (u.mode !== 'server') return [[_('Mode'), _('direct: the best healthy uplink, not through the server')]];
  const rows: Row[] = [
    [_('Mode'), _('through the server (mpwan-relay)')],
    [_('State'), u.active ? _('active') : _('not active: %s; LAN UDP takes the normal route meanwhile').format(whyInactive(s))],
    [_('Sessions'), _('%d open, %d since the relay started').format(u.active_sessions, u.sessions)],
    [_('Datagrams'), _('%s up, %s down').format(count(u.datagrams_up), count(u.datagrams_down))],
  ];
  if (u.duplicate.length > 0) {
    rows.push([_('Sent on two uplinks'), u.duplicate.map(matchText).join(', ')]);
    rows.push([_('Second copies dropped'), count(u.duplicates_dropped)]);
  }
  rows.push([_('Dropped as bad'), count(u.bad)]);
  return rows;
}

function rateText(r: Rate | null, dir: keyof Rate, total: number): string {
  return r ? `${bitRate(r[dir])} (${bytes(total)})` : bytes(total);
}

function pathsTable(u: Udp, rateOf: (key: string) => Rate | null): HTMLElement {
  const head = E('tr', {}, [_('Uplink'), _('Source'), _('Answers'), _('Up'), _('Down')].map((h) => E('th', {}, [h])));
  return E('table', { class: 'mpwan-table mpwan-paths' }, [head, ...u.paths.map((p) => {
    const r = rateOf(pathKey(p));
    const answers = !p.alive ? _('no: skipped') : p.rtt_ms === null ? _('yes') : _('yes, %s ms').format(p.rtt_ms.toFixed(0));
    return E('tr', { 'data-uplink': p.uplink, 'data-alive': p.alive ? '1' : '0' }, [
      E('td', {}, [p.uplink]), E('td', {}, [p.source]), E('td', { class: p.alive ? '' : 'mpwan-bad' }, [answers]),
      E('td', {}, [rateText(r, 'tx', p.bytes_up)]), E('td', {}, [rateText(r, 'rx', p.bytes_down)]),
    ]);
  })]);
}

/** Nothing while the proxy is off, or when the plugin has no UDP report (an older mpwan). */
export function renderUdp(s: Status, rateOf: (key: string) => Rate | null): HTMLElement[] {
  const u = s.proxy?.enabled ? s.proxy.udp : undefined;
  if (!u) return [];
  const children: HTMLElement[] = [
    E('h3', {}, [_('LAN UDP')]),
    E('table', { class: 'mpwan-kv' }, summaryRows(s, u).map(([k, v]) => E('tr', {}, [E('th', {}, [k]), E('td', {}, [v])]))),
  ];
  if (u.mode === 'server' && u.bad > 0)
    children.push(E('p', { class: 'mpwan-note warning' }, [_('Bad datagrams failed the check of their tag, length or time; a router clock more than 60 s off from the server\'s makes every answer bad.')]));
  if (u.mode === 'server' && u.paths.length > 0) {
    children.push(E('h4', {}, [_('Ways to the server')]), pathsTable(u, rateOf));
    children.push(E('p', { class: 'mpwan-note info' }, [_('Best first: datagrams leave by the first that answers; duplicated ones by the first two.')]));
  } else if (u.mode === 'server' && u.active) {
    children.push(E('p', { class: 'mpwan-note info' }, [_('The relay reports no way to the server: datagrams leave as the routing table says.')]));
  }
  return [E('div', { class: 'mpwan-card mpwan-wide mpwan-udp', id: 'mpwan-udp', 'data-mode': u.mode, 'data-active': u.active ? '1' : '0' }, children)];
}
