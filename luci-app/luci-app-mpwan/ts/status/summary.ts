// The cards below the uplinks: MPTCP counters with their explanation, proxy and server (the
// engine, and whether it encrypts), daemon, and what is not in sync.
import type { Status } from '../lib/types.js';
import { COUNTER_ROWS, counterNotes } from './counters.js';

const yesNo = (b: boolean | null | undefined) => (b === null || b === undefined ? '-' : b ? _('yes') : _('no'));

export function renderCounters(s: Status): HTMLElement {
  return E('div', { class: 'mpwan-card mpwan-wide', id: 'mpwan-counters' }, [
    E('h3', {}, [_('MPTCP counters')]),
    E('table', { class: 'mpwan-kv' }, COUNTER_ROWS.map(([label, key]) =>
      E('tr', {}, [E('th', {}, [label]), E('td', {}, [String(s.counters[key] ?? 0)])]))),
    ...counterNotes(s.counters).map((n) => E('p', { class: `mpwan-note ${n.level}` }, [n.text])),
  ]);
}

/** The engine and what it does to the traffic: the relay authenticates, shadowsocks encrypts. */
function engineText(engine: string): string {
  return engine === 'relay' ? _('mpwan-relay: authenticated, not encrypted') : _('%s: encrypted').format(engine);
}

export function renderProxy(s: Status): HTMLElement {
  const p = s.proxy;
  const rows: [string, string][] = p && p.enabled
    ? [
        [_('Engine'), engineText(p.engine)],
        [_('Local port'), String(p.port)],
        [_('Server'), p.active_server ? `${p.active_server} (${p.server ?? '-'})` : p.server ?? '-'],
        [_('Instances running'), `${p.running_instances} / ${p.instances}`],
        [_('LAN traffic redirected'), yesNo(p.redirect_active)],
        [_('Server reachable'), yesNo(p.server_reachable)],
        [_('Connections to the server'), p.server_connections
          ? _('%d MPTCP, %d plain TCP').format(p.server_connections.mptcp, p.server_connections.tcp) : '-'],
      ]
    : [[_('Proxy'), _('not configured: only connections the router makes itself use MPTCP')]];
  const d = s.daemon;
  rows.push([_('Daemon'), d?.running ? _('running (pid %d)').format(d.pid ?? 0) : _('not running')]);
  if (d?.last_error) rows.push([_('Daemon error'), d.last_error]);
  const notes: string[] = [];
  if (p?.error) notes.push(_('The engine cannot run: see the notice at the top.'));
  if (p?.server_connections && p.server_connections.tcp > 0)
    notes.push(_('Some proxy connections to the server fell back to plain TCP: they use one uplink only.'));
  if (p?.enabled && p.server_reachable === false) notes.push((p.servers?.length ?? 0) > 1 ? _('No aggregation server answers: LAN traffic goes out directly (fail-open).') : _('The aggregation server does not answer: LAN traffic goes out directly (fail-open).'));
  if (p?.enabled && p.server_answers === false)
    notes.push(p.engine === 'relay'
      ? _('The aggregation server accepts connections but answers none through the relay: check the relay key (import the mpwan:// link mpwan server setup prints). LAN traffic goes out directly meanwhile.')
      : _('The aggregation server accepts connections but answers none through the proxy: check the password and cipher (import the link mpwan server setup prints). LAN traffic goes out directly meanwhile.'));
  return E('div', { class: 'mpwan-card', id: 'mpwan-proxy' }, [
    E('h3', {}, [_('Proxy and server')]),
    E('table', { class: 'mpwan-kv' }, rows.map(([k, v]) => E('tr', {}, [E('th', {}, [k]), E('td', {}, [v])]))),
    ...notes.map((n) => E('p', { class: 'mpwan-note warning' }, [n])),
  ]);
}

/** The card of what is not as it should be; none when all is well. The children array is
 *  built without placeholders: dom.append would print a null member as "null". Warnings have
 *  their own card (notices.ts). */
export function renderSync(s: Status): HTMLElement[] {
  if (s.in_sync && s.enabled) return [];
  const lines: HTMLElement[] = [];
  if (!s.enabled) lines.push(E('p', { class: 'mpwan-note warning' }, [_('mpwan is disabled in its settings.')]));
  if (!s.in_sync) {
    lines.push(E('p', { class: 'mpwan-note warning' }, [_('The kernel differs from the plan; the next apply will:')]));
    lines.push(E('ul', {}, s.pending.map((p) => E('li', {}, [p]))));
  }
  return [E('div', { class: 'mpwan-card mpwan-wide', id: 'mpwan-sync' }, lines)];
}
