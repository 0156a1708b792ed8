/** Messages of errors an API reports in a body (GraphQL `errors[]`, export logs), joined. */
export function bodyErrorMessages(errors: unknown): string {
  const list = Array.isArray(errors) ? errors : [errors];
  return list
    .map((e) => {
      if (e && typeof e === 'object') {
        const o = e as Record<string, unknown>;
        const msg = typeof o.message === 'string' ? o.message : JSON.stringify(e);
        const code = (o.extensions as Record<string, unknown> | undefined)?.code ?? o.code;
        return code === undefined ? msg : `${msg} (${String(code)})`;
      }
      return String(e);
    })
    .join('; ');
}
