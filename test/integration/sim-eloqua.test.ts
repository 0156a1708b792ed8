/**
 * The Eloqua simulator against Eloqua's documented behaviour, and the pack against its faults:
 * a failed Bulk sync fails the config with the sync log's message and still deletes the export
 * definition; a sync that never finishes stops at poll.timeoutSeconds; discovery refuses a base
 * URL on a host it may not trust; OAuth2 works as Basic does, and an expired token is renewed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eloquaPack } from '../../src/connectors/eloqua/index.js';
import { type EloquaSimulator, startEloquaSimulator } from '../../src/sim/eloqua/index.js';
import { buildSource, TokenCache } from '../../src/source/index.js';
import { MemorySecretStore } from '../support/memory-secret-store.js';

type Rec = Record<string, unknown>;
const basic = (sim: EloquaSimulator) =>
  `Basic ${Buffer.from(`${sim.login.company}\\${sim.login.user}:${sim.login.password}`).toString('base64')}`;

async function call(sim: EloquaSimulator, path: string, init: RequestInit = {}) {
  const res = await fetch(`${sim.origin}${path}`, {
    ...init,
    headers: {
      authorization: basic(sim),
      'content-type': 'application/json',
      ...(init.headers as Record<string, string>),
    },
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Rec) : null };
}

function packItem(sim: EloquaSimulator, id: string, patch: (i: Rec) => void = () => {}): Rec {
  const i = structuredClone(eloquaPack({ baseUrl: sim.origin }).find((c) => c.configId === id)!);
  i.retryPolicy = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 };
  patch(i);
  return i;
}

async function drain(sim: EloquaSimulator, item: Rec, secrets?: MemorySecretStore) {
  const source = buildSource(item, {
    secrets:
      secrets ??
      new MemorySecretStore({
        'eloqua-login': { username: `${sim.login.company}\\${sim.login.user}`, password: sim.login.password },
      }),
    tokenCache: new TokenCache(),
    loadType: 'FULL',
    now: () => sim.now(),
  });
  const records: Rec[] = [];
  for await (const p of source.pages()) records.push(...(p.records as Rec[]));
  return { records, stats: source.stats() };
}

describe('Eloqua simulator', () => {
  let sim: EloquaSimulator;
  beforeAll(async () => {
    sim = await startEloquaSimulator({ seed: 2, contacts: 300 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('/id names the base URL to an authenticated call, and answers 401 "Not authenticated." otherwise', async () => {
    const ok = await call(sim, '/id');
    expect(ok.status).toBe(200);
    expect((ok.body!.urls as Rec).base).toBe(sim.origin);
    const bad = await fetch(`${sim.origin}/id`, { headers: { authorization: 'Basic eDp5' } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toBe('Not authenticated.');
  });

  it('REST lists: {elements, page, pageSize, total}, epoch-string times, count ≤ 1000, search', async () => {
    const p = await call(sim, '/api/REST/2.0/assets/campaigns?count=7&page=2&depth=complete');
    expect(p.body).toMatchObject({ page: 2, pageSize: 7, total: 30 });
    const first = (p.body!.elements as Rec[])[0]!;
    expect(first.updatedAt).toMatch(/^\d{10}$/);
    expect((await call(sim, '/api/REST/2.0/assets/campaigns?count=1001')).status).toBe(400);
    const cut = Number(first.updatedAt);
    const s = await call(
      sim,
      `/api/REST/2.0/assets/campaigns?search=${encodeURIComponent(`updatedAt>='${cut}'`)}`,
    );
    expect((s.body!.elements as Rec[]).every((e) => Number(e.updatedAt) >= cut)).toBe(true);
  });

  it('Bulk: definitions are validated (fields, filter, activity type), syncs go pending → success, data pages by limit/offset', async () => {
    const bad = await call(sim, '/api/bulk/2.0/contacts/exports', {
      method: 'POST',
      body: JSON.stringify({ name: 'x', fields: { A: '{{Contact.Field(C_Nope)}}' } }),
    });
    expect(bad.status).toBe(400);
    expect((bad.body!.failures as Rec[])[0]).toMatchObject({ field: 'fields.A' });
    const noType = await call(sim, '/api/bulk/2.0/activities/exports', {
      method: 'POST',
      body: JSON.stringify({ name: 'x', fields: { A: '{{Activity.Id}}' } }),
    });
    expect(noType.status).toBe(400);
    const def = await call(sim, '/api/bulk/2.0/contacts/exports', {
      method: 'POST',
      body: JSON.stringify({
        name: 'x',
        fields: { Id: '{{Contact.Id}}', Modified: '{{Contact.Field(C_DateModified)}}' },
        filter: "'{{Contact.Field(C_Country)}}' = 'US' OR '{{Contact.Field(C_Country)}}' = 'GB'",
        areSystemTimestampsInUTC: true,
      }),
    });
    expect(def.status).toBe(201);
    expect(def.body!.uri).toMatch(/^\/contacts\/exports\/\d+$/);
    const sync = await call(sim, '/api/bulk/2.0/syncs', {
      method: 'POST',
      body: JSON.stringify({ syncedInstanceUri: def.body!.uri }),
    });
    expect(sync.body).toMatchObject({ status: 'pending' });
    const id = String(sync.body!.uri).split('/').pop();
    expect((await call(sim, `/api/bulk/2.0/syncs/${id}/data`)).status).toBe(400); // not done yet
    await new Promise((r) => setTimeout(r, 350));
    expect((await call(sim, `/api/bulk/2.0/syncs/${id}`)).body!.status).toBe('success');
    const data = await call(sim, `/api/bulk/2.0/syncs/${id}/data?limit=10&offset=0`);
    expect(data.body).toMatchObject({ limit: 10, offset: 0, count: 10, hasMore: true });
    expect((data.body!.items as Rec[])[0]!.Modified).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);
    const contacts: Rec[] = [];
    for await (const c of sim.records('contacts')) contacts.push(c);
    const want = contacts.filter((c) =>
      ['US', 'GB'].includes(String(c['{{Contact.Field(C_Country)}}'])),
    ).length;
    expect(data.body!.totalResults).toBe(want);
    expect((await call(sim, `/api/bulk/2.0${def.body!.uri}`, { method: 'DELETE' })).status).toBe(204);
  });
});

describe('Eloqua simulator: time zones', () => {
  it('Bulk system timestamps are US Eastern unless areSystemTimestampsInUTC is set', async () => {
    const sim = await startEloquaSimulator({ seed: 3, contacts: 50 });
    try {
      const exportOf = async (utc: boolean) => {
        const def = await call(sim, '/api/bulk/2.0/contacts/exports', {
          method: 'POST',
          body: JSON.stringify({
            name: 'tz',
            fields: { Id: '{{Contact.Id}}', At: '{{Contact.CreatedAt}}' },
            areSystemTimestampsInUTC: utc,
          }),
        });
        const sync = await call(sim, '/api/bulk/2.0/syncs', {
          method: 'POST',
          body: JSON.stringify({ syncedInstanceUri: def.body!.uri }),
        });
        await new Promise((r) => setTimeout(r, 350));
        const id = String(sync.body!.uri).split('/').pop();
        return (await call(sim, `/api/bulk/2.0/syncs/${id}/data?limit=50`)).body!.items as Rec[];
      };
      const utc = await exportOf(true);
      const eastern = await exportOf(false);
      for (let i = 0; i < utc.length; i++) {
        const u = Date.parse(`${String(utc[i]!.At).replace(' ', 'T')}Z`);
        const e = Date.parse(`${String(eastern[i]!.At).replace(' ', 'T')}Z`);
        // EST is UTC-5, EDT UTC-4.
        expect([4, 5]).toContain((u - e) / 3_600_000);
      }
    } finally {
      await sim.close();
    }
  });
});

describe('Eloqua pack against faults', () => {
  it('a failed Bulk sync fails the config with the sync log message, and the definition is still deleted', async () => {
    const sim = await startEloquaSimulator({
      seed: 4,
      contacts: 100,
      bulk: { failSyncs: true, syncDurationMs: 50 },
    });
    try {
      await expect(drain(sim, packItem(sim, 'Eloqua_Contacts'))).rejects.toThrow(
        /Eloqua_Contacts: the export job ended with status 'error': There was an error processing the export/,
      );
      expect(sim.exportDefinitions()).toBe(0);
    } finally {
      await sim.close();
    }
  });

  it('a sync that never finishes stops at source.asyncJob.poll.timeoutSeconds, and is cleaned up', async () => {
    const sim = await startEloquaSimulator({ seed: 4, contacts: 100, bulk: { stuckSyncs: true } });
    try {
      const item = packItem(sim, 'Eloqua_Accounts', (i) => {
        const job = (i.source as Rec).asyncJob as { poll: Rec };
        job.poll.intervalMs = 200;
        job.poll.timeoutSeconds = 1;
      });
      await expect(drain(sim, item)).rejects.toThrow(
        /still 'active' after \d+ s; source\.asyncJob\.poll\.timeoutSeconds \(1\)/,
      );
      expect(sim.exportDefinitions()).toBe(0);
    } finally {
      await sim.close();
    }
  });

  it('discovery refuses a base URL on a host source.discovery.allowedHosts does not allow', async () => {
    const sim = await startEloquaSimulator({ seed: 4 });
    try {
      const item = packItem(sim, 'Eloqua_Emails', (i) => {
        ((i.source as Rec).discovery as Rec).allowedHosts = ['*.eloqua.com'];
      });
      await expect(drain(sim, item)).rejects.toThrow(
        /names host 127\.0\.0\.1, which source\.discovery\.allowedHosts \(\*\.eloqua\.com\) does not allow/,
      );
    } finally {
      await sim.close();
    }
  });

  it('OAuth2 (refresh token) reads the same records; an access token that expires mid-run is renewed', async () => {
    const sim = await startEloquaSimulator({ seed: 6, faults: { expireTokensAfterRequests: 2 } });
    try {
      const item = packItem(sim, 'Eloqua_Campaigns', (i) => {
        (i.source as Rec).auth = {
          type: 'OAUTH2',
          tokenKey: 'eloqua-oauth',
          tokenUrl: `${sim.origin}/auth/oauth2/token`,
          clientAuth: 'BASIC',
        };
        ((i.source as Rec).pagination as Rec).pageSize = 5;
      });
      const secrets = new MemorySecretStore({
        'eloqua-oauth': {
          client_id: sim.oauth.clientId,
          client_secret: sim.oauth.clientSecret,
          refresh_token: sim.oauth.refreshToken,
        },
      });
      const { records, stats } = await drain(sim, item, secrets);
      expect(records).toHaveLength(30);
      expect(stats.tokenRefreshes).toBeGreaterThan(0);
      // The provider returned a new refresh token: it was written back to the secret.
      expect(secrets.json('eloqua-oauth').refresh_token).not.toBe(sim.oauth.refreshToken);
    } finally {
      await sim.close();
    }
  });
});
