// The status page's state across polls: the throughput histories (uplinks, the relay's UDP
// paths) and the DOM it refreshes.
import dom from 'luci/dom';
import type { Status } from '../lib/types.js';
import { History } from '../lib/history.js';
import { bitRate } from '../lib/format.js';
import { CHART_CSS, COLORS, lineChart, TEXT_COLOR, type Series } from '../lib/svg.js';
import { renderUplinkCard } from './uplink.js';
import { renderCounters, renderProxy, renderSync } from './summary.js';
import { renderDefaultRoute } from './default-route.js';
import { renderNotices } from './notices.js';
import { pathKey, renderUdp } from './udp.js';

const KEEP_MS = 5 * 60 * 1000;

/** LuCI's poll interval (its env.pollinterval, uci luci.main.pollinterval, 5 s unless set), which poll.add uses. */
export const pollSeconds = (): number => (L.env.pollinterval > 0 ? L.env.pollinterval : 5);

const CSS = `
.mpwan-grid{display:flex;flex-wrap:wrap;gap:1em;margin-bottom:1em}
.mpwan-card{flex:1 1 18em;min-width:0;max-width:100%;border:1px solid #8886;border:1px solid color-mix(in srgb,currentColor 25%,transparent);border-radius:6px;padding:.6em .8em;box-sizing:border-box}
.mpwan-wide{flex-basis:100%}#mpwan-aggregate,#mpwan-warnings{margin-bottom:1em}
.mpwan-card-head{display:flex;align-items:center;gap:.5em;font-size:1.1em}
.mpwan-swatch{width:.8em;height:.8em;border-radius:50%;display:inline-block}
.mpwan-badge{margin-left:auto;padding:.1em .6em;border-radius:1em;font-size:.85em;color:#fff;background:#777}
.mpwan-badge.good{background:#2e7d32}.mpwan-badge.bad{background:#c62828}
.mpwan-share{height:4px;margin:.4em 0;position:relative}.mpwan-share::before{content:"";position:absolute;inset:0;background:currentColor;opacity:.12}
.mpwan-share div{height:4px;position:relative}
.mpwan-kv{width:100%;border-collapse:collapse}.mpwan-kv th{width:1%;text-align:left;font-weight:normal;opacity:.75;padding-right:1em;white-space:nowrap;vertical-align:top}
.mpwan-kv td{overflow-wrap:anywhere}
.mpwan-legend span{margin-right:1em;white-space:nowrap}
.mpwan-note.warning{color:#b45309}.mpwan-note.info{opacity:.8}
.mpwan-alert{border:1px solid #c62828;border-left-width:6px;border-radius:4px;padding:.4em .8em;margin-bottom:1em}
.mpwan-alert ul{margin:.3em 0 .3em 1.2em}.mpwan-alert li{overflow-wrap:anywhere}
.mpwan-route th{width:3em}
.mpwan-udp h4{margin:.6em 0 .2em}
.mpwan-table{width:100%;border-collapse:collapse}.mpwan-table th{text-align:left;font-weight:normal;opacity:.75;white-space:nowrap}
.mpwan-table td,.mpwan-table th{padding:.1em .8em .1em 0}.mpwan-table td{overflow-wrap:anywhere}.mpwan-bad{color:#c62828}
${CHART_CSS}`;

export class StatusPage {
  readonly root: HTMLElement;
  /** Samples across a chart's width: five minutes of polls. */
  private readonly capacity: number;
  // A window under half a poll interval gives a noisy rate: skipped.
  private readonly history: History;
  /** The relay's UDP paths (pathKey -> bytes), for their rates. */
  private readonly udpHistory: History;
  private readonly notices = E('div', { id: 'mpwan-notices' });
  private readonly cards = E('div', { class: 'mpwan-grid', id: 'mpwan-uplinks' });
  private readonly aggregate: HTMLElement;
  private readonly legend = E('div', { class: 'mpwan-legend' });
  private readonly rest = E('div', { class: 'mpwan-grid' });
  /** Uplink name -> colour, fixed at first sight so lines keep their colour. */
  private readonly colors = new Map<string, string>();
  /** When the data on screen was fetched (ms). */
  private updatedAt = -Infinity;

