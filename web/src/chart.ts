/** A line chart in plain SVG: one series over time, with its latest value in the heading. */
export interface Point {
  t: number;
  v: number;
}

const NS = 'http://www.w3.org/2000/svg';
const WIDTH = 480;
const HEIGHT = 140;
const PAD = 56;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>): SVGElementTagNameMap[K] {
  const element = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

/** `ceiling` fixes the top of the scale (1 for a rate); otherwise the highest value sets it. */
export function lineChart(title: string, points: readonly Point[], format: (value: number) => string, spanMs: number, now = Date.now(), ceiling?: number): HTMLElement {
  const figure = document.createElement('figure');
  figure.className = 'chart';
  // What the chart draws, for tests and tools: how many points and their sum.
  figure.dataset.points = String(points.length);
  figure.dataset.sum = String(points.reduce((total, point) => total + point.v, 0));
  const caption = document.createElement('figcaption');
  const last = points[points.length - 1];
  caption.textContent = `${title}: ${last === undefined ? 'no data yet' : format(last.v)}`;
  const max = ceiling ?? Math.max(1e-9, ...points.map((point) => point.v));
  const x = (t: number) => PAD + ((t - (now - spanMs)) / spanMs) * (WIDTH - PAD - 4);
  const y = (v: number) => HEIGHT - 18 - (v / max) * (HEIGHT - 28);
  const chart = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': `${title} over the last ${Math.round(spanMs / 60_000)} minutes; latest ${last === undefined ? 'none' : format(last.v)}, highest ${format(max)}` });
  chart.appendChild(svg('line', { x1: PAD, y1: HEIGHT - 18, x2: WIDTH - 4, y2: HEIGHT - 18, class: 'axis' }));
  for (const [value, label] of [[max, format(max)], [0, format(0)]] as const) {
    const text = svg('text', { x: PAD - 4, y: y(value) + 4, 'text-anchor': 'end', class: 'tick' });
    text.textContent = label;
    chart.appendChild(text);
  }
  for (const [t, label] of [[now - spanMs, `-${Math.round(spanMs / 60_000)} min`], [now, 'now']] as const) {
    const text = svg('text', { x: x(t), y: HEIGHT - 4, 'text-anchor': t === now ? 'end' : 'start', class: 'tick' });
    text.textContent = label;
    chart.appendChild(text);
  }
  // A single sample is a dot; a line needs two.
  for (const point of points.length === 1 ? points : []) chart.appendChild(svg('circle', { cx: x(point.t), cy: y(point.v), r: 3, class: 'dot' }));
  if (points.length > 1) {
    chart.appendChild(svg('polyline', { points: points.map((point) => `${x(point.t).toFixed(1)},${y(point.v).toFixed(1)}`).join(' '), class: 'series' }));
  }
  figure.append(caption, chart);
  return figure;
}
