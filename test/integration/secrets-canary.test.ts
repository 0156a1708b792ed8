/**
 * Canary secrets of every awkward shape travel through a real L1 job (`floe run`, a child
 * process, against the Wrike simulator) in the query string (`access_token=…`, API_KEY auth), and
 * the job is made to fail in ways that quote URLs: a wrong token (401), a missing endpoint (404),
 * then server faults (5xx, truncated bodies, resets). Afterwards EVERY output floe wrote is
 * grepped for every encoding of every canary: captured stdout/stderr, `.floe/logs`,
 * `.floe/reports`, state.db and the catalog (as bytes, WAL included), `floe history`, the
 * warehouse (files as bytes and the tables' rows) and the child's temp folder (TMPDIR).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTable } from '../../src/iceberg/index.js';
import { startWrikeSimulator, type WrikeSimulator } from '../../src/sim/wrike/index.js';
import { withProjectCatalog } from '../support/l1-project.js';
import { encodedForms } from '../support/secret-encodings.js';

const exec = promisify(execFile);
const bin = new URL('../../bin/floe.js', import.meta.url).pathname;

/** Valid tokens (the simulator accepts them), one config each. */
const VALID: Record<string, string> = {
  tilde: 'canary~tilde~Leak~7777',
  bang: "canary!bang'quote(paren)*8888",
  spaces: 'canary with  spaces 9999',
  plus: 'canary+plus/slash=equals==',
  quotes: 'canary"double\'single\\back\\slash',
  unicode: 'canary-ünïcødé-密码-🔑',
  prefix: 'canary-prefix-1234',
  prefixLonger: 'canary-prefix-1234-and-longer',
};
/** Tokens the simulator rejects (401): the error quotes the URL they travel in. */
const WRONG = { wrong: 'canary~wrong~token 401!' };
const ALL = { ...VALID, ...WRONG };

let sim: WrikeSimulator;
let dir: string;
let tmp: string;
const outputs: { name: string; text: string }[] = [];

/** An API_KEY config whose key travels as `?access_token=…`. */
function item(id: string, path = '/contacts', secretId = id): Record<string, unknown> {
  return {
    configId: `Canary_${id}`,
    platform: 'wrike',
    objectName: 'contacts',
    source: {
      apiType: 'REST',
      auth: { type: 'API_KEY', tokenKey: `canary-${secretId}`, in: 'query', name: 'access_token' },
      request: { method: 'GET', url: `${sim.baseUrl}${path}`, headers: { Accept: 'application/json' } },
      response: { dataPath: '$.data' },
    },
    destination: {
      glueDatabase: 'canary_staging',
      glueTable: `staging_${id.toLowerCase()}`,
      loadType: 'FULL',
      defaultwriteMode: 'OVERWRITE',
    },
    retryPolicy: { maxAttempts: 2, backoff: 'FIXED', baseDelayMs: 1, maxDelayMs: 5 },
  };
}

function writeSecrets(text: string): void {
  writeFileSync(join(dir, '.floe', 'secrets.yaml'), text, { mode: 0o600 });
}