  constructor(readonly pollSeconds: number) {
    this.capacity = Math.round(KEEP_MS / 1000 / pollSeconds);
    this.history = new History(KEEP_MS, (pollSeconds * 1000) / 2);
    this.udpHistory = new History(KEEP_MS, (pollSeconds * 1000) / 2);
    this.aggregate = lineChart([], this.capacity);
    this.root = E('div', { id: 'mpwan-status' }, [
      E('style', {}, [CSS]),
      E('h2', {}, [_('Multipath WAN')]),
      E('p', { class: 'cbi-map-descr' }, [_('Every uplink carries subflows of the same MPTCP connections; the graphs show the last five minutes.')]),
      this.notices,
      E('div', { class: 'mpwan-card mpwan-wide', id: 'mpwan-aggregate' }, [E('h3', {}, [_('Throughput, all uplinks')]), this.legend, this.aggregate]),
      this.cards,
      this.rest,
    ]);
  }

  private color(name: string): string {
    if (!this.colors.has(name)) this.colors.set(name, COLORS[this.colors.size % COLORS.length]);
    return this.colors.get(name)!;
  }

  /** Whether the data on screen is younger than half a poll interval: a poll now would add a
   *  rate measured over a few milliseconds. */
  isFresh(now = Date.now()): boolean {
    return now - this.updatedAt < (this.pollSeconds * 1000) / 2;
  }

  update(s: Status, now = new Date()): void {
    this.updatedAt = now.getTime();
    const bytesOf = Object.fromEntries(s.uplinks.map((u) => [u.name,
      u.rx_bytes === null || u.tx_bytes === null ? null : { rx: u.rx_bytes, tx: u.tx_bytes }]));
    // The router's clock when it sends one (an older mpwan does not): see lib/history.ts.
    const t = typeof s.sampled_ms === 'number' ? s.sampled_ms : now.getTime();
    this.history.push(t, bytesOf);
    const paths = s.proxy?.udp?.paths ?? [];
    this.udpHistory.push(t, Object.fromEntries(paths.map((p) => [pathKey(p), { rx: p.bytes_down, tx: p.bytes_up }])));
    const shares = this.history.shares();
    dom.content(this.cards, s.uplinks.length
      ? s.uplinks.map((u) => renderUplinkCard({
          uplink: u, share: shares[u.name], capacity: this.capacity, color: this.color(u.name),
          series: [
            { label: `${u.name} rx`, color: this.color(u.name), values: this.history.series(u.name, 'rx') },
            { label: `${u.name} tx`, color: this.color(u.name), values: this.history.series(u.name, 'tx'), dashed: true },
          ],
        }, now))
      : E('p', {}, [_('No uplink is configured: add one under Settings.')]));
    this.renderAggregate(s);
    dom.content(this.notices, renderNotices(s));
    dom.content(this.rest, [...renderSync(s), ...renderDefaultRoute(s, now), renderProxy(s),
      ...renderUdp(s, (k) => this.udpHistory.latest(k)), renderCounters(s)]);
  }

  private renderAggregate(s: Status): void {
    // Per uplink: download + upload, so an upload-only transfer is visible too.
    const series: Series[] = s.uplinks.map((u) => ({ label: u.name, color: this.color(u.name), values: this.history.both(u.name) }));
    const rx = this.history.total('rx'), tx = this.history.total('tx');
    series.push({ label: 'total rx', color: TEXT_COLOR, values: rx }, { label: 'total tx', color: TEXT_COLOR, values: tx, dashed: true });
    lineChart(series, this.capacity, this.aggregate);
    const last = (v: number[]) => (v.length ? v[v.length - 1] : 0);
    dom.content(this.legend, [
      E('span', {}, [_('Download %s').format(bitRate(last(rx)))]),
      E('span', {}, [_('Upload %s').format(bitRate(last(tx)))]),
      ...s.uplinks.map((u) => E('span', { style: `color:${this.color(u.name)}` }, [`● ${u.name} ${bitRate(last(this.history.both(u.name)))}`])),
    ]);
  }
}
