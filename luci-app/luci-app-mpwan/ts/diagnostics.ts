// Diagnostics: runs `mpwan diagnose` (all uplinks, or one) and shows each check as
// pass/fail with its sentence; lists the live MPTCP connections with bytes per uplink.
import view from 'luci/view';
import dom from 'luci/dom';
import { callConnections, callDiagnose, callStatus, notifyError } from './lib/api.js';
import type { Check, Connections, Diagnosis, Status } from './lib/types.js';
import { bytes } from './lib/format.js';

const CSS = `
.mpwan-check td{vertical-align:top;padding:.2em .6em}
.mpwan-badge{padding:.1em .6em;border-radius:1em;font-size:.85em;color:#fff;background:#777;white-space:nowrap}
.mpwan-badge.pass{background:#2e7d32}.mpwan-badge.fail{background:#c62828}.mpwan-badge.warn{background:#b45309}
.mpwan-actions{display:flex;flex-wrap:wrap;gap:.5em;margin:.5em 0}
`;

const LABEL: Record<Check['status'], string> = { pass: _('pass'), fail: _('fail'), warn: _('warning'), skip: _('skipped') };

function renderDiagnosis(d: Diagnosis): Node {
  if (!d.uplinks.length) return E('p', {}, [_('No uplink is configured.')]);
  return E('div', {}, d.uplinks.map((u) => {
    const failed = u.checks.filter((c) => c.status === 'fail').length;
    return E('div', { class: 'cbi-section', 'data-uplink': u.uplink }, [
      E('h3', {}, [failed ? N_(failed, '%s: %d check failed', '%s: %d checks failed').format(u.uplink, failed) : _('%s: all checks passed').format(u.uplink)]),
      E('table', { class: 'table mpwan-check' }, u.checks.map((c) => E('tr', { 'data-check': c.check, 'data-status': c.status }, [
        E('td', {}, E('span', { class: `mpwan-badge ${c.status}` }, [LABEL[c.status] ?? c.status])),
        E('td', {}, [c.check]),
        E('td', {}, [c.message]),
      ]))),
    ]);
  }));
}

function renderConnections(c: Connections): Node {
  if (!c.available) return E('p', {}, [_('Connections cannot be listed: %s').format(c.reason ?? '-')]);
  if (!c.connections.length) return E('p', {}, [_('No MPTCP connection is open right now.')]);
  return E('table', { class: 'table' }, [
    E('tr', { class: 'tr table-titles' }, [E('th', {}, [_('Remote')]), E('th', {}, [_('Sent')]), E('th', {}, [_('Received')]), E('th', {}, [_('Subflows')])]),
    ...c.connections.map((x) => E('tr', {}, [
      E('td', {}, [x.remote]),
      E('td', {}, [bytes(x.bytes_sent)]),
      E('td', {}, [bytes(x.bytes_received)]),
      E('td', {}, [x.subflows.map((s) => `${s.uplink ?? s.local}: ${bytes(s.bytes_sent)} / ${bytes(s.bytes_received)}`).join('; ')]),
    ])),
  ]);
}

/** Runs `call` with the button disabled, putting the result (or nothing, on error) into `out`. */
function runInto<T>(btn: HTMLButtonElement, out: HTMLElement, call: () => Promise<T>, show: (r: T) => Node): Promise<void> {
  btn.disabled = true;
  dom.content(out, E('p', { class: 'spinning' }, [_('Running…')]));
  return call()
    .then((r) => { dom.content(out, show(r)); })
    .catch((e: unknown) => { dom.content(out, null); notifyError(e); })
    .finally(() => { btn.disabled = false; });
}

export default view.extend({
  load(): Promise<Status | null> {
    // Only for the list of uplinks on the buttons; the page works without it.
    return callStatus().catch(() => null);
  },

  render(data: unknown): Node {
    const status = data as Status | null;
    const results = E('div', { id: 'mpwan-diagnosis' });
    const conns = E('div', { id: 'mpwan-connections' });
    const button = (label: string, uplink?: string) => {
      const b = E('button', { class: 'cbi-button cbi-button-action', 'data-uplink': uplink ?? '' }, [label]) as HTMLButtonElement;
      b.addEventListener('click', () => runInto(b, results, () => (uplink ? callDiagnose(uplink) : callDiagnose()), renderDiagnosis));
      return b;
    };
    const connBtn = E('button', { class: 'cbi-button' }, [_('Refresh')]) as HTMLButtonElement;
    connBtn.addEventListener('click', () => runInto(connBtn, conns, () => callConnections(), renderConnections));
    return E('div', {}, [
      E('style', {}, [CSS]),
      E('h2', {}, [_('Multipath WAN: diagnostics')]),
      E('p', { class: 'cbi-map-descr' }, [_('Checks each uplink: netifd state, usable addresses, routing table and rule, MPTCP endpoint, gateway reply and an MPTCP handshake with the aggregation server.')]),
      E('div', { class: 'mpwan-actions' }, [
        button(_('Check all uplinks')),
        ...(status?.uplinks ?? []).map((u) => button(_('Check %s').format(u.name), u.name)),
      ]),
      results,
      E('h3', {}, [_('MPTCP connections')]),
      E('div', { class: 'mpwan-actions' }, [connBtn]),
      conns,
      E('p', { class: 'cbi-map-descr' }, [_('Throughput tests per uplink need support on the server side, which this mpwan version does not have yet.')]),
    ]);
  },

  handleSave: null,
  handleSaveApply: null,
  handleReset: null,
});
