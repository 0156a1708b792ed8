// floe ui: a hash-routed page over the JSON API. Each view builds its content off-screen and is
// swapped in when its data arrived; `main[data-ready]` then says the view is complete (tests
// and the first-view timing wait for it).
import { api } from './api.js';
import { h } from './dom.js';
import { parseHash } from './router.js';
import { renderConfig, renderConfigs } from './views/configs.js';
import { renderHealth } from './views/health.js';
import { renderRuns } from './views/runs.js';
import { renderTable, renderTables } from './views/tables.js';

const ROUTES = [
  { re: /^\/runs$/, nav: 'runs', render: (q) => renderRuns(q) },
  { re: /^\/configs$/, nav: 'configs', render: () => renderConfigs() },
  { re: /^\/configs\/([^/]+)$/, nav: 'configs', render: (q, m) => renderConfig(decodeURIComponent(m[1]), q) },
  { re: /^\/tables$/, nav: 'tables', render: () => renderTables() },
  { re: /^\/tables\/([^/]+)$/, nav: 'tables', render: (q, m) => renderTable(decodeURIComponent(m[1]), q) },
  { re: /^\/health$/, nav: 'health', render: () => renderHealth() },
];

let generation = 0;
let firstView = true;

async function route() {
  const mine = ++generation;
  const main = document.getElementById('view');
  const { path, query } = parseHash();
  const hit = ROUTES.map((r) => ({ r, m: r.re.exec(path) })).find((x) => x.m);
  for (const a of document.querySelectorAll('nav a'))
    a.classList.toggle('active', a.dataset.nav === (hit ? hit.r.nav : ''));
  main.removeAttribute('data-ready');
  main.dataset.view = hit ? hit.r.nav : 'none';
  main.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
  let content;
  try {
    if (!hit) throw new Error(`no such view: ${path}`);
    // The container goes into the page before the view fills it: charts need its width.
    content = h('div', { class: 'view-content' }, h('p', { class: 'muted' }, 'Loading…'));
    main.replaceChildren(content);
    await hit.r.render(query, hit.m, content, () => mine === generation);
  } catch (e) {
    if (mine !== generation) return;
    main.replaceChildren(h('div', { class: 'box error', 'data-error': '' }, String(e.message ?? e)));
  }
  if (mine !== generation) return;
  main.dataset.ready = '1';
  if (firstView) {
    firstView = false;
    // Milliseconds from navigation start to the first complete view.
    document.documentElement.dataset.firstViewMs = String(Math.round(performance.now()));
  }
}

/** Views get their container as the third argument (see ROUTES). */
for (const r of ROUTES) {
  const render = r.render;
  r.render = (q, m, el, current) => render(q, m).then((build) => (current() ? build(el) : undefined));
}

window.addEventListener('hashchange', route);
route();
api('project')
  .then((p) => {
    document.getElementById('project').textContent =
      `${p.name ?? ''} ${p.environment ? `(${p.environment})` : ''}`.trim();
  })
  .catch(() => {});
