/**
 * `npm run docs`: writes the generated docs (docs/config-reference.md, docs/cli.md) from the
 * code. Run it after changing a config schema or a command; test/unit/docs-generated.test.ts
 * fails until the committed files are current.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cliReferenceMarkdown } from './cli-reference.js';
import { configReferenceMarkdown } from './config-reference.js';

/** The generated files, by repository-relative path. */
export async function generatedDocs(): Promise<Record<string, string>> {
  return {
    'docs/config-reference.md': configReferenceMarkdown(),
    'docs/cli.md': await cliReferenceMarkdown(),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = join(import.meta.dirname, '..', '..');
  for (const [path, text] of Object.entries(await generatedDocs())) {
    await writeFile(join(root, path), text, 'utf8');
    process.stdout.write(`wrote ${path}\n`);
  }
}
