// Tables: every table with its size; one table: its numbers, a chart of records added and
// deleted per snapshot, the snapshots, the schema (types, field ids) and how it evolved, the
// partition spec, sort order and properties, and its rows a page at a time, with a column choice
// and a filter in `floe table read --where` syntax.
import { api } from '../api.js';
import { COLORS, indexBars } from '../charts.js';
import { bytes, configHref, count, fill, grid, h, link, tableHref, time } from '../dom.js';
import { setQuery } from '../router.js';

const PAGE = 50;

export async function renderTables() {
  const { tables } = await api('tables');
  return (el) => {
    fill(
      el,
      h('h1', {}, 'Tables'),
      tables.length === 0
        ? h('p', { class: 'muted' }, 'No tables yet: the catalog is empty or absent.')
        : grid(
            [
              { label: 'Table', render: (t) => link(tableHref(t.name), t.name) },
              { label: 'Rows', num: true, render: (t) => count(t.records) },
              { label: 'Size', num: true, render: (t) => bytes(t.sizeBytes) },
              { label: 'Files', num: true, render: (t) => count(t.dataFiles) },
              { label: 'Delete files', num: true, render: (t) => count(t.deleteFiles) },
              { label: 'Snapshots', num: true, render: (t) => count(t.snapshots) },
              { label: 'Updated', render: (t) => time(t.updatedAt) },
              { label: 'Written by', render: (t) => t.configs.map(configLink) },
              {
                label: 'Health',
                render: (t) =>
                  t.error
                    ? h('span', { class: 'error-text' }, t.error)
                    : t.signals.map((s) => h('span', { class: 'badge warn', title: s.message }, s.kind)),
              },
            ],
            tables,
            { attrs: { id: 'tables-list' }, rowData: (t) => ({ table: t.name }) },
          ),
    );
  };
}

function configLink(key) {
  const [layer, id] = [key.slice(0, 2), key.slice(3)];
  return h('span', {}, link(configHref(layer, id), id), ' ');
}

export async function renderTable(name, query) {
  const d = await api(`tables/${encodeURIComponent(name)}`);
  return async (el) => {
    const charts = h('div', { class: 'charts' });
    const rowsBox = h('section', { id: 'table-rows' });
    fill(
      el,
      h('h1', {}, d.name),
      h(
        'div',
        { class: 'cards' },
        card('Rows', h('span', { id: 'table-records' }, count(d.records))),
        card('Size', bytes(d.sizeBytes)),
        card('Data files', count(d.dataFiles)),
        card('Delete files', count(d.deleteFiles)),
        card('Snapshots', count(d.snapshots.length)),
        card('Updated', time(d.updatedAt)),
      ),
      d.configs.length ? h('p', {}, 'Written by ', d.configs.map(configLink)) : '',
      d.signals.length
        ? h(
            'div',
            { class: 'box' },
            h('strong', {}, 'Maintenance: '),
            h(
              'ul',
              {},
              d.signals.map((s) => h('li', {}, `${s.message}: `, h('span', { class: 'mono' }, s.fix))),
            ),
          )
        : '',
      h('h2', {}, 'Snapshots'),
      charts,
      snapshotTable(d.snapshots),
      h('h2', {}, 'Schema ', h('span', { class: 'muted' }, `(schema id ${d.schema.schemaId})`)),
      grid(
        [
          { label: 'Field id', num: true, key: 'id' },
          { label: 'Name', key: 'name', cls: (f) => (f.depth ? `indent-${Math.min(f.depth, 3)}` : '') },
          { label: 'Type', render: (f) => h('span', { class: 'mono' }, f.type) },
          { label: 'Required', render: (f) => (f.required ? 'yes' : '') },
          { label: 'Doc', key: 'doc' },
        ],
        d.schema.fields,
        {
          attrs: { id: 'table-schema' },
          rowData: (f) => ({ field: f.name, type: f.type, id: String(f.id) }),
        },
      ),
      h('h2', {}, 'Schema evolution'),
      evolution(d.evolution),
      h('h2', {}, 'Partition spec'),
      d.partitionSpec.fields.length
        ? grid(
            [
              { label: 'Partition field', key: 'name' },
              { label: 'Source column', key: 'source' },
              { label: 'Transform', key: 'transform' },
              { label: 'Field id', num: true, key: 'fieldId' },
            ],
            d.partitionSpec.fields,
          )
        : h('p', { class: 'muted', id: 'table-unpartitioned' }, 'Unpartitioned'),
      h('h2', {}, 'Sort order'),
      d.sortOrder.fields.length
        ? h(
            'p',
            {},
            d.sortOrder.fields
              .map(
                (f) =>
                  `${f.transform === 'identity' ? f.source : `${f.transform}(${f.source})`} ${f.direction} ${f.nullOrder}`,
              )
              .join(', '),
          )
        : h('p', { class: 'muted' }, 'Unsorted'),
      h('h2', {}, 'Properties'),
      grid(
        [
          { label: 'Property', key: 'k' },
          {
            label: 'Value',
            render: (p) => h('span', { class: 'mono' }, p.v.length > 200 ? `${p.v.slice(0, 200)}…` : p.v),
          },
        ],
        Object.entries(d.properties).map(([k, v]) => ({ k, v })),
      ),
      h('p', { class: 'muted mono' }, d.metadataLocation),
      h('h2', {}, 'Rows'),
      rowsBox,
    );
    if (d.snapshots.length) {
      indexBars(charts, {
        title: 'Records added and deleted per snapshot',
        labels: d.snapshots.map((s) => `${s.operation} ${s.at}`),
        groups: [
          { label: 'added', values: d.snapshots.map((s) => s.addedRecords), color: COLORS.ok },
          {
            label: 'deleted',
            values: d.snapshots.map((s) => s.deletedRecords + s.addedPositionDeletes),
            color: COLORS.failed,
          },
        ],
        testId: 'snapshots',
      });
    } else charts.append(h('p', { class: 'muted' }, 'No snapshot yet.'));
    await rowsView(rowsBox, d, query);
  };
}