/** `floe …` in the project, with TMPDIR inside it; output captured whatever the exit code. */
async function floe(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  try {
    return await exec(process.execPath, [bin, ...args], {
      cwd: dir,
      env: { ...process.env, TMPDIR: tmp, FORCE_COLOR: '0' },
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e) {
    const { stdout = '', stderr = '' } = e as { stdout?: string; stderr?: string };
    return { stdout, stderr };
  }
}

async function run(label: string): Promise<string> {
  const out = await floe('run', '--project', dir, '--platform', 'wrike', '--process-type', 'L1');
  outputs.push(
    { name: `${label}: stdout`, text: out.stdout },
    { name: `${label}: stderr`, text: out.stderr },
  );
  return out.stdout + out.stderr;
}

function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  walk(root);
  return out;
}

/** Every place a canary was found, as `where: canary (encoding)`. */
function findLeaks(): string[] {
  const needles = Object.entries(ALL).flatMap(([id, secret]) =>
    encodedForms(secret).map((form) => ({ id, form, bytes: Buffer.from(form, 'utf8') })),
  );
  const found: string[] = [];
  const haystacks: { name: string; bytes: Buffer }[] = [
    ...outputs.map((o) => ({ name: o.name, bytes: Buffer.from(o.text, 'utf8') })),
    // Every file floe wrote in the project and its temp folder: all but the secrets file itself.
    ...filesUnder(dir)
      .filter((f) => f !== join(dir, '.floe', 'secrets.yaml'))
      .map((f) => ({ name: relative(dir, f), bytes: readFileSync(f) })),
  ];
  for (const h of haystacks) {
    for (const n of needles) {
      if (h.bytes.includes(n.bytes)) found.push(`${h.name}: canary ${n.id} as ${JSON.stringify(n.form)}`);
    }
  }
  return found;
}

beforeAll(async () => {
  sim = await startWrikeSimulator({
    seed: 11,
    tasks: 20,
    contacts: 30,
    rateLimit: false,
    permanentTokens: Object.values(VALID),
  });
  dir = mkdtempSync(join(tmpdir(), 'floe-canary-'));
  tmp = join(dir, 'tmp');
  for (const d of ['configs/l1', 'configs/l2', '.floe', 'tmp']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(
    join(dir, 'floe.yaml'),
    'environment: canary\nlogs: { format: json, level: debug }\nparallelism: 3\n',
  );
  // JSON strings are YAML double-quoted scalars: every shape is written exactly.
  writeSecrets(
    Object.entries(ALL)
      .map(([id, s]) => `canary-${id}: ${JSON.stringify(s)}\n`)
      .join(''),
  );
  const items = [...Object.keys(ALL).map((id) => item(id)), item('notfound', '/no-such-endpoint', 'tilde')];
  for (const it of items) {
    writeFileSync(join(dir, 'configs', 'l1', `${String(it.configId)}.json`), JSON.stringify(it, null, 2));
  }
}, 60_000);

afterAll(async () => {
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('canary secrets never leave the secrets file', () => {
  it('a run with good tokens, a wrong token and a missing endpoint, then one with server faults', async () => {
    const first = await run('run 1');
    // The good configs loaded their rows; the wrong token and the bad path failed, quoting URLs.
    const rows = await withProjectCatalog(dir, async (catalog) => {
      const out: Record<string, unknown>[] = [];
      for (const id of Object.keys(VALID)) {
        const t = await loadTable(catalog, `canary_staging.staging_${id.toLowerCase()}`);
        out.push(...(await t.scan().toRows()));
      }
      return out;
    });
    let contacts = 0;
    for await (const _ of sim.records('contacts')) contacts++;
    expect(rows.length).toBe(contacts * Object.keys(VALID).length);
    outputs.push({
      name: 'table rows',
      text: JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? `${v}` : v)),
    });

    sim.setFaults({ seed: 3, serverErrorRate: 0.6, truncateRate: 0.3, resetRate: 0.2 });
    const second = await run('run 2');
    sim.setFaults(undefined);

    const history = await floe('history', '--project', dir, '--limit', '100');
    outputs.push({ name: 'floe history', text: history.stdout + history.stderr });
    const historyRows = history.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { configId: string; lastRunStatus: string; error: string });

    // The failures happened, and their messages quote the URLs (redacted).
    const wrong = historyRows.find((r) => r.configId === 'Canary_wrong');
    expect(wrong?.lastRunStatus).toBe('FAILED');
    expect(wrong?.error).toMatch(/access_token=\*\*\*.*401/);
    expect(historyRows.filter((r) => r.configId === 'Canary_notfound').map((r) => r.error)).toContainEqual(
      expect.stringMatching(/access_token=\*\*\*.*404/),
    );
    const logs = filesUnder(join(dir, '.floe', 'logs')).map((f) => readFileSync(f, 'utf8'));
    expect(logs.join('\n')).toMatch(/access_token=\*\*\*.*answered 5\d\d/);
    expect(first + second).toContain('Canary_wrong');
    expect(readdirSync(join(dir, '.floe', 'reports')).length).toBe(2);
    expect(statSync(join(dir, '.floe', 'state.db')).size).toBeGreaterThan(0);

    expect(findLeaks()).toEqual([]);
  }, 240_000);

  it('a broken secrets.yaml holding a canary: the error names the file and the line, never its content', async () => {
    const canary = 'canary-in-a-broken-file-5150';
    outputs.length = 0;
    writeSecrets(
      `canary-tilde: ${JSON.stringify(VALID.tilde)}\ncanary-bang: ${canary}\n  bad: indent ${canary}\n`,
    );
    const out = await run('run 3');
    expect(out).toMatch(
      /secrets file .*secrets\.yaml cannot be read: YAML syntax error, line \d+, column \d+/,
    );
    const history = await floe('history', '--project', dir, '--limit', '100');
    outputs.push({ name: 'floe history', text: history.stdout + history.stderr });
    expect(history.stdout).toMatch(/YAML syntax error, line \d+/);
    const leaks = findLeaks();
    const files = filesUnder(dir).filter((f) => f !== join(dir, '.floe', 'secrets.yaml'));
    for (const f of files) {
      if (readFileSync(f).includes(Buffer.from(canary))) leaks.push(`${relative(dir, f)}: ${canary}`);
    }
    for (const o of outputs) if (o.text.includes(canary)) leaks.push(`${o.name}: ${canary}`);
    expect(leaks).toEqual([]);
    // The error reached the run log, the state and the report, so the grep above looked at it.
    const reports = filesUnder(join(dir, '.floe', 'reports')).map((f) => readFileSync(f, 'utf8'));
    expect(reports.some((r) => /YAML syntax error, line \d+/.test(r))).toBe(true);
    expect(readFileSync(join(dir, '.floe', 'state.db')).includes(Buffer.from('YAML syntax error'))).toBe(
      true,
    );
  }, 120_000);
});
