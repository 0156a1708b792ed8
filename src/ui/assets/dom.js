// Small DOM and formatting helpers. Text from the API is only ever set as text (never parsed as
// HTML), except the run section, which the server renders escaped (html-report.ts).

/** `h('td', { class: 'num' }, '42')`: an element with attributes and children (strings become text). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/** Replaces `el`'s children (arrays flattened, empty values skipped, strings as text). */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** An SVG element (the runs timeline). */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs))
    if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  append(el, children);
  return el;
}

/** A table: columns [{ key, label, num?, render? }], rows of objects. */
export function grid(columns, rows, opts = {}) {
  const head = h('tr', {}, ...columns.map((c) => h('th', { class: c.num ? 'num' : undefined }, c.label)));
  const body = rows.map((r, i) => {
    const tr = h(
      'tr',
      { class: opts.onRow ? 'clickable' : undefined, dataset: opts.rowData ? opts.rowData(r) : undefined },
      ...columns.map((c) => {
        const v = c.render ? c.render(r) : r[c.key];
        return h(
          'td',
          { class: [c.num ? 'num' : '', c.cls ? c.cls(r) : ''].join(' ').trim() || undefined },
          v ?? '',
        );
      }),
    );
    if (opts.onRow) tr.addEventListener('click', () => opts.onRow(r, tr, i));
    return tr;
  });
  return h('table', { class: 'grid', ...(opts.attrs ?? {}) }, h('thead', {}, head), h('tbody', {}, ...body));
}

export function statusSpan(status) {
  return h('span', { class: `status-${status}` }, status ?? '');
}

export function duration(ms) {
  if (ms === undefined || ms === null || !Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function count(n) {
  if (n === undefined || n === null || n === '') return '';
  const x = typeof n === 'string' ? Number(n) : n;
  return Number.isFinite(x) ? x.toLocaleString('en-US') : String(n);
}

export function bytes(n) {
  const x = Number(n);
  if (!Number.isFinite(x)) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = x;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** `2024-05-01 03:12:09` in the browser's time zone, the ISO string as its title. */
export function time(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n) => String(n).padStart(2, '0');
  const text = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  return h('time', { datetime: iso, title: iso }, text);
}

export function link(href, text) {
  return h('a', { href }, text);
}

export const configHref = (layer, id) => `#/configs/${encodeURIComponent(id)}?layer=${layer}`;
export const tableHref = (name) => `#/tables/${encodeURIComponent(name)}`;