function card(k, v) {
  return h('div', { class: 'card' }, h('div', { class: 'k' }, k), h('div', { class: 'v' }, v));
}

function snapshotTable(snapshots) {
  return grid(
    [
      { label: 'Committed', render: (s) => time(s.at) },
      { label: 'Snapshot', render: (s) => h('span', { class: 'mono' }, s.id, s.current ? ' (current)' : '') },
      { label: 'Operation', key: 'operation' },
      { label: 'Added', num: true, render: (s) => count(s.addedRecords) },
      { label: 'Deleted', num: true, render: (s) => count(s.deletedRecords + s.addedPositionDeletes) },
      { label: 'Total', num: true, render: (s) => count(s.totalRecords) },
      {
        label: 'Run',
        render: (s) => (s.runId ? link(`#/runs?run=${encodeURIComponent(s.runId)}`, s.runId) : ''),
      },
      { label: 'Cursor', render: (s) => h('span', { class: 'mono' }, s.cursor ?? '') },
    ],
    [...snapshots].reverse().slice(0, 30),
    { attrs: { id: 'table-snapshots' } },
  );
}

function evolution(changes) {
  return h(
    'ul',
    { id: 'table-evolution' },
    ...changes.map((c) => {
      const parts = [
        ['added', c.added],
        ['dropped', c.dropped],
        ['renamed', c.renamed],
        ['type changed', c.retyped],
        ['nullability', c.nullability],
      ].filter(([, list]) => list.length);
      return h(
        'li',
        {},
        h('strong', {}, `schema ${c.schemaId}`),
        c.firstUsedAt ? [' (first written ', time(c.firstUsedAt), ')'] : '',
        ': ',
        c.initialColumns !== undefined
          ? `created with ${c.initialColumns} columns`
          : parts.length
            ? parts.map(([k, list]) => `${k} ${list.join(', ')}`).join('; ')
            : 'no column changes',
      );
    }),
  );
}

/** Rows a page at a time; columns and filter in the address, so a view of rows can be shared. */
async function rowsView(box, d, query) {
  const all = d.schema.fields.filter((f) => f.depth === 0).map((f) => f.name);
  const state = {
    columns: query.columns ? query.columns.split(',') : all.slice(0, 12),
    where: query.where ?? '',
    offset: Number(query.offset ?? 0) || 0,
  };
  const colSelect = h(
    'select',
    { multiple: true, size: Math.min(8, all.length), id: 'rows-columns' },
    ...all.map((c) => h('option', { value: c, selected: state.columns.includes(c) }, c)),
  );
  const where = h('input', {
    id: 'rows-where',
    size: 50,
    placeholder: "e.g. status = 'Active' AND id >= 10",
    value: state.where,
  });
  const out = h('div');
  const form = h(
    'form',
    { class: 'filters', id: 'rows-form' },
    h('label', {}, 'columns', colSelect),
    h('label', {}, 'filter', where),
    h('button', { type: 'submit' }, 'Apply'),
  );
  const load = async () => {
    out.replaceChildren(h('p', { class: 'muted' }, 'Loading rows…'));
    let page;
    try {
      page = await api(`tables/${encodeURIComponent(d.name)}/rows`, {
        offset: state.offset,
        limit: PAGE,
        columns: state.columns.join(','),
        where: state.where,
      });
    } catch (e) {
      out.replaceChildren(h('div', { class: 'box error', id: 'rows-error' }, e.message));
      return;
    }
    const prev = h(
      'button',
      { id: 'rows-prev', disabled: state.offset === 0, onclick: () => move(-PAGE) },
      '‹ Previous',
    );
    const next = h(
      'button',
      { id: 'rows-next', disabled: !page.hasMore, onclick: () => move(PAGE) },
      'Next ›',
    );
    out.replaceChildren(
      h(
        'div',
        { class: 'pager' },
        prev,
        next,
        h(
          'span',
          { class: 'muted', id: 'rows-range' },
          page.rows.length ? `rows ${state.offset + 1}–${state.offset + page.rows.length}` : 'no rows',
        ),
      ),
      h(
        'div',
        { style: 'overflow-x:auto' },
        grid(
          page.columns.map((c, i) => ({
            label: `${c.name}`,
            render: (r) =>
              r[i] === null
                ? h('span', { class: 'muted' }, 'null')
                : r[i].length > 120
                  ? `${r[i].slice(0, 120)}…`
                  : r[i],
          })),
          page.rows,
          { attrs: { id: 'rows-table', 'data-offset': String(page.offset) } },
        ),
      ),
    );
  };
  const move = (delta) => {
    state.offset = Math.max(0, state.offset + delta);
    remember();
    return load();
  };
  const remember = () =>
    setQuery({
      columns: state.columns.join(','),
      where: state.where || undefined,
      offset: state.offset || undefined,
    });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    state.columns = [...colSelect.selectedOptions].map((o) => o.value);
    if (!state.columns.length) state.columns = all.slice(0, 12);
    state.where = where.value.trim();
    state.offset = 0;
    remember();
    load();
  });
  box.replaceChildren(form, out);
  await load();
}
