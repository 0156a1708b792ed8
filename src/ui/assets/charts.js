// Charts with uPlot (canvas; served from the installed package, no CDN). One helper per chart
// kind the views need: a time series (line or bars) and grouped bars over an index.
import uPlot from '/assets/vendor/uPlot.esm.js';

const COLORS = { ok: '#1a7f37', failed: '#cf222e', accent: '#0969da', muted: '#8c959f' };

export { COLORS };

function box(title, attrs = {}) {
  const el = document.createElement('div');
  el.className = 'chart';
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  const t = document.createElement('div');
  t.className = 'title';
  t.textContent = title;
  el.append(t);
  return el;
}

function width(parent) {
  return Math.max(280, Math.min(640, Math.floor((parent.clientWidth || 900) / 2) - 24));
}

/**
 * A chart of values over time. `points`: [{ at: ISO, value: number|null }]. `bars`: draw bars
 * (counts per run) instead of a line.
 */
export function timeChart(
  parent,
  { title, label, points, color = COLORS.accent, bars = false, format, testId },
) {
  const el = box(title, testId ? { 'data-chart': testId } : {});
  parent.append(el);
  const xs = points.map((p) => Date.parse(p.at) / 1000);
  const ys = points.map((p) => p.value);
  const series = {
    label,
    stroke: color,
    fill: bars ? `${color}99` : `${color}22`,
    width: bars ? 1 : 2,
    points: { show: points.length < 60 },
    ...(bars ? { paths: uPlot.paths.bars({ size: [0.6, 40] }) } : {}),
    ...(format ? { value: (_u, v) => (v === null || v === undefined ? '' : format(v)) } : {}),
  };
  new uPlot(
    {
      width: width(parent),
      height: 180,
      scales: {
        x: { time: true },
        y: { range: (_u, min, max) => [Math.min(0, min ?? 0), Math.max(1, max ?? 1)] },
      },
      axes: [{}, { size: 60, ...(format ? { values: (_u, vals) => vals.map(format) } : {}) }],
      series: [{}, series],
      legend: { show: true },
    },
    [xs, ys],
    el,
  );
  return el;
}

/** Grouped bars over an index (one group per snapshot): `groups`: [{ label, values, color }]. */
export function indexBars(parent, { title, labels, groups, testId }) {
  const el = box(title, testId ? { 'data-chart': testId } : {});
  parent.append(el);
  const xs = labels.map((_l, i) => i + 1);
  const n = groups.length;
  new uPlot(
    {
      width: Math.max(parent.clientWidth - 24, 320),
      height: 200,
      scales: { x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] } },
      axes: [{ values: (_u, vals) => vals.map((v) => (Number.isInteger(v) ? `#${v}` : '')) }, { size: 60 }],
      series: [
        { label: 'snapshot', value: (_u, v) => (v ? `#${v} ${labels[v - 1] ?? ''}` : '') },
        ...groups.map((g, i) => ({
          label: g.label,
          stroke: g.color,
          fill: `${g.color}bb`,
          width: 1,
          paths: uPlot.paths.bars({ size: [0.8 / n, 60], align: n === 1 ? 0 : i === 0 ? -1 : 1 }),
          points: { show: false },
        })),
      ],
    },
    [xs, ...groups.map((g) => g.values)],
    el,
  );
  return el;
}
