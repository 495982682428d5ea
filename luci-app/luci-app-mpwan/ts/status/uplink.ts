// One uplink card: state and since when, health, addresses, endpoints, traffic share and a
// throughput sparkline.
import type { Uplink } from '../lib/types.js';
import { bytes, duration, sinceDate } from '../lib/format.js';
import { lineChart, type Series } from '../lib/svg.js';

/** state -> [label, badge class]. `health.state` wins over the plan's state when present. */
function stateBadge(u: Uplink): [string, string] {
  const h = u.health?.state;
  if (h === 'down') return [_('down (probes fail)'), 'bad'];
  switch (u.state) {
    case 'active': return [h === 'up' ? _('up') : _('active'), 'good'];
    case 'down': return [_('down'), 'bad'];
    case 'failed': return [_('failed'), 'bad'];
    case 'disabled': return [_('off'), 'idle'];
    case 'no-address': return [_('no usable address'), 'bad'];
    case 'unknown': return [_('not a netifd interface'), 'bad'];
    default: return [u.state, 'idle'];
  }
}

function healthRows(u: Uplink, now: Date): [string, string][] {
  const h = u.health;
  if (!h) return [];
  const rows: [string, string][] = [];
  const since = sinceDate(h.since);
  if (since) rows.push([_('Since'), _('%s (%s ago)').format(since.toLocaleTimeString(), duration((now.getTime() - since.getTime()) / 1000))]);
  if (typeof h.latency_ms === 'number') rows.push([_('Latency'), _('%s ms').format(h.latency_ms.toFixed(1))]);
  if (typeof h.loss === 'number') rows.push([_('Loss'), _('%s %%').format((h.loss * 100).toFixed(0))]);
  if (h.probed === false) rows.push([_('Health'), _('carrier only (nothing to probe)')]);
  if (h.state === 'up' && h.suspect) rows.push([_('Health'), _('missed a probe round lately: new connections start on another uplink if one answers')]);
  if (h.reason) rows.push([_('Why'), h.reason]);
  if (h.last_error) rows.push([_('Last error'), h.last_error]);
  return rows;
}

export interface CardInput { uplink: Uplink; share: number | undefined; series: Series[]; capacity: number; color: string }

export function renderUplinkCard(c: CardInput, now: Date): HTMLElement {
  const u = c.uplink;
  const [label, cls] = stateBadge(u);
  const flags = u.endpoints.map((e) => `#${e.id} ${e.address} ${e.flags.join(' ')}`);
  const rows: [string, string][] = [
    [_('Mode'), u.mode],
    [_('Device'), u.device ?? '-'],
    ...healthRows(u, now),
    ...(u.failure && u.failure !== u.health?.reason ? [[_('Why'), u.failure] as [string, string]] : []),
    [_('Addresses'), u.addresses.join(', ') || '-'],
    [_('Endpoints'), flags.join('; ') || _('none')],
    [_('Traffic'), _('%s received, %s sent').format(bytes(u.rx_bytes), bytes(u.tx_bytes))],
    [_('Share now'), c.share === undefined ? '-' : `${Math.round(c.share * 100)} %`],
  ];
  for (const s of u.skipped ?? []) rows.push([_('Not used'), `${s.address}: ${s.reason}`]);
  return E('div', { class: 'mpwan-card', 'data-uplink': u.name, 'data-state': cls }, [
    E('div', { class: 'mpwan-card-head' }, [
      E('span', { class: 'mpwan-swatch', style: `background:${c.color}` }),
      E('strong', {}, [u.name]),
      E('span', { class: `mpwan-badge ${cls}` }, [label]),
    ]),
    E('div', { class: 'mpwan-share' }, E('div', { style: `width:${Math.round((c.share ?? 0) * 100)}%;background:${c.color}` })),
    E('table', { class: 'mpwan-kv' }, rows.map(([k, v]) => E('tr', {}, [E('th', {}, [k]), E('td', {}, [v])]))),
    lineChart(c.series, c.capacity),
  ]);
}
