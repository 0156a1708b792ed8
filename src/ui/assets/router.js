// The page's address: `#/<view>[/<id>][?query]`. Filters and paging live in the query, so a
// view can be bookmarked, reloaded and reached with the back button.

export function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/runs';
  const i = raw.indexOf('?');
  const path = i < 0 ? raw : raw.slice(0, i);
  const query = Object.fromEntries(new URLSearchParams(i < 0 ? '' : raw.slice(i + 1)));
  return { path, query };
}

/** Replaces the hash's query (filters, paging) without adding a history entry per keystroke. */
export function setQuery(query, { push = false } = {}) {
  const { path } = parseHash();
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const hash = `#${path}${q.size ? `?${q}` : ''}`;
  if (push) location.hash = hash;
  else history.replaceState(null, '', hash);
}
