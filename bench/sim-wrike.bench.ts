/**
 * How fast the Wrike simulator serves tasks over loopback: pages of 1000 through Node's fetch,
 * each body parsed as JSON (what a client has to do anyway). The simulator must never be the
 * bottleneck of an extraction benchmark; the target is > 100k tasks/s.
 */
import { startWrikeSimulator } from '../src/sim/wrike/index.js';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

async function drain(baseUrl: string, token: string, query: string): Promise<{ tasks: number; ms: number }> {
  const headers = { authorization: `Bearer ${token}` };
  const t0 = performance.now();
  let tasks = 0;
  let next: string | undefined;
  do {
    const url = next
      ? `${baseUrl}/tasks?nextPageToken=${encodeURIComponent(next)}`
      : `${baseUrl}/tasks?pageSize=1000${query}`;
    const res = await fetch(url, { headers });
    if (res.status !== 200) throw new Error(`simulator answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { data: unknown[]; nextPageToken?: string };
    tasks += body.data.length;
    next = body.nextPageToken;
  } while (next);
  return { tasks, ms: performance.now() - t0 };
}

export async function run(): Promise<BenchResult[]> {
  const total = Number(process.env.FLOE_BENCH_SIM_TASKS ?? 200_000);
  const sim = await startWrikeSimulator({ tasks: total, rateLimit: false });
  try {
    const token = sim.permanentToken!;
    await drain(sim.baseUrl, token, ''); // warm-up (JIT)
    const plain = await drain(sim.baseUrl, token, '');
    const fields = encodeURIComponent(
      JSON.stringify(['description', 'customFields', 'parentIds', 'responsibleIds', 'authorIds']),
    );
    const rich = await drain(sim.baseUrl, token, `&fields=${fields}`);
    const start = encodeURIComponent(JSON.stringify({ start: '2023-07-01T00:00:00Z' }));
    const filtered = await drain(sim.baseUrl, token, `&updatedDate=${start}`);
    const rate = (r: { tasks: number; ms: number }) => Math.round(r.tasks / (r.ms / 1000));
    return [
      {
        name: 'sim-wrike tasks served, default fields',
        value: rate(plain),
        unit: 'tasks/s',
        note: `${plain.tasks} tasks, pageSize 1000, fetch + JSON.parse`,
      },
      {
        name: 'sim-wrike tasks served, 5 optional fields',
        value: rate(rich),
        unit: 'tasks/s',
        note: 'description, customFields, parentIds, responsibleIds, authorIds',
      },
      {
        name: 'sim-wrike tasks served, updatedDate filter',
        value: rate(filtered),
        unit: 'tasks/s',
        note: `${filtered.tasks} matching tasks`,
      },
    ];
  } finally {
    await sim.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run())
    console.log(`${r.name}: ${r.value.toLocaleString('en')} ${r.unit}${r.note ? ` (${r.note})` : ''}`);
}
