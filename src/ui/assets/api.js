// The page reads the same JSON API scripts use (docs/ui.md). The token, when the server needs
// one, travels as the cookie the first load set; nothing else is sent.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export async function api(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {}))
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const url = `/api/${path}${q.size ? `?${q}` : ''}`;
  const res = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  const body = await res.json().catch(() => ({ error: `${res.status} ${res.statusText}` }));
  if (!res.ok) throw new ApiError(res.status, body.error ?? `${res.status} ${res.statusText}`);
  return body;
}
