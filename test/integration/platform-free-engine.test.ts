// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` are config placeholders, not JS templates
/**
 * The packs need no platform code. (1) A guard: the sync path (src/source, src/http, src/l1,
 * src/iceberg, src/job) names no platform in its code (comments may cite APIs as examples).
 * (2) A fourth, invented API, shaped like none of the shipped ones in detail but using their
 * mechanisms (client credentials, a token in a paging envelope, parent → child partitions, epoch
 * and ISO times, errors in a 200 body), loads into an Iceberg table by a config file alone.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobParams } from '../../src/config/job-params.js';
import { loadTable, SqlCatalog } from '../../src/iceberg/index.js';
import { runJob } from '../../src/job/run-job.js';
import { REPO_ROOT } from '../support/interop.js';

const PLATFORMS = /\b(wrike|cvent|eloqua|medallia)\b/i;
const SYNC_PATH = ['src/source', 'src/http', 'src/l1', 'src/iceberg', 'src/job'];

/** The code of a TypeScript file without its comments (string and template literals kept). */
function withoutComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const n = text[i + 1];
    if (c === '/' && n === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && n === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('the sync path knows no platform', () => {
  it('no platform name in the code of src/source, src/http, src/l1, src/iceberg, src/job', () => {
    const hits: string[] = [];
    for (const dir of SYNC_PATH) {
      for (const f of files(join(REPO_ROOT, dir))) {
        const code = withoutComments(readFileSync(f, 'utf8'));
        code.split('\n').forEach((line) => {
          if (PLATFORMS.test(line)) hits.push(`${f.slice(REPO_ROOT.length + 1)}: ${line.trim()}`);
        });
      }
    }
    expect(hits).toEqual([]);
  });

  it('the guard sees names in code and not in comments', () => {
    expect(PLATFORMS.test(withoutComments("// Wrike\n/* Cvent */ const x = 'url';"))).toBe(false);
    expect(PLATFORMS.test(withoutComments("const p = 'eloqua'; // ok"))).toBe(true);
    expect(PLATFORMS.test(withoutComments('if (platform === `medallia`) {}'))).toBe(true);
  });
});

// ---- the invented API: "Stagehand", a venue-booking service --------------------------------------

const CLIENT = 'stagehand-app:stagehand-secret';
let server: Server;
let origin: string;
const VENUES = ['v-1', 'v-2', 'v-3'];
const BOOKINGS = VENUES.flatMap((v, vi) =>
  Array.from({ length: 7 }, (_, k) => ({
    bookingNo: `${v}-b${k}`,
    guest: { name: `Guest ${vi}${k}`, vip: k % 3 === 0 },
    seats: k + 1,
    bookedAt: String(1_706_000_000 + vi * 1000 + k * 60), // epoch seconds as text
    changed: new Date(Date.UTC(2024, 0, 2 + k, 10, 0, 0, 250 * k)).toISOString().replace('Z', '+00:00'),
  })),
);

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', origin);
  if (url.pathname === '/auth') {
    const basic = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
    return basic === CLIENT ? json(res, 200, { access_token: 'tok-1', expires_in: 600 }) : json(res, 401, {});
  }
  if (req.headers.authorization !== 'Bearer tok-1') return json(res, 401, { problem: 'token' });
  if (url.pathname === '/v3/venues')
    return json(res, 200, { result: { list: VENUES.map((code) => ({ code })) } });
  const m = /^\/v3\/venues\/([^/]+)\/bookings$/.exec(url.pathname);
  if (m) {
    const all = BOOKINGS.filter((b) => b.bookingNo.startsWith(`${m[1]}-`));
    const from = Number(url.searchParams.get('cursor') ?? 0);
    const size = Number(url.searchParams.get('size') ?? 2);
    const page = all.slice(from, from + size);
    return json(res, 200, {
      result: { list: page },
      meta: { continuation: from + size < all.length ? String(from + size) : null },
      problems: [],
    });
  }
  json(res, 404, {});
}

const dir = mkdtempSync(join(tmpdir(), 'floe-invented-'));
beforeAll(async () => {
  server = createServer((req, res) => {
    handle(req, res).catch(() => json(res, 500, {}));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mkdirSync(join(dir, 'configs', 'l1'), { recursive: true });
  mkdirSync(join(dir, '.floe'), { recursive: true });
  writeFileSync(join(dir, 'floe.yaml'), 'logs: { format: json, level: warn }\n');
  writeFileSync(
    join(dir, '.floe', 'secrets.yaml'),
    'stagehand: { client_id: stagehand-app, client_secret: stagehand-secret }\n',
    {
      mode: 0o600,
    },
  );
  writeFileSync(
    join(dir, 'configs', 'l1', 'bookings.yaml'),
    `configId: Stagehand_Bookings
platform: stagehand
objectName: bookings
source:
  auth: { type: CLIENT_CREDENTIALS, tokenKey: stagehand, tokenUrl: ${origin}/auth }
  request: { url: '${origin}/v3/venues/\${venue}/bookings' }
  response:
    dataPath: $.result.list
    errorPath: $.problems
    fieldTypes:
      bookedAt: { type: TIMESTAMP, format: EPOCH_SECONDS }
      changed: { type: TIMESTAMP }
  pagination:
    type: cursor
    pageSize: 2
    pageSizeOption: { in: query, name: size }
    cursorPath: $.meta.continuation
    tokenOption: { in: query, name: cursor }
  partitions:
    request: { url: '${origin}/v3/venues' }
    dataPath: $.result.list
    valuePath: code
    as: venue
    recordField: venue
destination:
  glueDatabase: stagehand
  glueTable: bookings
  primaryKey: [bookingNo]
  loadType: FULL
  defaultwriteMode: OVERWRITE
`,
  );
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('an invented API, by config only', () => {
  it('loads every booking of every venue with typed times into an Iceberg table', async () => {
    const out = await runJob(
      parseJobParams(['--project', dir, '--platform', 'stagehand', '--process-type', 'L1'], {}),
      {
        logStream: { write: () => true },
      },
    );
    expect(out.results.map((r) => [r.configId, r.status, r.records, r.error])).toEqual([
      ['Stagehand_Bookings', 'SUCCESS', BOOKINGS.length, undefined],
    ]);
    const catalog = new SqlCatalog({
      name: 'floe',
      path: join(dir, '.floe', 'catalog.db'),
      warehouse: join(dir, 'warehouse'),
    });
    try {
      const t = await loadTable(catalog, 'stagehand.bookings');
      const types = Object.fromEntries(t.schema().fields.map((f) => [f.name, f.type]));
      expect(types.booked_at).toBe('timestamptz');
      expect(types.changed).toBe('timestamptz');
      expect(types.venue).toBe('string');
      const rows = await t.scan({ select: ['booking_no', 'venue', 'booked_at', 'changed'] }).toRows();
      expect(rows).toHaveLength(BOOKINGS.length);
      const b = rows.find((r) => r.booking_no === 'v-2-b3')!;
      expect(b.venue).toBe('v-2');
      const bookedAt = new Date((1_706_000_000 + 1000 + 3 * 60) * 1000).toISOString();
      expect(String(b.booked_at)).toBe(bookedAt.replace('.000Z', '.000000+00:00'));
      expect(String(b.changed)).toBe('2024-01-05T10:00:00.750000+00:00');
    } finally {
      await catalog.close();
    }
  });
});
