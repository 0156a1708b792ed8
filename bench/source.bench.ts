// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` are config placeholders, not JS templates
/**
 * The config-driven REST source against the Wrike simulator on loopback:
 *  1. throughput and memory: FLOE_BENCH_TASKS tasks (default 1,000,000), pageSize 1000, no rate
 *     limit; records/s and peak RSS (the simulator runs in the same process and is included);
 *  2. rate-limit utilisation: simulator at Wrike's 400 req/min, client limiter at 400/min, for
 *     FLOE_BENCH_RATE_SECONDS (default 60); share of the limit used (target ≥ 95 %) and 429s (target 0).
 */
import { Worker } from 'node:worker_threads';
import type { SourceItemInput } from '../src/config/source-schema.js';
import { startWrikeSimulator } from '../src/sim/wrike/index.js';
import { buildSource } from '../src/source/index.js';
import { MemorySecretStore } from '../test/support/memory-secret-store.js';
import { withRssSampling } from './peak-rss.js';

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

function tasksItem(
  baseUrl: string,
  pageSize: number,
  rateLimit?: { requestsPerMinute: number },
): SourceItemInput {
  return {
    configId: 'Wrike_Tasks',
    source: {
      auth: { type: 'PERM', tokenKey: 'wrike' },
      request: {
        method: 'GET',
        url: `${baseUrl}/tasks`,
        headers: { Authorization: 'Bearer ${accessToken}' },
      },
      response: { dataPath: '$.data' },
      pagination: {
        type: 'cursor',
        pageSize,
        pageSizeOption: { in: 'query', name: 'pageSize' },
        cursorPath: '$.nextPageToken',
        tokenOption: { in: 'query', name: 'nextPageToken' },
      },
      ...(rateLimit ? { rateLimit } : {}),
    },
    retryPolicy: { backoff: 'EXPONENTIAL', maxAttempts: 5, baseDelayMs: 200 },
  };
}

const secrets = new MemorySecretStore({ wrike: { accessToken: 'sim-permanent-token' } });

/**
 * The simulator in a worker thread, so it does not share the event loop (and the CPU time) with
 * the source being measured; a real API is another machine.
 */
async function simInWorker(tasks: number): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const simUrl = new URL('../src/sim/wrike/index.ts', import.meta.url).href;
  const code = `
    const { parentPort } = await import('node:worker_threads');
    const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))});
    register();
    const { startWrikeSimulator } = await import(${JSON.stringify(simUrl)});
    const sim = await startWrikeSimulator({ tasks: ${tasks}, rateLimit: false });
    parentPort.postMessage(sim.baseUrl);
    parentPort.once('message', async () => { await sim.close(); parentPort.postMessage('closed'); });
  `;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    baseUrl,
    close: async () => {
      const closed = new Promise((r) => worker.once('message', r));
      worker.postMessage('close');
      await closed;
      await worker.terminate();
    },
  };
}

async function throughput(): Promise<BenchFigure[]> {
  const total = Number(process.env.FLOE_BENCH_TASKS ?? 1_000_000);
  const sim = await simInWorker(total);
  try {
    const source = buildSource(tasksItem(sim.baseUrl, 1000), { secrets });
    const t0 = performance.now();
    const { result: n, peakMb } = await withRssSampling(async () => {
      let n = 0;
      for await (const page of source.pages()) n += page.records.length;
      return n;
    });
    const s = (performance.now() - t0) / 1000;
    if (n !== total) throw new Error(`fetched ${n} tasks, expected ${total}`);
    return [
      {
        name: 'source: Wrike tasks fetched (pageSize 1000)',
        value: Math.round(n / s),
        unit: 'records/s',
        note: `${n} tasks in ${s.toFixed(1)} s`,
      },
      {
        name: 'source: peak RSS while fetching',
        value: Math.round(peakMb),
        unit: 'MB',
        note: 'process RSS; the simulator runs in a worker thread of it',
      },
    ];
  } finally {
    await sim.close();
  }
}

async function utilisation(): Promise<BenchFigure[]> {
  const seconds = Number(process.env.FLOE_BENCH_RATE_SECONDS ?? 60);
  const limit = 400;
  const sim = await startWrikeSimulator({ tasks: 200_000, rateLimit: { requestsPerMinute: limit } });
  try {
    const source = buildSource(tasksItem(sim.baseUrl, 10, { requestsPerMinute: limit }), {
      secrets,
      prefetch: false,
    });
    sim.resetStats();
    const t0 = performance.now();
    for await (const _ of source.pages()) {
      if (performance.now() - t0 >= seconds * 1000) break;
    }
    const elapsed = (performance.now() - t0) / 1000;
    const st = sim.stats();
    // The first request is free (at t = 0); each later one costs 60/limit seconds.
    const allowed = (limit / 60) * elapsed;
    return [
      {
        name: 'source: rate-limit utilisation at 400 req/min',
        value: (100 * (st.requests - 1)) / allowed,
        unit: '%',
        note: `${st.requests} requests in ${elapsed.toFixed(1)} s`,
      },
      { name: 'source: 429 responses with the limiter on', value: st.throttled, unit: 'count' },
    ];
  } finally {
    await sim.close();
  }
}

export async function run(): Promise<BenchFigure[]> {
  return [...(await throughput()), ...(await utilisation())];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run())
    console.log(`${r.name}: ${r.value.toLocaleString('en')} ${r.unit}${r.note ? ` (${r.note})` : ''}`);
}
