/**
 * Failpoints: named places where a crash test can make the process die on the spot, so "killed
 * between the data files and the commit" or "killed between the commit and the state update" is
 * a repeatable test rather than a race against a timer. `FLOE_FAILPOINT=<name>[:<n>]` kills the
 * process (SIGKILL, exactly what an OOM killer or `kill -9` does) at the n-th time (default the
 * first) it passes `name`. Unset, a failpoint costs one comparison. `FLOE_FAILPOINT_TRACE=1`
 * prints how often each one was passed when the process exits (for choosing kill points).
 */
const spec = parse(process.env.FLOE_FAILPOINT);
const trace = process.env.FLOE_FAILPOINT_TRACE === '1';
const hits = new Map<string, number>();
if (trace)
  process.on('exit', () => process.stderr.write(`failpoints ${JSON.stringify(Object.fromEntries(hits))}\n`));

function parse(v: string | undefined): { name: string; hit: number } | undefined {
  if (!v) return undefined;
  const [name, n] = v.split(':');
  return { name: name!, hit: n ? Number(n) : 1 };
}

export function failpoint(name: string): void {
  if (trace) hits.set(name, (hits.get(name) ?? 0) + 1);
  if (spec === undefined || spec.name !== name) return;
  if (trace) {
    if (hits.get(name) === spec.hit) process.kill(process.pid, 'SIGKILL');
    return;
  }
  const n = (hits.get(name) ?? 0) + 1;
  hits.set(name, n);
  if (n === spec.hit) process.kill(process.pid, 'SIGKILL');
}
