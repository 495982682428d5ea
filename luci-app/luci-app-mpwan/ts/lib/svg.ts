// A small SVG line chart. E() creates HTML elements, so SVG nodes are made with
// createElementNS. The chart scales with its container's width (viewBox, aspect kept), which
// keeps it readable on a phone; its scale label is HTML laid over it, so it keeps the page's
// text size however wide the chart is drawn. Lines and grid without a colour of their own
// take the theme's text colour (currentColor), so they show on light and dark themes alike.
import { bitRate } from './format.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 600, H = 150, PAD = 4;

export interface Series { label: string; color: string; values: number[]; dashed?: boolean }

function node(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  return n;
}

/** Points of one series, right-aligned so the newest sample is always at the right edge. */
function path(values: number[], capacity: number, max: number): string {
  const step = (W - 2 * PAD) / Math.max(1, capacity - 1);
  const x0 = W - PAD - (values.length - 1) * step;
  return values.map((v, i) => `${i ? 'L' : 'M'}${(x0 + i * step).toFixed(1)},${(H - PAD - (v / max) * (H - 2 * PAD)).toFixed(1)}`).join(' ');
}

/** The chart's CSS: its box, the label laid over it, the grid in the theme's colour. */
export const CHART_CSS = `
.mpwan-chart-box{position:relative}
.mpwan-chart{width:100%;height:auto;display:block}.mpwan-chart .grid{stroke:currentColor;stroke-opacity:.15}
.mpwan-chart-box .scale{position:absolute;top:2px;left:4px;font-size:12px;line-height:1;opacity:.6;pointer-events:none}
`;

/** Renders (or re-renders into `box`, an earlier result) the series; `capacity` is how many samples fill the width. */
export function lineChart(series: Series[], capacity: number, box?: HTMLElement): HTMLElement {
  const root = box?.querySelector('svg') ?? (node('svg', { viewBox: `0 0 ${W} ${H}`, class: 'mpwan-chart', role: 'img' }) as SVGSVGElement);
  const scale = box?.querySelector<HTMLElement>('.scale') ?? E('span', { class: 'scale' });
  while (root.firstChild) root.removeChild(root.firstChild);
  const max = Math.max(1000, ...series.flatMap((s) => s.values)) * 1.1;
  for (const f of [0.25, 0.5, 0.75]) root.appendChild(node('line', { x1: 0, x2: W, y1: H * f, y2: H * f, class: 'grid' }));
  for (const s of series) {
    if (s.values.length < 2) continue;
    root.appendChild(node('path', { d: path(s.values, capacity, max), stroke: s.color, fill: 'none', 'stroke-width': 2,
      'vector-effect': 'non-scaling-stroke', ...(s.dashed ? { 'stroke-dasharray': '4 3' } : {}), 'data-series': s.label }));
  }
  scale.textContent = bitRate(max);
  root.setAttribute('data-samples', String(Math.max(0, ...series.map((s) => s.values.length))));
  return box ?? E('div', { class: 'mpwan-chart-box' }, [scale, root as unknown as HTMLElement]);
}

/** A line in the theme's text colour (the totals). */
export const TEXT_COLOR = 'currentColor';

/** Distinct, colour-blind-friendly line colours (Okabe-Ito). */
export const COLORS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#000000'];
