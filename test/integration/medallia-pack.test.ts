/**
 * The Medallia pack, as shipped, against the Medallia simulator: the field catalogue, and the
 * feedback with one value per answered field pivoted into fields named by the catalogue's ids,
 * equal to the simulator's records; a second INCREMENTAL run after the clock moves reads only the
 * new feedback; a GraphQL error in a 200 answer fails the run with its message; an expired
 * token is renewed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { medalliaPack } from '../../src/connectors/medallia/index.js';
import { type MedalliaSimulator, startMedalliaSimulator } from '../../src/sim/medallia/index.js';
import { buildSource, TokenCache } from '../../src/source/index.js';
import { DateValue, TimestampValue } from '../../src/util/typed-values.js';
import { MemorySecretStore } from '../support/memory-secret-store.js';

type Rec = Record<string, unknown>;
const item = (sim: MedalliaSimulator, id: string) =>
  structuredClone(medalliaPack({ baseUrl: sim.origin }).find((c) => c.configId === id)!);

async function run(
  sim: MedalliaSimulator,
  it: Rec,
  opts: { loadType: 'FULL' | 'INCREMENTAL'; cursor?: string },
) {
  const secrets = new MemorySecretStore({
    'medallia-oauth': { client_id: sim.clientId, client_secret: sim.clientSecret },
  });
  const source = buildSource(it, { secrets, tokenCache: new TokenCache(), now: () => sim.now(), ...opts });
  const records: Rec[] = [];
  for await (const p of source.pages()) records.push(...(p.records as Rec[]));
  return { records, cursorMax: source.cursorMax(), stats: source.stats() };
}

/** A fetched record in the simulator's truth shape (typed values back to the API's text). */
function asTruth(r: Rec): Rec {
  const out: Rec = {};
  for (const [k, v] of Object.entries(r)) {
    if (v instanceof TimestampValue)
      out[k] =
        k === 'a_initial_finish_timestamp'
          ? String(Date.parse(v.iso) / 1000)
          : v.iso.replace('T', ' ').replace('Z', '');
    else if (v instanceof DateValue) out[k] = v.iso;
    else out[k] = v;
  }
  return out;
}

describe('Medallia pack against the simulator', () => {
  let sim: MedalliaSimulator;
  beforeAll(async () => {
    sim = await startMedalliaSimulator({ seed: 3, feedback: 700 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('Medallia_Fields reads the catalogue', async () => {
    const { records } = await run(sim, item(sim, 'Medallia_Fields'), { loadType: 'FULL' });
    expect(records).toEqual(sim.fields());
  });

  it('Medallia_Feedback (FULL) reads every record, answered fields as columns, in finish order', async () => {
    const { records, stats } = await run(sim, item(sim, 'Medallia_Feedback'), { loadType: 'FULL' });
    const truth: Rec[] = [];
    for await (const r of sim.records()) truth.push(r);
    expect(records.map(asTruth)).toEqual(truth);
    expect(stats.pages).toBe(3);
    expect(records[0]!.a_initial_finish_timestamp).toBeInstanceOf(TimestampValue);
    expect(records.some((r) => Array.isArray(r.a_recognition_sentiment_types))).toBe(true);
    expect(stats.rateLimited).toBe(0);
  });

  it('INCREMENTAL after the clock moves reads only the feedback finished since', async () => {
    const local = await startMedalliaSimulator({ seed: 5, feedback: 500, churn: { newPerDayFraction: 0.1 } });
    try {
      const it = item(local, 'Medallia_Feedback');
      const full = await run(local, it, { loadType: 'FULL' });
      local.advanceClock(24 * 3600 * 1000);
      const inc = await run(local, it, { loadType: 'INCREMENTAL', cursor: full.cursorMax! });
      const truth: Rec[] = [];
      for await (const r of local.records()) truth.push(r);
      const known = new Set(full.records.map((r) => r.id));
      expect(inc.records.map((r) => r.id)).toEqual(truth.filter((r) => !known.has(r.id)).map((r) => r.id));
      expect(inc.records.length).toBeGreaterThan(10);
    } finally {
      await local.close();
    }
  });

  it('a GraphQL error in a 200 answer (query cost) fails the config with its message', async () => {
    sim.setMaxQueryCost(100);
    try {
      await expect(run(sim, item(sim, 'Medallia_Feedback'), { loadType: 'FULL' })).rejects.toThrow(
        /Medallia_Feedback: .* answered 200 but reported errors at \$\.errors: Query cost \d+ exceeds the maximum allowed cost of 100\. \(QUERY_COST_EXCEEDED\).*pageSize/,
      );
    } finally {
      sim.setMaxQueryCost(3_000_000);
    }
  });

  it('a field catalogue larger than a page is discovered whole: every field becomes a column', async () => {
    const big = await startMedalliaSimulator({ seed: 4, feedback: 60, extraFields: 1200 });
    try {
      const { records } = await run(big, item(big, 'Medallia_Feedback'), { loadType: 'FULL' });
      const truth: Rec[] = [];
      for await (const r of big.records()) truth.push(r);
      expect(records.map(asTruth)).toEqual(truth);
      // Custom questions from the catalogue's third page (ids beyond the first 1000) are there.
      expect(records.some((r) => Object.keys(r).some((k) => /^q_custom_(1[01]\d\d)$/.test(k)))).toBe(true);
    } finally {
      await big.close();
    }
  });

  it('an access token that expires mid-run is renewed', async () => {
    sim.setFaults({ expireTokensAfterRequests: 2 });
    try {
      const { records, stats } = await run(sim, item(sim, 'Medallia_Feedback'), { loadType: 'FULL' });
      expect(records).toHaveLength(700);
      expect(stats.tokenRefreshes).toBeGreaterThan(0);
    } finally {
      sim.setFaults(undefined);
    }
  });
});
