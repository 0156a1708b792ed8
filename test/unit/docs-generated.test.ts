/**
 * The generated docs are current (regenerated here and compared with the committed files), and
 * the README and docs/ stand alone: no link or path outside the repository, every relative link
 * resolves to a file in it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedDocs } from '../../src/docs/generate.js';

const root = join(import.meta.dirname, '..', '..');

describe('generated docs', () => {
  it.each(['docs/config-reference.md', 'docs/cli.md'])('%s is current (fix: npm run docs)', async (path) => {
    const fresh = (await generatedDocs())[path];
    expect(fresh, `${path} is not generated`).toBeDefined();
    const committed = existsSync(join(root, path)) ? readFileSync(join(root, path), 'utf8') : '';
    // A plain equality check prints a huge diff; name the first differing line instead.
    if (committed !== fresh) {
      const a = committed.split('\n');
      const b = (fresh ?? '').split('\n');
      const i = a.findIndex((line, n) => line !== b[n]);
      const at = i < 0 ? Math.min(a.length, b.length) : i;
      expect.fail(
        `${path} is out of date at line ${at + 1} (committed: ${JSON.stringify(a[at] ?? '')}, generated: ${JSON.stringify(b[at] ?? '')}); run \`npm run docs\` and commit the result`,
      );
    }
  });

  it('the config reference documents every L1 field of the JSON Schema', async () => {
    const text = (await generatedDocs())['docs/config-reference.md']!;
    for (const field of [
      'source.auth.name',
      'source.pagination.totalRecordsPath',
      'source.incremental.format',
      'destination.primaryKey',
      'source.request.url',
    ])
      expect(text).toContain(`\`${field}\``);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a floe request placeholder, not JS
    expect(text).toContain('`${start}`');
    expect(text).toContain('`ISO8601_MS` | `2024-01-31T10:00:00.123Z`');
  });
});

describe('README and docs stand alone', () => {
  const files = [
    'README.md',
    ...readdirSync(join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];

  it.each(files)('%s points nowhere outside the repository', (file) => {
    const text = readFileSync(join(root, file), 'utf8');
    expect(text).not.toMatch(/\.\.\/shared|\/work\/|ARCHITECTURE\.md/);
    for (const m of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/.test(target)) continue; // an external URL (https:, mailto:)
      const abs = resolve(dirname(join(root, file)), target);
      expect(abs.startsWith(root), `${file} links outside the repo: ${target}`).toBe(true);
      expect(existsSync(abs), `${file} links to a missing file: ${target}`).toBe(true);
    }
  });

  it('the README points at docs/', () => {
    const text = readFileSync(join(root, 'README.md'), 'utf8');
    for (const doc of [
      'docs/getting-started.md',
      'docs/config-reference.md',
      'docs/cli.md',
      'docs/architecture.md',
    ])
      expect(text).toContain(doc);
  });
});
