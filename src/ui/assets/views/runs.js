// Runs: a timeline of the runs (one bar per run, its height the run's duration, its colour the
// run's outcome), the list with filters (platform, config, status, dates), and the selected
// run's configs as the run report shows them (the server renders that part with the report's
// own function), with its log.
import { api } from '../api.js';
import { count, duration, fill, grid, h, statusSpan, svg, time } from '../dom.js';
import { setQuery } from '../router.js';

const COLOR = { SUCCESS: '#1a7f37', FAILED: '#cf222e', INTERRUPTED: '#9a6700' };
const FILTERS = ['platform', 'config', 'status', 'layer', 'since', 'until'];

export async function renderRuns(query) {
  const filters = Object.fromEntries(FILTERS.map((k) => [k, query[k]]));
  const page = await api('runs', { ...filters, limit: query.limit });
  const selectedId = query.run ?? page.runs[0]?.runId;
  // The selected run's details come with the first view: it is what a morning look is for.
  const detail = selectedId
    ? await api(`runs/${encodeURIComponent(selectedId)}`).catch((e) => ({ error: e.message }))
    : undefined;
  return (el) => {
    const runs = [...page.runs];
    let next = page.next;
    const detailBox = h('section', { id: 'run-detail' });
    const listBox = h('div');
    const timeline = h('div');
    let current = selectedId;
    const select = async (runId) => {
      current = runId;
      setQuery({ ...filters, run: runId });
      for (const r of el.querySelectorAll('[data-run]'))
        r.classList.toggle('selected', r.dataset.run === runId);
      showDetail(
        detailBox,
        await api(`runs/${encodeURIComponent(runId)}`).catch((e) => ({ error: e.message })),
      );
    };
    const redraw = () => {
      timeline.replaceChildren(runTimeline(runs, current, select));
      listBox.replaceChildren(runList(runs, current, select));
    };
    const more = h(
      'button',
      {
        id: 'older-runs',
        onclick: async () => {
          const older = await api('runs', { ...filters, before: next });
          runs.push(...older.runs);
          next = older.next;
          more.hidden = !next;
          redraw();
        },
      },
      'Older runs',
    );
    more.hidden = !next;
    redraw();
    fill(
      el,
      h('h1', {}, 'Runs'),
      filterBar(filters, page.facets),
      timeline,
      h('h2', {}, `${runs.length === 0 ? 'No runs' : 'Latest runs'}`),
      listBox,
      more,
      detailBox,
    );
    if (detail) showDetail(detailBox, detail);
  };
}

function filterBar(filters, facets) {
  const choose = (name, values) =>
    h(
      'label',
      {},
      name,
      h(
        'select',
        { name, 'data-filter': name },
        h('option', { value: '' }, 'all'),
        ...values.map((v) => h('option', { value: v, selected: filters[name] === v }, v)),
      ),
    );
  const date = (name) =>
    h('label', {}, name, h('input', { type: 'date', name, 'data-filter': name, value: filters[name] ?? '' }));
  const form = h(
    'form',
    { class: 'filters', id: 'run-filters' },
    choose('platform', facets.platforms),
    choose('config', facets.configs),
    choose('status', facets.statuses),
    choose('layer', ['L1', 'L2']),
    date('since'),
    date('until'),
    h('button', { type: 'reset' }, 'Clear'),
  );
  const apply = () => {
    const q = {};
    for (const input of form.querySelectorAll('[data-filter]')) if (input.value) q[input.name] = input.value;
    setQuery(q, { push: true });
  };
  form.addEventListener('change', apply);
  form.addEventListener('reset', () => setTimeout(apply));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    apply();
  });
  return form;
}

/** Oldest left, newest right; bar height by duration (square root, so one long run does not flatten the rest). */
function runTimeline(runs, selectedId, select) {
  const W = 1000;
  const H = 90;
  const shown = [...runs].reverse();
  // At most 40 units a run, newest at the right edge: a few runs stay bars, not blocks.
  const slot = Math.min(40, W / Math.max(shown.length, 1));
  const left = W - slot * shown.length;
  const maxRoot = Math.max(1, ...shown.map((r) => Math.sqrt(r.durationMs)));
  const out = svg('svg', {
    class: 'timeline',
    viewBox: `0 0 ${W} ${H}`,
    preserveAspectRatio: 'none',
    'data-chart': 'runs-timeline',
    role: 'img',
    'aria-label': 'runs over time, coloured by outcome',
  });
  shown.forEach((r, i) => {
    const hgt = Math.max(6, ((H - 8) * Math.sqrt(r.durationMs)) / maxRoot);
    const rect = svg(
      'rect',
      {
        x: left + i * slot + slot * 0.1,
        y: H - hgt,
        width: Math.max(1, slot * 0.8),
        height: hgt,
        fill: COLOR[r.status] ?? '#8c959f',
        class: r.runId === selectedId ? 'selected' : undefined,
        'data-run': r.runId,
        'data-status': r.status,
      },
      svg(
        'title',
        {},
        `${r.runId}\n${r.status}: ${r.succeeded} ok, ${r.failed} failed, ${r.interrupted} interrupted\n${r.finishedAt}`,
      ),
    );
    rect.addEventListener('click', () => select(r.runId));
    out.append(rect);
  });
  return out;
}

function runList(runs, selectedId, select) {
  const table = grid(
    [
      { label: 'Finished', render: (r) => time(r.finishedAt) },
      { label: 'Run', render: (r) => h('span', { class: 'mono' }, r.runId) },
      { label: 'Status', render: (r) => statusSpan(r.status) },
      { label: 'Configs', num: true, render: (r) => `${r.succeeded}/${r.configs}` },
      { label: 'Failed', num: true, render: (r) => (r.failed ? String(r.failed) : '') },
      { label: 'Records', num: true, render: (r) => count(r.records) },
      { label: 'Duration', num: true, render: (r) => duration(r.durationMs) },
      { label: 'Layers', render: (r) => r.layers.join(' + ') },
      { label: 'Platforms', render: (r) => r.platforms.join(', ') },
    ],
    runs,
    {
      attrs: { id: 'runs-list' },
      rowData: (r) => ({ run: r.runId, status: r.status }),
      onRow: (r) => select(r.runId),
    },
  );
  for (const tr of table.querySelectorAll('tr[data-run]'))
    tr.classList.toggle('selected', tr.dataset.run === selectedId);
  return table;
}

function showDetail(box, d) {
  if (d.error) {
    box.replaceChildren(h('div', { class: 'box error' }, d.error));
    return;
  }
  const section = h('div', { class: 'run-section', 'data-run-id': d.run.runId });
  // Rendered by the server with the run report's function (escaped there; see html-report.ts).
  section.innerHTML = d.html;
  const logBox = h('div');
  const logButton = h(
    'button',
    {
      onclick: async () => {
        const log = await api(`runs/${encodeURIComponent(d.run.runId)}/log`, { level: 'info', limit: 500 });
        logBox.replaceChildren(
          log.exists
            ? h(
                'pre',
                { class: 'log mono' },
                log.lines
                  .map((l) => `${l.time} ${l.level.padEnd(5)} ${l.configId ?? ''} ${l.msg}\n`)
                  .join(''),
              )
            : h('p', { class: 'muted' }, 'This run has no log file in the project.'),
        );
      },
    },
    'Show log',
  );
  box.replaceChildren(
    h('h2', {}, 'Run ', h('span', { class: 'mono' }, d.run.runId)),
    section,
    logButton,
    logBox,
  );
}
