// Health: tables whose metadata asks for maintenance (with the command that does it) and configs
// that failed twice in a row or are slowing down.
import { api } from '../api.js';
import { configHref, fill, grid, h, link, tableHref } from '../dom.js';

export async function renderHealth() {
  const d = await api('health');
  return (el) => {
    fill(
      el,
      h('h1', {}, 'Health'),
      h(
        'p',
        { class: 'muted' },
        `${d.checked.tables} tables and ${d.checked.configs} configs with history checked.`,
      ),
      h('h2', {}, 'Tables that need maintenance'),
      d.tables.length
        ? grid(
            [
              { label: 'Table', render: (t) => link(tableHref(t.name), t.name) },
              {
                label: 'Why',
                render: (t) =>
                  t.error
                    ? h('span', { class: 'error-text' }, t.error)
                    : h(
                        'ul',
                        {},
                        t.signals.map((s) =>
                          h('li', {}, h('span', { class: 'badge warn' }, s.kind), s.message),
                        ),
                      ),
              },
              {
                label: 'Fix',
                render: (t) => h('span', { class: 'mono' }, t.signals.map((s) => s.fix).join('\n')),
              },
            ],
            d.tables,
            { attrs: { id: 'health-tables' }, rowData: (t) => ({ table: t.name }) },
          )
        : h('p', { id: 'health-tables-ok' }, 'No table needs maintenance.'),
      h('h2', {}, 'Configs that need a look'),
      d.configs.length
        ? grid(
            [
              { label: 'Config', render: (c) => link(configHref(c.layer, c.configId), c.configId) },
              { label: 'Layer', key: 'layer' },
              { label: 'Concern', render: (c) => h('span', { class: 'badge warn' }, c.kind) },
              { label: 'What', key: 'message' },
              { label: 'Last error', render: (c) => h('span', { class: 'error-text' }, c.error ?? '') },
            ],
            d.configs,
            { attrs: { id: 'health-configs' }, rowData: (c) => ({ config: c.configId, kind: c.kind }) },
          )
        : h('p', { id: 'health-configs-ok' }, 'No config failed twice in a row or slowed down.'),
    );
  };
}
