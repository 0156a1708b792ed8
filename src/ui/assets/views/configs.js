// Configs: the list (status, cursor, last run), and one config: its history as charts (records,
// duration, failures per run), its cursor and status, its last error with the fix, the config
// itself as floe resolves it (secrets redacted by the server), and its last run's log.
import { api } from '../api.js';
import { COLORS, timeChart } from '../charts.js';
import { configHref, count, duration, fill, grid, h, link, statusSpan, tableHref, time } from '../dom.js';

export async function renderConfigs() {
  const { configs } = await api('configs');
  return (el) => {
    fill(
      el,
      h('h1', {}, 'Configs'),
      grid(
        [
          { label: 'Config', render: (c) => link(configHref(c.layer, c.configId), c.configId) },
          { label: 'Layer', key: 'layer' },
          { label: 'Platform', key: 'platform' },
          { label: 'Table', render: (c) => (c.table ? link(tableHref(c.table), c.table) : '') },
          { label: 'Status', render: (c) => (c.valid ? statusSpan(c.status ?? '') : statusSpan('FAILED')) },
          { label: 'Cursor', render: (c) => h('span', { class: 'mono' }, c.cursor ?? '') },
          { label: 'Last run', render: (c) => (c.lastRun ? time(c.lastRun.at) : '') },
          { label: 'Records', num: true, render: (c) => count(c.lastRun?.records) },
          { label: 'Duration', num: true, render: (c) => duration(c.lastRun?.durationMs) },
          {
            label: 'Error',
            render: (c) =>
              h('span', { class: 'error-text' }, c.valid ? (c.lastRun?.error ?? '') : 'invalid config'),
          },
        ],
        configs,
        { attrs: { id: 'configs-list' }, rowData: (c) => ({ config: c.configId, layer: c.layer }) },
      ),
    );
  };
}

export async function renderConfig(id, query) {
  const d = await api(`configs/${encodeURIComponent(id)}`, { layer: query.layer, limit: 200 });
  const lastRun = d.history[d.history.length - 1];
  const log = lastRun
    ? await api(`runs/${encodeURIComponent(lastRun.runId)}/log`, { config: id, limit: 200 }).catch(
        () => undefined,
      )
    : undefined;
  return (el) => {
    const s = d.state ?? {};
    const cards = h(
      'div',
      { class: 'cards' },
      card('Status', statusSpan(s.status ?? (d.problems.length ? 'FAILED' : '—'))),
      card('Cursor', h('span', { class: 'mono', id: 'config-cursor' }, s.lastSyncTime ?? '—')),
      card('Last success', s.lastSuccessfulRun ? time(s.lastSuccessfulRun) : '—'),
      card('Runs shown', String(d.history.length)),
      card('Failures', String(d.failures)),
    );
    const charts = h('div', { class: 'charts', id: 'config-charts' });
    fill(
      el,
      h(
        'h1',
        {},
        d.configId,
        ' ',
        h('span', { class: 'muted' }, `${d.layer}${d.platform ? ` · ${d.platform}` : ''}`),
      ),
      h(
        'p',
        {},
        d.table ? ['writes ', link(tableHref(d.table), d.table), ' · '] : '',
        h('span', { class: 'mono' }, d.file),
        d.alsoIn ? [' · also an ', link(configHref(d.alsoIn, d.configId), `${d.alsoIn} config`)] : '',
      ),
      cards,
      problems(d.problems),
      lastError(d.lastError),
      sources(s.sources),
      h('h2', {}, 'History'),
      charts,
      historyTable(d.history),
      h('h2', {}, 'Next steps'),
      h('pre', { class: 'mono' }, d.next.join('\n')),
      h('h2', {}, 'Config'),
      d.config
        ? h('pre', { class: 'mono', id: 'config-json' }, JSON.stringify(d.config, null, 2))
        : h('p', { class: 'muted' }, 'Not in the config files (any more).'),
      h('h2', {}, 'Log of the last run'),
      log?.exists
        ? h(
            'pre',
            { class: 'log mono' },
            log.lines.map((l) => `${l.time} ${l.level.padEnd(5)} ${l.msg}\n`).join('') || '(no lines)',
          )
        : h('p', { class: 'muted' }, 'No log file for the last run.'),
    );
    if (d.history.length === 0) {
      charts.append(h('p', { class: 'muted' }, 'No runs yet.'));
      return;
    }
    timeChart(charts, {
      title: 'Records per run',
      label: 'records',
      points: d.history.map((r) => ({ at: r.at, value: r.records })),
      color: COLORS.accent,
      bars: true,
      testId: 'records',
    });
    timeChart(charts, {
      title: 'Duration per run',
      label: 'seconds',
      points: d.history.map((r) => ({ at: r.at, value: r.durationMs / 1000 })),
      color: COLORS.muted,
      testId: 'duration',
      format: (v) => `${(+v).toFixed(1)} s`,
    });
    timeChart(charts, {
      title: 'Failures',
      label: 'failed',
      points: d.history.map((r) => ({ at: r.at, value: r.status === 'SUCCESS' ? 0 : 1 })),
      color: COLORS.failed,
      bars: true,
      testId: 'failures',
    });
  };
}

function card(k, v) {
  return h('div', { class: 'card' }, h('div', { class: 'k' }, k), h('div', { class: 'v' }, v));
}

function problems(list) {
  if (!list.length) return '';
  return h(
    'div',
    { class: 'box error', id: 'config-problems' },
    h('strong', {}, 'This config is invalid (it fails alone in a run):'),
    h(
      'ul',
      {},
      ...list.map((p) =>
        h(
          'li',
          {},
          `${p.field ? `${p.field}: ` : ''}${p.message}`,
          p.fix ? h('div', {}, `Fix: ${p.fix}`) : '',
        ),
      ),
    ),
  );
}

function lastError(e) {
  if (!e) return '';
  return [
    h(
      'div',
      { class: 'box error', id: 'config-last-error' },
      h('strong', {}, 'Last error'),
      e.at ? [' (', time(e.at), ')'] : '',
      h('div', { class: 'error-text mono' }, e.message),
    ),
    e.fix ? h('div', { class: 'box fix', id: 'config-fix' }, h('strong', {}, 'Fix: '), e.fix) : '',
  ];
}

function sources(src) {
  const names = Object.keys(src ?? {});
  if (!names.length) return '';
  return [
    h('h2', {}, 'Sources read'),
    grid(
      [
        { label: 'Source', key: 'name' },
        { label: 'Last fetch', render: (r) => h('span', { class: 'mono' }, r.lastSuccessfulFetchTime ?? '') },
        { label: 'Snapshot', render: (r) => h('span', { class: 'mono' }, r.lastSnapshotId ?? '') },
      ],
      names.map((name) => ({ name, ...src[name] })),
    ),
  ];
}

function historyTable(history) {
  return grid(
    [
      { label: 'Finished', render: (r) => time(r.at) },
      { label: 'Run', render: (r) => link(`#/runs?run=${encodeURIComponent(r.runId)}`, r.runId) },
      { label: 'Load', key: 'loadType' },
      { label: 'Status', render: (r) => statusSpan(r.status) },
      { label: 'Records', num: true, render: (r) => count(r.records) },
      { label: 'Duration', num: true, render: (r) => duration(r.durationMs) },
      { label: 'Snapshot', render: (r) => h('span', { class: 'mono' }, r.snapshotId) },
      { label: 'Error', render: (r) => h('span', { class: 'error-text' }, r.error) },
    ],
    [...history].reverse().slice(0, 50),
    { attrs: { id: 'config-history' } },
  );
}
